import { randomBytes } from "node:crypto";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nativeXchacha, nobleXchacha, pickXchacha, xchacha } from "../../server/crypto/aead.js";
import { CryptoError, FORMAT_VERSION, open, readBlobHeader, seal, utf8, valueAad } from "../../server/crypto/index.js";

const key = new Uint8Array(randomBytes(32));
const aad = valueAad({ projectId: "p1", environmentId: "e1", branchId: null, key: "API_KEY", valueVersion: 1 });
const HEADER = 1 + 4 + 24;
const TAG = 16;

/** Runs fn and returns the thrown error, failing the test if nothing is thrown. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw, but the call succeeded");
}

function roundTrip(s: string): string {
  return utf8.decode(open(key, seal(key, 7, utf8.encode(s), aad), aad));
}

describe("seal/open round trip", () => {
  it.each([
    ["empty", ""],
    ["1 byte", "x"],
    ["emoji", "🔑🚀 café 👩‍👩‍👧"],
    ["NUL bytes", "a\0b\0\0c"],
    ["newlines", "line1\nline2\r\n\n"],
    ["64 KiB", "a".repeat(64 * 1024)],
  ])("%s", (_name, s) => {
    expect(roundTrip(s)).toBe(s);
  });

  it("exactly 64 KiB of random bytes", () => {
    const pt = new Uint8Array(randomBytes(64 * 1024));
    const blob = seal(key, 1, pt, aad);
    expect(blob.length).toBe(HEADER + pt.length + TAG);
    expect(open(key, blob, aad)).toEqual(pt);
  });

  it("random strings (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => roundTrip(s) === s),
      { numRuns: 200 },
    );
  });

  it("random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (pt) => {
        expect(open(key, seal(key, 3, pt, aad), aad)).toEqual(pt);
      }),
      { numRuns: 200 },
    );
  });
});

describe("nonces", () => {
  it("every nonce and ciphertext differs across 1,000 seals of the same plaintext", () => {
    const pt = utf8.encode("same plaintext every time");
    const nonces = new Set<string>();
    const bodies = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const blob = seal(key, 1, pt, aad);
      nonces.add(Buffer.from(blob.subarray(5, HEADER)).toString("hex"));
      bodies.add(Buffer.from(blob.subarray(HEADER)).toString("hex"));
    }
    expect(nonces.size).toBe(1000);
    expect(bodies.size).toBe(1000);
  });
});

describe("blob header", () => {
  it("writes format version and big-endian key version", () => {
    const blob = seal(key, 0xdeadbeef, utf8.encode("v"), aad);
    expect(blob[0]).toBe(FORMAT_VERSION);
    expect(Array.from(blob.subarray(1, 5))).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(readBlobHeader(blob)).toEqual({ formatVersion: 1, keyVersion: 0xdeadbeef });
  });

  it("reads headers of blobs that are views into a larger buffer", () => {
    const blob = seal(key, 42, utf8.encode("v"), aad);
    const big = new Uint8Array(blob.length + 13);
    big.set(blob, 13);
    const view = big.subarray(13);
    expect(readBlobHeader(view)).toEqual({ formatVersion: 1, keyVersion: 42 });
    expect(utf8.decode(open(key, view, aad))).toBe("v");
  });

  it("rejects too-short blobs with MALFORMED_BLOB", () => {
    for (const len of [0, 1, 5, HEADER, HEADER + TAG - 1]) {
      const blob = new Uint8Array(len);
      if (len > 0) blob[0] = FORMAT_VERSION;
      const e = thrown(() => readBlobHeader(blob));
      expect(e).toBeInstanceOf(CryptoError);
      expect((e as CryptoError).code).toBe("MALFORMED_BLOB");
      expect((thrown(() => open(key, blob, aad)) as CryptoError).code).toBe("MALFORMED_BLOB");
    }
    // The minimum length is accepted by the header parser.
    const min = new Uint8Array(HEADER + TAG);
    min[0] = FORMAT_VERSION;
    expect(readBlobHeader(min).formatVersion).toBe(1);
  });

  it("rejects unknown format versions with UNSUPPORTED_FORMAT", () => {
    for (const v of [0, 2, 255]) {
      const blob = seal(key, 1, utf8.encode("v"), aad);
      blob[0] = v;
      const e = thrown(() => readBlobHeader(blob));
      expect(e).toBeInstanceOf(CryptoError);
      expect((e as CryptoError).code).toBe("UNSUPPORTED_FORMAT");
      expect((thrown(() => open(key, blob, aad)) as CryptoError).code).toBe("UNSUPPORTED_FORMAT");
    }
  });
});

describe("tampering", () => {
  it("flipping any single bit makes open fail with a CryptoError", () => {
    const secret = "hunter2-secret";
    const blob = seal(key, 5, utf8.encode(secret), aad);
    for (let bit = 0; bit < blob.length * 8; bit++) {
      const bad = blob.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const e = thrown(() => open(key, bad, aad, "variable v1"));
      expect(e, `bit ${bit}`).toBeInstanceOf(CryptoError);
      expect((e as Error).message).not.toContain(secret);
      const expected = bit < 8 ? "UNSUPPORTED_FORMAT" : "DECRYPT_FAILED";
      expect((e as CryptoError).code, `bit ${bit}`).toBe(expected);
    }
  });

  it("truncating or extending a blob makes open fail with a CryptoError", () => {
    const blob = seal(key, 5, utf8.encode("value"), aad);
    for (let len = 0; len < blob.length; len++) {
      expect(thrown(() => open(key, blob.subarray(0, len), aad))).toBeInstanceOf(CryptoError);
    }
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    expect(thrown(() => open(key, longer, aad))).toBeInstanceOf(CryptoError);
  });

  it("a different key fails with DECRYPT_FAILED and the context, never the value", () => {
    const blob = seal(key, 1, utf8.encode("super-secret-value"), aad);
    const e = thrown(() =>
      open(new Uint8Array(randomBytes(32)), blob, aad, "variable API_KEY (id v_123)"),
    ) as CryptoError;
    expect(e).toBeInstanceOf(CryptoError);
    expect(e.code).toBe("DECRYPT_FAILED");
    expect(e.message).toBe(
      "Could not decrypt variable API_KEY (id v_123): the ciphertext does not belong to this row or key (tampered, swapped or stale).",
    );
    expect(e.message).not.toContain("super-secret-value");
    expect((thrown(() => open(new Uint8Array(32), blob, aad)) as Error).message).toMatch(/^Could not decrypt value:/);
  });
});

describe("fuzz", () => {
  const blobs = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 200 }),
    // Also exercise the decrypt path: valid format byte, random rest.
    fc.uint8Array({ minLength: 0, maxLength: 200 }).map((b) => {
      if (b.length > 0) b[0] = FORMAT_VERSION;
      return b;
    }),
  );

  it("readBlobHeader only ever throws CryptoError", () => {
    fc.assert(
      fc.property(blobs, (b) => {
        try {
          const h = readBlobHeader(b);
          expect(h.formatVersion).toBe(FORMAT_VERSION);
          expect(b.length).toBeGreaterThanOrEqual(HEADER + TAG);
        } catch (e) {
          expect(e).toBeInstanceOf(CryptoError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("open always throws, and only CryptoError", () => {
    fc.assert(
      fc.property(blobs, (b) => {
        expect(thrown(() => open(key, b, aad))).toBeInstanceOf(CryptoError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("native XChaCha20-Poly1305 (HChaCha20 subkey + Node's chacha20-poly1305)", () => {
  const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  const xchachaEncrypt = nativeXchacha.encrypt;
  const xchachaDecrypt = nativeXchacha.decrypt;

  it("is the implementation this host uses (Node with chacha20-poly1305 on little-endian)", () => {
    expect(xchacha).toBe(nativeXchacha);
  });

  it("falls back to @noble where Node has no chacha20-poly1305 or the host is big-endian", () => {
    expect(pickXchacha(["aes-256-gcm", "chacha20"], "LE")).toBe(nobleXchacha);
    expect(pickXchacha(["chacha20-poly1305"], "BE")).toBe(nobleXchacha);
    expect(pickXchacha(["aes-256-gcm", "chacha20-poly1305"], "LE")).toBe(nativeXchacha);
  });

  it.each([nativeXchacha, nobleXchacha])("$name matches the draft-irtf-cfrg-xchacha-03 A.3.1 vector", (impl) => {
    const plaintext = utf8.encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const k = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const nonce = hex("404142434445464748494a4b4c4d4e4f5051525354555657");
    const ad = hex("50515253c0c1c2c3c4c5c6c7");
    const expected = hex(`
      bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
      731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
      2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
      21f9664c97637da9768812f615c68b13b52e
      c0875924c1c7987947deafd8780acf49`);
    const sealed = impl.encrypt(k, nonce, ad, plaintext);
    expect(Buffer.from(sealed).toString("hex")).toBe(Buffer.from(expected).toString("hex"));
    expect(same(impl.decrypt(k, nonce, ad, expected), plaintext)).toBe(true);
  });

  it("is byte-identical to @noble's xchacha20poly1305 on random keys, nonces, AAD and plaintexts (empty, 1 byte, 64 KiB)", () => {
    const sizes = [0, 1, 15, 16, 17, 63, 64, 65, 1000, 65_536];
    for (const size of sizes)
      for (let round = 0; round < 5; round++) {
        const k = new Uint8Array(randomBytes(32));
        const nonce = new Uint8Array(randomBytes(24));
        const ad = new Uint8Array(randomBytes(round * 7));
        const plaintext = new Uint8Array(randomBytes(size));
        const reference = xchacha20poly1305(k, nonce, ad).encrypt(plaintext);
        const native = xchachaEncrypt(k, nonce, ad, plaintext);
        expect(same(native, reference)).toBe(true);
        expect(same(xchachaDecrypt(k, nonce, ad, reference), plaintext)).toBe(true);
        expect(same(xchacha20poly1305(k, nonce, ad).decrypt(native), plaintext)).toBe(true);
      }
  });

  it("agrees with @noble on 1,000 random messages, AADs and lengths (empty included), each decrypting the other's", () => {
    const sizes = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 2000 }));
    const cases = fc.record({
      key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      nonce: fc.uint8Array({ minLength: 24, maxLength: 24 }),
      aad: sizes.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
      plaintext: sizes.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    });
    let empties = 0;
    fc.assert(
      fc.property(cases, ({ key: k, nonce, aad: ad, plaintext }) => {
        if (ad.length === 0 || plaintext.length === 0) empties++;
        const native = nativeXchacha.encrypt(k, nonce, ad, plaintext);
        const noble = nobleXchacha.encrypt(k, nonce, ad, plaintext);
        expect(same(native, noble)).toBe(true);
        expect(same(nativeXchacha.decrypt(k, nonce, ad, noble), plaintext)).toBe(true);
        expect(same(nobleXchacha.decrypt(k, nonce, ad, native), plaintext)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    expect(empties).toBeGreaterThan(50);
  });

  it("both refuse what either sealed once a bit of ciphertext, tag, AAD, nonce or key changes (500 random cases)", () => {
    const cases = fc.record({
      plaintext: fc.uint8Array({ maxLength: 200 }),
      aad: fc.uint8Array({ maxLength: 40 }),
      sealer: fc.constantFrom(nativeXchacha, nobleXchacha),
      part: fc.constantFrom("sealed", "aad", "nonce", "key"),
      bit: fc.nat(),
    });
    fc.assert(
      fc.property(cases, ({ plaintext, aad: ad, sealer, part, bit }) => {
        const k = new Uint8Array(randomBytes(32));
        const nonce = new Uint8Array(randomBytes(24));
        const sealed = sealer.encrypt(k, nonce, ad, plaintext);
        const inputs = { sealed: sealed.slice(), aad: ad.slice(), nonce: nonce.slice(), key: k.slice() };
        const target = inputs[part as keyof typeof inputs];
        if (target.length === 0)
          inputs.aad = Uint8Array.of(0); // an empty AAD: "changed" means one byte added
        else target[(bit >> 3) % target.length] ^= 1 << (bit & 7);
        for (const impl of [nativeXchacha, nobleXchacha])
          expect(() => impl.decrypt(inputs.key, inputs.nonce, inputs.aad, inputs.sealed), impl.name).toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it("opens blobs sealed by @noble (values already stored) and refuses them when anything is altered", () => {
    for (const value of ["", "x", "postgres://user:pass@db/app", "é".repeat(40_000)]) {
      const nonce = new Uint8Array(randomBytes(24));
      const prefix = Uint8Array.of(FORMAT_VERSION, 0, 0, 0, 7);
      const stored = new Uint8Array([
        ...prefix,
        ...nonce,
        ...xchacha20poly1305(key, nonce, new Uint8Array([...prefix, ...aad])).encrypt(utf8.encode(value)),
      ]);
      expect(utf8.decode(open(key, stored, aad))).toBe(value);
      const flipped = stored.slice();
      flipped[flipped.length - 1] ^= 1;
      expect(thrown(() => open(key, flipped, aad))).toBeInstanceOf(CryptoError);
      const otherAad = valueAad({
        projectId: "p1",
        environmentId: "e1",
        branchId: null,
        key: "OTHER",
        valueVersion: 1,
      });
      expect(thrown(() => open(key, stored, otherAad))).toBeInstanceOf(CryptoError);
    }
  });

  it("refuses a truncated or forged tag", () => {
    const k = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(randomBytes(24));
    const sealed = xchachaEncrypt(k, nonce, new Uint8Array(0), utf8.encode("secret"));
    for (let len = 0; len < sealed.length; len++)
      expect(() => xchachaDecrypt(k, nonce, new Uint8Array(0), sealed.subarray(0, len))).toThrow();
    const forged = sealed.slice();
    forged[0] ^= 0x80;
    expect(() => xchachaDecrypt(k, nonce, new Uint8Array(0), forged)).toThrow();
  });
});
