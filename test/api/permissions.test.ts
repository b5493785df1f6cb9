/**
 * The permission matrix (SECURITY 13, 14): every kind of token against every operation,
 * driven by a table of expected outcomes. Each row gets its own project; a denied write
 * must leave the project exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EnvplaneClient, EnvplaneRequestError, type Role, type TokenPermission } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  addMember,
  createEnvironment,
  createProject,
  newUser,
  rawGraphQL,
  serviceToken,
  setVariable,
} from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

/**
 * A allowed, F ForbiddenError (or, for listings, an environment shown without its variables), N NotFoundError,
 * U UNAUTHENTICATED (HTTP 401).
 */
type Outcome = "A" | "F" | "N" | "U";

const OPS = [
  "listDev",
  "listPreview",
  "pull",
  "runtime",
  "setDev",
  "setProd",
  "bulk",
  "createEnv",
  "deleteEnv",
  "mapping",
  "createBranch",
  "createToken",
  "revokeToken",
  "setMember",
  "deleteProject",
] as const;
type OpName = (typeof OPS)[number];

// prettier-ignore
const EXPECTED: Record<string, string> = {
  //                      lD lP pu rt sD sP bu cE dE ma cB cT rT sM dP
  viewer: "A  A  A  F  F  F  F  F  F  F  F  F  F  F  F",
  developer: "A  A  A  F  A  F  A  F  F  F  A  F  F  F  F",
  admin: "A  A  A  F  A  A  A  A  A  A  A  A  A  A  F",
  owner: "A  A  A  F  A  A  A  A  A  A  A  A  A  A  A",
  "svc read": "A  A  A  F  F  F  F  F  F  F  F  F  F  F  F",
  "svc write": "F  F  F  F  A  A  A  F  F  F  A  F  F  F  F",
  "svc runtime": "F  F  F  A  F  F  F  F  F  F  F  F  F  F  F",
  "svc read+write": "A  A  A  F  A  A  A  F  F  F  A  F  F  F  F",
  "svc read@preview": "N  A  A  F  N  N  F  F  N  F  F  F  F  F  F",
  "svc write@preview": "N  F  F  F  N  N  A  F  N  F  A  F  F  F  F",
  "svc runtime@preview": "N  F  F  A  N  N  F  F  N  F  F  F  F  F  F",
  "svc rw@preview": "N  A  A  F  N  N  A  F  N  F  A  F  F  F  F",
  "revoked admin pat": "U  U  U  U  U  U  U  U  U  U  U  U  U  U  U",
  "revoked svc": "U  U  U  U  U  U  U  U  U  U  U  U  U  U  U",
  "expired admin pat": "U  U  U  U  U  U  U  U  U  U  U  U  U  U  U",
  malformed: "U  U  U  U  U  U  U  U  U  U  U  U  U  U  U",
  "bad checksum": "U  U  U  U  U  U  U  U  U  U  U  U  U  U  U",
  "no token": "U  U  U  U  U  U  U  U  U  U  U  U  U  U  U",
  // Service tokens cannot create or revoke tokens at all, whatever the project: that reveals nothing about it.
  "other project's svc": "N  N  N  N  N  N  N  N  N  N  N  F  F  N  N",
  "outsider pat": "N  N  N  N  N  N  N  N  N  N  N  N  N  N  N",
};

interface Target {
  slug: string;
  n: number;
  tokenId: string;
  userId: string;
  envName: string;
}
type Result = { outcome: Outcome; message: string };

let server: TestServer;
let owner: EnvplaneClient;
const users: Record<"viewer" | "developer" | "admin" | "owner" | "outsider", { id: string; token: string }> =
  {} as never;
let expiredToken = "";
let revokedPat = "";
let counter = 0;

function union(r: { __typename: string; message?: string }, success: string): Result {
  if (r.__typename === success) return { outcome: "A", message: "" };
  if (r.__typename === "ForbiddenError") return { outcome: "F", message: r.message! };
  if (r.__typename === "NotFoundError") return { outcome: "N", message: r.message! };
  throw new Error(`Unexpected result: ${JSON.stringify(r)}`);
}

async function attempt(fn: () => Promise<Result>): Promise<Result> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof EnvplaneRequestError) || error.code !== "UNAUTHENTICATED") throw error;
    expect(error.status).toBe(401);
    return { outcome: "U", message: error.message };
  }
}

