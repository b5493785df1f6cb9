import { describe, expect, it } from "vitest";
import { computeBulkDiff, diffIsEmpty, type ExistingVariable, type IncomingVariable } from "../../core/diff.js";

const existing: ExistingVariable[] = [
  { key: "API_URL", isSecret: false, value: "https://old.example.com" },
  { key: "SAME", isSecret: false, value: "1" },
  { key: "STRIPE_KEY", isSecret: true, value: null },
  { key: "OLD_VAR", isSecret: false, value: "gone" },
  { key: "OLD_SECRET", isSecret: true, value: null },
];

describe("computeBulkDiff", () => {
  it("classifies added, changed, unchanged and secret-overwritten keys", () => {
    const incoming: IncomingVariable[] = [
      { key: "NEW_VAR", value: "hello" },
      { key: "API_URL", value: "https://new.example.com" },
      { key: "SAME", value: "1" },
      { key: "STRIPE_KEY", value: "sk_live_x" },
    ];
    const d = computeBulkDiff(existing, incoming, false);
    expect(d.added).toEqual([{ key: "NEW_VAR", value: "hello" }]);
    expect(d.changed).toEqual([{ key: "API_URL", value: "https://new.example.com" }]);
    expect(d.unchanged).toEqual(["SAME"]);
    expect(d.secretOverwritten).toEqual([{ key: "STRIPE_KEY", value: "sk_live_x" }]);
    expect(d.removed).toEqual([]);
    expect(d.typeKept).toEqual([]);
    expect(diffIsEmpty(d)).toBe(false);
  });

  it("removes keys missing from the payload only with prune, secrets included", () => {
    const incoming: IncomingVariable[] = [
      { key: "API_URL", value: "https://old.example.com" },
      { key: "SAME", value: "1" },
      { key: "STRIPE_KEY", value: "x" },
    ];
    expect(computeBulkDiff(existing, incoming, false).removed).toEqual([]);
    expect(computeBulkDiff(existing, incoming, true).removed).toEqual(["OLD_VAR", "OLD_SECRET"]);
  });

  it("prune leaves the keys in `keep` in place (the secrets a pull left out of the file)", () => {
    const d = computeBulkDiff(existing, [{ key: "SAME", value: "1" }], true, ["OLD_SECRET", "NOT_THERE"]);
    expect(d.removed).not.toContain("OLD_SECRET");
    expect(d.removed).toContain("OLD_VAR");
    expect(computeBulkDiff(existing, [], false, ["OLD_VAR"]).removed).toEqual([]);
  });

  it("prune with an empty payload removes everything and adds nothing", () => {
    const d = computeBulkDiff(existing, [], true);
    expect(d.removed).toEqual(existing.map((v) => v.key));
    expect(d.added.length + d.changed.length + d.unchanged.length + d.secretOverwritten.length).toBe(0);
  });

  it("a secret is always overwritten, even with what might be its current value", () => {
    const d = computeBulkDiff([{ key: "S", isSecret: true, value: null }], [{ key: "S", value: "" }], false);
    expect(d.secretOverwritten.map((v) => v.key)).toEqual(["S"]);
    expect(d.unchanged).toEqual([]);
  });

  it("keeps the stored type and reports typeKept when the incoming flag differs", () => {
    const d = computeBulkDiff(
      existing,
      [
        { key: "SAME", value: "1", secret: true },
        { key: "STRIPE_KEY", value: "v", secret: false },
        { key: "API_URL", value: "https://old.example.com", secret: false },
        { key: "NEW_SECRET", value: "v", secret: true },
      ],
      false,
    );
    expect(d.typeKept).toEqual(["SAME", "STRIPE_KEY"]);
    // SAME stays a standard variable: compared by value, not overwritten as a secret
    expect(d.unchanged).toEqual(["SAME", "API_URL"]);
    expect(d.secretOverwritten.map((v) => v.key)).toEqual(["STRIPE_KEY"]);
    // a new key is simply added, whatever its flag
    expect(d.added.map((v) => v.key)).toEqual(["NEW_SECRET"]);
  });

  it("an absent or null flag never counts as a type change", () => {
    const d = computeBulkDiff(
      existing,
      [
        { key: "STRIPE_KEY", value: "v", secret: null },
        { key: "SAME", value: "1" },
      ],
      false,
    );
    expect(d.typeKept).toEqual([]);
  });

  it("treats values byte for byte (whitespace and case matter)", () => {
    const d = computeBulkDiff([{ key: "A", isSecret: false, value: "x" }], [{ key: "A", value: "x " }], false);
    expect(d.changed.map((v) => v.key)).toEqual(["A"]);
  });

  it("is empty when everything is unchanged (typeKept alone does not count)", () => {
    const d = computeBulkDiff(existing, [{ key: "SAME", value: "1", secret: true }], false);
    expect(d.typeKept).toEqual(["SAME"]);
    expect(diffIsEmpty(d)).toBe(true);
    expect(diffIsEmpty(computeBulkDiff([], [], true))).toBe(true);
  });
});
