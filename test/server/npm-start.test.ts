/**
 * `npm start` as a real process tree: one node process serves (bin/envplane-server.js, no tsx
 * wrapper process), and SIGTERM to npm closes the port and leaves no process behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/** Every descendant of `pid` (Linux /proc), with its command line. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {} // exited meanwhile
  }
  const out: { pid: number; cmd: string }[] = [];
  const visit = (p: number) => {
    for (const child of children.get(p) ?? []) {
      let cmd = "";
      try {
        cmd = fs.readFileSync(`/proc/${child}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      } catch {}
      out.push({ pid: child, cmd });
      visit(child);
    }
  };
  visit(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe.runIf(process.platform === "linux")("npm start", () => {
  let database: TestDatabase;
  let dataDir: string;
  let npm: ChildProcess | null = null;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-npm-start-"));
  });
  afterAll(async () => {
    if (npm?.pid) for (const p of descendants(npm.pid)) if (alive(p.pid)) process.kill(p.pid, "SIGKILL");
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs one node process, and SIGTERM to npm closes the port and leaves no process", async () => {
    const port = await freePort();
    npm = spawn("npm", ["start"], {
      env: {
        ...process.env,
        PORT: String(port),
        ENVPLANE_DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        ENVPLANE_ROOT_KEY: randomBytes(32).toString("base64"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    npm.stdout!.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen:\n${stderr}`)), 60_000);
      npm!.stderr!.on("data", (d) => {
        stderr += d;
        if (stderr.includes("envplane listening")) {
          clearTimeout(timer);
          resolve();
        }
      });
      npm!.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
    });
    expect(await portOpen(port)).toBe(true);
    const tree = descendants(npm.pid!);
    const nodes = tree.filter((p) => /(^|\/)node\b/.test(p.cmd.split(" ")[0] ?? ""));
    // The server itself, and no tsx wrapper process (a source fallback registers tsx in-process).
    expect(nodes.map((p) => p.cmd)).toEqual(["node bin/envplane-server.js"]);
    expect(tree.some((p) => /\btsx\b/.test(p.cmd) && !p.cmd.includes("esbuild"))).toBe(false);

    const exited = new Promise((resolve) => npm!.once("exit", resolve));
    npm.kill("SIGTERM");
    await exited;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && ((await portOpen(port)) || tree.some((p) => alive(p.pid))))
      await new Promise((r) => setTimeout(r, 100));
    expect(await portOpen(port)).toBe(false);
    expect(tree.filter((p) => alive(p.pid))).toEqual([]);
  }, 90_000);
});