async function listing(c: EnvplaneClient, t: Target, env: string, key: string): Promise<Result> {
  const r = await c.environmentVariables({ project: t.slug, environment: env });
  const e = r.project?.environment;
  if (!e) return { outcome: "N", message: "" };
  if (!e.viewerCanRead) {
    expect(e.variables.nodes).toEqual([]);
    expect(e.variables.totalCount).toBe(0); // not even how many there are
    return { outcome: "F", message: "" };
  }
  expect(e.variables.nodes.map((v) => v.key)).toContain(key);
  return { outcome: "A", message: "" };
}

async function ownerPull(slug: string, environment: string) {
  return expectType((await owner.pullVariables({ project: slug, environment })).pullVariables, "PulledEnvironment")
    .variables;
}

interface Op {
  write: boolean;
  prepare?: (t: Target) => Promise<Partial<Target>>;
  run: (c: EnvplaneClient, t: Target) => Promise<Result>;
}

const ops: Record<OpName, Op> = {
  listDev: { write: false, run: (c, t) => listing(c, t, "development", "DEV_KEY") },
  listPreview: { write: false, run: (c, t) => listing(c, t, "preview", "PREV_KEY") },
  pull: {
    write: false,
    run: async (c, t) => {
      const r = (await c.pullVariables({ project: t.slug, environment: "preview" })).pullVariables;
      if (r.__typename === "PulledEnvironment")
        expect(r.variables).toContainEqual({ key: "PREV_KEY", value: "prev-value", fromOverride: false });
      return union(r, "PulledEnvironment");
    },
  },
  runtime: {
    write: false,
    run: async (c, t) => {
      const r = (await c.runtimeVariables({ project: t.slug, branch: "dev" })).runtimeVariables;
      if (r.__typename === "RuntimeEnvironment")
        expect(r.variables.map((v) => [v.key, v.value])).toContainEqual(["PREV_KEY", "prev-value"]);
      return union(r, "RuntimeEnvironment");
    },
  },
  setDev: {
    write: true,
    run: async (c, t) => {
      const res = union(
        (await c.setVariable({ input: { project: t.slug, environment: "development", key: `SET_${t.n}`, value: "v" } }))
          .setVariable,
        "SetVariablePayload",
      );
      if (res.outcome === "A")
        expect(await ownerPull(t.slug, "development")).toContainEqual({
          key: `SET_${t.n}`,
          value: "v",
          fromOverride: false,
        });
      return res;
    },
  },
  setProd: {
    write: true,
    run: async (c, t) => {
      const res = union(
        (await c.setVariable({ input: { project: t.slug, environment: "production", key: `SET_${t.n}`, value: "v" } }))
          .setVariable,
        "SetVariablePayload",
      );
      if (res.outcome === "A")
        expect(await ownerPull(t.slug, "production")).toContainEqual({
          key: `SET_${t.n}`,
          value: "v",
          fromOverride: false,
        });
      return res;
    },
  },
  bulk: {
    write: true,
    run: async (c, t) => {
      const variables = [
        { key: "PREV_KEY", value: "prev-value" },
        { key: `BULK_${t.n}`, value: "b" },
      ];
      const r = (await c.bulkUpsertVariables({ input: { project: t.slug, environment: "preview", variables } }))
        .bulkUpsertVariables;
      if (r.__typename === "BulkUpsertVariablesPayload") expect([r.applied, r.added]).toEqual([true, [`BULK_${t.n}`]]);
      return union(r, "BulkUpsertVariablesPayload");
    },
  },
  createEnv: {
    write: true,
    run: async (c, t) =>
      union(
        (await c.createEnvironment({ input: { project: t.slug, name: `env-${t.n}` } })).createEnvironment,
        "EnvironmentPayload",
      ),
  },
  deleteEnv: {
    write: true,
    prepare: async (t) => {
      await createEnvironment(owner, t.slug, `del-${t.n}`);
      return { envName: `del-${t.n}` };
    },
    run: async (c, t) => {
      const res = union(
        (await c.deleteEnvironment({ input: { project: t.slug, name: t.envName } })).deleteEnvironment,
        "DeleteEnvironmentPayload",
      );
      if (res.outcome === "A")
        expect((await owner.project({ slug: t.slug })).project!.environments.map((e) => e.name)).not.toContain(
          t.envName,
        );
      return res;
    },
  },
  mapping: {
    write: true,
    run: async (c, t) => {
      const entries = [
        { environment: "production", branch: "main" },
        { environment: "preview", branch: `m-${t.n}` },
        { environment: "preview", branch: "*" },
      ];
      return union(
        (await c.updateBranchMapping({ input: { project: t.slug, entries } })).updateBranchMapping,
        "UpdateBranchMappingPayload",
      );
    },
  },
  createBranch: {
    write: true,
    run: async (c, t) =>
      union(
        (await c.createBranch({ input: { project: t.slug, name: `b-${t.n}` } })).createBranch,
        "CreateBranchPayload",
      ),
  },
  createToken: {
    write: true,
    run: async (c, t) => {
      const r = (
        await c.createToken({ input: { kind: "SERVICE", name: `t-${t.n}`, project: t.slug, permissions: ["READ"] } })
      ).createToken;
      if (r.__typename === "CreateTokenPayload") expect(r.plaintextToken).toMatch(/^envp_svc_/);
      return union(r, "CreateTokenPayload");
    },
  },
  revokeToken: {
    write: true,
    prepare: async (t) => {
      return { tokenId: (await serviceToken(server, t.slug)).id };
    },
    run: async (c, t) => {
      const r = (await c.revokeToken({ input: { id: t.tokenId } })).revokeToken;
      if (r.__typename === "RevokeTokenPayload") expect(r.token.revokedAt).not.toBeNull();
      return union(r, "RevokeTokenPayload");
    },
  },
  setMember: {
    write: true,
    prepare: async (t) => {
      return { userId: (await newUser(server, `member-${t.n}`)).id };
    },
    run: async (c, t) =>
      union(
        (await c.setMember({ input: { project: t.slug, userId: t.userId, role: "DEVELOPER" } })).setMember,
        "SetMemberPayload",
      ),
  },
  deleteProject: {
    write: true,
    run: async (c, t) => {
      const res = union((await c.deleteProject({ input: { slug: t.slug } })).deleteProject, "DeleteProjectPayload");
      if (res.outcome === "A") expect((await owner.project({ slug: t.slug })).project).toBeNull();
      return res;
    },
  },
};

