#!/usr/bin/env node
/**
 * Starts the envplane server (`npm start`, `envplane serve`): the server compiled to dist/ on
 * install (npm run build:server), in this process — no tsx, no wrapper process — or its
 * sources through tsx when they changed since that build (a checkout being edited).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";

// Before anything compiles: Prisma's query compiler is WebAssembly, and V8 recompiles (TurboFan) each function
// that has run for a budget of work. The start-up's migrations and checks ran enough of it to tier up ~10-15 MiB
// of optimized code that an idle server keeps; a larger budget leaves that code in the baseline tier, and the
// functions a busy server runs often still tier up after a few thousand queries.
v8.setFlagsFromString("--wasm-tiering-budget=50000000");

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, "dist", "server", ".built");
const sources = ["server", "core", "mcp", "sdk/index.ts", "sdk/generated.ts"].map((p) => path.join(root, p));

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

process.env.NODE_ENV ??= "production"; // before graphql loads: its production build skips dev-only checks
if (compiledIsCurrent()) await import("../dist/server/main.js");
else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../server/main.ts");
}
