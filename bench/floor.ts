/**
 * The floor: the least a server can do for envplane's two heavy requests, run beside envplane by
 * `npm run bench` as its reference (every figure is printed as envplane ÷ floor).
 *
 * node:http, one bearer-token check (SHA-256 + one indexed lookup), @noble XChaCha20-Poly1305
 * with envplane's blob layout and AAD (server/crypto/aad.ts), envplane's diff (core/diff.ts),
 * one transaction per push (revision bump, rows, one event row). No GraphQL, no ORM, no
 * authorization beyond the token, no logging.
 *
 *   POST /push {environment, variables: [{key, value, secret?}]} -> {revision, added, changed, unchanged, secretOverwritten}
 *   GET  /pull?environment=<name>                                 -> {revision, variables: [{key, value}], excludedSecrets}
 *
 * Environment: FLOOR_DATABASE (a SQLite file path, or a postgres:// URL: then pg directly),
 * FLOOR_TOKEN (the one accepted bearer token), PORT. Prints "listening <port>" on stdout.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { computeBulkDiff, type ExistingVariable, type IncomingVariable } from "../core/diff.js";
import { valueAad } from "../server/crypto/aad.js";

const PROJECT = "floor-project";
const KEY_VERSION = 1;
// FLOOR_KEY (base64): the data key, so two floor servers on one database open each other's values.
const dataKey = process.env.FLOOR_KEY ? Buffer.from(process.env.FLOOR_KEY, "base64") : randomBytes(32);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function seal(environment: string, key: string, valueVersion: number, value: string): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = 1;
  prefix.writeUInt32BE(KEY_VERSION, 1);
  const aad = valueAad({ projectId: PROJECT, environmentId: environment, branchId: null, key, valueVersion });
  const nonce = randomBytes(24);
  const sealed = xchacha20poly1305(dataKey, nonce, Buffer.concat([prefix, aad])).encrypt(encoder.encode(value));
  return Buffer.concat([prefix, nonce, sealed]);
}

function open(environment: string, key: string, valueVersion: number, blob: Uint8Array): string {
  const aad = valueAad({ projectId: PROJECT, environmentId: environment, branchId: null, key, valueVersion });
  const nonce = blob.slice(5, 29);
  return decoder.decode(
    xchacha20poly1305(dataKey, nonce, Buffer.concat([blob.subarray(0, 5), aad])).decrypt(blob.subarray(29)),
  );
}

interface Row {
  key: string;
  is_secret: number | boolean;
  ciphertext: Uint8Array;
  value_version: number;
}

interface PushResult {
  revision: number;
  added: string[];
  changed: string[];
  unchanged: string[];
  secretOverwritten: string[];
}

interface Store {
  authenticate(hash: string): Promise<boolean>;
  push(environment: string, variables: IncomingVariable[]): Promise<PushResult>;
  pull(
    environment: string,
  ): Promise<{ revision: number; variables: { key: string; value: string }[]; excludedSecrets: string[] }>;
}

const existingOf = (environment: string, rows: Row[]): ExistingVariable[] =>
  rows.map((r) => ({
    key: r.key,
    isSecret: Boolean(r.is_secret),
    value: r.is_secret ? null : open(environment, r.key, r.value_version, r.ciphertext),
  }));

const names = (list: IncomingVariable[]) => list.map((v) => v.key);

function pulled(environment: string, revision: number, rows: Row[]) {
  const variables: { key: string; value: string }[] = [];
  const excludedSecrets: string[] = [];
  for (const r of rows) {
    if (r.is_secret) excludedSecrets.push(r.key);
    else variables.push({ key: r.key, value: open(environment, r.key, r.value_version, r.ciphertext) });
  }
  return { revision, variables, excludedSecrets };
}

function sqliteStore(file: string, tokenHash: string): Store {
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS token (hash TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS environment (name TEXT PRIMARY KEY, revision INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS variable (
      id INTEGER PRIMARY KEY, environment TEXT NOT NULL, key TEXT NOT NULL, is_secret INTEGER NOT NULL,
      ciphertext BLOB NOT NULL, key_version INTEGER NOT NULL, value_version INTEGER NOT NULL, UNIQUE (environment, key));
    CREATE TABLE IF NOT EXISTS event (id INTEGER PRIMARY KEY, environment TEXT, revision INTEGER, keys TEXT NOT NULL);
  `);
  db.prepare("INSERT OR IGNORE INTO token (hash) VALUES (?)").run(tokenHash);
  const token = db.prepare("SELECT 1 FROM token WHERE hash = ?");
  const bump = db.prepare(
    "INSERT INTO environment (name, revision) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET revision = revision + 1 RETURNING revision",
  );
  const revisionOf = db.prepare("SELECT revision FROM environment WHERE name = ?").pluck();
  const select = db.prepare(
    "SELECT key, is_secret, ciphertext, value_version FROM variable WHERE environment = ? ORDER BY key",
  );
  const upsert = db.prepare(`INSERT INTO variable (environment, key, is_secret, ciphertext, key_version, value_version)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (environment, key) DO UPDATE SET
    ciphertext = excluded.ciphertext, key_version = excluded.key_version, value_version = excluded.value_version`);
  const event = db.prepare("INSERT INTO event (environment, revision, keys) VALUES (?, ?, ?)");
  const push = db.transaction((environment: string, variables: IncomingVariable[]): PushResult => {
    const { revision } = bump.get(environment) as { revision: number };
    const diff = computeBulkDiff(existingOf(environment, select.all(environment) as Row[]), variables, false);
    const written = [...diff.added, ...diff.changed, ...diff.secretOverwritten];
    for (const v of written)
      upsert.run(
        environment,
        v.key,
        v.secret ? 1 : 0,
        seal(environment, v.key, revision, v.value),
        KEY_VERSION,
        revision,
      );
    event.run(environment, revision, JSON.stringify(names(written).sort()));
    return {
      revision,
      added: names(diff.added),
      changed: names(diff.changed),
      unchanged: diff.unchanged,
      secretOverwritten: names(diff.secretOverwritten),
    };
  });
  return {
    authenticate: async (hash) => token.get(hash) !== undefined,
    push: async (environment, variables) => push(environment, variables),
    pull: async (environment) =>
      pulled(environment, (revisionOf.get(environment) as number) ?? 0, select.all(environment) as Row[]),
  };
}

async function postgresStore(url: string, tokenHash: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(`
    CREATE TABLE IF NOT EXISTS floor_token (hash TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS floor_environment (name TEXT PRIMARY KEY, revision INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS floor_variable (
      id BIGSERIAL PRIMARY KEY, environment TEXT NOT NULL, key TEXT NOT NULL, is_secret BOOLEAN NOT NULL,
      ciphertext BYTEA NOT NULL, key_version INTEGER NOT NULL, value_version INTEGER NOT NULL, UNIQUE (environment, key));
    CREATE TABLE IF NOT EXISTS floor_event (id BIGSERIAL PRIMARY KEY, environment TEXT, revision INTEGER, keys TEXT NOT NULL);
  `);
  await pool.query("INSERT INTO floor_token (hash) VALUES ($1) ON CONFLICT DO NOTHING", [tokenHash]);
  const select = (c: pg.PoolClient | pg.Pool, environment: string) =>
    c.query<Row>({
      name: "select",
      text: "SELECT key, is_secret, ciphertext, value_version FROM floor_variable WHERE environment = $1 ORDER BY key",
      values: [environment],
    });
  return {
    async authenticate(hash) {
      const r = await pool.query({ name: "token", text: "SELECT 1 FROM floor_token WHERE hash = $1", values: [hash] });
      return r.rowCount === 1;
    },
    async push(environment, variables) {
      const c = await pool.connect();
      try {
        await c.query("BEGIN");
        const bumped = await c.query<{ revision: number }>({
          name: "bump",
          text: `INSERT INTO floor_environment (name, revision) VALUES ($1, 1)
            ON CONFLICT (name) DO UPDATE SET revision = floor_environment.revision + 1 RETURNING revision`,
          values: [environment],
        });
        const revision = bumped.rows[0].revision;
        const diff = computeBulkDiff(existingOf(environment, (await select(c, environment)).rows), variables, false);
        const written = [...diff.added, ...diff.changed, ...diff.secretOverwritten];
        if (written.length)
          await c.query({
            name: "upsert",
            text: `INSERT INTO floor_variable (environment, key, is_secret, ciphertext, key_version, value_version)
              SELECT $1, k, s, c, $5, $6 FROM unnest($2::text[], $3::boolean[], $4::bytea[]) AS t(k, s, c)
              ON CONFLICT (environment, key) DO UPDATE SET
              ciphertext = excluded.ciphertext, key_version = excluded.key_version, value_version = excluded.value_version`,
            values: [
              environment,
              names(written),
              written.map((v) => Boolean(v.secret)),
              written.map((v) => seal(environment, v.key, revision, v.value)),
              KEY_VERSION,
              revision,
            ],
          });
        await c.query({
          name: "event",
          text: "INSERT INTO floor_event (environment, revision, keys) VALUES ($1, $2, $3)",
          values: [environment, revision, JSON.stringify(names(written).sort())],
        });
        await c.query("COMMIT");
        return {
          revision,
          added: names(diff.added),
          changed: names(diff.changed),
          unchanged: diff.unchanged,
          secretOverwritten: names(diff.secretOverwritten),
        };
      } catch (error) {
        await c.query("ROLLBACK");
        throw error;
      } finally {
        c.release();
      }
    },
    async pull(environment) {
      const [revision, rows] = await Promise.all([
        pool.query<{ revision: number }>({
          name: "revision",
          text: "SELECT revision FROM floor_environment WHERE name = $1",
          values: [environment],
        }),
        select(pool, environment),
      ]);
      return pulled(environment, revision.rows[0]?.revision ?? 0, rows.rows);
    },
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, payload: unknown) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const database = process.env.FLOOR_DATABASE;
const token = process.env.FLOOR_TOKEN;
if (!database || !token) throw new Error("floor: set FLOOR_DATABASE and FLOOR_TOKEN");
const tokenHash = createHash("sha256").update(token).digest("hex");
const store = /^postgres(ql)?:\/\//.test(database)
  ? await postgresStore(database, tokenHash)
  : sqliteStore(database, tokenHash);

const server = createServer(async (req, res) => {
  try {
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    if (!(await store.authenticate(createHash("sha256").update(bearer).digest("hex"))))
      return send(res, 401, { error: "unauthenticated" });
    const url = new URL(req.url ?? "/", "http://floor");
    if (req.method === "POST" && url.pathname === "/push") {
      const input = JSON.parse(await body(req)) as { environment: string; variables: IncomingVariable[] };
      return send(res, 200, await store.push(input.environment, input.variables));
    }
    if (req.method === "GET" && url.pathname === "/pull")
      return send(res, 200, await store.pull(url.searchParams.get("environment") ?? ""));
    send(res, 404, { error: "not found" });
  } catch (error) {
    send(res, 500, { error: error instanceof Error ? error.message : String(error) });
  }
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
