/**
 * promoteEnvironment: one environment's state applied to another in one write (one revision,
 * one event), as-is or reviewed (KEEP / EDIT / SKIP), with prune, dryRun and expectedRevision;
 * secrets carried on the server only by a caller who may write the source as well as the
 * target, and never returned.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { EnvplaneClient, PromoteEnvironmentInput } from "../../sdk/index.js";
import {
  createEnvironment,
  createProject,
  listValues,
  rawGraphQL,
  runtimeValues,
  serviceToken,
  setVariable,
  updateMapping,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

const canary = `CANARY_${randomBytes(8).toString("hex")}`;
const slug = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

const PROMOTE = `mutation ($input: PromoteEnvironmentInput!) {
  promoteEnvironment(input: $input) {
    __typename
    ... on PromoteEnvironmentPayload { revision applied dryRun copied edited skipped removed skippedSecrets
      entries { key status isSecret baseValue headValue } }
    ... on ValidationError { fieldErrors { path message } }
    ... on ConflictError { currentRevision }
    ... on Error { message }
  }
}`;

describe("promoteEnvironment", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  /** staging → production: NEW (added), SAME, DIFF (changed), API_KEY (secret), and OLD only in production. */
  async function project() {
    const s = slug("prm");
    await createProject(sdk, s);
    await createEnvironment(sdk, s, "staging");
    const set = (environment: string, key: string, value: string, secret = false) =>
      setVariable(sdk, { project: s, environment, key, value, secret });
    await set("staging", "NEW", "n");
    await set("staging", "SAME", "1");
    await set("staging", "DIFF", "staging-value");
    await set("staging", "API_KEY", `${canary}-staging`, true);
    await set("production", "SAME", "1");
    await set("production", "DIFF", "prod-value");
    await set("production", "OLD", "o");
    return s;
  }

  /** Raw response text (checked for the canary) and its parsed result. */
  async function promote(token: string, input: PromoteEnvironmentInput) {
    const raw = await rawGraphQL(server, token, PROMOTE, { input });
    expect(raw).not.toContain(canary);
    return JSON.parse(raw).data.promoteEnvironment;
  }

  async function events(action: string) {
    return withRawDb(server.database, (q) => q(`SELECT * FROM "Event" WHERE "action" = $1`, [action]));
  }

  /** What a deployment of production gets at boot, secrets included. */
  async function productionAtRuntime(s: string) {
    await updateMapping(sdk, s, [{ environment: "production", branch: "main" }]);
    return (await runtimeValues(server, s, "main")).values;
  }

  it("carries everything as-is in one write: one revision, one event; keys absent from the source stay", async () => {
    const s = await project();
    const before = (await events("environment.promote")).length;
    const r = await promote(server.ownerToken, { project: s, from: "staging", to: "production" });
    expect(r.__typename).toBe("PromoteEnvironmentPayload");
    expect(r).toMatchObject({ revision: 4, applied: true, dryRun: false, removed: [], skippedSecrets: [] });
    expect(r.copied.sort()).toEqual(["API_KEY", "DIFF", "NEW", "SAME"]);
    expect(r.entries).toEqual([
      { key: "API_KEY", status: "ADDED", isSecret: true, baseValue: null, headValue: null },
      { key: "DIFF", status: "CHANGED", isSecret: false, baseValue: "prod-value", headValue: "staging-value" },
      { key: "NEW", status: "ADDED", isSecret: false, baseValue: null, headValue: "n" },
      { key: "OLD", status: "UNCHANGED", isSecret: false, baseValue: "o", headValue: "o" },
      { key: "SAME", status: "UNCHANGED", isSecret: false, baseValue: "1", headValue: "1" },
    ]);
    const after = await events("environment.promote");
    expect(after.length).toBe(before + 1);
    // only what changed is written
    expect(JSON.parse(String(after.at(-1)!.keys))).toEqual(["API_KEY", "DIFF", "NEW"]);
    const prod = await listValues(sdk, s, "production");
    expect(prod.revision).toBe(4);
    expect(prod.values).toEqual({
      API_KEY: { value: null, isSecret: true },
      DIFF: { value: "staging-value", isSecret: false },
      NEW: { value: "n", isSecret: false },
      OLD: { value: "o", isSecret: false },
      SAME: { value: "1", isSecret: false },
    });
    expect((await productionAtRuntime(s)).API_KEY).toEqual({ value: `${canary}-staging`, isSecret: true });
  });

  it("promoting again changes nothing: no revision, no event, everything UNCHANGED", async () => {
    const s = await project();
    await promote(server.ownerToken, { project: s, from: "staging", to: "production" });
    const before = (await events("environment.promote")).length;
    const r = await promote(server.ownerToken, { project: s, from: "staging", to: "production" });
    expect(r).toMatchObject({ applied: false, revision: 4 });
    expect(r.entries.every((e: { status: string }) => e.status === "UNCHANGED")).toBe(true);
    expect((await events("environment.promote")).length).toBe(before);
  });

  it("prune removes target keys absent from the source, and only with prune", async () => {
    const s = await project();
    const r = await promote(server.ownerToken, { project: s, from: "staging", to: "production", prune: true });
    expect(r.removed).toEqual(["OLD"]);
    expect(r.entries.find((e: { key: string }) => e.key === "OLD")).toEqual({
      key: "OLD",
      status: "REMOVED",
      isSecret: false,
      baseValue: "o",
      headValue: null,
    });
    expect(Object.keys((await listValues(sdk, s, "production")).values).sort()).toEqual([
      "API_KEY",
      "DIFF",
      "NEW",
      "SAME",
    ]);
  });

  it("a dry run returns the entries and writes nothing", async () => {
    const s = await project();
    const before = await listValues(sdk, s, "production");
    const eventsBefore = (await events("environment.promote")).length;
    const r = await promote(server.ownerToken, {
      project: s,
      from: "staging",
      to: "production",
      prune: true,
      dryRun: true,
    });
    expect(r).toMatchObject({ applied: false, dryRun: true, revision: 3, removed: ["OLD"] });
    expect(r.entries.map((e: { status: string }) => e.status)).toEqual([
      "ADDED",
      "CHANGED",
      "ADDED",
      "REMOVED",
      "UNCHANGED",
    ]);
    expect(await listValues(sdk, s, "production")).toEqual(before);
    expect((await events("environment.promote")).length).toBe(eventsBefore);
  });

  it("a stale expectedRevision is a conflict and changes nothing", async () => {
    const s = await project();
    const before = await listValues(sdk, s, "production");
    const r = await promote(server.ownerToken, { project: s, from: "staging", to: "production", expectedRevision: 2 });
    expect(r.__typename).toBe("ConflictError");
    expect(r.currentRevision).toBe(3);
    expect(r.message).toContain("is at revision 3, not 2");
    expect(await listValues(sdk, s, "production")).toEqual(before);
    const ok = await promote(server.ownerToken, { project: s, from: "staging", to: "production", expectedRevision: 3 });
    expect(ok).toMatchObject({ applied: true, revision: 4 });
  });

  it("fromRevision promotes the source as it was then (secrets too), and records the message", async () => {
    const s = await project();
    // staging at revision 4; then it changes
    await setVariable(sdk, { project: s, environment: "staging", key: "DIFF", value: "later" });
    await setVariable(sdk, {
      project: s,
      environment: "staging",
      key: "API_KEY",
      value: `${canary}-later`,
      secret: true,
    });
    const r = await promote(server.ownerToken, {
      project: s,
      from: "staging",
      fromRevision: 4,
      to: "production",
      message: "release 1.4",
    });
    expect(r).toMatchObject({ applied: true, revision: 4 });
    const prod = await productionAtRuntime(s);
    expect(prod.DIFF.value).toBe("staging-value");
    expect(prod.API_KEY.value).toBe(`${canary}-staging`);
    const revision = await withRawDb(server.database, (q) =>
      q(
        `SELECT r."message", r."action" FROM "Revision" r JOIN "Environment" e ON e."id" = r."environmentId"
         JOIN "Project" p ON p."id" = e."projectId" WHERE p."slug" = $1 AND e."name" = 'production' AND r."number" = 4`,
        [s],
      ),
    );
    expect(revision).toEqual([{ message: "release 1.4", action: "environment.promote" }]);
  });

  it("reviewed: KEEP carries, EDIT gives a new value, SKIP leaves the target's key alone", async () => {
    const s = await project();
    const r = await promote(server.ownerToken, {
      project: s,
      from: "staging",
      to: "production",
      decisions: [
        { key: "NEW", action: "KEEP" },
        { key: "SAME", action: "KEEP" },
        { key: "DIFF", action: "SKIP" },
        { key: "API_KEY", action: "EDIT", value: `${canary}-edited` },
      ],
    });
    expect(r).toMatchObject({ applied: true, copied: ["NEW", "SAME"], edited: ["API_KEY"], skipped: ["DIFF"] });
    const prod = await productionAtRuntime(s);
    expect(prod.DIFF).toEqual({ value: "prod-value", isSecret: false });
    expect(prod.NEW).toEqual({ value: "n", isSecret: false });
    expect(prod.API_KEY).toEqual({ value: `${canary}-edited`, isSecret: true });
  });

  it("a review must decide every source key once, and names what is wrong", async () => {
    const s = await project();
    const before = await listValues(sdk, s, "production");
    const r = await promote(server.ownerToken, {
      project: s,
      from: "staging",
      to: "production",
      decisions: [
        { key: "NEW", action: "KEEP" },
        { key: "NOPE", action: "KEEP" },
        { key: "DIFF", action: "EDIT" },
      ],
    });
    expect(r.__typename).toBe("ValidationError");
    const messages = r.fieldErrors.map((e: { message: string }) => e.message).join("\n");
    expect(messages).toContain('"NOPE" is not a variable of "staging"');
    expect(messages).toContain('EDIT of "DIFF" needs a value');
    expect(messages).toContain('"API_KEY" of "staging" has no decision');
    expect(await listValues(sdk, s, "production")).toEqual(before);
  });

  it("KEEP of a secret carries it on the server for a caller who may write both sides", async () => {
    const s = await project();
    const decisions = ["NEW", "SAME", "DIFF", "API_KEY"].map((key) => ({ key, action: "KEEP" as const }));
    const r = await promote(server.ownerToken, { project: s, from: "staging", to: "production", decisions });
    expect(r).toMatchObject({ applied: true, skippedSecrets: [] });
    expect((await productionAtRuntime(s)).API_KEY).toEqual({ value: `${canary}-staging`, isSecret: true });
  });

  describe("secrets move only with the right to write where they come from and where they go", () => {
    /** Source production (protected: admins write it), target preview (developers write it). */
    async function protectedSource() {
      const s = slug("prm-sec");
      await createProject(sdk, s);
      await setVariable(sdk, { project: s, environment: "production", key: "URL", value: "https://x" });
      await setVariable(sdk, {
        project: s,
        environment: "production",
        key: "STRIPE_KEY",
        value: `${canary}-prod`,
        secret: true,
      });
      await sdk.updateEnvironment({ input: { project: s, name: "production", isProtected: true } });
      return s;
    }

    it("a developer (reads production, cannot write it) gets the standard values; the secret is reported", async () => {
      const s = await protectedSource();
      const developer = await userWithRole(server, s, "DEVELOPER");
      const r = await promote(developer.token, { project: s, from: "production", to: "preview" });
      expect(r).toMatchObject({ applied: true, copied: ["URL"], skippedSecrets: ["STRIPE_KEY"] });
      // the attack: preview's runtime must not get production's secret
      await updateMapping(sdk, s, [{ environment: "preview", branch: "feat" }]);
      await sdk.createBranch({ input: { project: s, name: "feat" } });
      const preview = await runtimeValues(server, s, "feat");
      expect(preview.environment).toBe("preview");
      expect(Object.keys(preview.values)).toEqual(["URL"]);
      // and a reviewed KEEP of it is refused, changing nothing
      const kept = await promote(developer.token, {
        project: s,
        from: "production",
        to: "preview",
        decisions: [
          { key: "URL", action: "KEEP" },
          { key: "STRIPE_KEY", action: "KEEP" },
        ],
      });
      expect(kept.__typename).toBe("ValidationError");
      expect(kept.message).toContain('"STRIPE_KEY" is a secret');
    });

    it("a developer cannot promote into the protected environment", async () => {
      const s = await protectedSource();
      const developer = await userWithRole(server, s, "DEVELOPER");
      const r = await promote(developer.token, { project: s, from: "preview", to: "production" });
      expect(r.__typename).toBe("ForbiddenError");
    });

    it("an admin (writes both) carries the secret", async () => {
      const s = await protectedSource();
      const admin = await userWithRole(server, s, "ADMIN");
      const r = await promote(admin.token, { project: s, from: "production", to: "preview" });
      expect(r).toMatchObject({ applied: true, skippedSecrets: [] });
      expect(r.copied.sort()).toEqual(["STRIPE_KEY", "URL"]);
    });

    it("service tokens: write-only cannot read the source; read+write on the target only cannot see it", async () => {
      const s = await protectedSource();
      const writer = await serviceToken(server, s, ["WRITE"], ["production", "preview"]);
      expect((await promote(writer.token, { project: s, from: "production", to: "preview" })).__typename).toBe(
        "ForbiddenError",
      );
      const previewOnly = await serviceToken(server, s, ["READ", "WRITE"], ["preview"]);
      const r = await promote(previewOnly.token, { project: s, from: "production", to: "preview" });
      expect(r.__typename).toBe("NotFoundError");
      const viewer = await userWithRole(server, s, "VIEWER");
      expect((await promote(viewer.token, { project: s, from: "production", to: "preview" })).__typename).toBe(
        "ForbiddenError",
      );
      expect((await listValues(sdk, s, "preview")).values).toEqual({});
    });
  });

  it("bad input: same source and target, an unknown revision, a long message; nothing changes", async () => {
    const s = await project();
    const before = await listValues(sdk, s, "production");
    const same = await promote(server.ownerToken, { project: s, from: "production", to: "production" });
    expect(same.__typename).toBe("ValidationError");
    expect(same.message).toContain("onto itself");
    const revision = await promote(server.ownerToken, {
      project: s,
      from: "staging",
      to: "production",
      fromRevision: 50,
    });
    expect(revision.__typename).toBe("ValidationError");
    expect(revision.message).toContain('"staging" has no revision 50');
    expect(revision.fieldErrors[0].path).toEqual(["fromRevision"]);
    const long = await promote(server.ownerToken, {
      project: s,
      from: "staging",
      to: "production",
      message: "x".repeat(501),
    });
    expect(long.__typename).toBe("ValidationError");
    expect(long.fieldErrors[0].path).toEqual(["message"]);
    expect(await listValues(sdk, s, "production")).toEqual(before);
  });

  it("a secret of the source never lands in a standard variable of the target", async () => {
    const s = await project();
    await setVariable(sdk, { project: s, environment: "production", key: "API_KEY", value: "readable" });
    const r = await promote(server.ownerToken, { project: s, from: "staging", to: "production" });
    expect(r.__typename).toBe("ValidationError");
    expect(r.message).toContain('"API_KEY" is a secret in "staging" but standard in "production"');
    expect((await listValues(sdk, s, "production")).values.API_KEY).toEqual({ value: "readable", isSecret: false });
  });
});
