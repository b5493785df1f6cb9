/**
 * kill -9 in the middle of a push: the real server runs as a child process; a bulk upsert of
 * 10,000 variables is cut off by SIGKILL; after a restart on the same database the push is
 * either wholly there or wholly absent, and the server still works.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createClient, type EnvplaneClient } from "../../sdk/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { expectType } from "../support/expect.js";
import { createProject } from "../support/fixtures.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const KEYS = 10_000;

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

interface RunningServer {
  child: ChildProcess;
  url: string;
  token: string | null;
  output: string[];
}

/** Starts `node --import tsx server/main.ts`; resolves once it listens (and, on a first start, printed the owner token). */
async function startServer(env: Record<string, string>, expectToken: boolean): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const output: string[] = [];
  let url: string | null = null;
  let token: string | null = null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("server did not start within 20 s")), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${output.join("\n")}`));
    };
    const check = () => {
      if (url && (token || !expectToken)) {
        clearTimeout(timer);
        resolve({ child, url, token, output });
      }
    };
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        output.push(line);
        const listening = /listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(line);
        if (listening) url = listening[1];
        const printed = /^ENVPLANE_TOKEN=(\S+)$/.exec(line);
        if (printed) token = printed[1];
      }
      check();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Whether some connection holds an open write transaction right now. */
async function writeProbe(
  database: TestDatabase,
): Promise<{ inWriteTransaction(): Promise<boolean>; close(): Promise<void> }> {
  if (database.provider === "sqlite") {
    const db = new Database(database.file!, { timeout: 0 });
    return {
      async inWriteTransaction() {
        try {
          db.exec("BEGIN IMMEDIATE");
          db.exec("ROLLBACK");
          return false;
        } catch (error) {
          if ((error as { code?: string }).code === "SQLITE_BUSY") return true;
          throw error;
        }
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return {
    async inWriteTransaction() {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
      );
      return rows[0].n > 0;
    },
    close: () => client.end(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("kill -9 during a bulk upsert", () => {
  it("leaves the push wholly applied or wholly absent, and the server keeps working", async () => {
    const started = Date.now();
    const database = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-crash-"));
    cleanups.push(
      () => database.drop(),
      () => fs.rmSync(dataDir, { recursive: true, force: true }),
    );
    const env = {
      ENVPLANE_DATA_DIR: dataDir,
      ENVPLANE_ROOT_KEY: randomBytes(32).toString("base64"),
      DATABASE_URL: database.url,
    };
    const probe = await writeProbe(database);
    cleanups.push(() => probe.close());

    let server = await startServer(env, true);
    const token = server.token!;
    const sdk = (): EnvplaneClient => createClient({ url: server.url, token });
    const variables = Array.from({ length: KEYS }, (_, i) => ({
      key: `CRASH_KEY_${String(i).padStart(5, "0")}`,
      value: `value-${i}-${"x".repeat(32)}`,
    }));

    // Kill as soon as the push's transaction is open; then at fixed delays after sending, as a client would see it.
    // Last, kill right after the server answered: an acknowledged push must survive.
    const strategies: (
      | { kind: "in-transaction"; extraMs: number }
      | { kind: "delay"; ms: number }
      | { kind: "after-response" }
    )[] = [
      { kind: "in-transaction", extraMs: 0 },
      { kind: "delay", ms: 50 },
      { kind: "in-transaction", extraMs: 25 },
      { kind: "delay", ms: 80 },
      { kind: "after-response" },
    ];
    const outcomes: { strategy: string; midTransaction: boolean; outcome: "all" | "none" }[] = [];

    for (const [i, strategy] of strategies.entries()) {
      const slug = `crash-${i}`;
      await createProject(sdk(), slug);
      const push = sdk()
        .bulkUpsertVariables({ input: { project: slug, environment: "development", variables } })
        .then(
          (r) => r.bulkUpsertVariables.__typename,
          () => "connection lost",
        );
      let midTransaction = false;
      if (strategy.kind === "after-response") {
        expect(await push).toBe("BulkUpsertVariablesPayload");
      } else if (strategy.kind === "delay") {
        await sleep(strategy.ms);
        midTransaction = await probe.inWriteTransaction();
      } else {
        const deadline = Date.now() + 10_000;
        let settled = false;
        void push.then(() => (settled = true));
        while (!settled && Date.now() < deadline && !(await probe.inWriteTransaction())) await sleep(1);
        if (strategy.extraMs) await sleep(strategy.extraMs);
        midTransaction = !settled && (await probe.inWriteTransaction());
      }
      await killHard(server.child);
      const answer = await push;
      expect(answer === "connection lost" || answer === "BulkUpsertVariablesPayload").toBe(true);

      server = await startServer(env, false);
      const project = (await sdk().project({ slug })).project;
      const development = project?.environments.find((e) => e.name === "development");
      expect(development).toBeDefined();
      const state = { revision: development!.revision, count: development!.variableCount };
      expect([
        { revision: 1, count: KEYS },
        { revision: 0, count: 0 },
      ]).toContainEqual(state);
      const pulled = expectType(
        (await sdk().pullVariables({ project: slug, environment: "development" })).pullVariables,
        "PulledEnvironment",
      );
      expect(pulled.variables.length).toBe(state.count);
      if (state.count)
        expect(pulled.variables.every((v, n) => v.key === variables[n].key && v.value === variables[n].value)).toBe(
          true,
        );
      outcomes.push({ strategy: JSON.stringify(strategy), midTransaction, outcome: state.count ? "all" : "none" });
      if (strategy.kind === "after-response") expect(state).toEqual({ revision: 1, count: KEYS });

      // The restarted server still takes writes on that environment.
      const write = expectType(
        (
          await sdk().setVariable({
            input: { project: slug, environment: "development", key: "AFTER_CRASH", value: "ok" },
          })
        ).setVariable,
        "SetVariablePayload",
      );
      expect(write.revision).toBe(state.revision + 1);
      if (Date.now() - started > 40_000) break;
    }

    // At least one kill landed while the push's transaction was open (otherwise the test proved nothing).
    expect(
      outcomes.some((o) => o.midTransaction),
      JSON.stringify(outcomes),
    ).toBe(true);
    // And a full push still succeeds afterwards, in one revision.
    const again = expectType(
      (
        await sdk().bulkUpsertVariables({
          input: { project: "crash-0", environment: "development", variables, prune: true },
        })
      ).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    expect(again.applied).toBe(true);
    const final = (await sdk().project({ slug: "crash-0" })).project!.environments.find(
      (e) => e.name === "development",
    )!;
    expect(final.variableCount).toBe(KEYS);
    expect(final.revision).toBe(again.revision);
    await killHard(server.child);
  }, 240_000);
});
