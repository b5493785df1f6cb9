/**
 * Cursor pagination of the lists that grow: every item exactly once and in order, a page
 * size capped at MAX_PAGE_SIZE with a clear error above it, foreign and garbage cursors
 * refused with a clear error, and the read scopes kept (a service token lists no people).
 */
import { describe, expect, it } from "vitest";
import { allPages, type EnvplaneClient, EnvplaneRequestError, MAX_PAGE_SIZE } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  addMember,
  bulk,
  createProject,
  newUser,
  rawGraphQL,
  serviceToken,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let owner: EnvplaneClient;
useTestServer((s) => {
  server = s;
  owner = s.owner;
});

/** The request error a call fails with (the test fails if it succeeds). */
async function requestError(call: () => Promise<unknown>): Promise<EnvplaneRequestError> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnvplaneRequestError);
  return error as EnvplaneRequestError;
}

const variablesPage = async (project: string, first: number | null, after: string | null, client = owner) =>
  (await client.environmentVariables({ project, environment: "preview", first, after })).project!.environment!
    .variables;

describe("variables", () => {
  const keys = Array.from({ length: 1234 }, (_, i) => `VAR_${String(i).padStart(4, "0")}`);

  it("pages through 1,234 variables 500 at a time: each key once, in key order, secrets without values", async () => {
    await createProject(owner, "pg-vars");
    await bulk(owner, {
      project: "pg-vars",
      environment: "preview",
      variables: keys.map((key, i) => ({ key, value: `v${i}`, secret: i % 7 === 0 })),
    });

    const pages: Awaited<ReturnType<typeof variablesPage>>[] = [];
    const listed = await allPages(async (after) => {
      const page = await variablesPage("pg-vars", MAX_PAGE_SIZE, after);
      pages.push(page);
      return page;
    });
    expect(pages.map((p) => p.nodes.length)).toEqual([500, 500, 234]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.every((p) => p.totalCount === 1234)).toBe(true);
    expect(listed.map((v) => v.key)).toEqual(keys);
    expect(listed.filter((v) => v.isSecret).every((v) => v.value === null)).toBe(true);
    expect(listed.find((v) => v.key === "VAR_0001")?.value).toBe("v1");

    // the default page is 100; an edge's cursor continues right after its item
    const first = await owner.environmentVariables({ project: "pg-vars", environment: "preview" });
    const defaultPage = first.project!.environment!.variables;
    expect(defaultPage.nodes.map((v) => v.key)).toEqual(keys.slice(0, 100));
    const raw = JSON.parse(
      await rawGraphQL(
        server,
        server.ownerToken,
        `{ project(slug: "pg-vars") { environment(name: "preview") { variables(first: 3) { edges { cursor node { key } } } } } }`,
      ),
    );
    const edges = raw.data.project.environment.variables.edges as { cursor: string; node: { key: string } }[];
    expect(edges.map((e) => e.node.key)).toEqual(keys.slice(0, 3));
    expect((await variablesPage("pg-vars", 2, edges[1].cursor)).nodes.map((v) => v.key)).toEqual(keys.slice(2, 4));
  });

  it("keeps its place when rows before the cursor change between pages", async () => {
    const page1 = await variablesPage("pg-vars", 10, null);
    const unset = await owner.unsetVariable({ input: { project: "pg-vars", environment: "preview", key: "VAR_0003" } });
    expect(expectType(unset.unsetVariable, "UnsetVariablePayload").removed).toBe(true);
    await bulk(owner, { project: "pg-vars", environment: "preview", variables: [{ key: "AAA_NEW", value: "x" }] });
    const page2 = await variablesPage("pg-vars", 10, page1.pageInfo.endCursor);
    expect(page2.nodes.map((v) => v.key)).toEqual(keys.slice(10, 20));
  });

  it("refuses a page larger than the maximum with a clear validation error", async () => {
    const tooMany = await requestError(() => variablesPage("pg-vars", MAX_PAGE_SIZE + 1, null));
    expect(tooMany.code).toBe("VALIDATION");
    expect(tooMany.message).toBe(
      `first: first must be between 0 and ${MAX_PAGE_SIZE} (got ${MAX_PAGE_SIZE + 1}): ` +
        `a page holds at most ${MAX_PAGE_SIZE} variables. Fetch the rest page by page, ` +
        `passing pageInfo.endCursor as after.`,
    );
    expect((await requestError(() => variablesPage("pg-vars", -1, null))).message).toMatch(
      /first must be between 0 and 500 \(got -1\)/,
    );
    const projects = await requestError(() => owner.projects({ first: 1000 }));
    expect(projects.code).toBe("VALIDATION");
    expect(projects.message).toMatch(/at most 500 projects/);
  });

  it("refuses a garbage cursor and another list's cursor with a clear validation error", async () => {
    const projectsCursor = (await owner.projects({ first: 1 })).projects.pageInfo.endCursor!;
    const tokenCursor = Buffer.from(JSON.stringify(["tokens", "2030-01-01T00:00:00.000Z", "x"])).toString("base64url");
    const badDate = Buffer.from(JSON.stringify(["members", "not a date", "x"])).toString("base64url");
    for (const after of ["garbage", "", "e30", projectsCursor, tokenCursor]) {
      const error = await requestError(() => variablesPage("pg-vars", 10, after));
      expect(error.code).toBe("VALIDATION");
      expect(error.message).toBe(
        "after: after is not a cursor of variables. Pass pageInfo.endCursor (or an edge's cursor) " +
          "of a previous page of variables, or leave after out to start at the beginning.",
      );
    }
    const members = await requestError(() => owner.projectMembers({ slug: "pg-vars", after: badDate }));
    expect(members.message).toMatch(/after is not a cursor of members/);
    const projects = await requestError(() => owner.projects({ after: "garbage" }));
    expect(projects.message).toMatch(/after is not a cursor of projects/);
  });
});

