/**
 * Rate limits across servers: two real app instances on one PostgreSQL database, each
 * listening on its own port, count into the same windows. (SQLite is one process: its
 * limits are in memory and tested in test/server/hardening.test.ts.)
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/index.js";
import { type App, createApp } from "../../server/app.js";
import { generateToken } from "../../server/services/token-format.js";
import { createTestDatabase, type TestDatabase, testProvider } from "../support/database.js";
import { expectType } from "../support/expect.js";
import { silentLogger } from "../support/log.js";
import { withRawDb } from "../support/raw-db.js";

describe.skipIf(testProvider() === "sqlite")("two servers on one PostgreSQL database share the rate limits", () => {
  let database: TestDatabase;
  const apps: App[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];
  const dataDirs: string[] = [];
  let owner = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    const rootKey = randomBytes(32).toString("base64");
    for (let i = 0; i < 2; i++) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-limits-"));
      dataDirs.push(dataDir);
      const app = await createApp(
        {
          port: 0,
          host: "127.0.0.1",
          dataDir,
          databaseUrl: database.url,
          rootKey,
          development: false,
          authFailuresPerMinute: 4,
          runtimeResolutionsPerMinute: 3,
        },
        { logger: silentLogger() },
      );
      apps.push(app);
      owner ||= app.ownerToken ?? "";
      const server = createServer(app.handle);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
      const address = server.address();
      urls.push(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/graphql`);
    }
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await Promise.all(apps.map((a) => a.close()));
    await database.drop();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const post = async (url: string, token: string, query: string) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-envplane-client": "test", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after") };
  };

  it("failed authentications from one address count on both servers; a valid token is still served by both", async () => {
    const bad = generateToken("personal"); // well-formed, so each server looks it up (malformed ones never reach the database)
    const statuses = [];
    for (const url of [urls[0], urls[1], urls[0], urls[1]])
      statuses.push((await post(url, bad, "{ viewer { token { id } } }")).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    for (const url of urls) {
      const limited = await post(url, bad, "{ viewer { token { id } } }");
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    for (const url of urls) expect((await post(url, owner, "{ viewer { token { id } } }")).status).toBe(200);
  });

  it("runtime resolutions of one token count on both servers", async () => {
    const sdk = createClient({ url: urls[0], token: owner });
    expectType((await sdk.createProject({ input: { slug: "shared" } })).createProject, "ProjectPayload");
    const created = expectType(
      (await sdk.createToken({ input: { kind: "SERVICE", name: "rt", project: "shared", permissions: ["RUNTIME"] } }))
        .createToken,
      "CreateTokenPayload",
    );
    const query = `{ runtimeVariables(project: "shared", branch: "dev") { __typename } }`;
    const statuses = [];
    for (const url of [urls[0], urls[1], urls[0], urls[1]])
      statuses.push((await post(url, created.plaintextToken, query)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("keeps its counters in the database, one row per key and window", async () => {
    const rows = await withRawDb(database, (q) => q(`SELECT "key", "count" FROM "RateLimitWindow" ORDER BY "key"`));
    expect(rows.map((r) => String(r.key).split(":")[0])).toEqual(expect.arrayContaining(["auth", "runtime"]));
    expect(rows.every((r) => !/envp_/.test(String(r.key)))).toBe(true); // keyed by address and token id, never a token
  });
});
