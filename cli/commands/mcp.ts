import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { Context } from "../context.js";
import { packageVersion } from "../version.js";

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
  async run(ctx, { options }) {
    const token = opt.string(options, "token");
    const serverUrl = opt.string(options, "server");
    const own =
      token || serverUrl
        ? new Context({
            ...ctx.env,
            ...(token ? { ENVPLANE_TOKEN: token } : {}),
            ...(serverUrl ? { ENVPLANE_SERVER: serverUrl } : {}),
          })
        : ctx;
    // Loaded here, not at start: other commands never pay for the MCP SDK.
    const [{ StdioServerTransport }, { createMcpServer }] = await Promise.all([
      import("@modelcontextprotocol/sdk/server/stdio.js"),
      import("../../mcp/server.js"),
    ]);
    const client = own.sdk();
    // Fails at once (on stderr, exit 1) when the server cannot be reached or refuses the token.
    const { viewer } = await client.viewer();
    const server = createMcpServer(client, { version: packageVersion() });
    const transport = new StdioServerTransport();
    const ended = new Promise<void>((resolve) => {
      process.stdin.once("end", resolve);
      process.stdin.once("close", resolve);
    });
    await server.connect(transport);
    ctx.io.note(
      `envplane MCP server on stdio for ${own.credentials()!.server}, as ${viewer.user?.name ?? viewer.token?.name ?? "?"}.`,
    );
    await ended;
    await server.close();
  },
};
