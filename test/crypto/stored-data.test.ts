/**
 * Values stored before the native XChaCha20-Poly1305 path: fixtures/pre-native-crypto.sqlite was
 * written by envplane at commit 8e8e0df, whose seal was @noble's xchacha20poly1305 alone (project
 * "legacy": five keys in development and production, STRIPE_KEY secret, an override of
 * DATABASE_URL on branch dev in production). Today's server migrates a copy, reads every value
 * with the native path, and what it writes now opens with @noble: stored data works both ways.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../server/app.js";
import { xchacha } from "../../server/crypto/aead.js";
import { dataKeyAad, open, unwrapDataKey, utf8, valueAad } from "../../server/crypto/index.js";
import { silentLogger } from "../support/log.js";

const FIXTURE = path.join(import.meta.dirname, "fixtures", "pre-native-crypto.sqlite");
// Test fixture material only: the root key and owner token the old server was started with.
const ROOT_KEY = "ZW52cGxhbmUtb2xkLWNyeXB0by1maXh0dXJlLWtleSE=";
const OWNER_TOKEN = "envp_pat_uNlzXwGUXUk7I7bDxPr7bs3oLjR9";

const development: Record<string, string> = {
  DATABASE_URL: "postgres://app:s3cret@db.internal:5432/app",
  EMPTY: "",
  UNICODE: "café 🔑 ünïcødé\nline two",
  LONG: "x".repeat(5000),
};
const production = Object.fromEntries(Object.entries(development).map(([k, v]) => [k, v ? `${v}-prod` : v]));
const secrets = { development: "sk_live_old_code_path", production: "sk_live_old_code_path-prod" };

let dataDir: string;
let app: App;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-stored-"));
  fs.copyFileSync(FIXTURE, path.join(dataDir, "envplane.db"));
  fs.chmodSync(path.join(dataDir, "envplane.db"), 0o600);
  app = await createApp(
    {
      port: 0,
      host: "127.0.0.1",
      dataDir,
      databaseUrl: undefined,
      rootKey: ROOT_KEY,
      development: false,
      authFailuresPerMinute: 1000,
      runtimeResolutionsPerMinute: 1000,
    },
    { logger: silentLogger() },
  );
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await app.fetch(
    new Request("http://envplane.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${OWNER_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = await response.json();
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return Object.values(body.data)[0] as Record<string, unknown>;
}

async function pull(environment: string, branch?: string) {
  const r = await graphql(
    `query($e: String!, $b: String) { pullVariables(project: "legacy", environment: $e, branch: $b) {
      __typename ... on PulledEnvironment { variables { key value } excludedSecrets } ... on Error { message } } }`,
    { e: environment, b: branch ?? null },
  );
  expect(r.__typename, JSON.stringify(r)).toBe("PulledEnvironment");
  const variables = r.variables as { key: string; value: string }[];
  return { values: Object.fromEntries(variables.map((v) => [v.key, v.value])), excluded: r.excludedSecrets };
}

/** Every stored value row of project legacy, with what its AAD needs. */
function storedRows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const project = db.prepare(`SELECT id FROM "Project" WHERE slug = 'legacy'`).get() as { id: string };
    const keys = db.prepare(`SELECT version, "wrappedKey" FROM "ProjectKey" WHERE "projectId" = ?`).all(project.id) as {
      version: number;
      wrappedKey: Buffer;
    }[];
    const values = db
      .prepare(
        `SELECT v.key, v."isSecret", v.ciphertext, v."valueVersion", e.id AS "environmentId", e.name AS environment,
                NULL AS "branchId", v."updatedAt"
           FROM "Variable" v JOIN "Environment" e ON e.id = v."environmentId" WHERE e."projectId" = ?
         UNION ALL
         SELECT v.key, v."isSecret", o.ciphertext, o."valueVersion", e.id, e.name, o."branchId", o."updatedAt"
           FROM "BranchOverride" o JOIN "Variable" v ON v.id = o."variableId"
           JOIN "Environment" e ON e.id = v."environmentId" WHERE e."projectId" = ?`,
      )
      .all(project.id, project.id) as {
      key: string;
      isSecret: number;
      ciphertext: Buffer;
      valueVersion: number;
      environmentId: string;
      environment: string;
      branchId: string | null;
    }[];
    return { projectId: project.id, keys, values };
  } finally {
    db.close();
  }
}

