/**
 * On PostgreSQL a pull reads its values by name while the lookup of project, environment and branch runs, each on its
 * own pooled connection (server/services/resolution.ts): one value statement per pull, used only for the environment
 * and branch that lookup found; with none (an empty environment) the values are read again by id. On SQLite
 * statements are synchronous and the values are read by id after the lookup. The pulls are the same on both; a
 * token that may not pull gets the lookup's answer (the rows read meanwhile are dropped, never decrypted).
 */
import { describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createBranch, createEnvironment, createProject, serviceToken, setVariable } from "../support/fixtures.js";
import { startTestServer } from "../support/server.js";

const PROJECT = "by-name";

describe("a pull's value statement", () => {
  it("is sent by name on PostgreSQL, once per pull, for the base values and a branch's overrides", async () => {
    const server = await startTestServer({ countQueries: true });
    try {
      const sdk = server.owner;
      await createProject(sdk, PROJECT);
      await createBranch(sdk, PROJECT, "feature-x");
      await createEnvironment(sdk, PROJECT, "empty");
      const set = (key: string, value: string, more: { branch?: string; secret?: boolean } = {}) =>
        setVariable(sdk, { project: PROJECT, environment: "preview", key, value, ...more });
      await set("API_URL", "https://preview.example");
      await set("LOG_LEVEL", "info");
      await set("API_URL", "https://fx.preview.example", { branch: "feature-x" });
      await set("STRIPE_KEY", "sk_test_by_name", { secret: true });

      const pull = async (environment: string, branch?: string) => {
        const before = server.queries.length;
        const pulled = expectType(
          (await sdk.pullVariables({ project: PROJECT, environment, branch })).pullVariables,
          "PulledEnvironment",
        );
        const statements = server.queries.slice(before).filter((sql) => /FROM "Variable" v/.test(sql));
        return {
          values: Object.fromEntries(pulled.variables.map((v) => [v.key, v.value])),
          excluded: pulled.excludedSecrets,
          named: statements.filter((sql) => sql.includes('"scopeEnvironmentId"')).length,
          byId: statements.filter((sql) => !sql.includes('"scopeEnvironmentId"')).length,
        };
      };
      const postgres = server.database.provider === "postgresql";

      const base = await pull("preview");
      expect(base.values).toEqual({ API_URL: "https://preview.example", LOG_LEVEL: "info" });
      expect(base.excluded).toEqual(["STRIPE_KEY"]);
      const branch = await pull("preview", "feature-x");
      expect(branch.values).toEqual({ API_URL: "https://fx.preview.example", LOG_LEVEL: "info" });
      expect(branch.excluded).toEqual(["STRIPE_KEY"]);
      // An empty environment: the statement by name finds no row saying which environment it read, so it reads again.
      const empty = await pull("empty");
      expect(empty.values).toEqual({});

      if (postgres) {
        expect([base, branch].map((p) => [p.named, p.byId])).toEqual([
          [1, 0],
          [1, 0],
        ]);
        expect([empty.named, empty.byId]).toEqual([1, 1]);
      } else {
        for (const p of [base, branch, empty]) expect([p.named, p.byId]).toEqual([0, 1]);
      }
    } finally {
      await server.close();
    }
  });

  it("a token that may not pull gets the lookup's answer and no value; an unknown branch is named", async () => {
    const server = await startTestServer();
    try {
      const sdk = server.owner;
      await createProject(sdk, PROJECT);
      await setVariable(sdk, { project: PROJECT, environment: "production", key: "API_URL", value: "https://prod" });
      const previewOnly = await serviceToken(server, PROJECT, undefined, ["preview"]);
      const refused = (await previewOnly.client.pullVariables({ project: PROJECT, environment: "production" }))
        .pullVariables;
      expect(refused.__typename).toBe("NotFoundError");
      expect(JSON.stringify(refused)).not.toContain("https://prod");
      const other = (await sdk.pullVariables({ project: PROJECT, environment: "preview", branch: "nope" }))
        .pullVariables;
      expect(expectType(other, "NotFoundError").message).toMatch(/Project branch "nope" not found/);
    } finally {
      await server.close();
    }
  });
});
