/** `npm start` as a real process: first start prints the owner token once, serves GraphiQL and the API. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/index.js";
import { createTestDatabase, type TestDatabase, testProvider } from "../support/database.js";

interface Started {
  child: ChildProcess;
  url: string;
  stdout: string;
  stderr: string;
}

function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn("node", ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started: Started = { child, url: "", stdout: "", stderr: "" };
  child.stdout!.on("data", (d) => (started.stdout += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${started.stderr}`)), 30_000);
    child.stderr!.on("data", (d) => {
      started.stderr += d;
      const m = /listening on (http:\/\/\S+\/graphql)/.exec(started.stderr);
      if (m && !started.url) {
        started.url = m[1];
        clearTimeout(timer);
        setTimeout(() => resolve(started), 100); // let the token line arrive
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${started.stderr}`)));
  });
}

async function stop(s: Started) {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await exited;
}

describe("the server process", () => {
  let database: TestDatabase;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-start-"));
    env = {
      ENVPLANE_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      ...(testProvider() === "postgresql" ? { ENVPLANE_ROOT_KEY: randomBytes(32).toString("base64") } : {}),
    };
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the owner token once, serves GraphiQL and the API, and keeps data across restarts", async () => {
    const first = await start(env);
    try {
      const token = /^ENVPLANE_TOKEN=(envp_pat_\w+)$/m.exec(first.stdout)?.[1];
      expect(token).toBeDefined();
      expect(first.stderr).not.toContain(token!);
      const page = await fetch(first.url, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("GraphiQL");
      const sdk = createClient({ url: first.url, token });
      expect((await sdk.createProject({ input: { slug: "started" } })).createProject.__typename).toBe("ProjectPayload");
      await stop(first);

      const second = await start(env);
      try {
        expect(second.stdout).not.toMatch(/ENVPLANE_TOKEN=/);
        const projects = await createClient({ url: second.url, token }).projects();
        expect(projects.projects.nodes.map((p) => p.slug)).toEqual(["started"]);
      } finally {
        await stop(second);
      }
    } finally {
      await stop(first);
    }
  });

  it("a port in use is a clear error, and a first start still shows the owner token it created", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    const fresh = await createTestDatabase();
    const freshDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-start-"));
    try {
      const child = spawn("node", ["--import", "tsx", "server/main.ts"], {
        env: {
          ...process.env,
          ...env,
          PORT: String(port),
          HOST: "127.0.0.1",
          ENVPLANE_DATA_DIR: freshDir,
          DATABASE_URL: fresh.url,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => (stdout += d));
      child.stderr!.on("data", (d) => (stderr += d));
      const code = await new Promise((resolve) => child.on("exit", resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(
        `envplane could not start: 127.0.0.1:${port} is already in use. Stop what listens there, or set PORT to another port.`,
      );
      expect(stdout).toMatch(/^ENVPLANE_TOKEN=envp_pat_\w+\n$/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await fresh.drop();
      fs.rmSync(freshDir, { recursive: true, force: true });
    }
  });
});