const SNAPSHOT = `query($slug: String!) { project(slug: $slug) {
  id slug name branches { name } mapping { branch position environment { name } } members { nodes { role user { id } } }
  tokens { nodes { id name revokedAt permissions environments } }
  environments { name isProtected revision updatedAt variables { nodes { key isSecret value updatedAt overrides { branch { name } value } } } }
} }`;

/** Everything about a project that an operation could change, as its owner sees it (one request). */
async function snapshot(slug: string): Promise<unknown> {
  const body = JSON.parse(await rawGraphQL(server, server.ownerToken, SNAPSHOT, { slug }));
  expect(body.errors).toBeUndefined();
  return body.data.project;
}

async function actorToken(slug: string, permissions: TokenPermission[], environments?: string[]) {
  return (await serviceToken(server, slug, permissions, environments)).token;
}

/** How each row's actor gets its token for the row's project. */
const ACTORS: Record<string, (slug: string) => Promise<string | null>> = {
  viewer: async () => users.viewer.token,
  developer: async () => users.developer.token,
  admin: async () => users.admin.token,
  owner: async () => users.owner.token,
  "svc read": (slug) => actorToken(slug, ["READ"]),
  "svc write": (slug) => actorToken(slug, ["WRITE"]),
  "svc runtime": (slug) => actorToken(slug, ["RUNTIME"]),
  "svc read+write": (slug) => actorToken(slug, ["READ", "WRITE"]),
  "svc read@preview": (slug) => actorToken(slug, ["READ"], ["preview"]),
  "svc write@preview": (slug) => actorToken(slug, ["WRITE"], ["preview"]),
  "svc runtime@preview": (slug) => actorToken(slug, ["RUNTIME"], ["preview"]),
  "svc rw@preview": (slug) => actorToken(slug, ["READ", "WRITE"], ["preview"]),
  "revoked admin pat": async () => revokedPat,
  "revoked svc": async (slug) => {
    const { id, token } = await serviceToken(server, slug, ["READ", "WRITE", "RUNTIME"]);
    expectType((await owner.revokeToken({ input: { id } })).revokeToken, "RevokeTokenPayload");
    return token;
  },
  "expired admin pat": async () => expiredToken,
  malformed: async () => "envp_pat_thisIsNotAValidToken",
  "bad checksum": async () => users.admin.token.slice(0, -1) + (users.admin.token.endsWith("A") ? "B" : "A"),
  "no token": async () => null,
  "other project's svc": async (slug) => {
    await createProject(owner, `${slug}-other`);
    return actorToken(`${slug}-other`, ["READ", "WRITE", "RUNTIME"]);
  },
  "outsider pat": async () => users.outsider.token,
};

