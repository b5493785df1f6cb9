/**
 * Dashboard sessions over a real port, as a browser uses them: POST /auth/session with a
 * personal token or a one-time sign-in link's code sets the envplane_session cookie (exact
 * flags), the cookie authenticates GraphQL only with x-envplane-client from the server's own
 * origin (a same-site page on another port is refused and changes nothing), a session that
 * expired, was revoked, signed out or whose token was revoked stops at once (401
 * SESSION_EXPIRED, cookie cleared), links work once and for 2 minutes, failed sign-ins are
 * rate limited, and no secret reaches the logs or the database in plaintext.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSessionHours } from "../../server/config.js";
import { expectType } from "../support/expect.js";
import { createProject, newUser, serviceToken } from "../support/fixtures.js";
import { databaseSnapshot, withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

const COOKIE = "envplane_session";

interface Browser {
  origin: string;
  signIn(
    body: unknown,
    options?: { origin?: string | null; client?: boolean; headers?: Record<string, string> },
  ): Promise<Response>;
  signOut(cookie: string | null, options?: { origin?: string }): Promise<Response>;
  /** A GraphQL request with the session cookie (and, unless told otherwise, the header and own Origin). */
  gql(
    cookie: string,
    query: string,
    options?: { origin?: string | null; client?: boolean; headers?: Record<string, string>; variables?: unknown },
  ): Promise<Response>;
}

