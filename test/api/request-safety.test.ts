/**
 * Attacks on the request layer, each shown to fail the same way on SQLite and PostgreSQL:
 * NUL characters in names and lookups, out-of-range dates, documents nested thousands deep,
 * __typename aliases, oversized bulk requests, type errors that must name their path, and
 * runtime resolutions hidden in fragments or multiplied by aliases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BULK_ITEMS } from "../../core/limits.js";
import { expectType } from "../support/expect.js";
import { createProject, serviceToken, setVariable, useTestServer } from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };

async function call(
  server: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  token = server.ownerToken,
) {
  const response = await server.app.fetch(
    new Request(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-envplane-client": "test", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Body, headers: response.headers };
}

/** Row counts of every table: a request that "changes nothing" leaves them equal. */
async function rowCounts(server: TestServer): Promise<Record<string, number>> {
  const tables = [
    "Project",
    "ProjectBranch",
    "Environment",
    "MappingEntry",
    "Variable",
    "BranchOverride",
    "Token",
    "User",
    "Member",
  ];
  return withRawDb(server.database, async (q) => {
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await q(`SELECT count(*) AS n FROM "${t}"`))[0].n);
    return out;
  });
}

const NUL = "bad\u0000name";

describe("bad input gets a clear validation error, the same on both databases", () => {
  let server: TestServer;
  useTestServer((s) => (server = s));
  beforeAll(async () => {
    await createProject(server.owner, "safe", { branches: ["feature"] });
    expectType((await server.owner.createUser({ input: { name: "member" } })).createUser, "CreateUserPayload");
  });

  const m = (name: string, type: string) => `mutation($input: ${type}!) { ${name}(input: $input) { __typename } }`;
  // Every operation that takes a name or a lookup, with a NUL in one of them; the reported path names the argument.
  const cases: [string, string, Record<string, unknown>, string][] = [
    ["project(slug)", `query($s: String!) { project(slug: $s) { id } }`, { s: NUL }, "slug"],
    [
      "project.environment(name)",
      `query($e: String!) { project(slug: "safe") { environment(name: $e) { id } } }`,
      { e: NUL },
      "name",
    ],
    [
      "pullVariables(branch)",
      `query($b: String) { pullVariables(project: "safe", environment: "preview", branch: $b) { __typename } }`,
      { b: NUL },
      "branch",
    ],
    [
      "runtimeVariables(project)",
      `query($p: String!) { runtimeVariables(project: $p, branch: "dev") { __typename } }`,
      { p: NUL },
      "project",
    ],
    [
      "resolveBranch(branch)",
      `query($b: String!) { resolveBranch(project: "safe", branch: $b) { __typename } }`,
      { b: NUL },
      "branch",
    ],
    ["createProject slug", m("createProject", "CreateProjectInput"), { input: { slug: NUL } }, "input.slug"],
    [
      "createProject name",
      m("createProject", "CreateProjectInput"),
      { input: { slug: "fresh", name: NUL } },
      "input.name",
    ],
    ["deleteProject", m("deleteProject", "DeleteProjectInput"), { input: { slug: NUL } }, "input.slug"],
    ["createBranch", m("createBranch", "CreateBranchInput"), { input: { project: "safe", name: NUL } }, "input.name"],
    ["deleteBranch", m("deleteBranch", "DeleteBranchInput"), { input: { project: "safe", name: NUL } }, "input.name"],
    [
      "createEnvironment name",
      m("createEnvironment", "CreateEnvironmentInput"),
      { input: { project: "safe", name: NUL } },
      "input.name",
    ],
    [
      "createEnvironment from",
      m("createEnvironment", "CreateEnvironmentInput"),
      { input: { project: "safe", name: "qa", from: NUL } },
      "input.from",
    ],
    [
      "deleteEnvironment",
      m("deleteEnvironment", "DeleteEnvironmentInput"),
      { input: { project: "safe", name: NUL } },
      "input.name",
    ],
    [
      "updateEnvironment",
      m("updateEnvironment", "UpdateEnvironmentInput"),
      { input: { project: "safe", name: NUL, isProtected: true } },
      "input.name",
    ],
    [
      "updateBranchMapping",
      m("updateBranchMapping", "UpdateBranchMappingInput"),
      { input: { project: "safe", entries: [{ environment: "preview", branch: NUL }] } },
      "input.entries.0.branch",
    ],
    [
      "seedEnvironment",
      m("seedEnvironment", "SeedEnvironmentInput"),
      { input: { project: "safe", target: NUL, from: "development" } },
      "input.target",
    ],
    [
      "setVariable key",
      m("setVariable", "SetVariableInput"),
      { input: { project: "safe", environment: "development", key: NUL, value: "v" } },
      "input.key",
    ],
    [
      "setVariable environment",
      m("setVariable", "SetVariableInput"),
      { input: { project: "safe", environment: NUL, key: "K", value: "v" } },
      "input.environment",
    ],
    [
      "setVariable branch",
      m("setVariable", "SetVariableInput"),
      { input: { project: "safe", environment: "preview", branch: NUL, key: "K", value: "v" } },
      "input.branch",
    ],
    [
      "unsetVariable",
      m("unsetVariable", "UnsetVariableInput"),
      { input: { project: "safe", environment: "development", key: NUL } },
      "input.key",
    ],
    [
      "bulkUpsertVariables",
      m("bulkUpsertVariables", "BulkUpsertVariablesInput"),
      {
        input: {
          project: "safe",
          environment: "development",
          variables: [
            { key: "OK", value: "v" },
            { key: NUL, value: "v" },
          ],
        },
      },
      "input.variables.1.key",
    ],
    [
      "createToken name",
      m("createToken", "CreateTokenInput"),
      { input: { kind: "PERSONAL", name: NUL } },
      "input.name",
    ],
    [
      "createToken environments",
      m("createToken", "CreateTokenInput"),
      { input: { kind: "SERVICE", name: "t", project: "safe", environments: [NUL] } },
      "input.environments.0",
    ],
    ["createUser name", m("createUser", "CreateUserInput"), { input: { name: NUL } }, "input.name"],
    [
      "createUser email",
      m("createUser", "CreateUserInput"),
      { input: { name: "n", email: `a${NUL}@example.com` } },
      "input.email",
    ],
    [
      "setMember project",
      m("setMember", "SetMemberInput"),
      { input: { project: NUL, userId: "u", role: "VIEWER" } },
      "input.project",
    ],
    [
      "removeMember userId",
      m("removeMember", "RemoveMemberInput"),
      { input: { project: "safe", userId: NUL } },
      "input.userId",
    ],
    ["revokeToken id", m("revokeToken", "RevokeTokenInput"), { input: { id: NUL } }, "input.id"],
    ["rotateProjectKey", m("rotateProjectKey", "RotateProjectKeyInput"), { input: { project: NUL } }, "input.project"],
  ];

  it.each(cases)(
    "a NUL character in %s is refused, naming the argument, and changes nothing",
    async (_name, query, variables, path) => {
      const before = await rowCounts(server);
      const { status, body } = await call(server, query, variables);
      expect(body.errors?.[0].message).toBe(
        `${path} contains a NUL character (U+0000); NUL characters are not allowed in names and lookups. Remove it.`,
      );
      expect(body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
      expect(status).toBe(400);
      expect(await rowCounts(server)).toEqual(before);
    },
  );

  it("a NUL in a literal argument is refused too, and so is one inside a fragment", async () => {
    const literal = await call(server, `{ project(slug: "a\\u0000b") { id } }`);
    expect(literal.body.errors?.[0].message).toMatch(/^slug contains a NUL character/);
    const fragment = await call(
      server,
      `query($s: String!) { ...F } fragment F on Query { ... on Query { project(slug: $s) { id } } }`,
      { s: NUL },
    );
    expect(fragment.body.errors?.[0].message).toMatch(/^slug contains a NUL character/);
  });

  it("a variable value may hold a NUL (values are encrypted bytes): it round-trips", async () => {
    const value = "before\u0000after";
    await setVariable(server.owner, { project: "safe", environment: "development", key: "WITH_NUL", value });
    const pulled = expectType(
      (await server.owner.pullVariables({ project: "safe", environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables.find((v) => v.key === "WITH_NUL")?.value).toBe(value);
  });

  it.each([
    ["+275760-09-13T00:00:00Z", /between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z/],
    ["+010000-01-01T00:00:00Z", /between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z/],
    ["1969-12-31T23:59:59Z", /between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z/],
    ["tomorrow", /DateTime must be an ISO-8601 string/],
  ])("expiresAt %s is a clear error naming input.expiresAt, and creates no token", async (expiresAt, message) => {
    const before = await rowCounts(server);
    const { body, text } = await call(server, m("createToken", "CreateTokenInput"), {
      input: { kind: "PERSONAL", name: "exp", expiresAt },
    });
    expect(body.errors?.[0].message).toMatch(/got an invalid value at "input\.expiresAt"/);
    expect(body.errors?.[0].message).toMatch(message);
    expect(text).not.toContain("Unexpected error");
    expect(await rowCounts(server)).toEqual(before);
    const fine = await call(server, m("createToken", "CreateTokenInput"), {
      input: { kind: "PERSONAL", name: "exp", expiresAt: "9999-12-31T00:00:00Z" },
    });
    expect(fine.body).toEqual({ data: { createToken: { __typename: "CreateTokenPayload" } } });
  });

  it("a type error names the field path and never quotes the value", async () => {
    const canary = "yes-canary-7f3a";
    const { body, text } = await call(server, m("setVariable", "SetVariableInput"), {
      input: { project: "safe", environment: "development", key: "K", value: "v", secret: canary },
    });
    expect(body.errors?.[0].message).toBe(
      'Variable "$input" got an invalid value at "input.secret"; Boolean cannot represent a non boolean value.',
    );
    expect(text).not.toContain(canary);
    const nested = await call(server, m("bulkUpsertVariables", "BulkUpsertVariablesInput"), {
      input: { project: "safe", environment: "development", variables: [{ key: "A", value: 42 }] },
    });
    expect(nested.body.errors?.[0].message).toMatch(
      /at "input\.variables\[0\]\.value"; String cannot represent a non string value\.$/,
    );
  });

  const deep = (n: number) => [
    ["selections", `{ ${"viewer { ".repeat(n)}id${" }".repeat(n)} }`],
    ["an input object", `{ project(slug: ${"{ a: ".repeat(n)}1${" }".repeat(n)}) { id } }`],
    ["a list value", `{ project(slug: ${"[".repeat(n)}1${"]".repeat(n)}) { id } }`],
  ];
  it.each(deep(4000))(
    "a document with %s nested 4,000 deep is refused before parsing, with a clear error",
    async (_what, query) => {
      const { status, body } = await call(server, query);
      expect(status).toBe(400);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0].message).toMatch(/^The query is nested more than 40 levels deep/);
      expect(body.errors?.[0].message).not.toMatch(/Unexpected|Maximum call stack/);
    },
  );

  it("braces inside strings and comments do not count as nesting", async () => {
    const { body } = await call(server, `# ${"{".repeat(100)}\n{ project(slug: "${"{[(".repeat(100)}") { id } }`);
    expect(body).toEqual({ data: { project: null } });
  });

  it("__typename aliases count towards the alias limit of 15", async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(" ");
    expect((await call(server, `{ ${aliases(15)} }`)).body.errors).toBeUndefined();
    const refused = await call(server, `{ ${aliases(16)} }`);
    expect(refused.body.errors?.[0].message).toMatch(/Aliases limit of 15 exceeded, found 16/);
    const manyRuntime = await call(server, `{ ${aliases(1000)} }`);
    expect(manyRuntime.body.data).toBeUndefined();
  });
});

describe(`a bulk request carries at most ${MAX_BULK_ITEMS} items`, () => {
  let server: TestServer;
  useTestServer((s) => (server = s));

  it(`${MAX_BULK_ITEMS + 1} variables are refused before any work, naming input.variables; ${MAX_BULK_ITEMS} apply`, async () => {
    await createProject(server.owner, "bulk");
    const variables = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `K_${i}`, value: `v${i}` }));
    const query = `mutation($input: BulkUpsertVariablesInput!) { bulkUpsertVariables(input: $input) { __typename } }`;
    const before = await rowCounts(server);
    const refused = await call(server, query, {
      input: { project: "bulk", environment: "development", variables: variables(MAX_BULK_ITEMS + 1) },
    });
    expect(refused.body.errors?.[0].message).toBe(
      `input.variables has ${MAX_BULK_ITEMS + 1} items; one request may carry at most ${MAX_BULK_ITEMS}. Split it into several requests.`,
    );
    expect(await rowCounts(server)).toEqual(before);
    const applied = await call(server, query, {
      input: { project: "bulk", environment: "development", variables: variables(MAX_BULK_ITEMS) },
    });
    expect(applied.body).toEqual({ data: { bulkUpsertVariables: { __typename: "BulkUpsertVariablesPayload" } } });
    expect((await rowCounts(server)).Variable).toBe(before.Variable + MAX_BULK_ITEMS);
  }, 60_000);
});

