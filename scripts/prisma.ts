/**
 * Runs the Prisma CLI offline, with its JavaScript engines only.
 *
 *   tsx scripts/prisma.ts generate            clients for SQLite and PostgreSQL + Pothos types
 *   tsx scripts/prisma.ts migration <name>    writes prisma/migrations/{sqlite,postgresql}/NNNN_<name>.sql
 *   tsx scripts/prisma.ts check               fails when prisma/schema.prisma has changes with no migration
 *
 * prisma/schema.prisma (SQLite) is the only schema we edit; the PostgreSQL schema is derived
 * from it. The native engines are never used, so PRISMA_*_ENGINE_* point at an inert file.
 * `migration` and `check` diff against prisma/migrations/schema.prisma, the schema as of the
 * newest migration; the PostgreSQL diff needs a server (ENVPLANE_TEST_POSTGRES_URL or
 * DATABASE_URL), e.g. `bash scripts/with-postgres.sh tsx scripts/prisma.ts migration add_x`.
 *
 * Hand-written parts the schema cannot express (0014_write_indexes, 0015_variable_environment_trigger,
 * 0016_drop_value_version_index): the partial index "Variable_managedBy_idx" (both databases) and, on PostgreSQL,
 * the foreign keys of RevisionChange and Variable to Environment replaced by triggers and Variable's fillfactor. A generated migration that touches any of them (re-adding
 * @@index([managedBy]), or dropping or re-adding those foreign keys) must be edited by hand to match.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemaFile = path.join(root, "prisma", "schema.prisma");
const pgSchemaFile = path.join(root, "prisma", "postgresql", "schema.prisma");
const migrationsDir = path.join(root, "prisma", "migrations");
const snapshotFile = path.join(migrationsDir, "schema.prisma");
const providers = ["sqlite", "postgresql"] as const;
type Provider = (typeof providers)[number];

function placeholderEngine(): string {
  const file = path.join(root, "node_modules", ".cache", "envplane", "no-native-engine");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, "");
  return file;
}

/** The PostgreSQL twin of a SQLite schema: other provider, other client output, no Pothos generator. */
function toPostgres(schema: string): string {
  return schema
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://localhost/envplane"')
    .replace('"../server/db/generated/sqlite"', '"../../server/db/generated/postgresql"')
    .replace(/generator pothos \{[^}]*\}\n/, "");
}

function writePgSchema(from = schemaFile, to = pgSchemaFile): string {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, toPostgres(fs.readFileSync(from, "utf8")));
  return to;
}

function prisma(provider: Provider, args: string[]): string {
  const engine = placeholderEngine();
  const url = process.env.ENVPLANE_TEST_POSTGRES_URL ?? process.env.DATABASE_URL;
  // Resolved like an import, so it works in a clone and where npm hoisted prisma (an install).
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  return execFileSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: engine,
      PRISMA_QUERY_ENGINE_LIBRARY: engine,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
      ENVPLANE_PRISMA_PROVIDER: provider,
      ...(provider === "postgresql" && url ? { DATABASE_URL: url } : {}),
    },
  });
}

function diff(provider: Provider): string {
  const to = provider === "sqlite" ? schemaFile : writePgSchema();
  const tmp = fs.mkdtempSync(path.join(root, "node_modules", ".cache", "envplane", "snap-"));
  try {
    const from = fs.existsSync(snapshotFile)
      ? [
          "--from-schema-datamodel",
          provider === "sqlite" ? snapshotFile : writePgSchema(snapshotFile, path.join(tmp, "schema.prisma")),
        ]
      : ["--from-empty"];
    return prisma(provider, ["migrate", "diff", ...from, "--to-schema-datamodel", to, "--script"]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const isEmptyDiff = (sql: string) => sql.replace(/--.*$/gm, "").trim() === "";

function generate() {
  prisma("sqlite", ["generate", "--schema", schemaFile]);
  prisma("postgresql", ["generate", "--schema", writePgSchema()]);
}

function migration(name: string | undefined) {
  if (!name || !/^[a-z0-9_]+$/.test(name))
    throw new Error("Usage: tsx scripts/prisma.ts migration <name> (name in lower_snake_case)");
  const scripts = providers.map((p) => [p, diff(p)] as const);
  if (scripts.every(([, sql]) => isEmptyDiff(sql))) return console.log("Schema unchanged: no migration written.");
  for (const [provider, sql] of scripts) {
    const dir = path.join(migrationsDir, provider);
    fs.mkdirSync(dir, { recursive: true });
    const next = String(fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).length + 1).padStart(4, "0");
    const file = path.join(dir, `${next}_${name}.sql`);
    fs.writeFileSync(file, sql);
    console.log(`Wrote ${path.relative(root, file)}`);
  }
  fs.copyFileSync(schemaFile, snapshotFile);
}

function check() {
  if (!isEmptyDiff(diff("sqlite"))) {
    console.error(
      "prisma/schema.prisma has changes without a migration. Run: bash scripts/with-postgres.sh npx tsx scripts/prisma.ts migration <name>",
    );
    process.exit(1);
  }
}

const [command, arg] = process.argv.slice(2);
if (command === "generate") generate();
else if (command === "migration") migration(arg);
else if (command === "check") check();
else {
  console.error("Usage: tsx scripts/prisma.ts generate | migration <name> | check");
  process.exit(2);
}
