import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gitSecretAad, webhookSecretAad } from "../../server/crypto/aad.js";
import { CryptoError, dataKeyAad, open, seal, sentinelAad, utf8, valueAad } from "../../server/crypto/index.js";

type Row = Parameters<typeof valueAad>[0];

const key = new Uint8Array(randomBytes(32));
const base: Row = { projectId: "proj_1", environmentId: "env_1", branchId: null, key: "DATABASE_URL", valueVersion: 3 };
const branch: Row = { ...base, branchId: "br_1" };
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("valueAad binding", () => {
  const secret = "postgres://user:pa55word@db/prod";

  it.each<[string, Row, Row]>([
    ["projectId", base, { ...base, projectId: "proj_2" }],
    ["environmentId", base, { ...base, environmentId: "env_2" }],
    ["branch null vs id", base, branch],
    ["branch id vs null", branch, base],
    ["branch id vs other id", branch, { ...branch, branchId: "br_2" }],
    ["branch null vs id 'base'", base, { ...base, branchId: "base" }],
    ["key", base, { ...base, key: "DATABASE_URL_2" }],
    ["key case", base, { ...base, key: "database_url" }],
    ["valueVersion", base, { ...base, valueVersion: 4 }],
  ])("open with a different %s fails with DECRYPT_FAILED", (_field, sealedFor, openedAs) => {
    const blob = seal(key, 1, utf8.encode(secret), valueAad(sealedFor));
    expect(utf8.decode(open(key, blob, valueAad(sealedFor)))).toBe(secret);
    let err: unknown;
    try {
      open(key, blob, valueAad(openedAs), `variable ${openedAs.key} in ${openedAs.environmentId}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe("DECRYPT_FAILED");
    expect((err as Error).message).toContain(openedAs.environmentId);
    expect((err as Error).message).not.toContain(secret);
    expect((err as Error).message).not.toContain("pa55word");
  });

  it("is unambiguous when field boundaries shift", () => {
    const a = valueAad({ ...base, projectId: "ab", environmentId: "c" });
    const b = valueAad({ ...base, projectId: "a", environmentId: "bc" });
    expect(hex(a)).not.toBe(hex(b));
    const c = valueAad({ ...base, key: "K", valueVersion: 1 });
    const d = valueAad({ ...base, key: "K\0\0\0", valueVersion: 1 });
    expect(hex(c)).not.toBe(hex(d));
  });

  it("is deterministic and starts with the domain tag and format version", () => {
    const a = valueAad(base);
    expect(hex(a)).toBe(hex(valueAad({ ...base })));
    const tag = utf8.encode("envplane/value");
    expect(Array.from(a.subarray(0, 4))).toEqual([0, 0, 0, tag.length]);
    expect(utf8.decode(a.subarray(4, 4 + tag.length))).toBe("envplane/value");
    expect(a[4 + tag.length]).toBe(1);
  });

  it("uses distinct domains for values, data keys and the sentinel", () => {
    const all = [
      valueAad(base),
      dataKeyAad("proj_1", 1),
      dataKeyAad("proj_1", 2),
      dataKeyAad("proj_2", 1),
      sentinelAad(),
    ];
    expect(new Set(all.map(hex)).size).toBe(all.length);
    expect(utf8.decode(dataKeyAad("p", 1))).toContain("envplane/data-key");
  });

  it("rejects non-integer or out-of-range versions", () => {
    expect(() => valueAad({ ...base, valueVersion: 1.5 })).toThrow(RangeError);
    expect(() => valueAad({ ...base, valueVersion: -1 })).toThrow(RangeError);
    expect(() => dataKeyAad("p", 2 ** 32)).toThrow(RangeError);
  });
});

describe("sealed row secrets (server/services/sealed-secret.ts)", () => {
  // Stored webhook signing secrets and Git connection secrets were sealed with these exact bytes: they must
  // never change, or those secrets stop opening.
  it("the AAD bytes of a webhook signing secret and a Git connection secret are fixed", () => {
    expect(hex(gitSecretAad("proj_1", "conn_1"))).toBe(
      "00000013656e76706c616e652f6769742d736563726574010000000670726f6a5f3100000006636f6e6e5f31",
    );
    expect(hex(webhookSecretAad("proj_1", "hook_1"))).toBe(
      "00000017656e76706c616e652f776562686f6f6b2d736563726574010000000670726f6a5f3100000006686f6f6b5f31",
    );
  });
});
