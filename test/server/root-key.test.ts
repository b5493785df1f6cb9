/**
 * The root key at start-up (SECURITY 5): a malformed, missing or wrong key stops the
 * server with a message that names fingerprints and never key material; the embedded
 * default generates a 0600 key file; the right key restarts and decrypts.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/index.js";
import { type App, createApp } from "../../server/app.js";
import type { Config } from "../../server/config.js";
import { fingerprint } from "../../server/crypto/root-key.js";
import { createTestDatabase, type TestDatabase, testProvider } from "../support/database.js";
import { expectType } from "../support/expect.js";
import { createProject, serviceToken, setVariable } from "../support/fixtures.js";
import { captureLogger } from "../support/log.js";

const provider = testProvider();
let db: TestDatabase;
let dataDir: string;

beforeEach(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-rootkey-"));
});
afterEach(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function config(rootKey: string | undefined): Config {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    // SQLite: the embedded default, <dataDir>/envplane.db.
    databaseUrl: provider === "postgresql" ? db.url : undefined,
    rootKey,
    development: false,
    authFailuresPerMinute: 1000,
    runtimeResolutionsPerMinute: 1000,
  };
}

async function start(rootKey: string | undefined) {
  const logs: string[] = [];
  const app = await createApp(config(rootKey), { logger: captureLogger(logs) });
  return { app, logs };
}

async function startFails(rootKey: string | undefined): Promise<{ message: string; logs: string[] }> {
  const logs: string[] = [];
  const error = await createApp(config(rootKey), { logger: captureLogger(logs) }).then(
    async (app) => {
      await app.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(error, "the server started").toBeInstanceOf(Error);
  return { message: (error as Error).message, logs };
}

const client = (app: App, token: string) =>
  createClient({
    url: "http://envplane.test/graphql",
    token,
    fetch: (input, init) => app.fetch(new Request(input, init)),
  });

/** Every way key material could be written down. */
function renderings(key: Buffer | string): string[] {
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  const out = [bytes.toString("hex"), bytes.toString("base64").replace(/=+$/, ""), bytes.toString("base64url")];
  return typeof key === "string" ? [key.trim(), ...out] : out;
}

describe("root key", () => {
  it.each([
    ["not base64", "this is not base64 but a secret-looking string!"],
    ["16 bytes", randomBytes(16).toString("base64")],
    ["33 bytes", randomBytes(33).toString("base64")],
    ["64 hex characters", randomBytes(32).toString("hex")],
    ["empty", ""],
  ])("a malformed ENVPLANE_ROOT_KEY (%s) stops the start without quoting it", async (_name, value) => {
    const { message, logs } = await startFails(value);
    expect(message).toMatch(/ENVPLANE_ROOT_KEY is malformed/);
    for (const r of value
      ? [...renderings(value), ...renderings(Buffer.from(value, "base64"))].filter((s) => s.length >= 8)
      : []) {
      expect(message).not.toContain(r);
      expect(logs.join("\n")).not.toContain(r);
    }
  });

  // With SQLite the embedded default generates the key in the data directory instead (tested below).
  it.skipIf(provider === "sqlite")("is required with DATABASE_URL (PostgreSQL)", async () => {
    const { message } = await startFails(undefined);
    expect(message).toMatch(/ENVPLANE_ROOT_KEY is required when DATABASE_URL is set/);
    expect(fs.existsSync(path.join(dataDir, "root.key"))).toBe(false);
  });

  // PostgreSQL requires ENVPLANE_ROOT_KEY (tested above): only the embedded SQLite default generates one.
  it.skipIf(provider === "postgresql")(
    "is generated on the first SQLite start as <dataDir>/root.key (0600), logged by fingerprint only",
    async () => {
      const first = await start(undefined);
      const file = path.join(dataDir, "root.key");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
      expect(key.length).toBe(32);
      const logs = first.logs.join("\n");
      expect(logs).toContain(fingerprint(key));
      expect(logs).toMatch(/Generated a new root key at .*root\.key/);
      for (const r of renderings(key)) expect(logs).not.toContain(r);
      const owner = client(first.app, first.app.ownerToken!);
      await createProject(owner, "gen");
      await setVariable(owner, { project: "gen", environment: "development", key: "K", value: "kept" });
      await first.app.close();

      const again = await start(undefined);
      expect(again.logs.join("\n")).not.toMatch(/Generated a new root key/);
      expect(again.app.ownerToken).toBeNull();
      const pulled = await client(again.app, first.app.ownerToken!).pullVariables({
        project: "gen",
        environment: "development",
      });
      expect(expectType(pulled.pullVariables, "PulledEnvironment").variables).toEqual([
        { key: "K", value: "kept", fromOverride: false },
      ]);
      await again.app.close();

      fs.chmodSync(file, 0o644);
      expect((await startFails(undefined)).message).toMatch(/chmod 600/);
    },
  );

  it("a restart with another root key fails naming both fingerprints; the right key restarts and decrypts", async () => {
    const [right, wrong] = [randomBytes(32), randomBytes(32)];
    const first = await start(right.toString("base64"));
    const token = first.app.ownerToken!;
    const owner = client(first.app, token);
    await createProject(owner, "rk");
    await setVariable(owner, {
      project: "rk",
      environment: "preview",
      key: "SECRET",
      value: "s3cr3t-value",
      secret: true,
    });
    const runtime = await serviceToken({ owner, client: (t) => client(first.app, t ?? "") }, "rk", ["RUNTIME"]);
    await first.app.close();

    const { message, logs } = await startFails(wrong.toString("base64"));
    expect(message).toContain(fingerprint(right));
    expect(message).toContain(fingerprint(wrong));
    for (const r of [...renderings(right), ...renderings(wrong)]) {
      expect(message).not.toContain(r);
      expect(logs.join("\n")).not.toContain(r);
    }

    const again = await start(right.toString("base64"));
    try {
      const r = await client(again.app, runtime.token).runtimeVariables({ project: "rk", branch: "dev" });
      expect(expectType(r.runtimeVariables, "RuntimeEnvironment").variables).toEqual([
        { key: "SECRET", value: "s3cr3t-value", isSecret: true, fromOverride: false },
      ]);
    } finally {
      await again.app.close();
    }
  });
});
