import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CryptoError,
  checkSentinel,
  fingerprint,
  loadRootKey,
  makeSentinel,
  newDataKey,
  RootKeyError,
  seal,
  sentinelAad,
  unwrapDataKey,
  utf8,
  wrapDataKey,
} from "../../server/crypto/index.js";

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-rootkey-"));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

function logger() {
  const lines: string[] = [];
  return { lines, log: (l: string) => void lines.push(l) };
}

describe("fingerprint", () => {
  it("is the first 16 hex chars of SHA-256 over the tag and key", () => {
    const key = new Uint8Array(randomBytes(32));
    const expected = createHash("sha256")
      .update("envplane-root-key-fingerprint\0")
      .update(key)
      .digest("hex")
      .slice(0, 16);
    expect(fingerprint(key)).toBe(expected);
    expect(fingerprint(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(new Uint8Array(randomBytes(32)))).not.toBe(expected);
  });
});

describe("loadRootKey from the environment", () => {
  it("accepts standard and url-safe base64 of 32 bytes", async () => {
    const key = new Uint8Array(32).fill(0xfb); // encodes with '+' / '-' and '/' / '_'
    expect(b64(key)).toMatch(/[+/]/);
    for (const envValue of [b64(key), b64url(key), ` ${b64(key)}\n`]) {
      const { lines, log } = logger();
      const r = await loadRootKey({ envValue, dataDir: tmp, log });
      expect(r.source).toBe("env");
      expect(hex(r.key)).toBe(hex(key));
      expect(r.fingerprint).toBe(fingerprint(key));
      expect(lines).toEqual([]);
    }
    expect(fs.existsSync(path.join(tmp, "root.key"))).toBe(false);
  });

  it.each([
    ["16 bytes", b64(new Uint8Array(randomBytes(16))), /got 16 bytes/],
    ["33 bytes", b64(new Uint8Array(randomBytes(33))), /got 33 bytes/],
    ["empty", "", /got 0 bytes/],
    ["hex instead of base64 (64 chars = 48 bytes)", hex(new Uint8Array(randomBytes(32))), /got 48 bytes/],
    ["not base64", "my-$ecret-root-key!!", /not valid base64/],
    ["base64 with bad padding", "QUJD=QUJD", /not valid base64/],
  ])("rejects %s without echoing the value", async (_name, envValue, pattern) => {
    const e = await rejection(loadRootKey({ envValue, dataDir: null, log: () => {} }));
    expect(e).toBeInstanceOf(RootKeyError);
    expect(e.message).toMatch(/^ENVPLANE_ROOT_KEY is malformed/);
    expect(e.message).toMatch(pattern);
    expect(e.message).toContain("randomBytes(32)");
    if (envValue.length > 0) expect(e.message).not.toContain(envValue);
  });
});

describe("loadRootKey from the data directory", () => {
  it("requires ENVPLANE_ROOT_KEY when there is no data directory", async () => {
    const e = await rejection(loadRootKey({ envValue: undefined, dataDir: null, log: () => {} }));
    expect(e).toBeInstanceOf(RootKeyError);
    expect(e.message).toMatch(/ENVPLANE_ROOT_KEY is required when DATABASE_URL is set/);
    expect(e.message).toMatch(/same ENVPLANE_ROOT_KEY/);
  });

  it("generates a 0600 key file, logs one line with the fingerprint only, then reads it back", async () => {
    const dataDir = path.join(tmp, "nested", "data");
    const file = path.join(dataDir, "root.key");
    const first = logger();
    const r1 = await loadRootKey({ envValue: undefined, dataDir, log: first.log });
    expect(r1.source).toBe("generated");
    expect(r1.key.length).toBe(32);
    expect(r1.fingerprint).toBe(fingerprint(r1.key));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(hex(new Uint8Array(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64")))).toBe(hex(r1.key));

    expect(first.lines).toHaveLength(1);
    const line = first.lines[0]!;
    expect(line).toBe(
      `Generated a new root key at ${file} (fingerprint ${r1.fingerprint}). Back it up: without it the stored values cannot be decrypted.`,
    );
    for (const leak of [b64(r1.key), b64url(r1.key), hex(r1.key), b64(r1.key).slice(0, 12), hex(r1.key).slice(0, 20)]) {
      expect(line).not.toContain(leak);
    }

    const second = logger();
    const r2 = await loadRootKey({ envValue: undefined, dataDir, log: second.log });
    expect(r2.source).toBe("file");
    expect(hex(r2.key)).toBe(hex(r1.key));
    expect(r2.fingerprint).toBe(r1.fingerprint);
    expect(second.lines).toEqual([]);
  });

  it("two concurrent first starts agree on one key", async () => {
    const { lines, log } = logger();
    const results = await Promise.all([1, 2, 3].map(() => loadRootKey({ envValue: undefined, dataDir: tmp, log })));
    expect(new Set(results.map((r) => hex(r.key))).size).toBe(1);
    expect(results.filter((r) => r.source === "generated")).toHaveLength(1);
    expect(lines).toHaveLength(1);
  });

  it("waits for a key file another process has created but not yet written", async () => {
    const file = path.join(tmp, "root.key");
    const key = new Uint8Array(randomBytes(32));
    fs.writeFileSync(file, "", { mode: 0o600 });
    const timer = setTimeout(() => fs.writeFileSync(file, `${b64(key)}\n`), 120);
    try {
      const r = await loadRootKey({ envValue: undefined, dataDir: tmp, log: () => {} });
      expect(r.source).toBe("file");
      expect(hex(r.key)).toBe(hex(key));
    } finally {
      clearTimeout(timer);
    }
  });

  it("refuses a key file readable by others and says to chmod 600", async () => {
    const file = path.join(tmp, "root.key");
    const content = b64(new Uint8Array(randomBytes(32)));
    fs.writeFileSync(file, `${content}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const e = await rejection(loadRootKey({ envValue: undefined, dataDir: tmp, log: () => {} }));
    expect(e).toBeInstanceOf(RootKeyError);
    expect(e.message).toContain(`chmod 600 ${file}`);
    expect(e.message).toContain("0644");
    expect(e.message).not.toContain(content);
  });

  it("refuses a malformed key file, naming the path but not the content", async () => {
    const file = path.join(tmp, "root.key");
    const content = b64(new Uint8Array(randomBytes(20)));
    fs.writeFileSync(file, content, { mode: 0o600 });
    const e = await rejection(loadRootKey({ envValue: undefined, dataDir: tmp, log: () => {} }));
    expect(e).toBeInstanceOf(RootKeyError);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/got 20 bytes/);
    expect(e.message).not.toContain(content);
  });

  it("prefers ENVPLANE_ROOT_KEY over an existing key file", async () => {
    fs.writeFileSync(path.join(tmp, "root.key"), b64(new Uint8Array(randomBytes(32))), { mode: 0o600 });
    const key = new Uint8Array(randomBytes(32));
    const r = await loadRootKey({ envValue: b64(key), dataDir: tmp, log: () => {} });
    expect(r.source).toBe("env");
    expect(hex(r.key)).toBe(hex(key));
  });
});

describe("data key wrapping", () => {
  const root = new Uint8Array(randomBytes(32));

  it("round trips and produces fresh 32-byte data keys", () => {
    const dk = newDataKey();
    expect(dk.length).toBe(32);
    expect(hex(newDataKey())).not.toBe(hex(dk));
    expect(hex(unwrapDataKey(root, "proj_1", 1, wrapDataKey(root, "proj_1", 1, dk)))).toBe(hex(dk));
  });

  it.each<[string, Uint8Array, string, number]>([
    ["another project", root, "proj_2", 1],
    ["another version", root, "proj_1", 2],
    ["another root key", new Uint8Array(randomBytes(32)), "proj_1", 1],
  ])("unwrap for %s fails with DECRYPT_FAILED naming ids only", (_n, rk, projectId, version) => {
    const dk = newDataKey();
    const wrapped = wrapDataKey(root, "proj_1", 1, dk);
    let err: unknown;
    try {
      unwrapDataKey(rk, projectId, version, wrapped);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe("DECRYPT_FAILED");
    const msg = (err as Error).message;
    expect(msg).toContain(projectId);
    for (const leak of [hex(dk), b64(dk), hex(root), b64(root)]) expect(msg).not.toContain(leak);
  });
});

describe("sentinel", () => {
  it("is true with the right key and false with another key or garbage", () => {
    const root = new Uint8Array(randomBytes(32));
    const s = makeSentinel(root);
    expect(checkSentinel(root, s)).toBe(true);
    expect(checkSentinel(new Uint8Array(randomBytes(32)), s)).toBe(false);
    expect(checkSentinel(root, new Uint8Array(0))).toBe(false);
    expect(checkSentinel(root, new Uint8Array(randomBytes(80)))).toBe(false);
    expect(checkSentinel(root, s.subarray(0, s.length - 1))).toBe(false);
    const flipped = s.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(checkSentinel(root, flipped)).toBe(false);
    expect(checkSentinel(new Uint8Array(5), s)).toBe(false);
    // Authentic under the same key and AAD, but not the sentinel constant.
    expect(checkSentinel(root, seal(root, 0, utf8.encode("something else"), sentinelAad()))).toBe(false);
    expect(checkSentinel(root, null as unknown as Uint8Array)).toBe(false);
  });
});