describe("runtime resolutions are counted where they happen", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { runtimeResolutionsPerMinute: 4 } });
    await createProject(server.owner, "rt");
    await setVariable(server.owner, { project: "rt", environment: "preview", key: "S", value: "s", secret: true });
  });
  afterAll(() => server.close());

  const field = `runtimeVariables(project: "rt", branch: "dev") { __typename }`;

  it("inline fragments, named fragments and aliases each count; over the limit the answer is 429 with Retry-After", async () => {
    const { token } = await serviceToken(server, "rt", ["RUNTIME"]);
    const served = [
      `{ ... on Query { ${field} } }`,
      `{ ...R } fragment R on Query { ${field} }`,
      `{ a: ${field} }`,
      `{ ...R } fragment R on Query { b: ${field} }`,
    ];
    for (const query of served) expect((await call(server, query, {}, token)).status).toBe(200);
    for (const query of [
      `{ ... on Query { ${field} } }`,
      `{ ...R } fragment R on Query { ${field} }`,
      `{ ${field} }`,
    ]) {
      const limited = await call(server, query, {}, token);
      expect(limited.status).toBe(429);
      expect(limited.body.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    }
  });

  it("15 aliases in one request resolve once: one whole environment per request, the others are refused", async () => {
    const { token } = await serviceToken(server, "rt", ["RUNTIME"]);
    const aliased = Array.from({ length: 15 }, (_, i) => `a${i}: ${field}`).join(" ");
    const answered = await call(server, `{ ${aliased} }`, {}, token);
    // The second alias is refused; the fields are non-null, so the request answers with that error and no data.
    expect(answered.status).toBe(400);
    expect(answered.body.data ?? null).toBeNull();
    expect(answered.body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(answered.body.errors?.[0].message).toMatch(/^One request reads at most one whole environment/);
    expect((await call(server, `{ ${field} }`, {}, token)).status).toBe(200);
  });

  it("pulls are whole-environment reads too: aliases and fragments cannot multiply them", async () => {
    const pull = `pullVariables(project: "rt", environment: "preview") { __typename }`;
    for (const query of [`{ a: ${pull} b: ${pull} }`, `{ a: ${pull} ...P } fragment P on Query { c: ${field} }`]) {
      const answered = await call(server, query);
      expect(answered.status).toBe(400);
      expect(answered.body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    }
    expect((await call(server, `{ a: ${pull} }`)).body).toEqual({ data: { a: { __typename: "PulledEnvironment" } } });
  });
});
