/**
 * A real envplane server for tests: its own database (SQLite file, or a fresh PostgreSQL
 * database when ENVPLANE_TEST_POSTGRES_URL is set), its own data directory and root key,
 * captured logs, and SDK clients that call it in-process or over a real port.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { createClient, type EnvplaneClient } from "../../sdk/index.js";
import { type App, createApp } from "../../server/app.js";
import type { Config } from "../../server/config.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { captureLogger } from "./log.js";

export interface TestServer {
  app: App;
  database: TestDatabase;
  dataDir: string;
  rootKey: string;
  ownerToken: string;
  /** Every line the server logged (pino JSON lines; `messages()` in support/log.ts gives their texts). */
  logs: string[];
  /** Every SQL statement sent, when started with `countQueries`. */
  queries: string[];
  /** http://127.0.0.1:<port>/graphql when started with `listen`, else an in-process URL. */
  url: string;
  client(token?: string | null): EnvplaneClient;
  owner: EnvplaneClient;
  close(): Promise<void>;
}

export async function startTestServer(
  options: { listen?: boolean; countQueries?: boolean; config?: Partial<Config>; logLevel?: string } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-data-"));
  const rootKey = randomBytes(32).toString("base64");
  const logs: string[] = [];
  const queries: string[] = [];
  const config: Config = {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    databaseUrl: database.url,
    rootKey,
    development: false,
    authFailuresPerMinute: 1000,
    runtimeResolutionsPerMinute: 100_000,
    ...options.config,
  };
  const app = await createApp(config, {
    logger: captureLogger(logs, options.logLevel),
    onQuery: options.countQueries ? (sql) => queries.push(sql) : undefined,
  });
  let server: Server | null = null;
  let url = "http://envplane.test/graphql";
  if (options.listen) {
    server = createServer(app.handle);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/graphql`;
  }
  const client = (token?: string | null) =>
    createClient({
      url,
      token: token ?? null,
      fetch: options.listen ? undefined : (input, init) => app.fetch(new Request(input, init)),
    });
  if (!app.ownerToken) throw new Error("expected a fresh instance with an owner token");
  return {
    app,
    database,
    dataDir,
    rootKey,
    ownerToken: app.ownerToken,
    logs,
    queries,
    url,
    client,
    owner: client(app.ownerToken),
    async close() {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await app.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
