/**
 * Project.variableGrid (the dashboard's grid): every key × every environment the caller may read,
 * paginated by key. A page costs the same number of SQL statements whatever the number of keys,
 * environments or overrides; secrets come back without value (preview "••••"); cells carry previews; each environment is authorized by
 * the policy (a service token sees only the environments it may read).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GridPageQuery } from "../../sdk/index.js";
import {
  bulk,
  createEnvironment,
  createProject,
  rawGraphQL,
  serviceToken,
  setVariable,
  userWithRole,
} from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ countQueries: true });
});
afterAll(() => server.close());

const canary = `grid-canary-${randomBytes(12).toString("hex")}`;

type Grid = NonNullable<GridPageQuery["project"]>["variableGrid"];

async function push(project: string, environment: string, count: number, secretEvery = 5) {
  const variables = Array.from({ length: count }, (_, i) => ({
    key: `KEY_${String(i).padStart(4, "0")}`,
    value: i % secretEvery === secretEvery - 1 ? `${canary}-${i}` : `${environment}-value-${i}`,
    secret: i % secretEvery === secretEvery - 1,
  }));
  await bulk(server.owner, { project, environment, variables });
}

/** The statements of one request, measured the way query-count.test.ts does (token cached, lastUsedAt written). */
async function statements<T>(request: () => Promise<T>): Promise<{ count: number; result: T }> {
  server.app.services.auth.forgetAll();
  await request();
  server.queries.length = 0;
  const result = await request();
  return { count: server.queries.length, result };
}

const page = (slug: string, first = 500, after: string | null = null, sdk = server.owner) =>
  statements(async () => {
    const project = (await sdk.gridPage({ slug, first, after })).project;
    if (!project) throw new Error(`project ${slug} not visible`);
    return project;
  });

const cellsOf = (grid: Grid, key: string) =>
  Object.fromEntries(
    (grid.nodes.find((r) => r.key === key)?.cells ?? []).map((c) => [
      c.environment,
      { preview: c.preview, isSecret: c.isSecret, overrideCount: c.overrideCount },
    ]),
  );

