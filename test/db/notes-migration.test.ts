/**
 * Migration 0008_notes on a database that already has data (made by 0001–0007): every variable,
 * override and history row stays (a table rebuild on SQLite would cascade-delete them inside our
 * migration transaction); the new columns start empty.
 */
import { expect, it } from "vitest";
import { seedValues, useMigrationDatabase } from "../support/migration.js";

const m = useMigrationDatabase();

it("keeps every variable and override; notes and layout start empty", async () => {
  await m.upgrade("0008", (q) => seedValues(q, m.bytes, { name: "preview", revision: 7 }));
  await m.query(async (q) => {
    const rows = await q(
      `SELECT "key", "noteCiphertext", "noteKeyVersion", "noteVersion", "position", "blankLineBefore" FROM "Variable" ORDER BY "key"`,
    );
    expect(
      rows.map((r) => [
        r.key,
        r.noteCiphertext,
        r.noteKeyVersion,
        r.noteVersion,
        r.position,
        Boolean(r.blankLineBefore),
      ]),
    ).toEqual([
      ["API_URL", null, null, null, null, false],
      ["TOKEN", null, null, null, null, false],
    ]);
    expect(Number((await q(`SELECT COUNT(*) AS n FROM "BranchOverride"`))[0].n)).toBe(1);
  });
});
