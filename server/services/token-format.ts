/**
 * Token format: `envp_<kind>_` + 22 base62 characters (131 random bits) + a 6-character
 * base62 CRC32 of everything before it. The checksum lets both the CLI and the server
 * reject a mistyped or truncated token before any database query.
 */
import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 22;
const CHECKSUM_LENGTH = 6;

export const TOKEN_PREFIXES = { personal: "envp_pat_", service: "envp_svc_" } as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

function base62(n: number, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = "";
  while (out.length < length)
    for (const byte of randomBytes(length * 2)) if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
  return out;
}

const checksum = (s: string) => base62(crc32(s), CHECKSUM_LENGTH);

export function generateToken(kind: TokenKind): string {
  const head = TOKEN_PREFIXES[kind] + randomBase62(BODY_LENGTH);
  return head + checksum(head);
}

/** The token's kind when it is well-formed with a valid checksum, else null. */
export function parseToken(token: string): TokenKind | null {
  for (const [kind, prefix] of Object.entries(TOKEN_PREFIXES) as [TokenKind, string][]) {
    if (!token.startsWith(prefix) || token.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH) continue;
    const head = token.slice(0, -CHECKSUM_LENGTH);
    if (!/^[0-9A-Za-z]+$/.test(token.slice(prefix.length))) return null;
    return checksum(head) === token.slice(-CHECKSUM_LENGTH) ? kind : null;
  }
  return null;
}

/** What the database stores instead of the token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A recognizable, non-secret hint: prefix and the last four characters. */
export function tokenHint(token: string): string {
  return `${token.slice(0, token.indexOf("_", 5) + 1)}…${token.slice(-4)}`;
}

/** A dashboard session's secret (the envplane_session cookie): 256 random bits, cookie-safe. */
export function generateSessionSecret(): string {
  return `envs_${randomBytes(32).toString("base64url")}`;
}

/** A one-time sign-in link's code: 256 random bits, URL-safe. */
export function generateSignInCode(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether a text has the shape of a session secret (checked before any query). */
export const isSessionSecret = (text: string) => /^envs_[A-Za-z0-9_-]{43}$/.test(text);

/** Whether a text has the shape of a sign-in code. */
export const isSignInCode = (text: string) => /^[A-Za-z0-9_-]{43}$/.test(text);
