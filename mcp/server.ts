/**
 * envplane's MCP server: tools and resources for AI agents, built on an SDK client. Every tool
 * calls the GraphQL API as the client's token, so the token's permissions are the agent's and
 * the permission policy is the one GraphQL applies. Served over stdio (`envplane mcp`) and over
 * Streamable HTTP (`/mcp` on the server).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type ClientOptions, createClient, type EnvplaneClient, SDK_VERSION } from "../sdk/index.js";
import { GUIDE_URI } from "./guide.js";
import { registerResources } from "./resources.js";
import { registerPreviewTools } from "./tools/previews.js";
import { registerProjectTools } from "./tools/projects.js";
import { registerSecretTools } from "./tools/secrets.js";
import { registerStatusTools } from "./tools/status.js";
import { registerVariableTools } from "./tools/variables.js";

export interface McpServerInfo {
  /** envplane's version, reported to the client (default: the SDK's, which is the package's). */
  version?: string;
}

export const INSTRUCTIONS =
  "envplane stores environment variables per project and environment. Values go in, never out: list_env_vars gives " +
  "names and types only. set_env_vars merges (only named keys change). Never pass secrets through set_env_vars: " +
  "call request_secret and hand the link to a person. After a change, redeploy (see redeployNeeded). " +
  `Read ${GUIDE_URI} for the details.`;

export function createMcpServer(client: EnvplaneClient, info: McpServerInfo = {}): McpServer {
  const server = new McpServer(
    { name: "envplane", title: "envplane", version: info.version ?? SDK_VERSION },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } },
  );
  registerProjectTools(server, client);
  registerVariableTools(server, client);
  registerSecretTools(server, client);
  registerPreviewTools(server, client);
  registerStatusTools(server, client);
  registerResources(server, client);
  return server;
}

/** A server for one bearer token, its GraphQL calls going through `options.fetch` (the HTTP route's in-process one). */
export function createMcpServerForToken(options: ClientOptions, info: McpServerInfo = {}): McpServer {
  return createMcpServer(createClient(options), info);
}
