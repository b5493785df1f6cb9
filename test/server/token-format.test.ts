import { describe, expect, it } from "vitest";
import {
  generateToken,
  hashToken,
  parseToken,
  TOKEN_PREFIXES,
  type TokenKind,
  tokenHint,
} from "../../server/services/token-format.js";

const KINDS: TokenKind[] = ["personal", "service"];
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHECKSUM_LENGTH = 6;

describe("token format", () => {
  it.each(KINDS)("a generated %s token parses back to its kind", (kind) => {
    for (let i = 0; i < 200; i++) {
      const token = generateToken(kind);
      expect(token.startsWith(TOKEN_PREFIXES[kind])).toBe(true);
      expect(parseToken(token)).toBe(kind);
    }
  });

  it("uses the envp_pat_ and envp_svc_ prefixes", () => {
    expect(TOKEN_PREFIXES).toEqual({ personal: "envp_pat_", service: "envp_svc_" });
  });

  it.each(KINDS)("a %s token carries at least 128 random bits of base62", (kind) => {
    const token = generateToken(kind);
    const body = token.slice(TOKEN_PREFIXES[kind].length, -CHECKSUM_LENGTH);
    expect(body).toMatch(/^[0-9A-Za-z]+$/);
    expect(body.length * Math.log2(62)).toBeGreaterThanOrEqual(128);
  });

  it("draws bodies from the whole base62 alphabet and never repeats", () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const token = generateToken("service");
      seen.add(token);
      for (const c of token.slice(TOKEN_PREFIXES.service.length, -CHECKSUM_LENGTH)) chars.add(c);
    }
    expect(seen.size).toBe(2000);
    expect([...chars].sort().join("")).toBe([...BASE62].sort().join(""));
  });

  it.each(KINDS)("any single-character change of a %s token is rejected", (kind) => {
    const alternatives = `${BASE62}_-.`;
    for (let n = 0; n < 5; n++) {
      const token = generateToken(kind);
      for (let i = 0; i < token.length; i++) {
        for (const c of alternatives) {
          if (c === token[i]) continue;
          const changed = token.slice(0, i) + c + token.slice(i + 1);
          if (parseToken(changed) !== null) throw new Error(`accepted ${changed} (changed position ${i} of ${token})`);
        }
      }
    }
  });

  it.each(KINDS)("a truncated or extended %s token is rejected", (kind) => {
    const token = generateToken(kind);
    for (let length = 0; length < token.length; length++) expect(parseToken(token.slice(0, length))).toBeNull();
    expect(parseToken(`${token}0`)).toBeNull();
    expect(parseToken(`0${token}`)).toBeNull();
  });

  it("rejects swapped kinds, other formats and whitespace", () => {
    const token = generateToken("personal");
    expect(parseToken(token.replace("envp_pat_", "envp_svc_"))).toBeNull();
    expect(parseToken(` ${token}`)).toBeNull();
    expect(parseToken(`${token}\n`)).toBeNull();
    expect(parseToken("")).toBeNull();
    expect(parseToken(`ghp_${"a".repeat(36)}`)).toBeNull();
  });

  it("hashes to lower-case hex SHA-256 that differs from the token and between tokens", () => {
    const a = generateToken("personal");
    const b = generateToken("personal");
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(a)).toBe(hashToken(a));
    expect(hashToken(a)).not.toBe(a);
    expect(hashToken(a)).not.toContain(a.slice(TOKEN_PREFIXES.personal.length, -CHECKSUM_LENGTH));
    expect(hashToken(a)).not.toBe(hashToken(b));
    // the known SHA-256 of "abc", so the algorithm is what the database expects
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("hints with the prefix and last four characters only", () => {
    const token = generateToken("service");
    expect(tokenHint(token)).toBe(`envp_svc_…${token.slice(-4)}`);
  });
});