async function setupProject(slug: string) {
  await createProject(owner, slug);
  for (const role of ["viewer", "developer", "admin", "owner"] as const)
    await addMember(owner, slug, users[role].id, role.toUpperCase() as Role);
  for (const [environment, key, value] of [
    ["development", "DEV_KEY", "dev-value"],
    ["preview", "PREV_KEY", "prev-value"],
    ["production", "PROD_KEY", "prod-value"],
  ])
    await setVariable(owner, { project: slug, environment, key, value });
}

describe("permission matrix", () => {
  beforeAll(async () => {
    server = await startTestServer();
    owner = server.owner;
    for (const name of ["viewer", "developer", "admin", "owner", "outsider"] as const) {
      users[name] = await newUser(server, `role-${name}`);
    }
    // The outsider administers a project of their own, and is no member of the matrix projects.
    await createProject(server.client(users.outsider.token), "outsiders-own");

    const expiresAt = new Date(Date.now() + 1500);
    const expiring = expectType(
      (
        await owner.createToken({
          input: { kind: "PERSONAL", name: "expiring", userId: users.admin.id, expiresAt: expiresAt.toISOString() },
        })
      ).createToken,
      "CreateTokenPayload",
    );
    expiredToken = expiring.plaintextToken;
    expect((await server.client(expiredToken).viewer()).viewer.user?.id).toBe(users.admin.id);

    const revoked = expectType(
      (await owner.createToken({ input: { kind: "PERSONAL", name: "revoked", userId: users.admin.id } })).createToken,
      "CreateTokenPayload",
    );
    revokedPat = revoked.plaintextToken;
    expect((await server.client(revokedPat).viewer()).viewer.user?.id).toBe(users.admin.id);
    expectType((await owner.revokeToken({ input: { id: revoked.token.id } })).revokeToken, "RevokeTokenPayload");

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now() + 50)));
  });
  afterAll(() => server.close());

  it("the API refuses to create a token that is already expired", async () => {
    const r = (
      await owner.createToken({
        input: { kind: "PERSONAL", name: "past", expiresAt: new Date(Date.now() - 1000).toISOString() },
      })
    ).createToken;
    expect(expectType(r, "ValidationError").fieldErrors.map((e) => e.path)).toEqual([["expiresAt"]]);
  });

  it.each(Object.keys(EXPECTED).map((actor, row) => ({ actor, row })))("$actor", async ({ actor, row }) => {
    const slug = `pm-${row}`;
    await setupProject(slug);
    const client = server.client(await ACTORS[actor](slug));
    const expected = Object.fromEntries(
      EXPECTED[actor]
        .trim()
        .split(/\s+/)
        .map((o, i) => [OPS[i], o as Outcome]),
    );
    const actual: Record<string, Outcome> = {};

    for (const name of OPS) {
      const op = ops[name];
      const n = ++counter;
      let target: Target = { slug, n, tokenId: "", userId: "", envName: "" };
      target = { ...target, ...(await op.prepare?.(target)) };
      const before = op.write ? await snapshot(slug) : null;
      const result = await attempt(() => op.run(client, target));
      actual[name] = result.outcome;
      if (op.write && result.outcome !== "A")
        expect(await snapshot(slug), `${actor}: denied ${name} changed the project`).toEqual(before);

      // A project the token cannot access looks exactly like one that does not exist.
      if (result.outcome === "N" && (actor === "other project's svc" || actor === "outsider pat")) {
        const ghost: Target = {
          slug: `ghost-${n}`,
          n,
          tokenId: `ghost${n}`,
          userId: target.userId || users.viewer.id,
          envName: target.envName || "ghost",
        };
        const seen = await attempt(() => op.run(client, ghost));
        const normalize = (m: string, t: Target) =>
          m
            .replaceAll(t.slug, "<slug>")
            .replaceAll(t.tokenId || "<none>", "<token>")
            .replaceAll(t.envName || "<none>", "<env>");
        expect(
          { outcome: seen.outcome, message: normalize(seen.message, ghost) },
          `${actor}: ${name} leaks that the project exists`,
        ).toEqual({
          outcome: result.outcome,
          message: normalize(result.message, target),
        });
      }
    }
    expect(actual).toEqual(expected);
  });
});
