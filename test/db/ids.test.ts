/** Time-ordered row ids (server/db/ids.ts): unique, in the order they were made, UUIDv7 shaped. */
import { describe, expect, it } from "vitest";
import { timeOrderedId } from "../../server/db/ids.js";

describe("timeOrderedId", () => {
  it("50,000 ids made at once are distinct, sort in the order made and have the UUIDv7 layout", () => {
    const ids = Array.from({ length: 50_000 }, timeOrderedId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 100))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("carries the current time in its first 48 bits", () => {
    const before = Date.now();
    const ms = Number.parseInt(timeOrderedId().replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
  });
});
