/**
 * `envplane bindings list|set|remove` through the real CLI process: the credential is read from stdin
 * ("--value -") and never printed; `env push --prune` keeps the managed variable (and says so); `env set`
 * on it is refused naming the binding.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { createProject, readEnvironment, runtimeValues, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const canary = `CANARY_${randomBytes(8).toString("hex")}`;
let n = 0;

async function linked() {
  const slug = `cli-bind-${++n}`;
  await createProject(server.owner, slug);
  return { slug, box: await createSandbox(server, { link: slug }) };
}

describe("envplane bindings", () => {
  it("set reads the credential from stdin, list shows it, push --prune keeps it, remove deletes it", async () => {
    const { slug, box } = await linked();
    const secret = `postgres://app:${canary}@db/prod`;
    const set = await box.run(
      ["bindings", "set", "main-db", "--service", "postgres", "--env", "production", "--value", "-"],
      { input: `${secret}\n` },
    );
    expect(set.stderr + set.stdout).toContain('Created binding "main-db" (postgres, DATABASE_URL): production: added');
    expect(set.code).toBe(0);
    expect(set.stdout + set.stderr).not.toContain(canary);
    expect((await runtimeValues(server, slug, "main")).values.DATABASE_URL.value).toBe(secret);

    const list = await box.run(["bindings", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/main-db\s+postgres\s+DATABASE_URL\s+production/);
    const listJson = JSON.parse((await box.run(["bindings", "list", "--json"])).stdout);
    expect(listJson).toMatchObject([{ name: "main-db", service: "postgres", environments: ["production"] }]);
    const second = await box.run(["bindings", "set", "main-db", "--env", "preview", "--value", "-"], {
      input: "postgres://x@db/p",
    });
    expect(second.code, second.stderr).toBe(0);
    expect((await box.run(["bindings", "list"])).stdout).toMatch(
      /DATABASE_URL\s+preview, production|production, preview/,
    );

    // A file without DATABASE_URL pushed with --prune: the managed variable stays, and the diff says why.
    await setVariable(server.owner, { project: slug, environment: "production", key: "OLD", value: "o" });
    box.write("envplane/.env", "APP=1\n");
    const push = await box.run(["env", "push", "--env", "production", "--prune", "--yes"]);
    expect(push.code).toBe(0);
    expect(push.stdout).toContain("DATABASE_URL (managed by a service binding, kept)");
    expect(push.stdout).toContain("- OLD (remove)");
    expect(push.stdout + push.stderr).not.toContain(canary);
    const pushJson = await box.run(["env", "push", "--env", "production", "--prune", "--yes", "--json"]);
    expect(JSON.parse(pushJson.stdout)).toMatchObject({ applied: false, managedKept: ["DATABASE_URL"] });
    const env = await readEnvironment(server.owner, slug, "production");
    expect(env.variables.map((v) => [v.key, v.isManaged])).toEqual([
      ["APP", false],
      ["DATABASE_URL", true],
    ]);
    expect((await runtimeValues(server, slug, "main")).values.DATABASE_URL.value).toBe(secret);

    // Pushing a file that names it, or env set on it: refused, naming the binding and the command to use.
    box.write("envplane/.env", "APP=1\nDATABASE_URL=postgres://local\n");
    const named = await box.run(["env", "push", "--env", "production", "--yes"]);
    expect(named.code).not.toBe(0);
    expect(named.stderr).toContain('"DATABASE_URL" (binding "main-db")');
    const envSet = await box.run(["env", "set", "DATABASE_URL", "x", "--env", "production"]);
    expect(envSet.code).not.toBe(0);
    expect(envSet.stderr).toContain("envplane bindings set main-db --env production --value -");
    expect((await runtimeValues(server, slug, "main")).values.DATABASE_URL.value).toBe(secret);

    // Rotation through stdin, then remove the credential from production, then the binding.
    const rotated = await box.run(["bindings", "set", "main-db", "--env", "production", "--value", "-"], {
      input: "postgres://rotated",
    });
    expect(rotated.code).toBe(0);
    expect(rotated.stderr + rotated.stdout).toContain("production: rotated");
    expect((await runtimeValues(server, slug, "main")).values.DATABASE_URL.value).toBe("postgres://rotated");
    const removeEnv = await box.run(["bindings", "remove", "main-db", "--env", "production"]);
    expect(removeEnv.code).toBe(0);
    expect((await runtimeValues(server, slug, "main")).values.DATABASE_URL).toBeUndefined();
    const noYes = await box.run(["bindings", "remove", "main-db"]);
    expect(noYes.code).not.toBe(0);
    expect(noYes.stderr).toContain("Re-run with --yes");
    const removed = await box.run(["bindings", "remove", "main-db", "--yes"]);
    expect(removed.code).toBe(0);
    const empty = await box.run(["bindings", "list"]);
    expect(empty.stdout + empty.stderr).toContain("No bindings");
  });

  it("bad input: a value without --env, an unknown service, a plain variable in the way", async () => {
    const { slug, box } = await linked();
    const noEnv = await box.run(["bindings", "set", "db", "--value", "x"]);
    expect(noEnv.code).not.toBe(0);
    expect(noEnv.stderr).toContain("--value needs --env");
    const badService = await box.run(["bindings", "set", "db", "--service", "mysql"]);
    expect(badService.code).not.toBe(0);
    expect(badService.stderr).toContain('--service "mysql" is not a service kind');
    await setVariable(server.owner, { project: slug, environment: "production", key: "DATABASE_URL", value: "p" });
    const taken = await box.run(["bindings", "set", "db", "--env", "production", "--value", "-"], { input: "v" });
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('"DATABASE_URL" already exists in "production" as a plain variable');
    expect((await box.run(["bindings", "list", "--json"])).stdout.trim()).toBe("[]");
  });
});
