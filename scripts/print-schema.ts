/** Prints the Pothos schema to schema.graphql (committed; codegen reads it). `--check` fails when it is stale. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printSchema } from "graphql";
import { schema } from "../server/graphql/index.js";

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "schema.graphql");
const printed = `# Generated from server/graphql by "npm run generate". Do not edit.\n\n${printSchema(schema)}\n`;
if (process.argv.includes("--check")) {
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== printed) {
    console.error('schema.graphql is stale. Run "npm run generate" and commit the result.');
    process.exit(1);
  }
} else fs.writeFileSync(file, printed);
