/**
 * No N+1: the SQL statements of a read do not grow with the number of variables, overrides,
 * environments or projects it returns. Each case builds a small and a large project through
 * the API and sends the same read to both; the statement counts must be equal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
beforeAll(async () => {
  server = await startTestServer({ countQueries: true });
  sdk = server.owner;
});
afterAll(() => server.close());

/** The deepest read the dashboard does: every environment with its keys, variables, values, previews and overrides. */
const PROJECT_TREE = /* GraphQL */ `
  query projectTree($slug: String!) {
    project(slug: $slug) {
      slug
      viewerRole
      branches { name overrideCount }
      mapping { branch environment { name } }
      environments {
        name
        variableCount
        keys
        count
        viewerCanRead
        viewerCanWrite
        variables { totalCount nodes { key isSecret value preview overrides { branch { name } value preview } } }
      }
    }
  }
`;

type Tree = {
  project: {
    environments: {
      name: string;
      keys: string[];
      count: number;
      variables: {
        totalCount: number;
        nodes: {
          key: string;
          value: string | null;
          preview: string | null;
          overrides: { branch: { name: string }; value: string | null; preview: string | null }[];
        }[];
      };
    }[];
  };
};

async function graphql<T>(query: string, variables: Record<string, unknown>, token = server.ownerToken): Promise<T> {
  const response = await server.app.fetch(
    new Request(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-envplane-client": "test", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * The statements of one request. The request is sent once before (the token's lastUsedAt
 * is written at most once a minute: the measured request never includes that write), right
 * after the server forgot its cached tokens: the measured request finds its token cached
 * (AUTH_CACHE_TTL_MS), never half-way through an expiry, so compared counts differ only by N.
 */
async function statements<T>(request: () => Promise<T>): Promise<{ count: number; result: T }> {
  server.app.services.auth.forgetAll();
  await request();
  server.queries.length = 0;
  const result = await request();
  return { count: server.queries.length, result };
}

async function createProject(slug: string, branches: string[] = []) {
  expectType((await sdk.createProject({ input: { slug } })).createProject, "ProjectPayload");
  for (const name of branches)
    expectType((await sdk.createBranch({ input: { project: slug, name } })).createBranch, "CreateBranchPayload");
}

async function push(project: string, environment: string, count: number, prefix = "KEY") {
  const variables = Array.from({ length: count }, (_, i) => ({
    key: `${prefix}_${i}`,
    value: `value-${i}`,
    secret: i % 5 === 4,
  }));
  expectType(
    (await sdk.bulkUpsertVariables({ input: { project, environment, variables } })).bulkUpsertVariables,
    "BulkUpsertVariablesPayload",
  );
}

async function override(project: string, environment: string, key: string, branch: string) {
  expectType(
    (await sdk.setVariable({ input: { project, environment, key, value: `${key}@${branch}`, branch } })).setVariable,
    "SetVariablePayload",
  );
}

const tree = (slug: string) => statements(() => graphql<Tree>(PROJECT_TREE, { slug }));
const allVariables = (t: Tree) => t.project.environments.flatMap((e) => e.variables.nodes);

describe("statement counts do not grow with N", () => {
  it("project tree: 2 vs 20 variables", async () => {
    for (const [slug, n] of [
      ["qc-vars-small", 2],
      ["qc-vars-large", 20],
    ] as const) {
      await createProject(slug, ["feature-x"]);
      await push(slug, "preview", n);
      await override(slug, "preview", "KEY_0", "feature-x");
    }
    const small = await tree("qc-vars-small");
    const large = await tree("qc-vars-large");
    expect(allVariables(small.result)).toHaveLength(2);
    expect(allVariables(large.result)).toHaveLength(20);
    expect(large.result.project.environments.map((e) => e.variables.totalCount)).toEqual([0, 20, 0]);
    expect(allVariables(large.result).find((v) => v.key === "KEY_18")?.value).toBe("value-18");
    expect(allVariables(large.result).find((v) => v.key === "KEY_4")?.value).toBeNull(); // a secret
    expect(allVariables(large.result).find((v) => v.key === "KEY_4")?.preview).toBe("••••");
    expect(allVariables(large.result).find((v) => v.key === "KEY_18")?.preview).toBe("value-18");
    expect(large.result.project.environments.map((e) => e.count)).toEqual([0, 20, 0]);
    expect(large.result.project.environments[1].keys).toHaveLength(20);
    expect(large.count).toBe(small.count);
  });

  it("project tree: 0 vs 10 overrides per variable", async () => {
    const branches = Array.from({ length: 10 }, (_, i) => `b-${i}`);
    await createProject("qc-ovr-small", branches);
    await createProject("qc-ovr-large", branches);
    for (const slug of ["qc-ovr-small", "qc-ovr-large"]) await push(slug, "preview", 3);
    for (const key of ["KEY_0", "KEY_1", "KEY_2"])
      for (const branch of branches) await override("qc-ovr-large", "preview", key, branch);

    const small = await tree("qc-ovr-small");
    const large = await tree("qc-ovr-large");
    expect(allVariables(small.result).flatMap((v) => v.overrides)).toHaveLength(0);
    const overrides = allVariables(large.result).flatMap((v) => v.overrides);
    expect(overrides).toHaveLength(30);
    expect(overrides).toContainEqual({ branch: { name: "b-7" }, value: "KEY_1@b-7", preview: "KEY_1@b-7" });
    expect(large.count).toBe(small.count);
  });

  it("project tree: 3 vs 8 environments", async () => {
    await createProject("qc-env-small", ["feature-x"]);
    await createProject("qc-env-large", ["feature-x"]);
    for (const name of ["qa", "staging", "demo", "load", "canary"])
      expectType(
        (await sdk.createEnvironment({ input: { project: "qc-env-large", name } })).createEnvironment,
        "EnvironmentPayload",
      );
    for (const slug of ["qc-env-small", "qc-env-large"]) {
      const { result } = await tree(slug);
      for (const env of result.project.environments) {
        await push(slug, env.name, 2);
        if (env.name !== "development") await override(slug, env.name, "KEY_0", "feature-x");
      }
    }
    const small = await tree("qc-env-small");
    const large = await tree("qc-env-large");
    expect(small.result.project.environments).toHaveLength(3);
    expect(large.result.project.environments).toHaveLength(8);
    expect(allVariables(large.result)).toHaveLength(16);
    expect(allVariables(large.result).flatMap((v) => v.overrides)).toHaveLength(7);
    expect(large.result.project.environments.every((e) => e.count === 2 && e.keys.join() === "KEY_0,KEY_1")).toBe(true);
    expect(large.count).toBe(small.count);
  });

  it("references: 2 vs 20 values (and overrides) referencing project variables, resolvesAsSecret included", async () => {
    const READ = /* GraphQL */ `
      query refs($slug: String!) {
        project(slug: $slug) {
          environment(name: "preview") {
            variables { nodes { key isSecret references resolvedPreview resolvesAsSecret
              overrides { references resolvedPreview resolvesAsSecret } } }
          }
        }
      }
    `;
    type Refs = {
      project: {
        environment: {
          variables: {
            nodes: {
              key: string;
              isSecret: boolean;
              resolvedPreview: string | null;
              resolvesAsSecret: boolean;
              overrides: { resolvesAsSecret: boolean }[];
            }[];
          };
        };
      };
    };
    for (const [slug, n] of [
      ["qc-refs-small", 2],
      ["qc-refs-large", 20],
    ] as const) {
      await createProject(slug, ["feature-x"]);
      for (const [key, value, secret] of [
        ["PASS", "qc-secret", true],
        ["USER", "app", false],
      ] as const)
        expectType(
          (await sdk.setSharedVariable({ input: { project: slug, key, value, secret } })).setSharedVariable,
          "SetSharedVariablePayload",
        );
      const variables = Array.from({ length: n }, (_, i) => ({
        key: `REF_${i}`,
        value: i % 2 ? "${{project.USER}}" : "x-${{project.PASS}}",
      }));
      expectType(
        (await sdk.bulkUpsertVariables({ input: { project: slug, environment: "preview", variables } }))
          .bulkUpsertVariables,
        "BulkUpsertVariablesPayload",
      );
      for (const key of variables.map((v) => v.key))
        expectType(
          (
            await sdk.setVariable({
              input: { project: slug, environment: "preview", key, value: "${{project.PASS}}", branch: "feature-x" },
            })
          ).setVariable,
          "SetVariablePayload",
        );
    }
    const small = await statements(() => graphql<Refs>(READ, { slug: "qc-refs-small" }));
    const large = await statements(() => graphql<Refs>(READ, { slug: "qc-refs-large" }));
    const nodes = large.result.project.environment.variables.nodes;
    expect(nodes).toHaveLength(20);
    expect(nodes.find((v) => v.key === "REF_0")).toMatchObject({ isSecret: false, resolvesAsSecret: true });
    expect(nodes.find((v) => v.key === "REF_1")).toMatchObject({
      isSecret: false,
      resolvesAsSecret: false,
      resolvedPreview: "app",
    });
    expect(nodes.every((v) => v.overrides.length === 1 && v.overrides[0].resolvesAsSecret)).toBe(true);
    expect(large.count).toBe(small.count);
  });

  it("shared variables with usedBy: 2 vs 10 project variables, each referenced", async () => {
    for (const [slug, n] of [
      ["qc-used-small", 2],
      ["qc-used-large", 10],
    ] as const) {
      await createProject(slug, ["feature-x"]);
      for (let i = 0; i < n; i++)
        expectType(
          (await sdk.setSharedVariable({ input: { project: slug, key: `S_${i}`, value: `v${i}`, secret: i === 0 } }))
            .setSharedVariable,
          "SetSharedVariablePayload",
        );
      const variables = Array.from({ length: n }, (_, i) => ({ key: `R_${i}`, value: `\${{project.S_${i}}}` }));
      expectType(
        (await sdk.bulkUpsertVariables({ input: { project: slug, environment: "preview", variables } }))
          .bulkUpsertVariables,
        "BulkUpsertVariablesPayload",
      );
      // An override referencing S_1 in production (its base value is plain): production uses S_1 too.
      for (const input of [
        { project: slug, environment: "production", key: "P", value: "plain" },
        { project: slug, environment: "production", key: "P", value: "${{project.S_1}}", branch: "feature-x" },
      ])
        expectType((await sdk.setVariable({ input })).setVariable, "SetVariablePayload");
    }
    const small = await statements(() => sdk.sharedVariables({ slug: "qc-used-small" }));
    const large = await statements(() => sdk.sharedVariables({ slug: "qc-used-large" }));
    const used = large.result.project!.sharedVariables.map((v) => [v.key, v.usedBy]);
    expect(used).toHaveLength(10);
    expect(used).toContainEqual(["S_0", ["preview"]]);
    expect(used).toContainEqual(["S_9", ["preview"]]);
    expect(small.result.project!.sharedVariables.map((v) => [v.key, v.usedBy])).toEqual([
      ["S_0", ["preview"]],
      ["S_1", ["preview", "production"]],
    ]);
    expect(used).toContainEqual(["S_1", ["preview", "production"]]);
    expect(large.count).toBe(small.count);
  });

  it("projects list: 1 vs 4 projects", async () => {
    // A user who is a member of 1 project, and one who is a member of 4.
    const one = expectType((await sdk.createUser({ input: { name: "qc-one" } })).createUser, "CreateUserPayload");
    const four = expectType((await sdk.createUser({ input: { name: "qc-four" } })).createUser, "CreateUserPayload");
    for (const [i, slug] of ["qc-list-a", "qc-list-b", "qc-list-c", "qc-list-d"].entries()) {
      await createProject(slug);
      await push(slug, "preview", 2);
      expectType(
        (await sdk.setMember({ input: { project: slug, userId: four.user.id, role: "DEVELOPER" } })).setMember,
        "SetMemberPayload",
      );
      if (i === 0)
        expectType(
          (await sdk.setMember({ input: { project: slug, userId: one.user.id, role: "VIEWER" } })).setMember,
          "SetMemberPayload",
        );
    }
    const small = await statements(() => server.client(one.plaintextToken).projects());
    const large = await statements(() => server.client(four.plaintextToken).projects());
    expect(small.result.projects.nodes.map((p) => [p.slug, p.viewerRole])).toEqual([["qc-list-a", "VIEWER"]]);
    expect(large.result.projects.nodes).toHaveLength(4);
    expect(
      large.result.projects.nodes.every(
        (p) =>
          p.viewerRole === "DEVELOPER" && p.environments.length === 3 && p.environments.every((e) => e.viewerCanRead),
      ),
    ).toBe(true);
    expect(large.count).toBe(small.count);
  });

  it("pullVariables and runtimeVariables: 10 vs 200 variables", async () => {
    for (const [slug, n] of [
      ["qc-pull-small", 10],
      ["qc-pull-large", 200],
    ] as const) {
      await createProject(slug, ["feature-x"]);
      await push(slug, "preview", n);
      await override(slug, "preview", "KEY_1", "feature-x");
    }
    const pull = (project: string) =>
      statements(() => sdk.pullVariables({ project, environment: "preview", branch: "feature-x" }));
    const small = await pull("qc-pull-small");
    const large = await pull("qc-pull-large");
    const pulled = expectType(large.result.pullVariables, "PulledEnvironment");
    expect(pulled.variables).toHaveLength(160); // every 5th is a secret
    expect(pulled.excludedSecrets).toHaveLength(40);
    expect(pulled.variables.find((v) => v.key === "KEY_1")).toEqual({
      key: "KEY_1",
      value: "KEY_1@feature-x",
      fromOverride: true,
    });
    expect(large.count).toBe(small.count);
    // Issue 13: project, membership, environment and branch in one statement, then the values with their
    // layout and notes in one, and the audit row (BEGIN, 3 statements, COMMIT); the environment is not read again.
    expect(small.count).toBeLessThanOrEqual(7);

    const runtime = async (project: string) => {
      const token = expectType(
        (await sdk.createToken({ input: { kind: "SERVICE", name: "qc-runtime", project, permissions: ["RUNTIME"] } }))
          .createToken,
        "CreateTokenPayload",
      ).plaintextToken;
      const client = server.client(token);
      return statements(() => client.runtimeVariables({ project, branch: "feature-x" }));
    };
    const smallRuntime = await runtime("qc-pull-small");
    const largeRuntime = await runtime("qc-pull-large");
    expect(expectType(largeRuntime.result.runtimeVariables, "RuntimeEnvironment").variables).toHaveLength(200);
    expect(largeRuntime.count).toBe(smallRuntime.count);
  });

  it("auditLog: a page of 4 vs 27 events (filtered by actor, with names), the same statements", async () => {
    await createProject("qc-audit-small", ["feature-x"]);
    await createProject("qc-audit-large", ["feature-x"]);
    await push("qc-audit-small", "preview", 2);
    await override("qc-audit-small", "preview", "KEY_0", "feature-x");
    for (let i = 0; i < 10; i++) {
      await push("qc-audit-large", i % 2 ? "preview" : "development", 1, `P${i}`);
      if (i % 2) await override("qc-audit-large", "preview", `P${i}_0`, "feature-x");
      await sdk.pullVariables({ project: "qc-audit-large", environment: "preview" });
    }
    const page = (project: string) =>
      statements(() => sdk.auditLog({ project, first: 100, filter: { actor: "Owner", action: "variable" } }));
    const small = await statements(() =>
      sdk.auditLog({ project: "qc-audit-small", first: 100, filter: { actor: "Owner" } }),
    );
    const large = await statements(() =>
      sdk.auditLog({ project: "qc-audit-large", first: 100, filter: { actor: "Owner" } }),
    );
    expect(small.result.auditLog.nodes.length).toBe(4);
    expect(large.result.auditLog.nodes.length).toBe(27);
    expect(large.result.auditLog.nodes.some((e) => e.branch === "feature-x" && e.environment === "preview")).toBe(true);
    expect(large.result.auditLog.nodes.every((e) => e.actor.tokenName === "bootstrap")).toBe(true);
    expect(large.count).toBe(small.count);
    expect((await page("qc-audit-large")).result.auditLog.nodes).toEqual([]);
  });

  it("revisions with their changes: 2 vs 12 revisions per page, 1 vs 8 changes each", async () => {
    for (const [slug, revisions, keys] of [
      ["qc-history-small", 2, 1],
      ["qc-history-large", 12, 8],
    ] as const) {
      await createProject(slug, ["feature-x"]);
      for (let r = 0; r < revisions; r++)
        expectType(
          (
            await sdk.setVariables({
              input: {
                project: slug,
                environment: "preview",
                variables: Array.from({ length: keys }, (_, k) => ({ key: `K${k}`, value: `v${r}`, secret: k === 1 })),
                message: `write ${r}`,
              },
            })
          ).setVariables,
          "SetVariablesPayload",
        );
      await override(slug, "preview", "K0", "feature-x");
    }
    const HISTORY = /* GraphQL */ `
      query history($slug: String!) {
        project(slug: $slug) {
          environment(name: "preview") {
            historySince
            revisions(first: 20) {
              totalCount
              pageInfo { hasNextPage endCursor }
              nodes { number message actor { name type } added changed removed
                changes { key branch kind isSecret before after } }
            }
          }
        }
      }
    `;
    type History = {
      project: {
        environment: { revisions: { totalCount: number; nodes: { changes: { before: string | null }[] }[] } };
      };
    };
    const small = await statements(() => graphql<History>(HISTORY, { slug: "qc-history-small" }));
    const large = await statements(() => graphql<History>(HISTORY, { slug: "qc-history-large" }));
    expect(small.result.project.environment.revisions.totalCount).toBe(3);
    expect(large.result.project.environment.revisions.totalCount).toBe(13);
    expect(large.result.project.environment.revisions.nodes[1].changes).toHaveLength(8);
    expect(large.result.project.environment.revisions.nodes[1].changes[0].before).toBe("v10");
    expect(large.count).toBe(small.count);
  });

  it("branches with live and status: 2 vs 12 branches (some served, some pending), the same statements", async () => {
    const BRANCHES = /* GraphQL */ `
      query branches($slug: String!) {
        project(slug: $slug) {
          branches {
            name
            live { environment { name } environmentName revision servedAt tokenName }
            status { environment { name } currentRevision liveRevision pendingChanges pendingKeys redeployNeeded
              environmentChanged }
          }
        }
      }
    `;
    type Branch = {
      name: string;
      live: { environmentName: string; revision: number; tokenName: string | null } | null;
      status: { currentRevision: number; liveRevision: number | null; pendingKeys: string[] } | null;
    };
    for (const [slug, n] of [
      ["qc-live-small", 2],
      ["qc-live-large", 12],
    ] as const) {
      const names = Array.from({ length: n }, (_, i) => `b-${i}`);
      await createProject(slug, names);
      await push(slug, "preview", 2);
      const token = expectType(
        (
          await sdk.createToken({
            input: { kind: "SERVICE", name: "qc-live", project: slug, permissions: ["RUNTIME"] },
          })
        ).createToken,
        "CreateTokenPayload",
      ).plaintextToken;
      // Even branches are served at revision 1; then b-0 gets an override and the base KEY_1 changes.
      for (const name of names.filter((_, i) => i % 2 === 0))
        expectType(
          (await server.client(token).runtimeVariables({ project: slug, branch: name })).runtimeVariables,
          "RuntimeEnvironment",
        );
      await override(slug, "preview", "KEY_0", "b-0");
      await override(slug, "preview", "KEY_0", "b-1");
      expectType(
        (await sdk.setVariable({ input: { project: slug, environment: "preview", key: "KEY_1", value: "new" } }))
          .setVariable,
        "SetVariablePayload",
      );
    }
    const read = (slug: string) => statements(() => graphql<{ project: { branches: Branch[] } }>(BRANCHES, { slug }));
    const small = await read("qc-live-small");
    const large = await read("qc-live-large");
    const byName = Object.fromEntries(large.result.project.branches.map((b) => [b.name, b]));
    expect(Object.keys(byName).filter((name) => name.startsWith("b-"))).toHaveLength(12);
    // b-0: served at 1, since then its own override (KEY_0) and the base KEY_1.
    expect(byName["b-0"].live).toMatchObject({ environmentName: "preview", revision: 1, tokenName: "qc-live" });
    expect(byName["b-0"].status).toMatchObject({
      currentRevision: 4,
      liveRevision: 1,
      pendingKeys: ["KEY_0", "KEY_1"],
    });
    // b-2: served at 1, only the base KEY_1 since (b-1's override is not its business).
    expect(byName["b-2"].status).toMatchObject({ liveRevision: 1, pendingKeys: ["KEY_1"] });
    // b-11 and b-1: never served.
    expect(byName["b-11"].live).toBeNull();
    expect(byName["b-11"].status).toMatchObject({ currentRevision: 4, liveRevision: null, pendingKeys: [] });
    expect(byName["b-1"].status).toMatchObject({ liveRevision: null, pendingKeys: [] });
    expect(small.result.project.branches.find((b) => b.name === "b-0")?.status?.pendingKeys).toEqual([
      "KEY_0",
      "KEY_1",
    ]);
    expect(large.count).toBe(small.count);
  });
});
