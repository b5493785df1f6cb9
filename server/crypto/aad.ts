/**
 * Associated data: binds each ciphertext to the immutable identity of the row it belongs to.
 * Encoding is canonical and unambiguous: a length-prefixed domain tag, the format version,
 * then each field as a u32 BE length + UTF-8 bytes (or a fixed-size u32 for numbers).
 */
import { type Bytes, FORMAT_VERSION, utf8 } from "./aead.js";

class Writer {
  private parts: Uint8Array[] = [];
  u8(n: number): this {
    this.parts.push(Uint8Array.of(n));
    return this;
  }
  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError("expected a u32 integer");
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, false);
    this.parts.push(b);
    return this;
  }
  str(s: string): this {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.parts.push(b);
    return this;
  }
  bytes(): Bytes {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const keyEncoder = new TextEncoder();

const header = (domain: string) => new Writer().str(domain).u8(FORMAT_VERSION);

/** AAD for a variable value (branchId null = the base value, distinct from every branch). */
export function valueAad(p: {
  projectId: string;
  environmentId: string;
  branchId: string | null;
  key: string;
  valueVersion: number;
}): Bytes {
  // Bulk reads and writes call this for many keys of one environment: the bytes before the
  // key are built once (by the same Writer) and reused; the result is byte-for-byte the same.
  // Two slots: a branch's pull alternates between base values and that branch's overrides.
  const slot = p.branchId === null ? 0 : 1;
  let prefix = valuePrefixes[slot];
  if (
    !prefix ||
    prefix.projectId !== p.projectId ||
    prefix.environmentId !== p.environmentId ||
    prefix.branchId !== p.branchId
  ) {
    const w = header("envplane/value").str(p.projectId).str(p.environmentId);
    if (p.branchId === null) w.u8(0).str("base");
    else w.u8(1).str(p.branchId);
    prefix = valuePrefixes[slot] = {
      projectId: p.projectId,
      environmentId: p.environmentId,
      branchId: p.branchId,
      bytes: w.bytes(),
    };
  }
  if (!Number.isInteger(p.valueVersion) || p.valueVersion < 0 || p.valueVersion > 0xffffffff)
    throw new RangeError("expected a u32 integer");
  // The key's UTF-8 bytes are written in place (no intermediate array per key).
  const keyLength = Buffer.byteLength(p.key, "utf8");
  const at = prefix.bytes.length;
  const out = new Uint8Array(at + 4 + keyLength + 4);
  const view = new DataView(out.buffer);
  out.set(prefix.bytes, 0);
  view.setUint32(at, keyLength, false);
  keyEncoder.encodeInto(p.key, out.subarray(at + 4, at + 4 + keyLength));
  view.setUint32(at + 4 + keyLength, p.valueVersion, false);
  return out;
}

const valuePrefixes: (
  | { projectId: string; environmentId: string; branchId: string | null; bytes: Bytes }
  | undefined
)[] = [];

/** AAD for a project's data key wrapped by the root key. */
export function dataKeyAad(projectId: string, version: number): Bytes {
  return header("envplane/data-key").str(projectId).u32(version).bytes();
}

/** AAD for the root-key check sentinel. */
export function sentinelAad(): Bytes {
  return header("envplane/sentinel").bytes();
}

/** AAD for a webhook's signing secret: bound to its project and webhook. */
export function webhookSecretAad(projectId: string, webhookId: string): Bytes {
  return header("envplane/webhook-secret").str(projectId).str(webhookId).bytes();
}

/** AAD for a project's GitHub connection secret (server/services/git.ts). */
export function gitSecretAad(projectId: string, connectionId: string): Bytes {
  return header("envplane/git-secret").str(projectId).str(connectionId).bytes();
}

/** AAD for a variable's note: its own domain, so a note and a value can never stand in for each other. */
export function noteAad(p: { projectId: string; environmentId: string; key: string; noteVersion: number }): Bytes {
  return header("envplane/note").str(p.projectId).str(p.environmentId).str(p.key).u32(p.noteVersion).bytes();
}
