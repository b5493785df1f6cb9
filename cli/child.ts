/** Runs the user's command with a prepared environment, forwarding signals and passing its exit code on. */
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { CliError } from "./command.js";

export interface Child {
  process: ChildProcess;
  /** The exit code to pass on: the child's, or 128 + signal number when a signal ended it. */
  exited: Promise<number>;
}

export function startChild(command: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command[0], command.slice(1), { stdio: "inherit", env });
  const exited = new Promise<number>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(new CliError(error.code === "ENOENT" ? `Cannot run "${command[0]}": command not found.` : `Cannot run "${command[0]}": ${error.message}`)),
    );
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
  return { process: child, exited };
}

/** Sends SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited.catch(() => {});
  clearTimeout(timer);
}

/** Forwards SIGINT, SIGTERM and SIGHUP to whichever child `current` returns; returns the remover. */
export function forwardSignals(current: () => Child | null): () => void {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const handler = (signal: NodeJS.Signals) => current()?.process.kill(signal);
  for (const s of signals) process.on(s, handler);
  return () => signals.forEach((s) => process.off(s, handler));
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
