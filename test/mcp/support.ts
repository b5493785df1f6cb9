/**
 * MCP clients for tests: the real MCP SDK Client over stdio (spawning the real `envplane mcp`
 * process) or over Streamable HTTP (POST /mcp of a test server on a real port).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { TestServer } from "../support/server.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/envplane.js");

export interface McpConnection {
  client: Client;
  /** What the stdio process wrote to stderr so far ("" over HTTP). */
  stderr(): string;
  close(): Promise<void>;
}

export type Transport = "stdio" | "http";

/** `flags`: stdio with --server and --token instead of ENVPLANE_SERVER and ENVPLANE_TOKEN. */
export async function connectMcp(
  server: TestServer,
  token: string,
  transport: Transport,
  options: { flags?: boolean } = {},
): Promise<McpConnection> {
  const client = new Client({ name: "envplane-test", version: "1.0.0" });
  if (transport === "http") {
    const url = new URL("/mcp", server.url);
    await client.connect(
      new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    return { client, stderr: () => "", close: () => client.close() };
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-mcp-"));
  const stdio = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", ...(options.flags ? ["--server", server.url, "--token", token] : [])],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      NO_COLOR: "1",
      ...(options.flags ? {} : { ENVPLANE_SERVER: server.url, ENVPLANE_TOKEN: token }),
    },
    stderr: "pipe",
  });
  let stderr = "";
  stdio.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  await client.connect(stdio);
  return {
    client,
    stderr: () => stderr,
    close: async () => {
      await client.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface ToolAnswer {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
  raw: CallToolResult;
}

export async function call(
  connection: McpConnection,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolAnswer> {
  const raw = (await connection.client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    isError: raw.isError === true,
    text: raw.content.map((c) => (c.type === "text" ? c.text : "")).join("\n"),
    structured: raw.structuredContent,
    raw,
  };
}

/** Calls a tool that must succeed; fails with its text otherwise. */
export async function callOk(connection: McpConnection, name: string, args: Record<string, unknown> = {}) {
  const answer = await call(connection, name, args);
  if (answer.isError) throw new Error(`${name} failed: ${answer.text}`);
  // biome-ignore lint/suspicious/noExplicitAny: tests read the structured content freely
  return answer as ToolAnswer & { structured: Record<string, any> };
}
