/**
 * compareEnvironments: per key ADDED / REMOVED / CHANGED / UNCHANGED of head against base,
 * standard values shown, secrets compared on the server and reported without a value, and
 * only for callers who may read the values of both sides; whether two secrets are equal only to
 * callers who may write both (else SECRET_NOT_COMPARED: no guess-and-compare oracle).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createEnvironment,
  createProject,
  rawGraphQL,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

const canary = `CANARY_${randomBytes(8).toString("hex")}`;
const slug = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

const COMPARE = `query ($project: String!, $base: EnvironmentRefInput!, $head: EnvironmentRefInput!) {
  compareEnvironments(project: $project, base: $base, head: $head) {
    __typename
    ... on EnvironmentComparison { entries { key status isSecret baseValue headValue } added removed changed unchanged notCompared
      base { revision environment { name } } head { revision environment { name } } }
    ... on Error { message }
  }
}`;

describe("compareEnvironments", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  /** staging (base) and production (head) with every status, standard and secret. */
  async function project() {
    const s = slug("cmp");
    await createProject(sdk, s);
    await createEnvironment(sdk, s, "staging");
    const set = (environment: string, key: string, value: string, secret = false) =>
      setVariable(sdk, { project: s, environment, key, value, secret });
    await set("staging", "ONLY_BASE", "gone");
    await set("staging", "SAME", "1");
    await set("staging", "DIFF", "old");
    await set("staging", "SECRET_SAME", `${canary}-same`, true);
    await set("staging", "SECRET_DIFF", `${canary}-a`, true);
    await set("production", "ONLY_HEAD", "new");
    await set("production", "SAME", "1");
    await set("production", "DIFF", "new");
    await set("production", "SECRET_SAME", `${canary}-same`, true);
    await set("production", "SECRET_DIFF", `${canary}-b`, true);
    return s;
  }

  it("reports every key's status, standard values both sides, secrets as changed/unchanged without values", async () => {
    const s = await project();
    const raw = await rawGraphQL(server, server.ownerToken, COMPARE, {
      project: s,
      base: { environment: "staging" },
      head: { environment: "production" },
    });
    expect(raw).not.toContain(canary);
    const result = JSON.parse(raw).data.compareEnvironments;
    expect(result.__typename).toBe("EnvironmentComparison");
    expect(result.entries).toEqual([
      { key: "DIFF", status: "CHANGED", isSecret: false, baseValue: "old", headValue: "new" },
      { key: "ONLY_BASE", status: "REMOVED", isSecret: false, baseValue: "gone", headValue: null },
      { key: "ONLY_HEAD", status: "ADDED", isSecret: false, baseValue: null, headValue: "new" },
      { key: "SAME", status: "UNCHANGED", isSecret: false, baseValue: "1", headValue: "1" },
      { key: "SECRET_DIFF", status: "CHANGED", isSecret: true, baseValue: null, headValue: null },
      { key: "SECRET_SAME", status: "UNCHANGED", isSecret: true, baseValue: null, headValue: null },
    ]);
    expect(result).toMatchObject({ added: 1, removed: 1, changed: 2, unchanged: 2, notCompared: 0 });
    expect(result.base).toEqual({ revision: 5, environment: { name: "staging" } });
    expect(result.head).toEqual({ revision: 5, environment: { name: "production" } });
  });

  it("swapping base and head swaps ADDED and REMOVED", async () => {
    const s = await project();
    const r = expectType(
      (
        await sdk.compareEnvironments({
          project: s,
          base: { environment: "production" },
          head: { environment: "staging" },
        })
      ).compareEnvironments,
      "EnvironmentComparison",
    );
    expect(r.entries.filter((e) => e.status === "ADDED").map((e) => e.key)).toEqual(["ONLY_BASE"]);
    expect(r.entries.filter((e) => e.status === "REMOVED").map((e) => e.key)).toEqual(["ONLY_HEAD"]);
  });

  it("a secret and a standard variable of one key with the same value count as CHANGED", async () => {
    const s = slug("cmp-type");
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "K", value: "v", secret: true });
    await setVariable(sdk, { project: s, environment: "production", key: "K", value: "v" });
    const r = expectType(
      (
        await sdk.compareEnvironments({
          project: s,
          base: { environment: "preview" },
          head: { environment: "production" },
        })
      ).compareEnvironments,
      "EnvironmentComparison",
    );
    // a type change is CHANGED whatever the values (equality of a secret with a readable value is not told)
    expect(r.entries).toEqual([{ key: "K", status: "CHANGED", isSecret: false, baseValue: null, headValue: "v" }]);
  });

  it("comparing an environment with itself is all UNCHANGED; the current revision may be named", async () => {
    const s = await project();
    const r = expectType(
      (
        await sdk.compareEnvironments({
          project: s,
          base: { environment: "production", revision: 5 },
          head: { environment: "production" },
        })
      ).compareEnvironments,
      "EnvironmentComparison",
    );
    expect(r.entries.every((e) => e.status === "UNCHANGED")).toBe(true);
    expect(r.unchanged).toBe(5);
  });

  it("compares a past revision: production now against production at revision 2", async () => {
    const s = await project();
    await setVariable(sdk, {
      project: s,
      environment: "production",
      key: "SECRET_DIFF",
      value: `${canary}-c`,
      secret: true,
    });
    const raw = await rawGraphQL(server, server.ownerToken, COMPARE, {
      project: s,
      base: { environment: "production", revision: 2 },
      head: { environment: "production" },
    });
    expect(raw).not.toContain(canary);
    const r = JSON.parse(raw).data.compareEnvironments;
    // revision 2 had ONLY_HEAD and SAME; since then DIFF, SECRET_SAME and SECRET_DIFF (set twice) were added
    expect(r.base.revision).toBe(2);
    expect(r.head.revision).toBe(6);
    expect(r.entries.map((e: { key: string; status: string }) => `${e.key} ${e.status}`)).toEqual([
      "DIFF ADDED",
      "ONLY_HEAD UNCHANGED",
      "SAME UNCHANGED",
      "SECRET_DIFF ADDED",
      "SECRET_SAME ADDED",
    ]);
    // a secret changed between two past revisions is CHANGED, without a value
    const secret = JSON.parse(
      await rawGraphQL(server, server.ownerToken, COMPARE, {
        project: s,
        base: { environment: "production", revision: 5 },
        head: { environment: "production", revision: 6 },
      }),
    ).data.compareEnvironments;
    expect(secret.entries.filter((e: { status: string }) => e.status !== "UNCHANGED")).toEqual([
      { key: "SECRET_DIFF", status: "CHANGED", isSecret: true, baseValue: null, headValue: null },
    ]);
  });

  it("a revision the environment never had is a clear error", async () => {
    const s = await project();
    const r = expectType(
      (
        await sdk.compareEnvironments({
          project: s,
          base: { environment: "staging", revision: 99 },
          head: { environment: "production" },
        })
      ).compareEnvironments,
      "ValidationError",
    );
    expect(r.message).toContain('"staging" has no revision 99');
    expect(r.fieldErrors[0].path).toEqual(["base", "revision"]);
  });

  it("an unknown environment is NotFound, naming it", async () => {
    const s = await project();
    const r = expectType(
      (await sdk.compareEnvironments({ project: s, base: { environment: "staging" }, head: { environment: "nope" } }))
        .compareEnvironments,
      "NotFoundError",
    );
    expect(r.message).toContain('Environment "nope" not found');
  });

  it("one comparison per request: aliases cannot multiply the work", async () => {
    const s = await project();
    const query = `query ($p: String!) {
      a: compareEnvironments(project: $p, base: { environment: "staging" }, head: { environment: "production" }) {
        __typename
      }
      b: compareEnvironments(project: $p, base: { environment: "production" }, head: { environment: "staging" }) {
        __typename
      }
    }`;
    const response = JSON.parse(await rawGraphQL(server, server.ownerToken, query, { p: s }));
    expect(response.errors?.[0]?.message).toContain("One request reads at most one whole environment");
  });

  it("a viewer may compare (standard values shown, secrets never, nor whether they are equal)", async () => {
    const s = await project();
    const viewer = await userWithRole(server, s, "VIEWER");
    const raw = await rawGraphQL(server, viewer.token, COMPARE, {
      project: s,
      base: { environment: "staging" },
      head: { environment: "production" },
    });
    expect(raw).not.toContain(canary);
    // Was `changed: 2` (SECRET_DIFF counted): a viewer writes neither side, so secret equality is not told.
    const r = JSON.parse(raw).data.compareEnvironments;
    expect(r).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 1, notCompared: 2 });
    expect(r.entries.filter((e: { isSecret: boolean }) => e.isSecret)).toEqual([
      { key: "SECRET_DIFF", status: "SECRET_NOT_COMPARED", isSecret: true, baseValue: null, headValue: null },
      { key: "SECRET_SAME", status: "SECRET_NOT_COMPARED", isSecret: true, baseValue: null, headValue: null },
    ]);
  });

  describe("secret equality is told only to who may write both sides (no guessing oracle)", () => {
    const ORACLE = `query ($project: String!, $base: EnvironmentRefInput!, $head: EnvironmentRefInput!) {
      compareEnvironments(project: $project, base: $base, head: $head) {
        ... on EnvironmentComparison { entries { key status } changed unchanged notCompared }
        ... on Error { message }
      }
    }`;
    const secretOf = (raw: string) => {
      const r = JSON.parse(raw).data.compareEnvironments;
      return { status: r.entries.find((e: { key: string }) => e.key === "DB_PASSWORD")?.status, ...r, entries: 0 };
    };

    /** production (protected) holds DB_PASSWORD; a developer may write staging only. */
    async function attackable() {
      const s = slug("oracle");
      await createProject(sdk, s);
      await createEnvironment(sdk, s, "staging");
      await setVariable(sdk, {
        project: s,
        environment: "production",
        key: "DB_PASSWORD",
        value: `${canary}-pw`,
        secret: true,
      });
      await setVariable(sdk, { project: s, environment: "production", key: "HOST", value: "db.example" });
      return s;
    }
    const compare = (token: string, project: string) =>
      rawGraphQL(server, token, ORACLE, {
        project,
        base: { environment: "staging" },
        head: { environment: "production" },
      });

    it("a developer who guesses production's secret in staging learns nothing: right and wrong guess alike", async () => {
      const s = await attackable();
      const developer = await userWithRole(server, s, "DEVELOPER");
      const guess = async (value: string) => {
        await setVariable(developer.client, {
          project: s,
          environment: "staging",
          key: "DB_PASSWORD",
          value,
          secret: true,
        });
        const raw = await compare(developer.token, s);
        expect(raw).not.toContain(canary);
        return secretOf(raw);
      };
      const right = await guess(`${canary}-pw`);
      const wrong = await guess("not-the-password");
      expect(right).toEqual({ status: "SECRET_NOT_COMPARED", changed: 0, unchanged: 0, notCompared: 1, entries: 0 });
      expect(wrong).toEqual(right);
      // a viewer (writes nothing) learns nothing either
      const viewer = await userWithRole(server, s, "VIEWER");
      expect(secretOf(await compare(viewer.token, s))).toMatchObject({ status: "SECRET_NOT_COMPARED", notCompared: 1 });
      // an admin may write both (production is protected): told CHANGED now, UNCHANGED with the right value
      const admin = await userWithRole(server, s, "ADMIN");
      expect(secretOf(await compare(admin.token, s))).toMatchObject({ status: "CHANGED", changed: 1, notCompared: 0 });
      await setVariable(sdk, {
        project: s,
        environment: "staging",
        key: "DB_PASSWORD",
        value: `${canary}-pw`,
        secret: true,
      });
      const raw = await compare(admin.token, s);
      expect(raw).not.toContain(canary);
      expect(secretOf(raw)).toMatchObject({ status: "UNCHANGED", unchanged: 1, notCompared: 0 });
    });

    it("one environment against its own past revision: told to who may write it, not to a reader", async () => {
      const s = await attackable();
      await setVariable(sdk, {
        project: s,
        environment: "staging",
        key: "DB_PASSWORD",
        value: `${canary}-1`,
        secret: true,
      });
      await setVariable(sdk, {
        project: s,
        environment: "staging",
        key: "DB_PASSWORD",
        value: `${canary}-2`,
        secret: true,
      });
      await setVariable(sdk, {
        project: s,
        environment: "production",
        key: "DB_PASSWORD",
        value: `${canary}-3`,
        secret: true,
      });
      const past = (env: string, revision: number) => ({
        project: s,
        base: { environment: env, revision },
        head: { environment: env },
      });
      const developer = await userWithRole(server, s, "DEVELOPER");
      const viewer = await userWithRole(server, s, "VIEWER");
      const ask = async (token: string, env: string, revision: number) => {
        const raw = await rawGraphQL(server, token, ORACLE, past(env, revision));
        expect(raw).not.toContain(canary);
        return secretOf(raw).status;
      };
      expect(await ask(developer.token, "staging", 1)).toBe("CHANGED"); // may write staging
      expect(await ask(viewer.token, "staging", 1)).toBe("SECRET_NOT_COMPARED");
      expect(await ask(developer.token, "production", 2)).toBe("SECRET_NOT_COMPARED"); // production is protected
      expect(await ask(server.ownerToken, "production", 2)).toBe("CHANGED");
      // presence is still told to everyone who may read values: staging had no DB_PASSWORD at revision 0
      expect(await ask(viewer.token, "staging", 0)).toBe("ADDED");
    });
  });

  it("a token reading one environment only cannot compare it with another it cannot see", async () => {
    const s = await project();
    const reader = await serviceToken(server, s, ["READ"], ["staging"]);
    const raw = await rawGraphQL(server, reader.token, COMPARE, {
      project: s,
      base: { environment: "staging" },
      head: { environment: "production" },
    });
    expect(raw).not.toContain(canary);
    const r = JSON.parse(raw).data.compareEnvironments;
    expect(r.__typename).toBe("NotFoundError");
    expect(r.message).toContain('"production" not found');
    expect(raw).not.toContain('"DIFF"');
  });

  it("a write-only token learns nothing of the values: comparing is forbidden", async () => {
    const s = await project();
    const writer = await serviceToken(server, s, ["WRITE"], ["staging", "production"]);
    const raw = await rawGraphQL(server, writer.token, COMPARE, {
      project: s,
      base: { environment: "staging" },
      head: { environment: "production" },
    });
    expect(raw).not.toContain(canary);
    const r = JSON.parse(raw).data.compareEnvironments;
    expect(r.__typename).toBe("ForbiddenError");
    expect(raw).not.toContain("UNCHANGED");
  });
});
