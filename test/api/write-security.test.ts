/**
 * Service-level security findings, each tried as an attack through the real app:
 * - a developer must not move production's secrets where other tokens can read them (seed);
 * - a value sent as secret must never be stored readable (bulk upsert on a standard key);
 * - "at least one owner" holds when owners demote or remove each other concurrently;
 * - one damaged ciphertext is a typed error naming the keys, not an unexplained failure;
 * - bulk requests are capped at 10,000 items, refused before any work.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_BULK_ITEMS } from "../../core/limits.js";
import type { EnvplaneClient } from "../../sdk/index.js";
import { ValidationError } from "../../server/services/errors.js";
import { expectType } from "../support/expect.js";
import {
  createProject,
  listValues,
  newUser,
  readEnvironment,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

const canary = `canary-${randomBytes(12).toString("hex")}`;
const slug = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

/** What a deployment on `branch` gets, through a RUNTIME token scoped to `environments`. */
async function runtime(project: string, branch: string, environments?: string[]) {
  const { client } = await serviceToken(server, project, ["RUNTIME"], environments);
  return (await client.runtimeVariables({ project, branch })).runtimeVariables;
}

describe("seeding does not move secrets the caller may not write", () => {
  async function withProductionSecret() {
    const s = slug("seed-sec");
    await createProject(sdk, s);
    await setVariable(sdk, {
      project: s,
      environment: "production",
      key: "PROD_URL",
      value: "https://shop.example.com",
    });
    await setVariable(sdk, {
      project: s,
      environment: "production",
      key: "STRIPE_KEY",
      value: `${canary}-stripe`,
      secret: true,
    });
    return s;
  }

  it("a developer seeding preview from production copies the standard values and skips the secrets, reported", async () => {
    const s = await withProductionSecret();
    const developer = await userWithRole(server, s, "DEVELOPER");
    const seeded = await developer.client.seedEnvironment({
      input: { project: s, target: "preview", from: "production" },
    });
    const payload = expectType(seeded.seedEnvironment, "EnvironmentPayload");
    expect(payload.seed).toEqual({
      copied: ["PROD_URL"],
      edited: [],
      skipped: ["STRIPE_KEY"],
      skippedSecrets: ["STRIPE_KEY"],
      typeKept: [],
    });
    // the attack: a runtime token scoped to preview must not get production's secret
    const preview = expectType(await runtime(s, "dev", ["preview"]), "RuntimeEnvironment");
    expect(preview.environmentName).toBe("preview");
    expect(preview.variables.map((v) => v.key)).toEqual(["PROD_URL"]);
    expect(JSON.stringify(preview)).not.toContain(canary);
  });

  it("service tokens: the same rule through the same policy (a token's permissions cover all its environments)", async () => {
    const s = await withProductionSecret();
    // READ on both but WRITE on neither: it may not seed at all
    const reader = await serviceToken(server, s, ["READ"], ["production", "preview"]);
    expectType(
      (await reader.client.seedEnvironment({ input: { project: s, target: "preview", from: "production" } }))
        .seedEnvironment,
      "ForbiddenError",
    );
    // READ+WRITE on preview only: production does not exist for it
    const previewOnly = await serviceToken(server, s, ["READ", "WRITE"], ["preview"]);
    expectType(
      (await previewOnly.client.seedEnvironment({ input: { project: s, target: "preview", from: "production" } }))
        .seedEnvironment,
      "NotFoundError",
    );
    // READ+WRITE on both: it may write the source, so it copies its secrets
    const both = await serviceToken(server, s, ["READ", "WRITE"], ["production", "preview"]);
    const payload = expectType(
      (await both.client.seedEnvironment({ input: { project: s, target: "preview", from: "production" } }))
        .seedEnvironment,
      "EnvironmentPayload",
    );
    expect(payload.seed).toMatchObject({ copied: ["PROD_URL", "STRIPE_KEY"], skippedSecrets: [] });
  });

  it("an admin (who may write production) still copies the secrets as before", async () => {
    const s = await withProductionSecret();
    const admin = await userWithRole(server, s, "ADMIN");
    const payload = expectType(
      (await admin.client.seedEnvironment({ input: { project: s, target: "preview", from: "production" } }))
        .seedEnvironment,
      "EnvironmentPayload",
    );
    expect(payload.seed).toMatchObject({ copied: ["PROD_URL", "STRIPE_KEY"], skippedSecrets: [] });
  });
});

