#!/usr/bin/env node
/**
 * The envplane command. `envplane serve` starts the server (bin/envplane-server.js: compiled, or
 * its sources through tsx when they changed since the build). Every other command runs the CLI
 * compiled to dist/ on install (it starts in about half the time), or its sources through tsx
 * when they changed since that build.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, "dist", "cli", ".built");
const sources = ["cli", "core", "mcp", "sdk/index.ts", "sdk/generated.ts"].map((p) => path.join(root, p));

/** The newest modification time under `entry` (a .ts file or a folder of them). */
function newest(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

/** In an install (under node_modules) the sources never change: the build is current when it exists. */
function compiledIsCurrent() {
  try {
    const built = fs.statSync(stamp).mtimeMs;
    if (root.split(path.sep).includes("node_modules")) return true;
    return sources.every((source) => newest(source) <= built);
  } catch {
    return false;
  }
}

async function fromSources(entry) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(entry);
}

const [command, ...rest] = process.argv.slice(2);
if (command === "serve" && (rest.length === 0 || (rest.length === 1 && rest[0] === "--recover-owner")))
  await import("./envplane-server.js");
else if (compiledIsCurrent()) await import("../dist/cli/main.js");
else await fromSources("../cli/main.ts");
