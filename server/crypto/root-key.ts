/**
 * Root key: loaded from ENVPLANE_ROOT_KEY or `<dataDir>/root.key` (generated on first start).
 * It wraps one random data key per project and key version. Errors and logs never contain
 * key material or the raw environment value.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "@noble/ciphers/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { dataKeyAad, sentinelAad } from "./aad.js";
import { type Bytes, CryptoError, open, seal, utf8 } from "./aead.js";

const KEY_BYTES = 32;
const GENERATE_HINT = `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;
const SENTINEL = utf8.encode("envplane root key check v1");

export class RootKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RootKeyError";
  }
}

export type LoadedRootKey = { key: Bytes; fingerprint: string; source: "env" | "file" | "generated" };

/** Non-secret identifier of a root key: first 16 hex chars of SHA-256("envplane-root-key-fingerprint\0" || key). */
export function fingerprint(key: Uint8Array): string {
  const tag = utf8.encode("envplane-root-key-fingerprint\0");
  const input = new Uint8Array(tag.length + key.length);
  input.set(tag, 0);
  input.set(key, tag.length);
  return bytesToHex(sha256(input)).slice(0, 16);
}

/** Decodes standard or url-safe base64; returns null if the text is not base64 at all. */
function decodeBase64(text: string): Bytes | null {
  const s = text.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) return null;
  if (s.replace(/=+$/, "").length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(s, "base64"));
}

/** Parses a base64 key, describing the problem (never the input) to `what`. */
function parseKey(text: string, what: string): Bytes {
  const bytes = decodeBase64(text);
  if (bytes === null) {
    throw new RootKeyError(
      `${what} is malformed: it is not valid base64 (expected 32 bytes encoded as base64). ${GENERATE_HINT}`,
    );
  }
  if (bytes.length !== KEY_BYTES) {
    throw new RootKeyError(
      `${what} is malformed: expected 32 bytes encoded as base64 (got ${bytes.length} bytes). ${GENERATE_HINT}`,
    );
  }
  return bytes;
}

function loaded(key: Bytes, source: LoadedRootKey["source"]): LoadedRootKey {
  return { key, fingerprint: fingerprint(key), source };
}

async function readKeyFile(path: string): Promise<Bytes> {
  const st = await fs.stat(path);
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    throw new RootKeyError(
      `Root key file ${path} has permissions ${mode}; it must be readable by its owner only. Fix it with: chmod 600 ${path}`,
    );
  }
  // Another process may have just created the file (flag "wx") and not written it yet.
  for (let attempt = 0; ; attempt++) {
    const text = await fs.readFile(path, "utf8");
    if (text.trim() !== "" || attempt >= 20) return parseKey(text, `Root key file ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/** Loads the root key: from the environment, else from `<dataDir>/root.key`, else generates that file. */
export async function loadRootKey(opts: {
  envValue: string | undefined;
  dataDir: string | null;
  /** The SQLite database it protects, when that file already exists: then a missing key file is an error, never a new key. */
  existingDatabase?: string | null;
  log: (line: string) => void;
}): Promise<LoadedRootKey> {
  if (opts.envValue !== undefined) return loaded(parseKey(opts.envValue, "ENVPLANE_ROOT_KEY"), "env");

  if (opts.dataDir === null) {
    throw new RootKeyError(
      "ENVPLANE_ROOT_KEY is required when DATABASE_URL is set: several servers may share the database, so they must share one root key. " +
        `Set the same ENVPLANE_ROOT_KEY on each server. ${GENERATE_HINT}`,
    );
  }

  const path = join(opts.dataDir, "root.key");
  try {
    return loaded(await readKeyFile(path), "file");
  } catch (e) {
    if (!isErrno(e, "ENOENT")) throw e;
  }
  if (opts.existingDatabase) {
    throw new RootKeyError(
      `Root key file ${path} is missing, but the database ${opts.existingDatabase} exists and its values are encrypted with that key. ` +
        `Restore root.key from your backup into ${opts.dataDir} (chmod 600), or set ENVPLANE_ROOT_KEY to the key. ` +
        "A new key could not decrypt the data, so none was generated.",
    );
  }

  const key = randomBytes(KEY_BYTES);
  await fs.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(path, "wx", 0o600); // fails if another process created it first
  } catch (e) {
    if (isErrno(e, "EEXIST")) return loaded(await readKeyFile(path), "file");
    throw e;
  }
  try {
    await handle.writeFile(`${Buffer.from(key).toString("base64")}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const fp = fingerprint(key);
  opts.log(
    `Generated a new root key at ${path} (fingerprint ${fp}). Back it up: without it the stored values cannot be decrypted.`,
  );
  return { key, fingerprint: fp, source: "generated" };
}

/** Parses ENVPLANE_PREVIOUS_ROOT_KEYS: comma-separated base64 keys (root-key rotation). */
export function parsePreviousRootKeys(text: string | undefined): LoadedRootKey[] {
  if (!text?.trim()) return [];
  return text.split(",").map((item, i) => loaded(parseKey(item, `ENVPLANE_PREVIOUS_ROOT_KEYS (key ${i + 1})`), "env"));
}

/** 32 fresh random bytes for a project data key. */
export function newDataKey(): Bytes {
  return randomBytes(KEY_BYTES);
}

/** Encrypts a data key under the root key, bound to its project and version. */
export function wrapDataKey(rootKey: Uint8Array, projectId: string, version: number, dataKey: Uint8Array): Bytes {
  if (dataKey.length !== KEY_BYTES) throw new TypeError(`data key must be ${KEY_BYTES} bytes`);
  return seal(rootKey, 0, dataKey, dataKeyAad(projectId, version));
}

/** Decrypts a wrapped data key; throws CryptoError if it belongs to another project, version or root key. */
export function unwrapDataKey(rootKey: Uint8Array, projectId: string, version: number, wrapped: Uint8Array): Bytes {
  const key = open(
    rootKey,
    wrapped,
    dataKeyAad(projectId, version),
    `data key version ${version} of project ${projectId}`,
  );
  if (key.length !== KEY_BYTES) throw new CryptoError("MALFORMED_BLOB", "Wrapped data key has the wrong length.");
  return key;
}

/** A blob that only the same root key can open; stored to detect a wrong key at start-up. */
export function makeSentinel(rootKey: Uint8Array): Bytes {
  return seal(rootKey, 0, SENTINEL, sentinelAad());
}

/** True if `blob` is a sentinel made with `rootKey`; false otherwise (never throws). */
export function checkSentinel(rootKey: Uint8Array, blob: Uint8Array): boolean {
  try {
    const pt = open(rootKey, blob, sentinelAad());
    return pt.length === SENTINEL.length && pt.every((b, i) => b === SENTINEL[i]);
  } catch {
    return false;
  }
}