describe("a value sent as secret is never stored readable", () => {
  it("bulkUpsertVariables refuses secret: true on a standard key, naming it and the fix; nothing changes", async () => {
    const s = slug("bulk-sec");
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "API_TOKEN", value: "public-for-now" });
    await setVariable(sdk, { project: s, environment: "preview", key: "OTHER", value: "o" });
    const viewer = await userWithRole(server, s, "VIEWER");
    const before = await listValues(sdk, s, "preview");
    for (const dryRun of [false, true]) {
      const variables = [
        { key: "API_TOKEN", value: `${canary}-token`, secret: true },
        { key: "OTHER", value: "changed" },
        { key: "NEW", value: "n" },
      ];
      const refused = expectType(
        (await sdk.bulkUpsertVariables({ input: { project: s, environment: "preview", variables, dryRun } }))
          .bulkUpsertVariables,
        "ValidationError",
      );
      expect(refused.message).toContain('"API_TOKEN"');
      expect(refused.message).toContain("envplane env unset API_TOKEN --env preview");
      expect(refused.message).not.toContain(canary);
      expect(refused.fieldErrors.map((e) => e.path)).toEqual([["variables", "0", "secret"]]);
    }
    expect(await listValues(sdk, s, "preview")).toEqual(before);
    expect(JSON.stringify(await readEnvironment(viewer.client, s, "preview"))).not.toContain(canary);

    // an omitted secret keeps the type; secret: false on a secret keeps it secret (reported in typeKept)
    await setVariable(sdk, { project: s, environment: "preview", key: "STRIPE_KEY", value: "sk_1", secret: true });
    const applied = expectType(
      (
        await sdk.bulkUpsertVariables({
          input: {
            project: s,
            environment: "preview",
            variables: [
              { key: "API_TOKEN", value: "still-standard" },
              { key: "STRIPE_KEY", value: `${canary}-sk`, secret: false },
            ],
          },
        })
      ).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    expect(applied.typeKept).toEqual(["STRIPE_KEY"]);
    const after = await listValues(viewer.client, s, "preview");
    expect(after.values.API_TOKEN).toEqual({ value: "still-standard", isSecret: false });
    expect(after.values.STRIPE_KEY).toEqual({ value: null, isSecret: true });
  });
});

describe('"at least one owner" under concurrency', () => {
  it("10 projects, two owners demoting (or removing) each other at once: every project keeps an owner; each loser gets a clear error", async () => {
    const second = await newUser(server, "second owner");
    const ownerId = (await sdk.viewer()).viewer.user!.id;
    const projects = Array.from({ length: 10 }, (_, i) => slug(`owners-${i}`));
    for (const s of projects) {
      await createProject(sdk, s);
      expectType(
        (await sdk.setMember({ input: { project: s, userId: second.id, role: "OWNER" } })).setMember,
        "SetMemberPayload",
      );
    }
    type Outcome = { __typename: string; message?: string };
    const attempts = projects.flatMap((s, i): Promise<Outcome>[] =>
      i % 2 === 0
        ? [
            sdk.setMember({ input: { project: s, userId: second.id, role: "ADMIN" } }).then((r) => r.setMember),
            second.client.setMember({ input: { project: s, userId: ownerId, role: "ADMIN" } }).then((r) => r.setMember),
          ]
        : [
            sdk.removeMember({ input: { project: s, userId: second.id } }).then((r) => r.removeMember),
            second.client.removeMember({ input: { project: s, userId: ownerId } }).then((r) => r.removeMember),
          ],
    );
    const results = await Promise.all(attempts);
    for (const [i, s] of projects.entries()) {
      const [{ owners }] = await withRawDb(server.database, (q) =>
        q(
          `SELECT count(*) AS "owners" FROM "Member" m JOIN "Project" p ON p."id" = m."projectId" WHERE p."slug" = $1 AND m."role" = 'owner'`,
          [s],
        ),
      );
      expect(Number(owners), `owners of ${s}`).toBe(1);
      const pair = results.slice(2 * i, 2 * i + 2);
      const errors = pair.filter((r) => r.__typename.endsWith("Error"));
      expect(errors, `exactly one change to ${s} wins`).toHaveLength(1);
      const [loser] = errors;
      // Usually the loser's check ran inside the locked transaction: "last owner". If it started after the
      // winner committed, it is no longer an owner at all: Forbidden. Both say what is wrong.
      if (loser.__typename === "ValidationError")
        expect(loser.message).toBe(`This is the last owner of project "${s}". Make someone else owner first.`);
      else
        expect([loser.__typename, loser.message]).toEqual([
          "ForbiddenError",
          `Only owners of project "${s}" can grant or change the owner role.`,
        ]);
    }
  });
});

