/** Runs the user's command with a prepared environment, forwarding signals and passing its exit code on. */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { constants } from "node:os";
import { CliError } from "./errors.js";

export interface Child {
  process: ChildProcess;
  /** The exit code to pass on: the child's, or 128 + signal number when a signal ended it. */
  exited: Promise<number>;
}

/** Starts the command. ENVPLANE_TOKEN is never passed on: the app gets values, not the key to all of them. */
export function startChild(command: string[], env: NodeJS.ProcessEnv): Child {
  const { ENVPLANE_TOKEN: _token, ...passed } = env;
  const child = spawn(command[0], command.slice(1), { stdio: "inherit", env: passed });
  const exited = new Promise<number>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          error.code === "ENOENT"
            ? `Cannot run "${command[0]}": command not found.`
            : `Cannot run "${command[0]}": ${error.message}`,
        ),
      ),
    );
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
  return { process: child, exited };
}

/** The process ids below `pid` (children, grandchildren, …), read from /proc; empty where there is no /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Whether `pid` still runs. A zombie does not: a grandchild whose parent ended first is
 * re-parented to init, and an init that never reaps (as in some containers) would keep it
 * "alive" to kill(pid, 0) for good.
 */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    // no such process, or no /proc: ask the kernel
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids)
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
}

/**
 * Stops the command and everything it started (a dev server under `npm run dev` or `sh -c`
 * would otherwise keep its port): SIGTERM to the whole tree, SIGKILL to what is left after `graceMs`.
 */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null || child.process.pid === undefined) return;
  const tree = [child.process.pid, ...descendants(child.process.pid)];
  signal(tree, "SIGTERM");
  const deadline = Date.now() + graceMs;
  const timer = setTimeout(() => signal(tree, "SIGKILL"), graceMs);
  await child.exited.catch(() => {});
  clearTimeout(timer);
  let left = tree.slice(1).filter(alive);
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = left.filter(alive);
  }
  signal(left, "SIGKILL");
}

/** Forwards SIGINT, SIGTERM and SIGHUP to whichever child `current` returns; returns the remover. */
export function forwardSignals(current: () => Child | null): () => void {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const handler = (signal: NodeJS.Signals) => current()?.process.kill(signal);
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}

/** Runs a command to completion and returns the code to exit with. */
export async function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = startChild(command, env);
  const stop = forwardSignals(() => child);
  try {
    return await child.exited;
  } finally {
    stop();
  }
}