describe("projects, tokens, members and users", () => {
  it("pages through a user's projects by slug", async () => {
    const user = await newUser(server, "pg-project-member");
    const slugs = ["pg-p-e", "pg-p-a", "pg-p-d", "pg-p-c", "pg-p-b"];
    for (const slug of slugs) {
      await createProject(owner, slug);
      await addMember(owner, slug, user.id, "VIEWER");
    }
    const pages: string[][] = [];
    const all = await allPages(async (after) => {
      const { projects } = await user.client.projects({ first: 2, after });
      expect(projects.totalCount).toBe(5);
      pages.push(projects.nodes.map((p) => p.slug));
      return projects;
    });
    expect(pages).toEqual([["pg-p-a", "pg-p-b"], ["pg-p-c", "pg-p-d"], ["pg-p-e"]]);
    expect(all.map((p) => p.viewerRole)).toEqual(Array(5).fill("VIEWER"));
  });

  it("pages through a project's service tokens, newest first", async () => {
    await createProject(owner, "pg-tokens");
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await serviceToken(server, "pg-tokens", ["READ"])).id);
    const pages: number[] = [];
    const listed = await allPages(async (after) => {
      const tokens = (await owner.projectTokens({ slug: "pg-tokens", first: 2, after })).project!.tokens;
      expect(tokens.totalCount).toBe(5);
      pages.push(tokens.nodes.length);
      return tokens;
    });
    expect(pages).toEqual([2, 2, 1]);
    expect(listed.map((t) => t.id)).toEqual([...created].reverse());
  });

  it("pages through a project's members in the order they joined", async () => {
    await createProject(owner, "pg-members");
    const joined = [(await owner.viewer()).viewer.user!.id];
    for (let i = 0; i < 4; i++) {
      const user = await newUser(server, `pg-member-${i}`);
      await addMember(owner, "pg-members", user.id, "DEVELOPER");
      joined.push(user.id);
    }
    const listed = await allPages(
      async (after) => (await owner.projectMembers({ slug: "pg-members", first: 2, after })).project!.members,
    );
    expect(listed.map((m) => m.user.id)).toEqual(joined);
  });

  it("pages through the instance's users (instance admins only)", async () => {
    const total = (await owner.users({ first: 0 })).users.totalCount;
    const listed = await allPages(async (after) => (await owner.users({ first: 3, after })).users);
    expect(listed).toHaveLength(total);
    expect(new Set(listed.map((u) => u.id)).size).toBe(total);
    const outsider = await newUser(server, "pg-not-admin");
    expect((await requestError(() => outsider.client.users())).code).toBe("FORBIDDEN");
  });
});

describe("service tokens see no people", () => {
  it("get an empty members connection, and no token creator", async () => {
    await createProject(owner, "pg-people");
    const member = await newUser(server, "Pat Person");
    await addMember(owner, "pg-people", member.id, "VIEWER");
    const { token } = await serviceToken(server, "pg-people", ["READ", "WRITE", "RUNTIME"]);
    const texts = [
      await rawGraphQL(
        server,
        token,
        `{ project(slug: "pg-people") { viewerCanListMembers members(first: 500) { totalCount nodes { role user { id name email } } } } }`,
      ),
      await rawGraphQL(
        server,
        token,
        `{ project(slug: "pg-people") { members { edges { node { user { name email } } } } } }`,
      ),
      await rawGraphQL(
        server,
        token,
        `{ viewer { token { createdBy { id name email } } project { members { totalCount nodes { user { name email } } } } } }`,
      ),
    ];
    const [nodes, edges, viewer] = texts.map((text) => JSON.parse(text));
    for (const body of [nodes, edges, viewer]) expect(body.errors).toBeUndefined();
    expect(nodes.data.project).toEqual({ viewerCanListMembers: false, members: { totalCount: 0, nodes: [] } });
    expect(edges.data.project).toEqual({ members: { edges: [] } });
    expect(viewer.data.viewer).toEqual({
      token: { createdBy: null },
      project: { members: { totalCount: 0, nodes: [] } },
    });
    const ownerUser = (await owner.viewer()).viewer.user!;
    for (const name of ["Pat Person", ownerUser.name, member.id, ownerUser.id])
      for (const text of texts) expect(text).not.toContain(name);

    // the owner, who may list members, sees both and the token's creator
    const seen = JSON.parse(
      await rawGraphQL(
        server,
        server.ownerToken,
        `{ project(slug: "pg-people") { members { nodes { user { name } } } tokens { nodes { createdBy { id } } } } }`,
      ),
    );
    expect(seen.data.project.members.nodes.map((m: { user: { name: string } }) => m.user.name)).toEqual([
      ownerUser.name,
      "Pat Person",
    ]);
    expect(seen.data.project.tokens.nodes).toEqual([{ createdBy: { id: ownerUser.id } }]);
  });
});
