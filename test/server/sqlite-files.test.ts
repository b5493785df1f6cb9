/**
 * The embedded SQLite database on disk: owner-only files, and a missing root.key beside an
 * existing database stops the start without creating anything. (PostgreSQL keeps no local
 * files and requires ENVPLANE_ROOT_KEY: see root-key.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.js";
import type { Config } from "../../server/config.js";
import { testProvider } from "../support/database.js";
import { silentLogger } from "../support/log.js";

let parent: string;
let dataDir: string;
beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-files-"));
  dataDir = path.join(parent, "data");
});
afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

const config = (): Config => ({
  port: 0,
  host: "127.0.0.1",
  dataDir,
  databaseUrl: undefined,
  rootKey: undefined,
  development: false,
  authFailuresPerMinute: 10,
  runtimeResolutionsPerMinute: 10,
});
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe.skipIf(testProvider() === "postgresql")("the SQLite data directory", () => {
  it("is created 0700 with the database, its -wal and -shm files and root.key all 0600, under a permissive umask", async () => {
    const umask = process.umask(0o022);
    try {
      const app = await createApp(config(), { logger: silentLogger() });
      await app.database.writer.project.count(); // the WAL files exist while the database is open
      expect(mode(dataDir)).toBe(0o700);
      for (const name of ["envplane.db", "envplane.db-wal", "envplane.db-shm", "root.key"])
        expect([name, mode(path.join(dataDir, name))]).toEqual([name, 0o600]);
      await app.close();
      // An existing database made readable by others is tightened at the next start.
      fs.chmodSync(path.join(dataDir, "envplane.db"), 0o644);
      fs.chmodSync(dataDir, 0o755);
      const again = await createApp(config(), { logger: silentLogger() });
      expect([mode(dataDir), mode(path.join(dataDir, "envplane.db"))]).toEqual([0o700, 0o600]);
      await again.close();
    } finally {
      process.umask(umask);
    }
  });

  it("a missing root.key beside an existing database stops the start, says how to restore it, and creates nothing", async () => {
    const first = await createApp(config(), { logger: silentLogger() });
    await first.close();
    fs.rmSync(path.join(dataDir, "root.key"));
    const before = fs.readdirSync(dataDir).sort();
    const error = await createApp(config(), { logger: silentLogger() }).then(
      async (app) => {
        await app.close();
        return null;
      },
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/Root key file .*root\.key is missing, but the database .*envplane\.db exists/);
    expect(error?.message).toMatch(/Restore root\.key from your backup .*or set ENVPLANE_ROOT_KEY/);
    expect(fs.readdirSync(dataDir).sort()).toEqual(before);
    expect(fs.existsSync(path.join(dataDir, "root.key"))).toBe(false);
  });
});
