/**
 * POST /mcp: the MCP server (mcp/) over Streamable HTTP, stateless (a fresh McpServer per
 * request, JSON responses). The caller's bearer token is the agent's identity: each tool's
 * GraphQL call goes to this app's own /graphql, in-process, with that token and the caller's
 * address and user agent, so authentication, rate limits, the permission policy and the audit
 * log are GraphQL's. Session cookies are not accepted here.
 */
import type { IncomingMessage } from "node:http";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { MAX_BODY_BYTES } from "../../core/limits.js";
import { createMcpServerForToken } from "../../mcp/server.js";
import { readBodyBytes } from "./body.js";
import { errorResponse } from "./session.js";

export { MCP_PATH } from "./mcp-path.js";

export interface McpRoute {
  /** The app's GraphQL handler (yoga.fetch) with the original request's server context. */
  graphql: (request: Request, serverContext: { req?: IncomingMessage }) => Promise<Response>;
  /** Transport-level problems (never a tool's arguments or results). */
  warn: (line: string) => void;
}

const MIB = MAX_BODY_BYTES / 1024 / 1024;
const UNAUTHENTICATED =
  "The MCP endpoint needs an envplane token: send Authorization: Bearer <token> (a personal or service token; " +
  "create one with envplane tokens create). Dashboard session cookies are not accepted here.";

const jsonRpcError = (status: number, code: number, message: string) =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/** The body as text, at most MAX_BODY_BYTES (a chunked body is read only that far); null past it. */
async function readBody(request: Request): Promise<string | null> {
  const bytes = await readBodyBytes(request, MAX_BODY_BYTES);
  return bytes && Buffer.from(bytes).toString("utf8");
}

/** Headers the inner GraphQL request keeps: where the call came from (for the audit log and the links it makes). */
const FORWARDED = ["x-forwarded-for", "x-forwarded-proto"];

export async function handleMcp(
  request: Request,
  serverContext: { req?: IncomingMessage },
  route: McpRoute,
): Promise<Response> {
  if (request.method !== "POST")
    return errorResponse(
      405,
      "METHOD_NOT_ALLOWED",
      "This MCP endpoint is stateless: send each JSON-RPC message with POST /mcp (Streamable HTTP, JSON responses). " +
        "GET streams and DELETE of sessions are not offered.",
      { allow: "POST" },
    );
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!token)
    return errorResponse(401, "UNAUTHENTICATED", UNAUTHENTICATED, {
      "www-authenticate": 'Bearer realm="envplane", error="invalid_request"',
    });

  const graphqlUrl = new URL("/graphql", request.url).href;
  const headers: Record<string, string> = {
    "user-agent": `${request.headers.get("user-agent") ?? "mcp-client"} (via envplane MCP)`,
  };
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  const innerFetch = (input: string, init: RequestInit) => route.graphql(new Request(input, init), serverContext);

  // The token is checked before any MCP message is handled, so a bad one is an HTTP 401 an MCP client understands.
  const probe = await innerFetch(graphqlUrl, {
    method: "POST",
    headers: {
      ...headers,
      "content-type": "application/json",
      "x-envplane-client": "mcp",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: "{ viewer { canCreateProjects } }" }),
  });
  if (probe.status === 401 || probe.status === 429) {
    const body = (await probe.json().catch(() => null)) as { errors?: { message?: string }[] } | null;
    const message = body?.errors?.[0]?.message ?? "The token was refused.";
    const retryAfter = probe.headers.get("retry-after");
    return errorResponse(
      probe.status,
      probe.status === 401 ? "UNAUTHENTICATED" : "RATE_LIMITED",
      message,
      probe.status === 401
        ? { "www-authenticate": 'Bearer realm="envplane", error="invalid_token"' }
        : retryAfter
          ? { "retry-after": retryAfter }
          : {},
    );
  }
  await probe.body?.cancel().catch(() => {});

  const text = await readBody(request);
  if (text === null)
    return errorResponse(413, "PAYLOAD_TOO_LARGE", `Request body is larger than ${MIB} MiB. Send smaller messages.`);
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(text);
  } catch {
    return jsonRpcError(
      400,
      -32700,
      "Parse error: the request body is not JSON. Send one JSON-RPC message (or a batch).",
    );
  }

  const server = createMcpServerForToken({
    url: graphqlUrl,
    token,
    fetch: innerFetch,
    headers: { ...headers, "x-envplane-client": "mcp" },
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  transport.onerror = (error) => route.warn(`MCP transport: ${error.name}: ${error.message}`);
  try {
    await server.connect(transport);
    return await transport.handleRequest(request, { parsedBody });
  } finally {
    await server.close().catch(() => {});
  }
}
