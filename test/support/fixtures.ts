/**
 * Test data built through the public API, chained the way a user would build it:
 * server → user or token → project → environment → variables. Each helper takes the client
 * (or server) it acts through, and fails with the whole response when the API answers
 * anything but success.
 */
import { afterAll, beforeAll } from "vitest";
import type {
  BulkUpsertVariablesInput,
  EnvironmentVariablesQuery,
  EnvplaneClient,
  Role,
  SetVariableInput,
  TokenPermission,
} from "../../sdk/index.js";
import { allPages, MAX_PAGE_SIZE } from "../../sdk/index.js";
import { expectType } from "./expect.js";
import { startTestServer, type TestServer } from "./server.js";

/**
 * A server for the enclosing file or describe block: started before its tests and handed to
 * `use`, closed after them.
 */
export function useTestServer(use: (server: TestServer) => void, options?: Parameters<typeof startTestServer>[0]) {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
    use(server);
  });
  afterAll(() => server?.close());
}

/** What the token and user helpers need of a server: an owner client, and a client for any token. */
export type Clients = Pick<TestServer, "owner" | "client">;

/** A project with the default environments and branches, plus `branches`. */
export async function createProject(sdk: EnvplaneClient, slug: string, options: { branches?: string[] } = {}) {
  const { project } = expectType((await sdk.createProject({ input: { slug } })).createProject, "ProjectPayload");
  for (const name of options.branches ?? []) await createBranch(sdk, slug, name);
  return project;
}

export async function createBranch(sdk: EnvplaneClient, project: string, name: string) {
  return expectType((await sdk.createBranch({ input: { project, name } })).createBranch, "CreateBranchPayload").branch;
}

export async function createEnvironment(sdk: EnvplaneClient, project: string, name: string) {
  return expectType((await sdk.createEnvironment({ input: { project, name } })).createEnvironment, "EnvironmentPayload")
    .environment;
}

export async function setVariable(sdk: EnvplaneClient, input: SetVariableInput) {
  return expectType((await sdk.setVariable({ input })).setVariable, "SetVariablePayload");
}

export async function bulk(sdk: EnvplaneClient, input: BulkUpsertVariablesInput) {
  return expectType((await sdk.bulkUpsertVariables({ input })).bulkUpsertVariables, "BulkUpsertVariablesPayload");
}

export async function updateMapping(
  sdk: EnvplaneClient,
  project: string,
  entries: { environment: string; branch: string }[],
) {
  return expectType(
    (await sdk.updateBranchMapping({ input: { project, entries } })).updateBranchMapping,
    "UpdateBranchMappingPayload",
  ).mapping;
}

/** An environment's revision and base values as `sdk` lists them: key → { value (null for a secret), isSecret }. */
export async function listValues(sdk: EnvplaneClient, project: string, environment: string) {
  const env = await readEnvironment(sdk, project, environment);
  return {
    revision: env.revision,
    values: Object.fromEntries(env.variables.map((v) => [v.key, { value: v.value ?? null, isSecret: v.isSecret }])),
  };
}

/** What a deployment on `branch` gets at boot (secrets included), through a fresh RUNTIME token. */
export async function runtimeValues(server: Clients, project: string, branch: string) {
  const { client } = await serviceToken(server, project, ["RUNTIME"]);
  const r = expectType((await client.runtimeVariables({ project, branch })).runtimeVariables, "RuntimeEnvironment");
  return {
    environment: r.environmentName,
    values: Object.fromEntries(r.variables.map((v) => [v.key, { value: v.value, isSecret: v.isSecret }])),
  };
}

/** An environment with all its variables (every page) as `sdk` lists them; throws when `sdk` cannot see it. */
export async function readEnvironment(sdk: EnvplaneClient, project: string, environment: string) {
  let first: NonNullable<NonNullable<EnvironmentVariablesQuery["project"]>["environment"]> | undefined;
  const variables = await allPages(async (after) => {
    const response = await sdk.environmentVariables({ project, environment, first: MAX_PAGE_SIZE, after });
    if (!response.project?.environment)
      throw new Error(`environment ${project}/${environment} not visible:\n${JSON.stringify(response, null, 2)}`);
    first ??= response.project.environment;
    return response.project.environment.variables;
  });
  return { ...first!, variables };
}

/** A service token of `project` created by the owner, and a client that uses it. */
export async function serviceToken(
  server: Clients,
  project: string,
  permissions?: TokenPermission[],
  environments?: string[],
) {
  const name = `svc ${permissions?.join("+") ?? "default"}${environments ? `@${environments.join("+")}` : ""}`;
  const created = expectType(
    (await server.owner.createToken({ input: { kind: "SERVICE", name, project, permissions, environments } }))
      .createToken,
    "CreateTokenPayload",
  );
  if (created.token.kind !== "SERVICE")
    throw new Error(`Expected a SERVICE token:\n${JSON.stringify(created, null, 2)}`);
  return {
    id: created.token.id,
    token: created.plaintextToken,
    client: server.client(created.plaintextToken),
    created,
  };
}

/** A new user (created by the owner) with their personal token and a client that uses it. */
export async function newUser(server: Clients, name: string, options: { isInstanceAdmin?: boolean } = {}) {
  const created = expectType(
    (await server.owner.createUser({ input: { name, isInstanceAdmin: options.isInstanceAdmin } })).createUser,
    "CreateUserPayload",
  );
  return { id: created.user.id, token: created.plaintextToken, client: server.client(created.plaintextToken) };
}

export async function addMember(sdk: EnvplaneClient, project: string, userId: string, role: Role) {
  return expectType((await sdk.setMember({ input: { project, userId, role } })).setMember, "SetMemberPayload").member;
}

/** A new user who is a member of `project` with `role`. */
export async function userWithRole(
  server: Clients,
  project: string,
  role: Role,
  name = `${role.toLowerCase()} of ${project}`,
) {
  const user = await newUser(server, name);
  await addMember(server.owner, project, user.id, role);
  return user;
}

/** POSTs a GraphQL document to the server in-process, as `token`; returns the raw response text. */
export async function rawGraphQL(
  server: Pick<TestServer, "app" | "url">,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<string> {
  const response = await server.app.fetch(
    new Request(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-envplane-client": "test", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return response.text();
}