function browser(server: TestServer): Browser {
  const origin = new URL(server.url).origin;
  const headers = (o: { origin?: string | null; client?: boolean; headers?: Record<string, string> } = {}) => ({
    "content-type": "application/json",
    ...(o.client === false ? {} : { "x-envplane-client": "dashboard" }),
    ...(o.origin === null ? {} : { origin: o.origin ?? origin }),
    ...o.headers,
  });
  return {
    origin,
    signIn: (body, o = {}) =>
      fetch(`${origin}/auth/session`, {
        method: "POST",
        headers: headers(o),
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    signOut: (cookie, o = {}) =>
      fetch(`${origin}/auth/session`, {
        method: "DELETE",
        headers: { ...headers(o), ...(cookie ? { cookie: `${COOKIE}=${cookie}` } : {}) },
      }),
    gql: (cookie, query, o = {}) =>
      fetch(server.url, {
        method: "POST",
        headers: { ...headers(o), cookie: `${COOKIE}=${cookie}` },
        body: JSON.stringify({ query, variables: o.variables ?? {} }),
      }),
  };
}

/** The session secret from a Set-Cookie header. */
function secretOf(response: Response): string {
  const match = /^envplane_session=([^;]*);/.exec(response.headers.get("set-cookie") ?? "");
  if (!match) throw new Error(`no session cookie in ${response.status}: ${response.headers.get("set-cookie")}`);
  return match[1];
}

async function signedIn(b: Browser, token: string): Promise<string> {
  const response = await b.signIn({ token });
  expect(response.status, await response.clone().text()).toBe(200);
  return secretOf(response);
}

const VIEWER = `query viewer { viewer { user { id name } token { id } session { id createdVia current } } }`;

/** A second ago, as the database stores dates (SQLite: Prisma's ISO text). */
const past = (server: TestServer) => {
  const date = new Date(Date.now() - 1000);
  return server.database.provider === "sqlite" ? date.toISOString().replace("Z", "+00:00") : date;
};

async function sessionRow(server: TestServer, id: string) {
  return withRawDb(server.database, async (q) => (await q(`SELECT * FROM "Session" WHERE "id" = $1`, [id]))[0]);
}

describe("dashboard sessions", () => {
  let server: TestServer;
  let b: Browser;
  beforeAll(async () => {
    server = await startTestServer({ listen: true, logLevel: "trace" });
    b = browser(server);
  });
  afterAll(() => server.close());

  it("signing in with a personal token sets an HttpOnly, SameSite=Strict cookie (no Secure on http)", async () => {
    const before = Date.now();
    const response = await b.signIn(
      { token: server.ownerToken },
      { headers: { "user-agent": `UA ${"x".repeat(500)}` } },
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    const viewer = (await server.owner.viewer()).viewer;
    expect(body.user).toMatchObject({ id: viewer.user!.id, name: viewer.user!.name, isInstanceAdmin: true });
    const expiresAt = new Date(body.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 12 * 3600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 12 * 3600_000 + 1000);
    const cookie = response.headers.getSetCookie()[0];
    const secret = secretOf(response);
    expect(secret).toMatch(/^envs_[A-Za-z0-9_-]{43}$/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(Math.abs(maxAge - 12 * 3600)).toBeLessThanOrEqual(5);
    expect(cookie).toBe(`${COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`);
    expect(response.headers.get("cache-control")).toBe("no-store");

    // The cookie authenticates GraphQL as that user, with the token it descends from.
    const r = await b.gql(secret, VIEWER);
    expect(r.status).toBe(200);
    const data = (await r.json()).data.viewer;
    expect(data.user.id).toBe(viewer.user!.id);
    expect(data.token.id).toBe(viewer.token.id);
    expect(data.session).toMatchObject({ createdVia: "TOKEN", current: true });
    const row = await sessionRow(server, data.session.id);
    expect(row.hash).not.toBe(secret);
    expect(String(row.userAgent)).toHaveLength(200);
    expect((await databaseSnapshot(server.database)).contains(secret)).toBe(false);
  });

  it("refuses a service token, a bad token and a malformed body with what is expected", async () => {
    await createProject(server.owner, "sessions-svc");
    const svc = await serviceToken(server, "sessions-svc", ["READ"]);
    const refused = await b.signIn({ token: svc.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect((await refused.json()).error.message).toMatch(/Service tokens cannot sign in.*personal token/);

    const bad = await b.signIn({ token: `${server.ownerToken.slice(0, -8)}AAAAAAAA` });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error).toMatchObject({
      code: "UNAUTHENTICATED",
      message: expect.stringMatching(/token/),
    });

    for (const body of ["not json", "[]", {}, { token: server.ownerToken, code: "x" }, { token: 42 }, { code: "" }]) {
      const r = await b.signIn(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((await r.json()).error.message).toMatch(/"token":"envp_pat_…"/);
    }
  });

  it("reads a chunked sign-in body only up to its limit: answers before the (endless) upload ends", async () => {
    const url = new URL(b.origin);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/auth/session",
          headers: { "content-type": "application/json", "x-envplane-client": "test", origin: b.origin },
        },
        (response) => {
          let body = "";
          response.on("data", (chunk) => (body += chunk));
          response.on("end", () => {
            request.destroy();
            resolve({ status: response.statusCode!, body });
          });
        },
      );
      request.on("error", reject);
      // No Content-Length (chunked), 64 KiB sent and the request never ended: a server that reads
      // the whole body before checking its size waits forever (and buffers whatever arrives).
      request.write(`{"token":"${"x".repeat(64 * 1024)}`);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.message).toMatch(/"token":"envp_pat_…"/);
  });

  it("refuses sign-in without x-envplane-client or from another origin, saying why", async () => {
    const port = Number(new URL(b.origin).port);
    const cases = [
      [{ client: false }, /x-envplane-client/],
      [{ origin: null }, /Origin header/],
      [{ origin: `http://127.0.0.1:${port + 1}` }, /page of http:\/\/127\.0\.0\.1:\d+, not of this server/],
      [{ origin: `https://127.0.0.1:${port}` }, /not of this server/],
    ] as const;
    for (const [options, message] of cases) {
      const r = await b.signIn({ token: server.ownerToken }, options);
      expect(r.status).toBe(403);
      expect(r.headers.get("set-cookie")).toBeNull();
      expect((await r.json()).error).toMatchObject({
        code: "FORBIDDEN_ORIGIN",
        message: expect.stringMatching(message),
      });
    }
  });

  it("the cookie is refused without x-envplane-client or from another origin (same site, other port): nothing changes", async () => {
    const secret = await signedIn(b, server.ownerToken);
    const port = Number(new URL(b.origin).port);
    const create = `mutation { createProject(input: { slug: "from-elsewhere" }) { __typename } }`;
    for (const options of [{ client: false }, { origin: `http://127.0.0.1:${port + 1}` }, { origin: null }]) {
      const r = await b.gql(secret, create, options);
      expect(r.status).toBe(403);
      const body = await r.json();
      expect(body.data ?? null).toBeNull();
      expect(body.errors[0].extensions.code).toBe("FORBIDDEN_ORIGIN");
      expect(body.errors[0].message).toMatch(/x-envplane-client|Origin|not of this server/);
    }
    expect((await server.owner.project({ slug: "from-elsewhere" })).project).toBeNull();
    // The same request from the server's own origin is served.
    const ok = await b.gql(secret, create);
    expect((await ok.json()).data.createProject.__typename).toBe("ProjectPayload");
  });

  it("Authorization wins over the cookie", async () => {
    const user = await newUser(server, "token wins");
    const r = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-envplane-client": "test",
        authorization: `Bearer ${user.token}`,
        cookie: `${COOKIE}=${await signedIn(b, server.ownerToken)}`,
        origin: "http://elsewhere.example",
      },
      body: JSON.stringify({ query: VIEWER }),
    });
    const viewer = (await r.json()).data.viewer;
    expect(viewer.user.id).toBe(user.id);
    expect(viewer.session).toBeNull();
  });

  it("an expired session answers 401 SESSION_EXPIRED and clears the cookie", async () => {
    const secret = await signedIn(b, server.ownerToken);
    const id = (await withRawDb(server.database, (q) => q(`SELECT "id" FROM "Session" ORDER BY "createdAt" DESC`)))[0]
      .id as string;
    await withRawDb(server.database, (q) =>
      q(`UPDATE "Session" SET "expiresAt" = $1 WHERE "id" = $2`, [past(server), id]),
    );
    const r = await b.gql(secret, VIEWER);
    expect(r.status).toBe(401);
    expect(r.headers.get("set-cookie")).toBe(`${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    const error = (await r.json()).errors[0];
    expect(error.extensions.code).toBe("SESSION_EXPIRED");
    expect(error.message).toMatch(/Sign in again/);
  });

  it("revokeSession ends a session at once, even one just used (cached)", async () => {
    const user = await newUser(server, "revoker");
    const [a, c] = [await signedIn(b, user.token), await signedIn(b, user.token)];
    expect((await b.gql(a, VIEWER)).status).toBe(200);
    const list = await user.client.sessions({});
    expect(list.viewer.sessions.totalCount).toBe(2);
    expect(list.viewer.sessions.nodes.every((s) => !s.current)).toBe(true);
    const aId = (await (await b.gql(a, VIEWER)).json()).data.viewer.session.id;
    // Another user cannot revoke it: not found.
    const other = await newUser(server, "not the owner of it");
    expectType((await other.client.revokeSession({ input: { id: aId } })).revokeSession, "NotFoundError");
    expect((await b.gql(a, VIEWER)).status).toBe(200);

    expectType((await user.client.revokeSession({ input: { id: aId } })).revokeSession, "RevokeSessionPayload");
    const after = await b.gql(a, VIEWER);
    expect(after.status).toBe(401);
    expect((await after.json()).errors[0].extensions.code).toBe("SESSION_EXPIRED");
    expect((await b.gql(c, VIEWER)).status).toBe(200);
    expectType((await user.client.revokeSession({ input: { id: aId } })).revokeSession, "NotFoundError");
  });

  it("revokeOtherSessions keeps the current session only; sessions list marks it current", async () => {
    const user = await newUser(server, "other sessions");
    const [a, c, d] = [await signedIn(b, user.token), await signedIn(b, user.token), await signedIn(b, user.token)];
    const list = `query { viewer { sessions(first: 10) { totalCount nodes { id current createdVia } } } }`;
    const listed = (await (await b.gql(a, list)).json()).data.viewer.sessions;
    expect(listed.totalCount).toBe(3);
    expect(listed.nodes.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const revoke = `mutation { revokeOtherSessions { ... on RevokeOtherSessionsPayload { count } } }`;
    expect((await (await b.gql(a, revoke)).json()).data.revokeOtherSessions.count).toBe(2);
    expect((await b.gql(c, VIEWER)).status).toBe(401);
    expect((await b.gql(d, VIEWER)).status).toBe(401);
    expect((await b.gql(a, VIEWER)).status).toBe(200);
    // With a token (no current session) every session ends.
    const r = expectType((await user.client.revokeOtherSessions()).revokeOtherSessions, "RevokeOtherSessionsPayload");
    expect(r.count).toBe(1);
    expect((await b.gql(a, VIEWER)).status).toBe(401);
  });

  it("signing out deletes the session and clears the cookie", async () => {
    const user = await newUser(server, "signs out");
    const secret = await signedIn(b, user.token);
    expect((await b.gql(secret, VIEWER)).status).toBe(200);
    expect((await b.signOut(secret, { origin: "http://127.0.0.1:1" })).status).toBe(403);
    expect((await b.gql(secret, VIEWER)).status).toBe(200);
    const r = await b.signOut(secret);
    expect(r.status).toBe(204);
    expect(r.headers.getSetCookie()[0]).toBe(`${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    expect((await b.gql(secret, VIEWER)).status).toBe(401);
    expect((await user.client.sessions({})).viewer.sessions.totalCount).toBe(0);
    expect((await b.signOut(secret)).status).toBe(204);
  });

  it("revoking the personal token ends the sessions it signed in", async () => {
    const user = await newUser(server, "token revoked");
    const secret = await signedIn(b, user.token);
    expect((await b.gql(secret, VIEWER)).status).toBe(200);
    const tokenId = (await user.client.viewer()).viewer.token.id;
    expectType((await server.owner.revokeToken({ input: { id: tokenId } })).revokeToken, "RevokeTokenPayload");
    expect((await b.gql(secret, VIEWER)).status).toBe(401);
  });

  it("a sign-in link works once, for 2 minutes, and of concurrent redemptions exactly one wins", async () => {
    const user = await newUser(server, "link user");
    const link = expectType((await user.client.createSignInLink()).createSignInLink, "SignInLink");
    const url = new URL(link.url);
    expect(url.origin).toBe(b.origin);
    expect(url.pathname).toBe("/sign-in");
    const code = new URLSearchParams(url.hash.slice(1)).get("code")!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const lifetime = new Date(link.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(110_000);
    expect(lifetime).toBeLessThanOrEqual(120_000);
    expect((await databaseSnapshot(server.database)).contains(code)).toBe(false);

    const first = await b.signIn({ code });
    expect(first.status).toBe(200);
    expect((await first.json()).user.id).toBe(user.id);
    const viewer = (await (await b.gql(secretOf(first), VIEWER)).json()).data.viewer;
    expect(viewer.session.createdVia).toBe("LINK");
    expect(viewer.token.id).toBe((await user.client.viewer()).viewer.token.id);
    const second = await b.signIn({ code });
    expect(second.status).toBe(401);
    expect((await second.json()).error.message).toMatch(/already used.*envplane dashboard/);

    // Concurrent redemptions of one fresh link: exactly one session.
    const fresh = expectType((await user.client.createSignInLink()).createSignInLink, "SignInLink");
    const freshCode = new URLSearchParams(new URL(fresh.url).hash.slice(1)).get("code")!;
    const results = await Promise.all(Array.from({ length: 5 }, () => b.signIn({ code: freshCode })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);

    // Expired: refused.
    const old = expectType((await user.client.createSignInLink()).createSignInLink, "SignInLink");
    const oldCode = new URLSearchParams(new URL(old.url).hash.slice(1)).get("code")!;
    await withRawDb(server.database, (q) =>
      q(`UPDATE "SignInLink" SET "expiresAt" = $1 WHERE "usedAt" IS NULL`, [past(server)]),
    );
    expect((await b.signIn({ code: oldCode })).status).toBe(401);
  });

  it("service tokens cannot create sign-in links", async () => {
    await createProject(server.owner, "sessions-link-svc");
    const svc = await serviceToken(server, "sessions-link-svc", ["READ", "WRITE"]);
    const r = expectType((await svc.client.createSignInLink()).createSignInLink, "ForbiddenError");
    expect(r.message).toMatch(/Service tokens cannot create sign-in links/);
  });

  it("signing in again in the same browser ends the session its cookie named", async () => {
    const user = await newUser(server, "again");
    const first = await signedIn(b, user.token);
    const second = await b.signIn({ token: user.token }, { headers: { cookie: `${COOKIE}=${first}` } });
    expect(second.status).toBe(200);
    expect((await b.gql(first, VIEWER)).status).toBe(401);
    expect((await b.gql(secretOf(second), VIEWER)).status).toBe(200);
    expect((await user.client.sessions({})).viewer.sessions.totalCount).toBe(1);
  });

  it("a dashboard session cannot make sign-in links (it would extend itself past its expiry)", async () => {
    const user = await newUser(server, "linker");
    const secret = await signedIn(b, user.token);
    const links = () => withRawDb(server.database, (q) => q(`SELECT "id" FROM "SignInLink"`));
    const before = (await links()).length;
    const response = await b.gql(secret, "mutation { createSignInLink { __typename ... on Error { message } } }");
    const body = await response.json();
    expect(body.data.createSignInLink.__typename).toBe("ForbiddenError");
    expect(body.data.createSignInLink.message).toMatch(/personal token/);
    expect((await links()).length).toBe(before);
  });

  it("planted session cookies: a request with two is refused, and sign-in clears the narrower paths", async () => {
    const [alice, mallory] = [await newUser(server, "alice2"), await newUser(server, "mallory2")];
    const [aliceSecret, mallorySecret] = [await signedIn(b, alice.token), await signedIn(b, mallory.token)];
    const both = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-envplane-client": "dashboard",
        origin: b.origin,
        cookie: `${COOKIE}=${mallorySecret}; ${COOKIE}=${aliceSecret}`,
      },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(both.status).toBe(401);
    const refused = await both.json();
    expect(refused.errors[0].extensions.code).toBe("SESSION_CONFLICT");
    expect(refused.errors[0].message).toMatch(/more than one envplane session cookie/);
    const signIn = await b.signIn({ token: alice.token });
    const cookies = signIn.headers.getSetCookie();
    expect(cookies[0]).toMatch(/^envplane_session=envs_[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    expect(cookies.slice(1)).toEqual(
      ["/graphql", "/auth", "/auth/session"].map(
        (path) => `envplane_session=; HttpOnly; SameSite=Strict; Path=${path}; Max-Age=0`,
      ),
    );
  });

  it("no session secret, link code or token reaches the logs", async () => {
    const user = await newUser(server, "logged");
    const secret = await signedIn(b, user.token);
    await b.gql(secret, VIEWER);
    const link = expectType((await user.client.createSignInLink()).createSignInLink, "SignInLink");
    const code = new URLSearchParams(new URL(link.url).hash.slice(1)).get("code")!;
    const linked = await b.signIn({ code });
    await b.signIn({ code });
    await b.signOut(secret);
    await b.gql(secret, VIEWER);
    const logs = server.logs.join("\n");
    expect(logs).toContain('"path":"/auth/session"');
    // The access line of a session's request names the session (by id) and its user.
    expect(server.logs.some((l) => /"actor":"user".*"sessionId":"\w+"/.test(l))).toBe(true);
    for (const s of [secret, secretOf(linked), code, user.token, server.ownerToken]) expect(logs).not.toContain(s);
  });
});

describe("sign-in behind a trusted proxy, rate limits and lifetime", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      listen: true,
      config: { trustProxy: true, authFailuresPerMinute: 3, sessionHours: 1 },
    });
  });
  afterAll(() => server.close());

  it("marks the cookie Secure when X-Forwarded-Proto is https (trusted), with an https Origin", async () => {
    const port = new URL(server.url).port;
    const r = await browser(server).signIn(
      { token: server.ownerToken },
      { origin: `https://127.0.0.1:${port}`, headers: { "x-forwarded-proto": "https" } },
    );
    expect(r.status).toBe(200);
    const cookie = r.headers.getSetCookie()[0];
    expect(cookie).toMatch(
      /^envplane_session=envs_[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+; Secure$/,
    );
    // The time left when the answer left: the sign-in's writes may take seconds on a loaded machine.
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(maxAge).toBeGreaterThanOrEqual(3600 - 30);
    expect(maxAge).toBeLessThanOrEqual(3600);
  });

  it("ignores X-Forwarded-Proto when the proxy is not trusted", async () => {
    const other = await startTestServer({ listen: true });
    try {
      const port = new URL(other.url).port;
      const forwarded = await browser(other).signIn(
        { token: other.ownerToken },
        { origin: `https://127.0.0.1:${port}`, headers: { "x-forwarded-proto": "https" } },
      );
      expect(forwarded.status).toBe(403);
      const plain = await browser(other).signIn(
        { token: other.ownerToken },
        { headers: { "x-forwarded-proto": "https" } },
      );
      expect(plain.headers.getSetCookie()[0]).not.toMatch(/Secure/);
    } finally {
      await other.close();
    }
  });

  it("counts failed sign-ins in the failed-authentication limit: 429 past it, a valid token still served", async () => {
    const b = browser(server);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await b.signIn({ code: "A".repeat(43) })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await b.signIn({ token: "envp_pat_nonsense" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // A valid token is always served.
    expect((await b.signIn({ token: server.ownerToken })).status).toBe(200);
  });

  it("ENVPLANE_SESSION_HOURS is validated with a clear error", () => {
    expect(parseSessionHours(undefined)).toBe(12);
    expect(parseSessionHours("1.5")).toBe(1.5);
    for (const bad of ["0", "-2", "abc", "9000"])
      expect(() => parseSessionHours(bad)).toThrow(/ENVPLANE_SESSION_HOURS must be a number of hours above 0/);
  });
});
