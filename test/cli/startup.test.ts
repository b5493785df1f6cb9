/**
 * CLI start-up (issue 13): help, --version and completion load the command table's declarative
 * specs only — no command's run code, no SDK, no zod, no context. A module log (every URL the
 * process loads, test/support/module-log.mjs) shows what each invocation loaded; a command that
 * runs is the control that the log sees those modules when they do load.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "../../bin/envplane.js");
const LOGGER = path.resolve(import.meta.dirname, "../support/module-log.mjs");
const home = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-startup-"));

/** Runs the real binary; resolves to its exit code, output and the modules it loaded. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; modules: string[] }> {
  const log = path.join(home, `modules-${Math.random().toString(36).slice(2)}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", LOGGER, BIN, ...args], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, NO_COLOR: "1", ENVPLANE_MODULE_LOG: log },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const modules = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
      resolve({ code: code ?? -1, stdout, stderr, modules });
    });
  });
}

/** The modules only a running command needs. */
const RUN_ONLY = [/\/sdk\//, /\/node_modules\/zod\//, /\.run\.(js|ts)$/, /\/cli\/(context|remote|workspace)\.(js|ts)$/];
const runOnly = (modules: string[]) => modules.filter((m) => RUN_ONLY.some((re) => re.test(m)));

/** Every command path listed by `envplane --help`. */
function commandPaths(help: string): string[] {
  const section = help.slice(help.indexOf("Commands:\n") + "Commands:\n".length, help.indexOf("\n\nOptions:"));
  return section.split("\n").map((line) => line.trim().split(/\s{2,}/)[0]);
}

describe("CLI start-up", () => {
  it("envplane --help, --version and completion load no command's run code, SDK or zod", async () => {
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: envplane <command> \[options\]\n/);
    // The log works: it saw the entry point and the specs.
    expect(top.modules.some((m) => /\/cli\/main\.(js|ts)$/.test(m))).toBe(true);
    expect(top.modules.some((m) => /\/cli\/commands\/env\/pull\.(js|ts)$/.test(m))).toBe(true);
    expect(runOnly(top.modules)).toEqual([]);
    for (const args of [["--version"], ["completion", "bash"], ["env", "--help"], [], ["nope"]]) {
      const r = await run(args);
      expect(r.stdout + r.stderr, args.join(" ")).not.toBe("");
      expect(runOnly(r.modules), args.join(" ")).toEqual([]);
    }
  });

  it("each command's --help prints its usage without loading its run code", async () => {
    const top = await run(["--help"]);
    const paths = commandPaths(top.stdout);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths).toContain("env pull");
    // A few at a time: each is a node process.
    for (let i = 0; i < paths.length; i += 4) {
      const batch = paths.slice(i, i + 4);
      const results = await Promise.all(batch.map((p) => run([...p.split(" "), "--help"])));
      results.forEach((r, j) => {
        expect(r.code, batch[j]).toBe(0);
        expect(r.stdout, batch[j]).toMatch(new RegExp(`^Usage: envplane ${batch[j]}[ \\n]`));
        expect(r.stdout, batch[j]).toContain("-h, --help");
        expect(runOnly(r.modules), batch[j]).toEqual([]);
      });
    }
  }, 180_000);

  it("a command that runs loads its run code and the SDK then (the control)", async () => {
    const r = await run(["whoami"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Not logged in");
    const loaded = runOnly(r.modules);
    expect(loaded.some((m) => /\/cli\/commands\/whoami\.run\.(js|ts)$/.test(m))).toBe(true);
    expect(loaded.some((m) => /\/sdk\/index\.(js|ts)$/.test(m))).toBe(true);
    expect(loaded.some((m) => /\/cli\/commands\/env\/pull\.run\.(js|ts)$/.test(m))).toBe(false);
  });
});
