import { describe, expect, it } from "vitest";
import {
  branchName,
  check,
  environmentName,
  isDefaultEnvironment,
  MAX_KEY_LENGTH,
  MAX_VALUE_BYTES,
  projectSlug,
  utf8Bytes,
  variableKey,
  variableValue,
} from "../../core/names.js";

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) => schema.safeParse(v).success;

describe("variable keys", () => {
  it.each(["DATABASE_URL", "_PRIVATE", "a", "x1", "A_B_C_9", "lower_case"])("accepts %j", (key) => {
    expect(ok(variableKey, key)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["leading digit", "1KEY"],
    ["dash", "MY-KEY"],
    ["dot", "MY.KEY"],
    ["space", "MY KEY"],
    ["equals sign", "A=B"],
    ["unicode letter", "CLÉ"],
    ["emoji", "KEY_🔑"],
    ["newline", "KEY\nX"],
    ["leading space", " KEY"],
  ])("rejects a key with %s", (_what, key) => {
    expect(ok(variableKey, key)).toBe(false);
  });

  it("accepts 256 characters and rejects 257", () => {
    expect(MAX_KEY_LENGTH).toBe(256);
    expect(ok(variableKey, "K".repeat(256))).toBe(true);
    expect(ok(variableKey, "K".repeat(257))).toBe(false);
  });

  it("reports problems with a field path and without quoting the key", () => {
    const errors = check(variableKey, "1-SECRET-LOOKING-KEY", ["variables", "3", "key"]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].path).toEqual(["variables", "3", "key"]);
    for (const e of errors) expect(e.message).not.toContain("SECRET-LOOKING");
    expect(check(variableKey, "GOOD", ["key"])).toEqual([]);
  });
});

describe("variable values", () => {
  it("counts UTF-8 bytes, not characters: 64 KiB exactly is accepted", () => {
    expect(MAX_VALUE_BYTES).toBe(65536);
    expect(ok(variableValue, "a".repeat(65536))).toBe(true);
    expect(ok(variableValue, "é".repeat(32768))).toBe(true); // 2 bytes each: 65,536 bytes
    expect(ok(variableValue, "🔑".repeat(16384))).toBe(true); // 4 bytes each: 65,536 bytes
  });

  it("rejects one byte over 64 KiB even when the string is far shorter in characters", () => {
    expect(ok(variableValue, "a".repeat(65537))).toBe(false);
    const multibyte = `${"é".repeat(32768)}a`; // 32,769 characters, 65,537 bytes
    expect(multibyte.length).toBeLessThan(65536);
    expect(ok(variableValue, multibyte)).toBe(false);
    expect(ok(variableValue, `${"🔑".repeat(16384)}x`)).toBe(false);
  });

  it("counts bytes as the server stores them (the same as Node's Buffer, without needing it)", () => {
    for (const text of ["", "a", "é", "🔑", "日本語", "a\0b", "\ud800", "x\udc00y", "🔑".slice(0, 1)])
      expect(utf8Bytes(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, "utf8"));
    // A lone surrogate is stored as U+FFFD (3 bytes): 21,846 of them are over 64 KiB.
    expect(ok(variableValue, "\ud800".repeat(21845))).toBe(true);
    expect(ok(variableValue, "\ud800".repeat(21846))).toBe(false);
  });

  it("accepts empty, NUL and newlines; never quotes the value in the message", () => {
    expect(ok(variableValue, "")).toBe(true);
    expect(ok(variableValue, "a\0b\nc\r\n")).toBe(true);
    const canary = `CANARY_VALUE_${"x".repeat(65536)}`;
    const errors = check(variableValue, canary, ["value"]);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toEqual(["value"]);
    expect(errors[0].message).not.toContain("CANARY_VALUE_");
  });
});

describe("environment names", () => {
  it.each(["development", "staging", "qa", "qa-2", "eu_west", "1st", "a", "a".repeat(63)])("accepts %j", (name) => {
    expect(ok(environmentName, name)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["upper case", "Staging"],
    ["leading dash", "-qa"],
    ["leading underscore", "_qa"],
    ["space", "my env"],
    ["slash", "a/b"],
    ["wildcard", "*"],
    ["unicode", "préprod"],
    ["64 characters", "a".repeat(64)],
  ])("rejects %s", (_what, name) => {
    expect(ok(environmentName, name)).toBe(false);
  });

  it("knows the three default environments", () => {
    expect(["development", "preview", "production"].map(isDefaultEnvironment)).toEqual([true, true, true]);
    expect(isDefaultEnvironment("staging")).toBe(false);
    expect(isDefaultEnvironment("Production")).toBe(false);
  });
});

describe("branch names", () => {
  it.each(["main", "dev", "feature-x", "feature/x", "release/1.2.3", "User_Branch", "a", "x".repeat(200)])(
    "accepts %j",
    (name) => {
      expect(ok(branchName, name)).toBe(true);
    },
  );

  it.each([
    ["empty", ""],
    ["leading dash", "-x"],
    ["leading slash", "/x"],
    ["trailing slash", "x/"],
    ["double dot", "a..b"],
    ["space", "feature x"],
    ["wildcard", "*"],
    ["unicode", "fönster"],
    ["201 characters", "x".repeat(201)],
  ])("rejects %s", (_what, name) => {
    expect(ok(branchName, name)).toBe(false);
  });
});

describe("project slugs", () => {
  it.each(["shop", "my-shop", "a1", "9lives", "a".repeat(63)])("accepts %j", (slug) => {
    expect(ok(projectSlug, slug)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["one character", "a"],
    ["upper case", "Shop"],
    ["leading dash", "-shop"],
    ["underscore", "my_shop"],
    ["space", "my shop"],
    ["dot", "my.shop"],
    ["unicode", "café"],
    ["64 characters", "a".repeat(64)],
  ])("rejects %s", (_what, slug) => {
    expect(ok(projectSlug, slug)).toBe(false);
  });
});
