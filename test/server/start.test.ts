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
import { withRawDb } from "../support/raw-db.js";

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

  // Changed by design (issue 12): the server binds before it touches the data, so a first start
  // that cannot listen creates no owner and prints no token; the next start is the first one.
  it("a port in use is a clear error that creates nothing: the next start on a free port is the first", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    const fresh = await createTestDatabase();
    const freshDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-start-"));
    const freshEnv = { ...env, ENVPLANE_DATA_DIR: freshDir, DATABASE_URL: fresh.url };
    try {
      const child = spawn("node", ["--import", "tsx", "server/main.ts"], {
        env: { ...process.env, ...freshEnv, PORT: String(port), HOST: "127.0.0.1" },
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
      expect(stdout).toBe("");
      expect(fs.readdirSync(freshDir)).toEqual([]); // no database, no root key

      const next = await start(freshEnv);
      try {
        const token = /^ENVPLANE_TOKEN=(envp_pat_\w+)$/m.exec(next.stdout)?.[1];
        expect(token).toBeDefined();
        const { viewer } = await createClient({ url: next.url, token: token! }).viewer();
        expect(viewer.user?.isInstanceAdmin).toBe(true);
      } finally {
        await stop(next);
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await fresh.drop();
      fs.rmSync(freshDir, { recursive: true, force: true });
    }
  });

  it("envplane serve --recover-owner prints a new owner token once, records it, and leaves the old one valid", async () => {
    const fresh = await createTestDatabase();
    const freshDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-start-"));
    const freshEnv = { ...env, ENVPLANE_DATA_DIR: freshDir, DATABASE_URL: fresh.url };
    try {
      const first = await start(freshEnv);
      try {
        const original = /^ENVPLANE_TOKEN=(envp_pat_\w+)$/m.exec(first.stdout)![1];
        // While the server runs on the same data, as the admin of that machine would.
        const recovered = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn("node", ["bin/envplane.js", "serve", "--recover-owner"], {
            env: { ...process.env, ...freshEnv },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let stdout = "";
          let stderr = "";
          child.stdout!.on("data", (d) => (stdout += d));
          child.stderr!.on("data", (d) => (stderr += d));
          child.on("exit", (code) => resolve({ code, stdout, stderr }));
        });
        expect(recovered.code).toBe(0);
        expect(recovered.stdout).toMatch(/^ENVPLANE_TOKEN=envp_pat_\w+\n$/);
        expect(recovered.stderr).toContain("Recovered owner access");
        expect(recovered.stderr).not.toContain("listening");
        const token = /^ENVPLANE_TOKEN=(envp_pat_\w+)$/m.exec(recovered.stdout)![1];
        expect(token).not.toBe(original);
        const owner = createClient({ url: first.url, token: original });
        const again = createClient({ url: first.url, token });
        const [a, b] = await Promise.all([owner.viewer(), again.viewer()]);
        expect(b.viewer.user?.id).toBe(a.viewer.user?.id);
        expect(b.viewer.user?.isInstanceAdmin).toBe(true);
        // Owner access works: the recovered token creates a project.
        const created = await again.createProject({ input: { slug: "recovered", name: "Recovered" } });
        expect(created.createProject.__typename).toBe("ProjectPayload");
        const events = await withRawDb(fresh, (q) =>
          q(`SELECT "action", "actorType" FROM "Event" WHERE "action" LIKE 'instance.%' ORDER BY "createdAt"`),
        );
        expect(events).toEqual([
          { action: "instance.initialize", actorType: "system" },
          { action: "instance.recover_owner", actorType: "system" },
        ]);
      } finally {
        await stop(first);
      }
    } finally {
      await fresh.drop();
      fs.rmSync(freshDir, { recursive: true, force: true });
    }
  });
});
