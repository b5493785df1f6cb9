import type { CommandSpec } from "../command.js";

export const mcp: CommandSpec = {
  path: ["mcp"],
  summary: "Serve envplane's tools to an AI agent (MCP over stdio).",
  details:
    "Speaks the Model Context Protocol on stdin/stdout for an MCP client (Claude Desktop, an IDE, an agent SDK); " +
    "stdout carries only the protocol, messages go to stderr. It acts with the CLI's login, or ENVPLANE_TOKEN " +
    "(and ENVPLANE_SERVER), or --token/--server: that token's permissions are the agent's.\n\n" +
    "MCP client configuration:\n" +
    '  { "mcpServers": { "envplane": { "command": "envplane", "args": ["mcp"],\n' +
    '      "env": { "ENVPLANE_SERVER": "https://envplane.example.com", "ENVPLANE_TOKEN": "envp_pat_…" } } } }',
  options: {
    token: {
      type: "string",
      value: "<token>",
      description: "The token to act with (default: ENVPLANE_TOKEN, then login).",
    },
    server: {
      type: "string",
      value: "<url>",
      description: "The envplane server (default: ENVPLANE_SERVER, then login).",
    },
  },
  run: (ctx, invocation) => import("./mcp.run.js").then((m) => m.mcp(ctx, invocation)),
};
