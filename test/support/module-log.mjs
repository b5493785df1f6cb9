/**
 * `node --import ./module-log.mjs`: appends the URL of every module the process loads (one a line)
 * to the file named by ENVPLANE_MODULE_LOG. test/cli/startup.test.ts uses it to see what
 * `envplane --help` loads. The hook runs on Node's loader thread, so it writes synchronously.
 */
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
import fs from "node:fs";
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) {
  fs.appendFileSync(file, url + "\\n");
  return next(url, context);
}`)}`,
  { data: { file: process.env.ENVPLANE_MODULE_LOG } },
);
