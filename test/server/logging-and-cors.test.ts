/**
 * Server logs and CORS over a real port. Logs: JSON lines with one access line per request
 * (operation, status, duration, actor and token ids), at any level never a variable value:
 * a canary secret set, resolved through runtimeVariables and sent in failed requests never
 * appears. CORS: no cross-origin access unless the origin is on the allow-list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCorsOrigins } from "../../server/config.js";
import { expectType } from "../support/expect.js";
import { createProject, serviceToken, setVariable } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

const CANARY = "canary-secret-5b1f0e7d";

describe("server logs", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ listen: true, logLevel: "trace" });
  });
  afterAll(() => server.close());

  it("write one JSON access line per request, and never a value, at level trace", async () => {
    await createProject(server.owner, "logs");
    await setVariable(server.owner, {
      project: "logs",
      environment: "preview",
      key: "SECRET",
      value: CANARY,
      secret: true,
    });
    const runtime = await serviceToken(server, "logs", ["RUNTIME"]);
    server.logs.length = 0;
    const resolved = expectType(
      (await runtime.client.runtimeVariables({ project: "logs", branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(resolved.variables[0].value).toBe(CANARY);
    // Failed requests carrying the canary: a bad token, a type error, an invalid key, a NUL.
    const send = (token: string, query: string, variables: unknown) =>
      fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-envplane-client": "test", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables, operationName: "leak" }),
      }).then((r) => r.status);
    const set = `mutation leak($input: SetVariableInput!) { setVariable(input: $input) { __typename } }`;
    expect(
      await send("envp_pat_bad", set, {
        input: { project: "logs", environment: "development", key: "K", value: CANARY },
      }),
    ).toBe(401);
    expect(
      await send(server.ownerToken, set, {
        input: { project: "logs", environment: "development", key: "K", value: CANARY, secret: CANARY },
      }),
    ).toBe(200);
    expect(
      await send(server.ownerToken, set, {
        input: { project: "logs", environment: "development", key: `bad key ${CANARY}`, value: CANARY },
      }),
    ).toBe(200);
    expect(
      await send(server.ownerToken, set, {
        input: { project: `x\u0000${CANARY}`, environment: "development", key: "K", value: CANARY },
      }),
    ).toBe(400);

    const lines = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of server.logs) expect(line).not.toContain(CANARY);
    const access = lines.filter((l) => l.msg === "request");
    expect(access).toHaveLength(5);
    expect(access[0]).toMatchObject({
      method: "POST",
      path: "/graphql",
      operation: "runtimeVariables",
      status: 200,
      actor: "service",
      tokenId: runtime.id,
    });
    expect(typeof access[0].durationMs).toBe("number");
    expect(access[1]).toMatchObject({ operation: "leak", status: 401 });
    expect(access[1].tokenId).toBeUndefined();
    expect(access[2]).toMatchObject({ operation: "leak", status: 200, actor: "user" });
    expect(access[4]).toMatchObject({ operation: "leak", status: 400 });
    for (const line of lines) expect(Object.keys(line)).not.toContain("variables");
  });
});

describe("CORS", () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
  const post = (server: TestServer, origin: string) =>
    fetch(server.url, {
      method: "POST",
      headers: { origin, "content-type": "application/json", authorization: `Bearer ${server.ownerToken}` },
      body: JSON.stringify({ query: "{ viewer { token { id } } }" }),
    });

  it("by default gives no cross-origin access: no Access-Control-Allow-* header for any origin", async () => {
    const server = await startTestServer({ listen: true });
    try {
      for (const response of [
        await preflight(server.url, "https://evil.example"),
        await post(server, "https://evil.example"),
      ]) {
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
        expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      }
    } finally {
      await server.close();
    }
  });

  it("with an allow-list, answers only the listed origin (with credentials) and never echoes another", async () => {
    const server = await startTestServer({ listen: true, config: { corsOrigins: ["https://dash.example.com"] } });
    try {
      const allowed = await preflight(server.url, "https://dash.example.com");
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dash.example.com");
      expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
      expect((await post(server, "https://dash.example.com")).headers.get("access-control-allow-origin")).toBe(
        "https://dash.example.com",
      );
      for (const origin of ["https://evil.example", "https://dash.example.com.evil.example", "null"]) {
        for (const response of [await preflight(server.url, origin), await post(server, origin)]) {
          expect(response.headers.get("access-control-allow-origin")).toBeNull();
          expect(response.headers.get("access-control-allow-credentials")).toBeNull();
        }
      }
    } finally {
      await server.close();
    }
  });

  it("ENVPLANE_CORS_ORIGINS refuses * and anything but exact origins", () => {
    expect(parseCorsOrigins(" https://a.example , http://localhost:5173")).toEqual([
      "https://a.example",
      "http://localhost:5173",
    ]);
    for (const bad of ["*", "https://a.example/", "a.example", "https://a.example/path", "ftp://a.example"])
      expect(() => parseCorsOrigins(bad)).toThrow(/ENVPLANE_CORS_ORIGINS must list exact origins/);
  });
});
