/**
 * POST /mcp on a real port: bearer tokens only (401 with WWW-Authenticate otherwise, session cookies
 * refused), POST only, the body limit, JSON-RPC parse errors, and tool calls that go through GraphQL's
 * policy and audit log as the token (with the caller's user agent).
 */
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../core/limits.js";
import { createProject, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

const mcpUrl = () => new URL("/mcp", server.url).href;
const ACCEPT = "application/json, text/event-stream";
const rpc = (method: string, params: unknown, id = 1) => JSON.stringify({ jsonrpc: "2.0", id, method, params });
const INIT = rpc("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "raw-test", version: "1" },
});

async function post(body: string, headers: Record<string, string> = {}) {
  return fetch(mcpUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body,
  });
}

describe("POST /mcp", () => {
  it("needs a bearer token: 401 with WWW-Authenticate and a message saying how, for none, a bad one or a cookie", async () => {
    const none = await post(INIT);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await none.json()).error.message).toMatch(/Authorization: Bearer <token>/);

    const bad = await post(INIT, { authorization: "Bearer envp_pat_notarealtoken" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toMatch(/invalid_token/);

    // A real dashboard session: accepted by /graphql from the dashboard, refused by /mcp.
    const origin = new URL(server.url).origin;
    const signIn = await fetch(`${origin}/auth/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-envplane-client": "dashboard", origin },
      body: JSON.stringify({ token: server.ownerToken }),
    });
    expect(signIn.status).toBe(200);
    const cookie = /^([^;]*);/.exec(signIn.headers.get("set-cookie") ?? "")![1];
    const withCookie = await post(INIT, { cookie, origin, "x-envplane-client": "dashboard" });
    expect(withCookie.status).toBe(401);
    expect((await withCookie.json()).error.message).toMatch(/session cookies are not accepted/);
  });

  it("answers GET and DELETE with 405 and Allow: POST", async () => {
    for (const method of ["GET", "DELETE"]) {
      const r = await fetch(mcpUrl(), {
        method,
        headers: { accept: "text/event-stream", authorization: `Bearer ${server.ownerToken}` },
      });
      expect(r.status, method).toBe(405);
      expect(r.headers.get("allow")).toBe("POST");
      expect((await r.json()).error.message).toMatch(/stateless.*POST \/mcp/);
    }
  });

  it("refuses a body over the limit (413) and a body that is not JSON (a JSON-RPC parse error)", async () => {
    const auth = { authorization: `Bearer ${server.ownerToken}` };
    const big = await post(JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES + 1) }), auth);
    expect(big.status).toBe(413);
    const garbage = await post("{not json", auth);
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).error).toMatchObject({ code: -32700 });
  });

  it("serves initialize and tool calls statelessly; writes are audited as the token, with the MCP client named", async () => {
    await createProject(server.owner, "mcp-raw");
    const auth = { authorization: `Bearer ${server.ownerToken}`, "user-agent": "raw-agent/1.0" };
    const init = await post(INIT, auth);
    expect(init.status).toBe(200);
    expect(init.headers.get("mcp-session-id")).toBeNull();
    expect((await init.json()).result.serverInfo).toMatchObject({ name: "envplane" });

    const set = await post(
      rpc(
        "tools/call",
        { name: "set_env_vars", arguments: { project: "mcp-raw", environment: "development", env: { PORT: "1" } } },
        2,
      ),
      auth,
    );
    expect(set.status).toBe(200);
    const result = (await set.json()).result;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ added: ["PORT"], mode: "merge" });

    const audit = await server.owner.auditLog({ project: "mcp-raw", first: 5 });
    const write = audit.auditLog.nodes.find((e) => e.keys.includes("PORT"));
    expect(write?.actor.type).toBe("USER");
    expect(write?.userAgent).toBe("raw-agent/1.0 (via envplane MCP)");
    expect(write?.clientAddress).toBe("127.0.0.1");
    const { viewer } = await server.owner.viewer();
    expect(write?.actor.tokenId).toBe(viewer.token?.id);
  });
});