describe("Project.variableGrid", () => {
  it("costs the same statements for 2 keys × 3 environments as for 300 keys × 6 environments with overrides", async () => {
    await createProject(server.owner, "grid-small");
    await push("grid-small", "development", 2);
    await createProject(server.owner, "grid-large", { branches: ["feature-a", "feature-b"] });
    for (const name of ["qa", "staging", "canary"]) await createEnvironment(server.owner, "grid-large", name);
    for (const env of ["development", "preview", "production", "qa", "staging", "canary"])
      await push("grid-large", env, 300);
    for (const branch of ["feature-a", "feature-b"])
      await setVariable(server.owner, {
        project: "grid-large",
        environment: "preview",
        key: "KEY_0001",
        value: `override-${branch}`,
        branch,
      });

    const small = await page("grid-small");
    const large = await page("grid-large");
    expect(small.result.variableGrid.nodes.map((r) => r.key)).toEqual(["KEY_0000", "KEY_0001"]);
    expect(large.result.variableGrid.nodes).toHaveLength(300);
    expect(large.result.variableGrid.nodes.every((r) => r.cells.length === 6)).toBe(true);
    expect(large.result.variableGrid.nodes[0].cells.map((c) => c.environment)).toEqual(
      large.result.environments.map((e) => e.name),
    );
    expect(cellsOf(large.result.variableGrid, "KEY_0001").preview).toEqual({
      preview: "preview-valu…",
      isSecret: false,
      overrideCount: 2,
    });
    expect(cellsOf(large.result.variableGrid, "KEY_0001").qa.overrideCount).toBe(0);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(12);

    // A second page costs the same too.
    const second = await page("grid-large", 100);
    const afterFirst = await page("grid-large", 100, second.result.variableGrid.pageInfo.endCursor);
    expect(afterFirst.result.variableGrid.nodes[0].key).toBe("KEY_0100");
    expect(afterFirst.count).toBe(small.count);
  });

  it("gives secrets without value (the response never carries one) and leaves missing cells out", async () => {
    await createProject(server.owner, "grid-secrets");
    await bulk(server.owner, {
      project: "grid-secrets",
      environment: "development",
      variables: [
        { key: "API_KEY", value: canary, secret: true },
        { key: "URL", value: "http://dev" },
      ],
    });
    await bulk(server.owner, {
      project: "grid-secrets",
      environment: "production",
      variables: [{ key: "URL", value: "https://prod" }],
    });
    const grid = (await page("grid-secrets")).result.variableGrid;
    expect(cellsOf(grid, "API_KEY")).toEqual({ development: { preview: "••••", isSecret: true, overrideCount: 0 } });
    expect(cellsOf(grid, "URL")).toEqual({
      development: { preview: "http://dev", isSecret: false, overrideCount: 0 },
      production: { preview: "https://prod", isSecret: false, overrideCount: 0 },
    });
    const raw = await rawGraphQL(
      server,
      server.ownerToken,
      `{ project(slug: "grid-secrets") { variableGrid { nodes { key cells { environment isSecret value preview } } } } }`,
    );
    expect(raw).toContain("API_KEY");
    expect(raw).not.toContain(canary);
  });

  it("pages by key without gaps or repeats", async () => {
    await createProject(server.owner, "grid-pages");
    await push("grid-pages", "development", 7);
    await push("grid-pages", "production", 12);
    const keys: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const grid: Grid = (await page("grid-pages", 5, after)).result.variableGrid;
      keys.push(...grid.nodes.map((r) => r.key));
      if (!grid.pageInfo.hasNextPage) break;
      after = grid.pageInfo.endCursor;
    }
    expect(keys).toEqual(Array.from({ length: 12 }, (_, i) => `KEY_${String(i).padStart(4, "0")}`));
    // totalCount is the whole list's on every page: with first: 0 and past the last key too.
    const count = (first: number, after: string | null) =>
      rawGraphQL(
        server,
        server.ownerToken,
        `{ project(slug: "grid-pages") { variableGrid(first: ${first}${after ? `, after: "${after}"` : ""}) ` +
          "{ totalCount pageInfo { hasNextPage } nodes { key } } } }",
      ).then((raw) => JSON.parse(raw).data.project.variableGrid);
    expect(await count(0, null)).toEqual({ totalCount: 12, pageInfo: { hasNextPage: true }, nodes: [] });
    expect(await count(5, after)).toMatchObject({ totalCount: 12, pageInfo: { hasNextPage: false } });
    const end = (await page("grid-pages", 12)).result.variableGrid.pageInfo.endCursor;
    expect(await count(5, end)).toEqual({ totalCount: 12, pageInfo: { hasNextPage: false }, nodes: [] });
    const last = (await page("grid-pages", 500)).result.variableGrid;
    expect(Object.keys(cellsOf(last, "KEY_0010"))).toEqual(["production"]);
    expect(Object.keys(cellsOf(last, "KEY_0003"))).toEqual(["development", "production"]);
  });

  it("authorizes each environment with the policy", async () => {
    await createProject(server.owner, "grid-authz");
    await push("grid-authz", "development", 3);
    await push("grid-authz", "production", 3);

    const limited = await serviceToken(server, "grid-authz", ["READ"], ["production"]);
    const limitedGrid = (await page("grid-authz", 500, null, limited.client)).result.variableGrid;
    expect(limitedGrid.nodes.map((r) => r.cells.map((c) => c.environment))).toEqual([
      ["production"],
      ["production"],
      ["production"],
    ]);

    const writeOnly = await serviceToken(server, "grid-authz", ["WRITE"]);
    expect((await page("grid-authz", 500, null, writeOnly.client)).result.variableGrid.nodes).toEqual([]);

    const viewer = await userWithRole(server, "grid-authz", "VIEWER");
    const viewerGrid = (await page("grid-authz", 500, null, viewer.client)).result.variableGrid;
    expect(cellsOf(viewerGrid, "KEY_0000")).toEqual({
      development: { preview: "development-…", isSecret: false, overrideCount: 0 },
      production: { preview: "production-v…", isSecret: false, overrideCount: 0 },
    });

    const outsider = await userWithRole(server, "grid-secrets", "VIEWER", "outsider");
    expect((await outsider.client.gridPage({ slug: "grid-authz" })).project).toBeNull();
  });

  it("refuses a page larger than 500 or a foreign cursor with a clear error", async () => {
    const tooMany = await rawGraphQL(
      server,
      server.ownerToken,
      `{ project(slug: "grid-small") { variableGrid(first: 501) { nodes { key } } } }`,
    );
    expect(tooMany).toContain("first must be between 0 and 500");
    const foreign = await rawGraphQL(
      server,
      server.ownerToken,
      `{ project(slug: "grid-small") { variableGrid(after: "${Buffer.from('["variables","A"]').toString("base64url")}") { nodes { key } } } }`,
    );
    expect(foreign).toContain("after is not a cursor of variableGrid");
  });
});
