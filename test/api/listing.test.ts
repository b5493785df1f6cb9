/**
 * Listing an environment (issue 10): previews of standard values (12 code points and "…", never a
 * split surrogate pair), "••••" for secrets whatever the caller, the full value only through an
 * explicit read (Environment.variable); key names and their count, also for a token that may only
 * write (and never a value or preview for it); unsetVariables' `notFound`; several keys set or unset
 * in one revision with one event.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { EnvplaneClient, Role } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  bulk,
  createProject,
  rawGraphQL,
  readEnvironment,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

const canary = `listing-canary-${randomBytes(12).toString("hex")}`;
const LONG = "https://api.example.com/v1/very/long/path?token=public-but-long";

const VALUES: Record<string, [value: string, preview: string]> = {
  EMPTY: ["", ""],
  SHORT: ["abc", "abc"],
  TWELVE: ["123456789012", "123456789012"],
  THIRTEEN: ["1234567890123", "123456789012…"],
  LONG_URL: [LONG, "https://api.…"],
  UMLAUTS: ["äöüäöüäöüäöüäöü", "äöüäöüäöüäöü…"],
  EMOJI: ["😀".repeat(13), `${"😀".repeat(12)}…`],
  // The 12th character is an emoji (two UTF-16 units): it is kept whole.
  EMOJI_EDGE: [`${"a".repeat(11)}🚀🚀tail`, `${"a".repeat(11)}🚀…`],
  EMOJI_TWELVE: [`${"b".repeat(11)}🚀`, `${"b".repeat(11)}🚀`],
  NEWLINES: ["line one\nline two\nline three", "line one\nlin…"],
};

/** No lone surrogate: every UTF-16 high surrogate is followed by a low one. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

async function seeded(slug: string) {
  await createProject(sdk, slug, { branches: ["feature-x"] });
  await bulk(sdk, {
    project: slug,
    environment: "preview",
    variables: [
      ...Object.entries(VALUES).map(([key, [value]]) => ({ key, value })),
      { key: "API_SECRET", value: canary, secret: true },
      { key: "SHORT_SECRET", value: "s", secret: true },
    ],
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "LONG_URL",
    value: `${LONG}&x`,
    branch: "feature-x",
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "API_SECRET",
    value: canary,
    branch: "feature-x",
  });
}

const previewsOf = async (client: EnvplaneClient, slug: string) =>
  Object.fromEntries(
    (await readEnvironment(client, slug, "preview")).variables.map((v) => [
      v.key,
      { preview: v.preview, overrides: v.overrides.map((o) => o.preview) },
    ]),
  );

describe("previews", () => {
  it("are the first 12 code points and …, whole emoji included; the explicit read gives the full value", async () => {
    await seeded("list-preview");
    const listed = await previewsOf(sdk, "list-preview");
    for (const [key, [, preview]] of Object.entries(VALUES)) {
      expect(listed[key]?.preview, key).toBe(preview);
      expect(wellFormed(listed[key]!.preview!), key).toBe(true);
      expect(Array.from(listed[key]!.preview!.replace(/…$/, "")).length).toBeLessThanOrEqual(12);
    }
    expect(listed.LONG_URL.overrides).toEqual(["https://api.…"]);
    expect(listed.API_SECRET).toEqual({ preview: "••••", overrides: ["••••"] });
    expect(listed.SHORT_SECRET.preview).toBe("••••");

    const grid = (await sdk.gridPage({ slug: "list-preview" })).project!.variableGrid.nodes;
    const cell = (key: string) => grid.find((r) => r.key === key)!.cells[0];
    expect(cell("LONG_URL")).toMatchObject({ environment: "preview", preview: "https://api.…" });
    expect(cell("EMOJI").preview).toBe(`${"😀".repeat(12)}…`);
    expect(cell("API_SECRET")).toMatchObject({ isSecret: true, preview: "••••" });

    // The explicit read: one variable by key, its full value (a secret still has none).
    const read = async (key: string) =>
      (await sdk.variableValue({ project: "list-preview", environment: "preview", key })).project!.environment!
        .variable;
    expect(await read("LONG_URL")).toEqual({
      key: "LONG_URL",
      isSecret: false,
      value: LONG,
      preview: "https://api.…",
      overrides: [{ value: `${LONG}&x`, branch: { name: "feature-x" } }],
    });
    expect(await read("EMOJI")).toMatchObject({ value: "😀".repeat(13) });
    expect(await read("API_SECRET")).toEqual({
      key: "API_SECRET",
      isSecret: true,
      value: null,
      preview: "••••",
      overrides: [{ value: null, branch: { name: "feature-x" } }],
    });
    expect(await read("NOPE")).toBeNull();
  });

  it("secrets are •••• for every role and token; a listing of previews never carries a full long value", async () => {
    await seeded("list-roles");
    const clients: [string, EnvplaneClient, string][] = [["owner", sdk, server.ownerToken]];
    for (const role of ["ADMIN", "DEVELOPER", "VIEWER"] as Role[]) {
      const user = await userWithRole(server, "list-roles", role);
      clients.push([role, user.client, user.token]);
    }
    for (const permissions of [["READ"], ["READ", "WRITE"], ["READ", "WRITE", "RUNTIME"]] as const) {
      const token = await serviceToken(server, "list-roles", [...permissions]);
      clients.push([permissions.join("+"), token.client, token.token]);
    }
    const query = `{ project(slug: "list-roles") {
      environment(name: "preview") {
        keys count
        variables { nodes { key isSecret preview overrides { preview } } }
        secret: variable(key: "API_SECRET") { value preview overrides { value preview } }
      }
      variableGrid { nodes { key cells { isSecret preview } } }
    } }`;
    for (const [who, client, token] of clients) {
      const listed = await previewsOf(client, "list-roles");
      expect(listed.API_SECRET, who).toEqual({ preview: "••••", overrides: ["••••"] });
      expect(listed.LONG_URL, who).toEqual({ preview: "https://api.…", overrides: ["https://api.…"] });
      const raw = await rawGraphQL(server, token, query);
      expect(raw, who).not.toContain(canary);
      expect(raw, who).not.toContain(LONG);
      expect(raw, who).not.toContain("errors");
      expect(JSON.parse(raw).data.project.environment.secret, who).toEqual({
        value: null,
        preview: "••••",
        overrides: [{ value: null, preview: "••••" }],
      });
    }
  });
});

describe("names only, with a count", () => {
  it("a token that may only write gets the keys and their count, never a value or preview", async () => {
    await seeded("list-names");
    const allKeys = [...Object.keys(VALUES), "API_SECRET", "SHORT_SECRET"].sort();
    const owner = (await sdk.environmentKeys({ project: "list-names", environment: "preview" })).project!.environment!;
    expect(owner).toMatchObject({ name: "preview", keys: allKeys, count: allKeys.length });

    const writeOnly = await serviceToken(server, "list-names", ["WRITE"], ["preview"]);
    const names = (await writeOnly.client.environmentKeys({ project: "list-names", environment: "preview" })).project!
      .environment!;
    expect(names).toMatchObject({ keys: allKeys, count: allKeys.length });
    // It may write: after a set, the names follow.
    await setVariable(writeOnly.client, { project: "list-names", environment: "preview", key: "ZZ_NEW", value: "z" });
    const after = (await writeOnly.client.environmentKeys({ project: "list-names", environment: "preview" })).project!
      .environment!;
    expect(after.keys.at(-1)).toBe("ZZ_NEW");
    expect(after.count).toBe(allKeys.length + 1);

    // Values and previews: none, whichever way it asks.
    const raw = await rawGraphQL(
      server,
      writeOnly.token,
      `{ project(slug: "list-names") {
        environment(name: "preview") {
          count variableCount
          variables { totalCount nodes { key preview value } }
          long: variable(key: "LONG_URL") { value preview }
          secret: variable(key: "API_SECRET") { value preview }
        }
        variableGrid { nodes { key cells { preview value } } }
      } }`,
    );
    const data = JSON.parse(raw).data.project;
    expect(data.environment).toEqual({
      count: allKeys.length + 1,
      variableCount: 0,
      variables: { totalCount: 0, nodes: [] },
      long: null,
      secret: null,
    });
    expect(data.variableGrid.nodes).toEqual([]);
    expect(raw).not.toContain("https://api");
    expect(raw).not.toContain(canary);
    // Its other environments do not exist for it.
    const other = await writeOnly.client.environmentKeys({ project: "list-names", environment: "production" });
    expect(other.project!.environment).toBeNull();

    // A viewer and a read token get the same names.
    const viewer = await userWithRole(server, "list-names", "VIEWER");
    const reader = await serviceToken(server, "list-names", ["READ"]);
    for (const client of [viewer.client, reader.client])
      expect(
        (await client.environmentKeys({ project: "list-names", environment: "preview" })).project!.environment!.count,
      ).toBe(allKeys.length + 1);
    const empty = (await sdk.environmentKeys({ project: "list-names", environment: "production" })).project!
      .environment!;
    expect(empty).toMatchObject({ keys: [], count: 0 });
  });
});

describe("several keys at once", () => {
  const events = async (project: string) => (await sdk.auditLog({ project, first: 500 })).auditLog.nodes;

  it("setVariables A=1 B=2 is one merge: one revision, one event; other keys stay", async () => {
    await createProject(sdk, "list-multi-set");
    await setVariable(sdk, { project: "list-multi-set", environment: "development", key: "KEEP", value: "k" });
    const before = await events("list-multi-set");
    const set = expectType(
      (
        await sdk.setVariables({
          input: {
            project: "list-multi-set",
            environment: "development",
            expectedRevision: 1,
            variables: [
              { key: "A", value: "1" },
              { key: "B", value: "2" },
            ],
          },
        })
      ).setVariables,
      "SetVariablesPayload",
    );
    expect(set).toMatchObject({ revision: 2, created: ["A", "B"] });
    const added = (await events("list-multi-set")).filter((e) => !before.some((b) => b.id === e.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: "variables.set", revision: 2 });
    expect([...added[0].keys].sort()).toEqual(["A", "B"]);
    const env = await readEnvironment(sdk, "list-multi-set", "development");
    expect(env.variables.map((v) => [v.key, v.value])).toEqual([
      ["A", "1"],
      ["B", "2"],
      ["KEEP", "k"],
    ]);
  });

  it("unsetVariables removes several keys in one revision and one event, and reports notFound", async () => {
    await createProject(sdk, "list-multi-unset");
    await bulk(sdk, {
      project: "list-multi-unset",
      environment: "development",
      variables: ["A", "B", "C", "D"].map((key) => ({ key, value: key })),
    });
    const before = await events("list-multi-unset");
    const unset = expectType(
      (
        await sdk.unsetVariables({
          input: {
            project: "list-multi-unset",
            environment: "development",
            keys: ["A", "B", "NOPE", "C"],
            expectedRevision: 1,
          },
        })
      ).unsetVariables,
      "UnsetVariablesPayload",
    );
    expect(unset).toMatchObject({ revision: 2, removed: ["A", "B", "C"], notFound: ["NOPE"], missing: ["NOPE"] });
    const added = (await events("list-multi-unset")).filter((e) => !before.some((b) => b.id === e.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: "variables.unset", revision: 2 });
    expect([...added[0].keys].sort()).toEqual(["A", "B", "C"]);
    expect(
      (await sdk.environmentKeys({ project: "list-multi-unset", environment: "development" })).project!.environment,
    ).toMatchObject({ keys: ["D"], count: 1, revision: 2 });

    // Only keys that are not there: nothing written, no revision, no event.
    const none = expectType(
      (
        await sdk.unsetVariables({
          input: { project: "list-multi-unset", environment: "development", keys: ["X", "Y"] },
        })
      ).unsetVariables,
      "UnsetVariablesPayload",
    );
    expect(none).toMatchObject({ revision: 2, removed: [], notFound: ["X", "Y"] });
    expect(await events("list-multi-unset")).toHaveLength(before.length + 1);

    // A stale expectedRevision changes nothing.
    const stale = expectType(
      (
        await sdk.unsetVariables({
          input: { project: "list-multi-unset", environment: "development", keys: ["D"], expectedRevision: 1 },
        })
      ).unsetVariables,
      "ConflictError",
    );
    expect(stale.currentRevision).toBe(2);
    expect(
      (await sdk.environmentKeys({ project: "list-multi-unset", environment: "development" })).project!.environment!
        .keys,
    ).toEqual(["D"]);
  });
});
