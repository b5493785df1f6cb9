#!/usr/bin/env node
/**
 * Starts the envplane server (`npm start`, `envplane serve`): the server compiled to dist/ on
 * install (npm run build:server), in this process — no tsx, no wrapper process — or its
 * sources through tsx when they changed since that build (a checkout being edited).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

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
