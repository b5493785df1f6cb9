/**
 * SECURITY 6: root-key rotation re-wraps data keys; project-key rotation re-encrypts values, resumes after
 * interruption, reads work throughout.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/index.js";
import { createApp } from "../../server/app.js";
import type { Config } from "../../server/config.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { expectType } from "../support/expect.js";
import { bulk, createProject, serviceToken, setVariable, userWithRole, useTestServer } from "../support/fixtures.js";
import { captureLogger, silentLogger } from "../support/log.js";
import type { TestServer } from "../support/server.js";

describe("project key rotation", () => {
  let server: TestServer;
  useTestServer((started) => (server = started));

  async function seeded(slug: string, count: number) {
    await createProject(server.owner, slug);
    const variables = Array.from({ length: count }, (_, i) => ({
      key: `K_${i}`,
      value: `value-${i}`,
      secret: i % 3 === 0,
    }));
    await bulk(server.owner, { project: slug, environment: "preview", variables });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "K_1",
      value: "dev-override",
      branch: "dev",
    });
    return variables;
  }

  async function runtime(slug: string) {
    const { client } = await serviceToken(server, slug, ["RUNTIME"]);
    const r = expectType(
      (await client.runtimeVariables({ project: slug, branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    return Object.fromEntries(r.variables.map((v) => [v.key, v.value]));
  }

  const keyVersions = async (slug: string) => {
    const rows = await server.app.database.reader.variable.findMany({
      where: { environment: { project: { slug } } },
      select: { keyVersion: true },
    });
    const overrides = await server.app.database.reader.branchOverride.findMany({
      where: { variable: { environment: { project: { slug } } } },
      select: { keyVersion: true },
    });
    return [...rows, ...overrides].map((r) => r.keyVersion);
  };

  it("re-encrypts every value (secrets and overrides) with a new key version", async () => {
    const vars = await seeded("rot-a", 30);
    const before = await runtime("rot-a");
    const r = expectType(
      (await server.owner.rotateProjectKey({ input: { project: "rot-a" } })).rotateProjectKey,
      "RotateProjectKeyPayload",
    );
    expect(r).toMatchObject({ activeKeyVersion: 2, reencrypted: 31, pending: 0 });
    expect(new Set(await keyVersions("rot-a"))).toEqual(new Set([2]));
    expect(await runtime("rot-a")).toEqual(before);
    expect(before.K_1).toBe("dev-override");
    expect(before.K_2).toBe(vars[2].value);
  });

  it("resumes after an interruption, and reads work while values are on two key versions", async () => {
    await seeded("rot-b", 50);
    const before = await runtime("rot-b");
    const owner = await server.app.services.auth.authenticate(server.ownerToken);
    const partial = await server.app.services.keyRotation.rotateProjectKey(
      owner,
      { project: "rot-b" },
      { batchSize: 10, maxBatches: 1 },
    );
    expect(partial.pending).toBeGreaterThan(0);
    expect(new Set(await keyVersions("rot-b"))).toEqual(new Set([1, 2]));
    expect(await runtime("rot-b")).toEqual(before);
    // A write during the rotation uses the new key.
    expectType(
      (
        await server.owner.setVariable({
          input: { project: "rot-b", environment: "preview", key: "K_49", value: "changed" },
        })
      ).setVariable,
      "SetVariablePayload",
    );
    const resumed = await server.app.services.keyRotation.resumeAll({ batchSize: 10 });
    expect(resumed.map((x) => x.pending)).toEqual([0]);
    expect(new Set(await keyVersions("rot-b"))).toEqual(new Set([2]));
    expect(await runtime("rot-b")).toEqual({ ...before, K_49: "changed" });
  });

  it("rotates every row of every environment across many batches: values, overrides, history (no keyVersion index)", async () => {
    await seeded("rot-d", 40);
    await bulk(server.owner, {
      project: "rot-d",
      environment: "development",
      variables: Array.from({ length: 25 }, (_, i) => ({ key: `D_${i}`, value: `d-${i}`, secret: i % 2 === 0 })),
    });
    const before = await runtime("rot-d");
    const owner = await server.app.services.auth.authenticate(server.ownerToken);
    const r = await server.app.services.keyRotation.rotateProjectKey(owner, { project: "rot-d" }, { batchSize: 7 });
    expect(r).toMatchObject({ activeKeyVersion: 2, reencrypted: 66, pending: 0 });
    expect(new Set(await keyVersions("rot-d"))).toEqual(new Set([2]));
    const history = await server.app.database.reader.revisionChange.findMany({
      where: { environment: { project: { slug: "rot-d" } }, keyVersion: { not: null } },
      select: { keyVersion: true },
    });
    expect(history.length).toBe(66);
    expect(new Set(history.map((c) => c.keyVersion))).toEqual(new Set([2]));
    expect(await runtime("rot-d")).toEqual(before);
  });

  it("is for admins only", async () => {
    await seeded("rot-c", 2);
    const developer = await userWithRole(server, "rot-c", "DEVELOPER");
    const denied = (await developer.client.rotateProjectKey({ input: { project: "rot-c" } })).rotateProjectKey;
    expectType(denied, "ForbiddenError");
    expect(new Set(await keyVersions("rot-c"))).toEqual(new Set([1]));
  });
});

describe("root key rotation", () => {
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-rot-"));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const config = (rootKey: string, previousRootKeys?: string): Config => ({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    databaseUrl: database.url,
    rootKey,
    previousRootKeys,
    development: false,
    authFailuresPerMinute: 100,
    runtimeResolutionsPerMinute: 1000,
  });
  const quiet = { logger: silentLogger() };

  it("re-wraps data keys with the new root key; the old key alone no longer starts", async () => {
    const oldKey = randomBytes(32).toString("base64");
    const newKey = randomBytes(32).toString("base64");
    let app = await createApp(config(oldKey), quiet);
    const token = app.ownerToken!;
    const sdk = () =>
      createClient({ url: "http://x/graphql", token, fetch: (i, init) => app.fetch(new Request(i, init)) });
    await createProject(sdk(), "rk");
    await setVariable(sdk(), { project: "rk", environment: "development", key: "A", value: "alpha" });
    await app.close();

    const logs: string[] = [];
    app = await createApp(config(newKey, oldKey), { logger: captureLogger(logs) });
    expect(logs.join("\n")).toMatch(/re-wrapped 1 project data key/);
    const rows = await app.database.reader.projectKey.findMany();
    expect(rows.map((r) => r.rootKeyFingerprint)).toEqual([app.keys.root.fingerprint]);
    await app.close();

    app = await createApp(config(newKey), quiet);
    const pulled = expectType(
      (await sdk().pullVariables({ project: "rk", environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables.map((v) => v.value)).toEqual(["alpha"]);
    await app.close();

    await expect(createApp(config(oldKey), quiet)).rejects.toThrow(/is not the key this database was encrypted with/);
  });
});
