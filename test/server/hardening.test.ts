/**
 * The HTTP endpoint over a real port (SECURITY 15-17): query limits reject abusive
 * documents before any resolver (no SQL), no field suggestions, CSRF prevention, rate
 * limits on failed authentication and runtime resolutions, a body size limit, GraphiQL.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_COST } from "../../core/limits.js";
import { EnvplaneRequestError } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { createProject, serviceToken } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

const MiB = 1024 * 1024;

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function post(
  server: TestServer,
  body: unknown,
  token: string | null = server.ownerToken,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-envplane-client": "test",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/**
 * `levels` nested selections under project { environment { … } } (graphql-armor counts one more). One project and
 * environment, not lists of them: every mappedBranches list multiplies the cost, and the query within the depth limit
 * must be within the cost limit too.
 */
function nested(levels: number): string {
  let inner = levels % 2 === 1 ? "branch" : "name";
  for (let i = levels - 3; i >= 0; i--) inner = `${i % 2 === 0 ? "mappedBranches" : "environment"} { ${inner} }`;
  return `{ project(slug: "hard") { environment(name: "development") { ${inner} } } }`;
}

describe("GraphQL hardening", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ listen: true, countQueries: true });
    await createProject(server.owner, "hard");
  });
  afterAll(() => server.close());

  const many = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => field(i)).join(" ");
  const cases: [string, string, string, RegExp][] = [
    ["depth", nested(11), nested(12), /depth limit of 12/],
    [
      "aliases",
      `{ ${many(15, (i) => `a${i}: projects { nodes { id } }`)} }`,
      `{ ${many(16, (i) => `a${i}: projects { nodes { id } }`)} }`,
      /Aliases limit of 15/i,
    ],
    [
      "directives",
      `{ projects { nodes { ${many(10, () => "id @include(if: true)")} } } }`,
      `{ projects { nodes { ${many(11, () => "id @include(if: true)")} } } }`,
      /Directives limit of 10/i,
    ],
    [
      "tokens",
      `{ projects { nodes { ${"id ".repeat(200)} } } }`,
      `{ projects { nodes { ${"id ".repeat(5001)} } } }`,
      /Token limit of 5000/,
    ],
    [
      "cost",
      `{ projects { nodes { environments { name } } } }`,
      `{ projects { nodes { environments { mappedBranches { environment { mappedBranches { environment { mappedBranches { environment { ${"name id revision ".repeat(400)} } } } } } } } } } }`,
      new RegExp(`Cost limit of ${MAX_COST} exceeded`, "i"),
    ],
  ];

  it.each(cases)(
    "the %s limit rejects an abusive query before any SQL; a query within it runs",
    async (_name, within, beyond, message) => {
      let before = server.queries.length;
      const ok = await post(server, { query: within });
      expect(JSON.parse(ok.text).errors).toBeUndefined();
      expect(server.queries.length).toBeGreaterThan(before);

      before = server.queries.length;
      const rejected = await post(server, { query: beyond });
      const body = JSON.parse(rejected.text);
      expect(body.data).toBeUndefined();
      expect(body.errors[0].message).toMatch(message);
      expect(server.queries.slice(before)).toEqual([]);
    },
  );

  it("counts the page of each request's variables, also for a document validated before (validation cache)", async () => {
    const query = `query deep($n: Int) { projects(first: $n) { nodes { environments { mappedBranches { environment {
      mappedBranches { environment { ${"name id revision ".repeat(4)} } } } } } } } }`;
    const run = async (n: number) => JSON.parse((await post(server, { query, variables: { n } })).text);
    expect((await run(1)).errors).toBeUndefined();
    expect((await run(1)).errors).toBeUndefined(); // now cached by yoga
    let before = server.queries.length;
    const rejected = await run(500);
    expect(rejected.data).toBeUndefined();
    expect(rejected.errors[0].message).toMatch(new RegExp(`cost limit of ${MAX_COST} exceeded`, "i"));
    expect(server.queries.slice(before)).toEqual([]);
    // …and the refusal is not remembered for the next request's small page.
    before = server.queries.length;
    expect((await run(1)).errors).toBeUndefined();
    expect(server.queries.length).toBeGreaterThan(before);
  });

  it("does not suggest field names", async () => {
    for (const query of ["{ projectz { id } }", '{ project(slug: "hard") { slugg } }', "{ viewer { tokn { id } } }"]) {
      const { text } = await post(server, { query });
      expect(JSON.parse(text).errors[0].message).toMatch(/Cannot query field/);
      expect(text).not.toMatch(/Did you mean/);
    }
  });

  it("refuses simple (CSRF-able) requests without the x-envplane-client header; the SDK works", async () => {
    const query = JSON.stringify({ query: "{ __typename }" });
    const simple = [
      await fetch(server.url, { method: "POST", headers: { "content-type": "text/plain" }, body: query }),
      await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `query=${encodeURIComponent("{ __typename }")}`,
      }),
      await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`),
    ];
    for (const response of simple) expect(response.status).toBe(403);
    const withHeader = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { "x-envplane-client": "test" },
    });
    expect([withHeader.status, await withHeader.json()]).toEqual([200, { data: { __typename: "Query" } }]);
    expect((await server.owner.viewer()).viewer.user?.name).toBe("Owner");
  });

  it("answers 413 to bodies over 32 MiB, with or without Content-Length (closing the connection), and accepts 30 MiB and small chunked bodies", async () => {
    const padded = (bytes: number) =>
      JSON.stringify({ query: "{ __typename }", extensions: { pad: "x".repeat(bytes) } });
    const big = await post(server, padded(33 * MiB));
    expect(big.status).toBe(413);
    // No Content-Length (chunked), written in pieces: the status, the Connection header and the body.
    const chunked = (body: string) =>
      new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
        const url = new URL(server.url);
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: { "content-type": "application/json", "x-envplane-client": "test" },
          },
          (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, text }));
          },
        );
        req.on("error", reject);
        const piece = Math.max(1, Math.min(MiB, Math.ceil(body.length / 2)));
        for (let i = 0; i < body.length; i += piece) req.write(body.slice(i, i + piece));
        req.end();
      });
    const over = await chunked(padded(33 * MiB));
    // The rest of the upload is never read: the connection closes after the answer.
    expect([over.status, over.connection]).toEqual([413, "close"]);
    const small = await chunked(padded(10));
    expect([small.status, JSON.parse(small.text)]).toEqual([200, { data: { __typename: "Query" } }]);
    const fine = await post(server, padded(30 * MiB));
    expect([fine.status, JSON.parse(fine.text)]).toEqual([200, { data: { __typename: "Query" } }]);
  });

  it("serves GraphiQL to a browser at GET /graphql", async () => {
    const response = await fetch(server.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/GraphiQL/);
  });
});

describe("rate limits", () => {
  // The limits count per fixed one-minute window (shared by every server on PostgreSQL): a test that
  // crossed a window's end would see its count restart. Start each one early enough in a window.
  const startEarlyInAWindow = async () => {
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 50));
  };

  it("after 3 failed authentications, the next failure is refused with 429 and Retry-After; a valid token is still served", async () => {
    const server = await startTestServer({ listen: true, config: { authFailuresPerMinute: 3 } });
    await startEarlyInAWindow();
    try {
      expect((await post(server, { query: "{ viewer { user { id } } }" })).status).toBe(200);
      const revoked = expectType(
        (await server.owner.createToken({ input: { kind: "PERSONAL", name: "r" } })).createToken,
        "CreateTokenPayload",
      );
      expectType(
        (await server.owner.revokeToken({ input: { id: revoked.token.id } })).revokeToken,
        "RevokeTokenPayload",
      );
      for (const bad of ["envp_pat_malformed", `${server.ownerToken.slice(0, -1)}0`, revoked.plaintextToken]) {
        const { status, text } = await post(server, { query: "{ viewer { user { id } } }" }, bad);
        expect([status, JSON.parse(text).errors[0].extensions.code]).toEqual([401, "UNAUTHENTICATED"]);
      }
      const limited = await post(server, { query: "{ viewer { user { id } } }" }, "envp_pat_malformed");
      expect(limited.status).toBe(429);
      expect(JSON.parse(limited.text).errors[0].extensions.code).toBe("RATE_LIMITED");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      const error = await server
        .client("envp_pat_malformed")
        .viewer()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnvplaneRequestError);
      expect([(error as EnvplaneRequestError).status, (error as EnvplaneRequestError).code]).toEqual([
        429,
        "RATE_LIMITED",
      ]);
      // The address's failures never lock out a valid token (behind a proxy, every client shares one address).
      expect((await server.owner.viewer()).viewer.user?.name).toBe("Owner");
    } finally {
      await server.close();
    }
  });

  it("limits runtime resolutions per token: the third in a minute gets 429 RATE_LIMITED", async () => {
    const server = await startTestServer({ listen: true, config: { runtimeResolutionsPerMinute: 2 } });
    try {
      await createProject(server.owner, "rl");
      const [first, second] = [
        (await serviceToken(server, "rl", ["RUNTIME"])).client,
        (await serviceToken(server, "rl", ["RUNTIME"])).client,
      ];
      await startEarlyInAWindow();
      for (let i = 0; i < 2; i++)
        expectType(
          (await first.runtimeVariables({ project: "rl", branch: "dev" })).runtimeVariables,
          "RuntimeEnvironment",
        );
      const error = await first.runtimeVariables({ project: "rl", branch: "dev" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnvplaneRequestError);
      expect([(error as EnvplaneRequestError).status, (error as EnvplaneRequestError).code]).toEqual([
        429,
        "RATE_LIMITED",
      ]);
      // Other tokens and other operations of the same token are not affected.
      expectType(
        (await second.runtimeVariables({ project: "rl", branch: "dev" })).runtimeVariables,
        "RuntimeEnvironment",
      );
      expect((await first.viewer()).viewer.project?.slug).toBe("rl");
    } finally {
      await server.close();
    }
  });
});
