/** The MCP endpoint's path (here, apart from http/mcp.ts: the app loads that module on the first request to it). */
export const MCP_PATH = "/mcp";