/** @noble alone, with the blob layout written out here: [1][keyVersion u32 BE][nonce 24][sealed]. */
function nobleOpen(key: Uint8Array, blob: Uint8Array, aad: Uint8Array): Uint8Array {
  const header = blob.subarray(0, 5);
  return xchacha20poly1305(key, blob.slice(5, 29), new Uint8Array([...header, ...aad])).decrypt(blob.subarray(29));
}

describe("data stored by the @noble-only code path", () => {
  it("this host seals and opens with the native path", () => {
    expect(xchacha.name).toBe("native");
  });

  it("reads every base value and the branch override through the API", async () => {
    const dev = await pull("development");
    expect(dev.values).toEqual(development);
    expect(dev.excluded).toEqual(["STRIPE_KEY"]);
    expect((await pull("production")).values).toEqual(production);
    expect((await pull("production", "dev")).values).toEqual({
      ...production,
      DATABASE_URL: "postgres://dev-override",
    });
  });

  it("opens every stored row (the wrapped data key, secrets included) with the native path", () => {
    const rows = storedRows(path.join(dataDir, "envplane.db"));
    const rootKey = new Uint8Array(Buffer.from(ROOT_KEY, "base64"));
    expect(rows.keys).toHaveLength(1);
    const dataKey = unwrapDataKey(rootKey, rows.projectId, rows.keys[0]!.version, rows.keys[0]!.wrappedKey);
    const opened: Record<string, string> = {};
    for (const r of rows.values) {
      const aad = valueAad({ projectId: rows.projectId, ...r });
      const name = `${r.environment}${r.branchId ? "@dev" : ""}/${r.key}`;
      opened[name] = utf8.decode(open(dataKey, r.ciphertext, aad, name));
    }
    expect(Object.keys(opened)).toHaveLength(11);
    expect(opened["development/STRIPE_KEY"]).toBe(secrets.development);
    expect(opened["production/STRIPE_KEY"]).toBe(secrets.production);
    expect(opened["production@dev/DATABASE_URL"]).toBe("postgres://dev-override");
    expect(opened["production/UNICODE"]).toBe(production.UNICODE);
  });

  it("what today's server writes into that database opens with @noble alone", async () => {
    const written = { DATABASE_URL: "postgres://rewritten", EMPTY: "now set", NEW_ONE: "n€w", LONG: "y".repeat(3000) };
    const r = await graphql(
      `mutation($input: BulkUpsertVariablesInput!) { bulkUpsertVariables(input: $input) {
        __typename ... on BulkUpsertVariablesPayload { added changed } ... on Error { message } } }`,
      {
        input: {
          project: "legacy",
          environment: "development",
          variables: Object.entries(written).map(([key, value]) => ({ key, value })),
        },
      },
    );
    expect(r).toMatchObject({ __typename: "BulkUpsertVariablesPayload", added: ["NEW_ONE"] });

    const rows = storedRows(path.join(dataDir, "envplane.db"));
    const rootKey = new Uint8Array(Buffer.from(ROOT_KEY, "base64"));
    const { version, wrappedKey } = rows.keys[0]!;
    const dataKey = nobleOpen(rootKey, wrappedKey, dataKeyAad(rows.projectId, version));
    const dev = rows.values.filter((v) => v.environment === "development" && v.branchId === null);
    const opened = Object.fromEntries(
      dev.map((v) => [
        v.key,
        utf8.decode(nobleOpen(dataKey, v.ciphertext, valueAad({ projectId: rows.projectId, ...v }))),
      ]),
    );
    expect(opened).toEqual({ ...development, ...written, STRIPE_KEY: secrets.development });
    expect((await pull("development")).values).toEqual({ ...development, ...written });
  });
});
