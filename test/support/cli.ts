/**
 * Runs the real `envplane` binary as a separate process against a test server: with piped
 * stdin (never a TTY, so nothing prompts), or inside a real pseudo-terminal (util-linux
 * `script`) for the interactive flows. Each sandbox has its own home and project folder.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestServer } from "./server.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/envplane.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

export interface Sandbox {
  /** The project folder commands run in. */
  dir: string;
  home: string;
  env: Record<string, string>;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  pty(args: string[], options?: Omit<RunOptions, "input">): PtySession;
  read(relative: string): string;
  write(relative: string, content: string): void;
  exists(relative: string): boolean;
}

/**
 * `auth`: "env" sets ENVPLANE_SERVER/ENVPLANE_TOKEN, "login" runs `envplane login` (stores
 * the credentials file), "none" leaves the sandbox logged out. `link`: a project folder
 * already linked to that project (envplane/config.json and .gitignore, as `link` leaves them).
 */
export async function createSandbox(
  server: TestServer,
  options: { token?: string; auth?: "env" | "login" | "none"; link?: string } = {},
): Promise<Sandbox> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-cli-"));
  const home = path.join(root, "home");
  const dir = path.join(root, "project");
  fs.mkdirSync(home);
  fs.mkdirSync(dir);
  const token = options.token ?? server.ownerToken;
  const auth = options.auth ?? "env";
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
    ...(auth === "env" ? { ENVPLANE_SERVER: server.url, ENVPLANE_TOKEN: token } : {}),
  };
  const sandbox: Sandbox = {
    dir,
    home,
    env,
    run: (args, o = {}) => runCli(args, { ...o, cwd: o.cwd ?? dir, env: { ...env, ...o.env } }),
    pty: (args, o = {}) => startPty(args, { cwd: o.cwd ?? dir, env: { ...env, ...o.env }, timeoutMs: o.timeoutMs }),
    read: (relative) => fs.readFileSync(path.join(dir, relative), "utf8"),
    write: (relative, content) => {
      fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
      fs.writeFileSync(path.join(dir, relative), content);
    },
    exists: (relative) => fs.existsSync(path.join(dir, relative)),
  };
  if (options.link) {
    sandbox.write(
      "envplane/config.json",
      `${JSON.stringify({ project: options.link, environments: { production: "main", preview: "*" } }, null, 2)}\n`,
    );
    sandbox.write("envplane/.gitignore", ".env*\n");
  }
  if (auth === "login") {
    const r = await sandbox.run(["login", "--server", server.url, "--token", token]);
    if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
  }
  return sandbox;
}

/** Drops undefined entries, so a test can unset an inherited variable. */
function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Runs the binary to completion (asynchronously: the test server shares this process). */
export function runCli(
  args: string[],
  options: RunOptions & { cwd: string; env: Record<string, string | undefined> },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `envplane ${args.join(" ")} did not finish within ${options.timeoutMs ?? 30_000} ms.\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.on("error", () => {}); // the CLI may exit before reading stdin
    child.stdin.end(options.input ?? "");
  });
}

export interface PtySession {
  /** Everything the terminal showed so far, without colour codes and carriage returns. */
  output(): string;
  /** The same, as the terminal received it (colour codes included). */
  raw(): string;
  /** Waits until `text` appears after the previous match. */
  expect(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Types `text` (use "\r" for Enter). */
  send(text: string): void;
  /** Waits for the process to end. */
  exit(): Promise<{ code: number; output: string }>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI escape sequences (ESC [ … letter) from TTY output
const clean = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/** The binary inside a real pseudo-terminal: stdin, stdout and stderr are all the TTY. */
function startPty(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; timeoutMs?: number },
): PtySession {
  const commandLine = [process.execPath, BIN, ...args].map(quote).join(" ");
  const env = cleanEnv({ CI: undefined, ...options.env, TERM: "xterm" });
  const child = spawn("script", ["-q", "-e", "-c", commandLine, "/dev/null"], {
    cwd: options.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let raw = "";
  let cursor = 0;
  const listeners = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (d) => {
    raw += d;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding("utf8").on("data", (d) => (raw += d));
  child.stdin.on("error", () => {});
  const closed = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  closed.then(() => {
    clearTimeout(killer);
    for (const l of listeners) l();
  });
  let ended = false;
  closed.then(() => (ended = true));

  return {
    output: () => clean(raw),
    raw: () => raw,
    expect(text, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const rest = clean(raw).slice(cursor);
          const index = typeof text === "string" ? rest.indexOf(text) : rest.search(text);
          if (index !== -1) {
            const length = typeof text === "string" ? text.length : (rest.match(text)?.[0].length ?? 0);
            cursor += index + length;
            done();
            resolve();
          } else if (ended) {
            done();
            reject(new Error(`The process ended before showing ${String(text)}. Output:\n${clean(raw)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`Timed out waiting for ${String(text)}. Output:\n${clean(raw)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    send(text) {
      child.stdin.write(text);
    },
    async exit() {
      const code = await closed;
      return { code, output: clean(raw) };
    },
  };
}
