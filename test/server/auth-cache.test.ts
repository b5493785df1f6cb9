/**
 * The per-process token cache (server/services/auth.ts): a token revoked through this server
 * stops working at once; one revoked through another server sharing the database stops working
 * there within AUTH_CACHE_TTL_MS; a cached token is still refused once it expires.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, EnvplaneRequestError } from "../../sdk/index.js";
import { type App, createApp } from "../../server/app.js";
import { AUTH_CACHE_TTL_MS } from "../../server/services/auth.js";
import { expectType } from "../support/expect.js";
import { captureLogger } from "../support/log.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let other: App;
let otherDir: string;

beforeAll(async () => {
  server = await startTestServer();
  otherDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-other-"));
  other = await createApp(
    {
      port: 0,
      host: "127.0.0.1",
      dataDir: otherDir,
      databaseUrl: server.database.url,
      rootKey: server.rootKey,
      development: false,
      authFailuresPerMinute: 1000,
      runtimeResolutionsPerMinute: 100_000,
    },
    { logger: captureLogger([]) },
  );
  expectType((await server.owner.createProject({ input: { slug: "cache" } })).createProject, "ProjectPayload");
});

afterAll(async () => {
  await other?.close();
  await server?.close();
  fs.rmSync(otherDir, { recursive: true, force: true });
});

const through = (app: App, token: string) =>
  createClient({
    url: "http://envplane.test/graphql",
    token,
    fetch: (input, init) => app.fetch(new Request(input, init)),
  });

async function refusal(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    if (error instanceof EnvplaneRequestError) return error.message;
    throw error;
  }
  throw new Error("expected the token to be refused");
}

async function newToken(expiresAt?: string) {
  return expectType(
    (
      await server.owner.createToken({
        input: { kind: "SERVICE", name: `t${Math.random()}`, project: "cache", permissions: ["READ"], expiresAt },
      })
    ).createToken,
    "CreateTokenPayload",
  );
}

describe("token cache", () => {
  it("a revocation through this server applies at once; through another server within the cache's bound", async () => {
    const created = await newToken();
    const here = server.client(created.plaintextToken);
    const there = through(other, created.plaintextToken);
    expect((await here.viewer()).viewer.project?.slug).toBe("cache");
    expect((await there.viewer()).viewer.project?.slug).toBe("cache"); // now cached by the other server
    expectType((await server.owner.revokeToken({ input: { id: created.token.id } })).revokeToken, "RevokeTokenPayload");
    expect(await refusal(() => here.viewer())).toMatch(/revoked/);
    await new Promise((resolve) => setTimeout(resolve, AUTH_CACHE_TTL_MS + 500));
    expect(await refusal(() => there.viewer())).toMatch(/revoked/);
  }, 30_000);

  it("a cached token is refused once it expires", async () => {
    const expiresAt = Date.now() + 3000;
    const created = await newToken(new Date(expiresAt).toISOString());
    const client = server.client(created.plaintextToken);
    expect((await client.viewer()).viewer.project?.slug).toBe("cache"); // cached for AUTH_CACHE_TTL_MS
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 300));
    expect(await refusal(() => client.viewer())).toMatch(/expired/);
  }, 30_000);
});
