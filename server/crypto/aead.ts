/**
 * Authenticated encryption of stored values with XChaCha20-Poly1305.
 *
 * Blob layout: [formatVersion u8][keyVersion u32 BE][nonce 24 bytes][ciphertext + 16-byte tag].
 * The 5-byte header is authenticated together with the caller's associated data, so the
 * key version cannot be altered without the blob failing to open.
 */
import { createCipheriv, createDecipheriv, getCiphers } from "node:crypto";
import os from "node:os";
import { hchacha, xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/ciphers/utils.js";

export const FORMAT_VERSION = 1;

const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const PREFIX_BYTES = 1 + 4; // formatVersion + keyVersion
const HEADER_BYTES = PREFIX_BYTES + NONCE_BYTES;

/** Bytes backed by a plain ArrayBuffer (what Prisma `Bytes` columns accept). */
export type Bytes = Uint8Array<ArrayBuffer>;

export type CryptoErrorCode = "MALFORMED_BLOB" | "UNSUPPORTED_FORMAT" | "DECRYPT_FAILED";

/** A stored blob could not be parsed or authenticated. Messages never contain values or keys. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = "CryptoError";
    this.code = code;
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new TypeError(`encryption key must be ${KEY_BYTES} bytes`);
  }
}

function headerAad(prefix: Uint8Array, aad: Uint8Array): Bytes {
  const out = new Uint8Array(prefix.length + aad.length);
  out.set(prefix, 0);
  out.set(aad, prefix.length);
  return out;
}

/** One XChaCha20-Poly1305 implementation. `encrypt` returns ciphertext + 16-byte tag; `decrypt` throws when it does not authenticate. */
export interface Xchacha {
  readonly name: "native" | "noble";
  encrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Bytes;
  /** `encrypt`, its result written into `out` from `at` (seal builds the blob without a copy). */
  encryptInto(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    at: number,
  ): void;
  decrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Bytes;
}

/** @noble's xchacha20poly1305, all in JavaScript: the reference, and the fallback. */
export const nobleXchacha: Xchacha = {
  name: "noble",
  encrypt: (key, nonce, aad, plaintext) => xchacha20poly1305(key, nonce, aad).encrypt(plaintext) as Bytes,
  encryptInto: (key, nonce, aad, plaintext, out, at) =>
    out.set(xchacha20poly1305(key, nonce, aad).encrypt(plaintext), at),
  decrypt: (key, nonce, aad, sealed) => xchacha20poly1305(key, nonce, aad).decrypt(sealed) as Bytes,
};

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

// Scratch words for subkeyAndIv: one pull opens thousands of values, each would allocate four arrays.
// Safe to reuse: createCipheriv/createDecipheriv copy the key and IV before subkeyAndIv runs again.
const keyWords = new Uint32Array(8);
const keyBytes = new Uint8Array(keyWords.buffer);
const nonceWords = new Uint32Array(4);
const nonceBytes = new Uint8Array(nonceWords.buffer);
const subkeyWords = new Uint32Array(8);
const subkey = new Uint8Array(subkeyWords.buffer);
const iv = new Uint8Array(12);

/**
 * The HChaCha20 subkey (key, the nonce's first 16 bytes; words read in host order: little-endian only)
 * and the ChaCha20 IV; both are views of scratch buffers, valid until the next call.
 */
function subkeyAndIv(key: Uint8Array, nonce: Uint8Array): { subkey: Uint8Array; iv: Uint8Array } {
  keyBytes.set(key);
  nonceBytes.set(nonce.subarray(0, 16));
  hchacha(SIGMA, keyWords, nonceWords, subkeyWords);
  iv.set(nonce.subarray(16, 24), 4);
  return { subkey, iv };
}

/**
 * XChaCha20-Poly1305 as @noble's HChaCha20 (the subkey from the key and the nonce's first 16
 * bytes) plus Node's native ChaCha20-Poly1305 (that subkey, nonce = 4 zero bytes + the nonce's
 * last 8): the construction of draft-irtf-cfrg-xchacha, byte-identical to @noble's
 * `xchacha20poly1305` (test/crypto/aead.test.ts checks it) and about twice as fast per value.
 */
export const nativeXchacha: Xchacha = {
  name: "native",
  encrypt(key, nonce, aad, plaintext) {
    const out = new Uint8Array(plaintext.length + TAG_BYTES);
    nativeXchacha.encryptInto(key, nonce, aad, plaintext, out, 0);
    return out;
  },
  encryptInto(key, nonce, aad, plaintext, out, at) {
    const { subkey, iv } = subkeyAndIv(key, nonce);
    const cipher = createCipheriv("chacha20-poly1305", subkey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    out.set(cipher.update(plaintext), at);
    cipher.final();
    out.set(cipher.getAuthTag(), at + plaintext.length);
  },
  decrypt(key, nonce, aad, sealed) {
    if (sealed.length < TAG_BYTES) throw new Error("ciphertext too short");
    const { subkey, iv } = subkeyAndIv(key, nonce);
    const decipher = createDecipheriv("chacha20-poly1305", subkey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad, { plaintextLength: sealed.length - TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    decipher.final();
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength) as Bytes;
  },
};

/**
 * The native path when Node's OpenSSL has chacha20-poly1305 and the host is little-endian (the
 * subkey's words are read in host order); @noble's whole cipher otherwise.
 */
export function pickXchacha(ciphers: readonly string[], endianness: string): Xchacha {
  return endianness === "LE" && ciphers.includes("chacha20-poly1305") ? nativeXchacha : nobleXchacha;
}

/** The implementation this process uses for every seal and open. */
export const xchacha: Xchacha = pickXchacha(getCiphers(), os.endianness());

/**
 * Nonces are cut from a pool of random bytes refilled 512 nonces at a time: each nonce is
 * a distinct slice of fresh randomness, never handed out twice (one getRandomValues call
 * per nonce cost ~3 µs of a ~15 µs seal).
 */
const NONCE_POOL_BYTES = NONCE_BYTES * 512;
let noncePool = new Uint8Array(0);
let noncePoolOffset = 0;

function freshNonce(): Uint8Array {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

/** Encrypts `plaintext` under `key` with a fresh random nonce; returns a self-describing blob. */
export function seal(key: Uint8Array, keyVersion: number, plaintext: Uint8Array, aad: Uint8Array): Bytes {
  checkKey(key);
  if (!Number.isInteger(keyVersion) || keyVersion < 0 || keyVersion > 0xffffffff) {
    throw new RangeError("keyVersion must be an integer in 0..2^32-1");
  }
  const nonce = freshNonce();
  // The blob is built in place: header, then the ciphertext and tag written straight after it.
  const blob = new Uint8Array(HEADER_BYTES + plaintext.length + TAG_BYTES);
  blob[0] = FORMAT_VERSION;
  blob[1] = keyVersion >>> 24;
  blob[2] = (keyVersion >>> 16) & 0xff;
  blob[3] = (keyVersion >>> 8) & 0xff;
  blob[4] = keyVersion & 0xff;
  blob.set(nonce, PREFIX_BYTES);
  xchacha.encryptInto(key, nonce, headerAad(blob.subarray(0, PREFIX_BYTES), aad), plaintext, blob, HEADER_BYTES);
  return blob;
}

/** Parses the unauthenticated header (use it to pick the key); `open` authenticates it. */
export function readBlobHeader(blob: Uint8Array): { formatVersion: number; keyVersion: number } {
  if (!(blob instanceof Uint8Array) || blob.length < HEADER_BYTES + TAG_BYTES) {
    throw new CryptoError("MALFORMED_BLOB", "Stored ciphertext is malformed: too short.");
  }
  const formatVersion = blob[0]!;
  if (formatVersion !== FORMAT_VERSION) {
    throw new CryptoError(
      "UNSUPPORTED_FORMAT",
      `Stored ciphertext uses unsupported format version ${formatVersion} (expected ${FORMAT_VERSION}).`,
    );
  }
  const keyVersion = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(1, false);
  return { formatVersion, keyVersion };
}

/**
 * Decrypts a blob made by `seal`. `context` names the row (ids only) in the error message;
 * never pass a value or key material in it.
 */
export function open(key: Uint8Array, blob: Uint8Array, aad: Uint8Array, context?: string): Bytes {
  checkKey(key);
  readBlobHeader(blob);
  const prefix = blob.subarray(0, PREFIX_BYTES);
  // A copy, not a view: at offset 5 the nonce is not 4-byte aligned, and @noble/ciphers would
  // copy it byte by byte (Uint8Array.from) on each of its two passes.
  const nonce = blob.slice(PREFIX_BYTES, HEADER_BYTES);
  try {
    return xchacha.decrypt(key, nonce, headerAad(prefix, aad), blob.subarray(HEADER_BYTES));
  } catch {
    throw new CryptoError(
      "DECRYPT_FAILED",
      `Could not decrypt ${context ?? "value"}: the ciphertext does not belong to this row or key (tampered, swapped or stale).`,
    );
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 helpers for turning values into bytes and back. */
export const utf8 = {
  encode(s: string): Bytes {
    return encoder.encode(s);
  },
  decode(b: Uint8Array): string {
    return decoder.decode(b);
  },
};