describe("a damaged value is a typed error naming the keys", () => {
  const tamper = (id: string, change: (blob: Buffer) => Buffer) =>
    withRawDb(server.database, async (q) => {
      const [row] = await q(`SELECT "ciphertext" FROM "Variable" WHERE "id" = $1`, [id]);
      await q(`UPDATE "Variable" SET "ciphertext" = $1 WHERE "id" = $2`, [
        change(Buffer.from(row.ciphertext as Uint8Array)),
        id,
      ]);
    });

  it("pull, runtime, bulk diff and seed answer UndecryptableError; setting the values again recovers", async () => {
    const s = slug("damaged");
    await createProject(sdk, s);
    await setVariable(sdk, {
      project: s,
      environment: "preview",
      key: "API_KEY",
      value: `${canary}-api`,
      secret: true,
    });
    await setVariable(sdk, { project: s, environment: "preview", key: "DB_URL", value: `${canary}-db` });
    await setVariable(sdk, { project: s, environment: "preview", key: "FINE", value: "fine" });
    const ids = Object.fromEntries((await readEnvironment(sdk, s, "preview")).variables.map((v) => [v.key, v.id]));
    await tamper(ids.API_KEY, (b) => b.subarray(0, b.length - 3)); // truncated
    await tamper(ids.DB_URL, (b) => Buffer.concat([b.subarray(0, 40), Buffer.from([b[40] ^ 0x20]), b.subarray(41)])); // flipped byte
    const logsBefore = server.logs.length;
    const revisions = async () =>
      Object.fromEntries((await sdk.project({ slug: s })).project!.environments.map((e) => [e.name, e.revision]));
    const revisionsBefore = await revisions();

    const rt = expectType(await runtime(s, "dev"), "UndecryptableError");
    expect(rt.keys).toEqual(["API_KEY", "DB_URL"]);
    expect(rt.message).toBe(
      `2 values in "preview" of project "${s}" cannot be decrypted (damaged in the database): API_KEY, DB_URL. ` +
        "Set them again (envplane env set <KEY> <value> --env preview) to replace them, or unset them (envplane env unset <KEY> --env preview).",
    );
    // pull decrypts standard values only: the secret's damage does not show there
    expect(
      expectType((await sdk.pullVariables({ project: s, environment: "preview" })).pullVariables, "UndecryptableError")
        .keys,
    ).toEqual(["DB_URL"]);
    const bulk = await sdk.bulkUpsertVariables({
      input: { project: s, environment: "preview", variables: [{ key: "FINE", value: "changed" }] },
    });
    expect(expectType(bulk.bulkUpsertVariables, "UndecryptableError").keys).toEqual(["DB_URL"]);
    const seed = await sdk.seedEnvironment({ input: { project: s, target: "development", from: "preview" } });
    expect(expectType(seed.seedEnvironment, "UndecryptableError").keys).toEqual(["API_KEY", "DB_URL"]);
    expect(await revisions()).toEqual(revisionsBefore); // neither the bulk upsert nor the seed changed anything

    const logged = server.logs.slice(logsBefore).join("\n");
    expect(logged).toContain(ids.API_KEY);
    expect(logged).toContain(ids.DB_URL);
    expect(logged).not.toContain(canary);

    // the recovery the message names
    await setVariable(sdk, { project: s, environment: "preview", key: "API_KEY", value: "new-api" });
    await setVariable(sdk, { project: s, environment: "preview", key: "DB_URL", value: "new-db" });
    const ok = expectType(await runtime(s, "dev"), "RuntimeEnvironment");
    expect(ok.variables.map((v) => [v.key, v.value])).toEqual([
      ["API_KEY", "new-api"],
      ["DB_URL", "new-db"],
      ["FINE", "fine"],
    ]);
  });
});

describe("bulk item cap", () => {
  const many = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `K_${i}`, value: `v${i}` }));

  it(`refuses more than ${MAX_BULK_ITEMS} variables before any work, naming the cap; ${MAX_BULK_ITEMS} work`, async () => {
    expect(MAX_BULK_ITEMS).toBe(10_000);
    const s = slug("bulk-cap");
    await createProject(sdk, s);
    // Over HTTP the request is refused before it reaches a resolver (test/api/request-safety.test.ts);
    // the services refuse it too, for every other caller of the write path.
    const actor = await server.app.services.auth.authenticate(server.ownerToken);
    const over = many(MAX_BULK_ITEMS + 1);
    const refused = await server.app.services.variables
      .bulkUpsertVariables(actor, { project: s, environment: "development", variables: over })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toBe(
      "variables has 10001 items; one request takes at most 10,000. Split it into several requests.",
    );
    expect((refused as ValidationError).fieldErrors.map((e) => e.path)).toEqual([["variables"]]);
    expect((await listValues(sdk, s, "development")).revision).toBe(0);

    const decisions = over.map((v) => ({ key: v.key, action: "SKIP" as const }));
    const seed = await server.app.services.environments
      .seedEnvironment(actor, { project: s, target: "preview", from: "development", decisions })
      .catch((error: unknown) => error);
    expect(seed).toBeInstanceOf(ValidationError);
    expect((seed as ValidationError).message).toContain("at most 10,000");

    const applied = expectType(
      (
        await sdk.bulkUpsertVariables({
          input: { project: s, environment: "development", variables: many(MAX_BULK_ITEMS) },
        })
      ).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    expect(applied.added).toHaveLength(MAX_BULK_ITEMS);
    expect(applied.revision).toBe(1);
  }, 120_000);
});
