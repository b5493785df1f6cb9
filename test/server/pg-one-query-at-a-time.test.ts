/**
 * A PostgreSQL transaction holds one pooled connection, which runs one query at a time: a query sent while another
 * runs is queued by pg, which warns once per process ("already executing a query", deprecated; pg 9 drops the
 * queue). The server runs as its own process, so its stderr holds that warning should any write below send two
 * queries at once on its transaction: secret requests (asked, fulfilled, cancelled, raced), project variables
 * refused for their references, and the webhook deliveries each write queues.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/index.js";
import { createTestDatabase, type TestDatabase, testProvider } from "../support/database.js";
import { expectType } from "../support/expect.js";
import { createBranch, createProject, setVariable } from "../support/fixtures.js";
import { sessionClient } from "../support/session.js";

const P = "serial";

describe.skipIf(testProvider() === "sqlite")("a server process on PostgreSQL", () => {
  let database: TestDatabase;
  let dataDir: string;
  let child: ChildProcess;
  let stderr = "";
  let url = "";
  let token = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-serial-"));
    // --trace-deprecation: a failure shows where the queries were sent.
    child = spawn("node", ["--trace-deprecation", "--import", "tsx", "server/main.ts"], {
      env: {
        ...process.env,
        PORT: "0",
        ENVPLANE_DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        ENVPLANE_ROOT_KEY: randomBytes(32).toString("base64"),
        // Nothing inherited may hide the warning or the lines awaited below.
        NODE_OPTIONS: "",
        NODE_NO_WARNINGS: "",
        LOG_LEVEL: "info",
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout!.on("data", (d) => (stdout += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 30_000);
      child.stderr!.on("data", (d) => {
        stderr += d;
        const listening = /listening on (http:\/\/\S+\/graphql)/.exec(stderr);
        if (listening && !url) {
          url = listening[1];
          clearTimeout(timer);
          setTimeout(resolve, 100); // let the token line arrive
        }
      });
      child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
    });
    for (let waited = 0; !/^ENVPLANE_TOKEN=/m.test(stdout) && waited < 10_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const printed = /^ENVPLANE_TOKEN=(envp_pat_\w+)$/m.exec(stdout);
    if (!printed) throw new Error(`the server printed no owner token:\n${stdout}`);
    token = printed[1];
  });

  /** Stops the server and waits until its stderr is read to the end. */
  async function stop() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((r) => child.once("close", r));
    child.kill("SIGTERM");
    const killed = setTimeout(() => child.kill("SIGKILL"), 15_000); // a hung shutdown must not keep the database
    await closed;
    clearTimeout(killed);
  }

  afterAll(async () => {
    try {
      await stop();
    } finally {
      await database?.drop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("sends one query at a time on a transaction: no write makes pg queue a query", async () => {
    const owner = createClient({ url, token });
    const session = await sessionClient({ url }, token);
    await createProject(owner, P);
    await createBranch(owner, P, "feature");
    // Every write below then reads the names its webhook payload carries, in its transaction.
    expectType(
      (await owner.createWebhook({ input: { project: P, url: "http://127.0.0.1:9/hook" } })).createWebhook,
      "CreateWebhookPayload",
    );

    const ask = async (key: string, branch?: string) =>
      expectType(
        (await owner.CreateSecretRequest({ input: { project: P, environment: "preview", key, branch } }))
          .createSecretRequest,
        "CreateSecretRequestPayload",
      ).request;
    const base = await ask("API_KEY");
    expectType(
      (await session.FulfillSecretRequest({ input: { id: base.id, value: "s3cret" } })).fulfillSecretRequest,
      "FulfillSecretRequestPayload",
    );
    const branched = await ask("API_KEY", "feature");
    expect(branched.branch).toBe("feature");
    expectType(
      (await session.FulfillSecretRequest({ input: { id: branched.id, value: "s3cret-feature" } }))
        .fulfillSecretRequest,
      "FulfillSecretRequestPayload",
    );
    const cancelled = await ask("API_KEY", "feature");
    expectType(
      (await owner.CancelSecretRequest({ input: { id: cancelled.id } })).cancelSecretRequest,
      "CancelSecretRequestPayload",
    );
    // Raced, base and branch requests: the loser finds the request no longer pending (before or in its transaction).
    // (A branch request needs a base value: API_KEY has one.)
    for (const [key, branch] of [["RACED_KEY"], ["API_KEY", "feature"]]) {
      const raced = await ask(key, branch);
      const [a, b] = await Promise.all([
        session.FulfillSecretRequest({ input: { id: raced.id, value: "first" } }),
        owner.CancelSecretRequest({ input: { id: raced.id } }),
      ]);
      expect(
        [a.fulfillSecretRequest.__typename, b.cancelSecretRequest.__typename].filter((t) => t.endsWith("Payload")),
      ).toHaveLength(1);
    }

    expectType(
      (await owner.setSharedVariable({ input: { project: P, key: "TOKEN", value: "t" } })).setSharedVariable,
      "SetSharedVariablePayload",
    );
    await setVariable(owner, { project: P, environment: "development", key: "API", value: "${{project.TOKEN}}" });
    const refused = expectType(
      (await owner.unsetSharedVariable({ input: { project: P, key: "TOKEN" } })).unsetSharedVariable,
      "ConflictError",
    );
    expect(refused.message).toContain('"development"');

    expect(child.exitCode).toBeNull();
    await stop();
    expect(stderr).not.toContain("already executing a query");
  });
});
