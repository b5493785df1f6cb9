/** Turns a bearer token into an Actor. Malformed tokens are rejected before any query. */
import { timingSafeEqual } from "node:crypto";
import type { ServicePermission } from "../../core/roles.js";
import type { Db } from "../db/client.js";
import type { Actor } from "./actor.js";
import { hashToken, isSessionSecret, parseToken } from "./token-format.js";
import { inTransaction } from "./transaction.js";

export class AuthenticationError extends Error {}

/** A dashboard session that expired, was revoked or signed out (or a cookie that never was one). */
export class SessionEndedError extends AuthenticationError {}

const LAST_USED_EVERY_MS = 60_000;

/**
 * Token hash -> actor, kept this long by each process: most requests skip the token, user and
 * scope lookups. A revocation (and any write that can change an actor: token, member, user,
 * project or environment deletion) made through this process empties the cache at commit
 * (server/services/index.ts); one made through another server sharing the database (PostgreSQL)
 * takes effect there within this bound. Expiry is checked on every request.
 */
export const AUTH_CACHE_TTL_MS = 5_000;
const AUTH_CACHE_MAX = 10_000;

interface Cached {
  actor: Actor;
  expiresAt: Date | null;
  cachedAt: number;
}

export function authService({
  reader,
  writer,
}: {
  reader: Pick<Db, "token" | "user" | "tokenEnvironment" | "session">;
  writer: Db;
}) {
  const lastUsedWritten = new Map<string, number>();
  const cache = new Map<string, Cached>();
  /** Bumped by forgetAll: a lookup that started before a revocation committed is not cached. */
  let generation = 0;

  async function touchSession(sessionId: string, now: Date) {
    const last = lastUsedWritten.get(sessionId) ?? 0;
    if (now.getTime() - last <= LAST_USED_EVERY_MS) return;
    lastUsedWritten.set(sessionId, now.getTime());
    if (lastUsedWritten.size > AUTH_CACHE_MAX) lastUsedWritten.clear();
    // updateMany: the session may have been deleted meanwhile
    await writer.session.updateMany({ where: { id: sessionId }, data: { lastUsedAt: now } });
  }

  async function touch(tokenId: string, now: Date) {
    const last = lastUsedWritten.get(tokenId) ?? 0;
    if (now.getTime() - last <= LAST_USED_EVERY_MS) return;
    lastUsedWritten.set(tokenId, now.getTime());
    await inTransaction(writer, (tx) => tx.token.update({ where: { id: tokenId }, data: { lastUsedAt: now } }));
  }

  const service = {
    /** Forgets every cached actor (after a write that may revoke or change one). */
    forgetAll(): void {
      generation++;
      cache.clear();
    },

    async authenticate(token: string, now = new Date()): Promise<Actor> {
      if (!parseToken(token))
        throw new AuthenticationError(
          "The token is malformed (bad prefix, length or checksum). Copy it again; envplane tokens start with envp_.",
        );
      const hash = hashToken(token);
      const hit = cache.get(hash);
      if (hit && now.getTime() - hit.cachedAt < AUTH_CACHE_TTL_MS && now.getTime() >= hit.cachedAt) {
        if (hit.expiresAt && hit.expiresAt <= now) {
          cache.delete(hash);
          throw new AuthenticationError("The token has expired. Create a new one.");
        }
        await touch(hit.actor.tokenId, now);
        return hit.actor;
      }
      const started = generation;
      const found = await service.lookup(hash, now);
      if (generation === started) {
        if (cache.size >= AUTH_CACHE_MAX) cache.clear();
        cache.set(hash, { actor: found.actor, expiresAt: found.expiresAt, cachedAt: now.getTime() });
      }
      return found.actor;
    },

    /**
     * The user a dashboard session (the envplane_session cookie's secret) acts for. Cached like
     * tokens; a revocation through this process empties the cache, and expiry is checked on
     * every request.
     */
    async authenticateSession(secret: string, now = new Date()): Promise<Actor> {
      const ended = new SessionEndedError(
        "Your dashboard session has ended (it expired or was signed out). Sign in again.",
      );
      if (!isSessionSecret(secret)) throw ended;
      const key = `session:${hashToken(secret)}`;
      const hit = cache.get(key);
      if (hit && now.getTime() - hit.cachedAt < AUTH_CACHE_TTL_MS && now.getTime() >= hit.cachedAt) {
        if (hit.expiresAt && hit.expiresAt <= now) {
          cache.delete(key);
          throw ended;
        }
        await touchSession(hit.actor.kind === "user" ? hit.actor.sessionId! : "", now);
        return hit.actor;
      }
      const started = generation;
      const hash = key.slice("session:".length);
      const row = await reader.session.findUnique({
        where: { hash },
        select: {
          id: true,
          hash: true,
          userId: true,
          tokenId: true,
          expiresAt: true,
          user: { select: { isInstanceAdmin: true, name: true } },
          token: { select: { revokedAt: true, expiresAt: true } },
        },
      });
      if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) throw ended;
      // The personal token it descends from bounds it: revoked or expired, the session ends too.
      const expiresAt =
        row.token.expiresAt && row.token.expiresAt < row.expiresAt ? row.token.expiresAt : row.expiresAt;
      if (row.token.revokedAt || expiresAt <= now) throw ended;
      const actor: Actor = {
        kind: "user",
        tokenId: row.tokenId,
        userId: row.userId,
        isInstanceAdmin: row.user.isInstanceAdmin,
        sessionId: row.id,
        name: row.user.name,
      };
      await touchSession(row.id, now);
      if (generation === started) {
        if (cache.size >= AUTH_CACHE_MAX) cache.clear();
        cache.set(key, { actor, expiresAt, cachedAt: now.getTime() });
      }
      return actor;
    },

    /** The actor of a token hash, from the database. */
    async lookup(hash: string, now: Date): Promise<{ actor: Actor; expiresAt: Date | null }> {
      return service.lookupWhere({ hash }, now);
    },

    /** The actor of a token, by hash or id, from the database. */
    async lookupWhere(
      where: { hash: string } | { id: string },
      now: Date,
    ): Promise<{ actor: Actor; expiresAt: Date | null }> {
      // Relations are loaded only when the token's kind needs them (one statement each).
      const row = await reader.token.findUnique({
        where,
        select: {
          id: true,
          kind: true,
          name: true,
          hash: true,
          userId: true,
          projectId: true,
          permissions: true,
          allEnvironments: true,
          expiresAt: true,
          revokedAt: true,
        },
      });
      if (!row || ("hash" in where && !timingSafeEqual(Buffer.from(row.hash), Buffer.from(where.hash))))
        throw new AuthenticationError("The token is not valid. Check it, or create a new one.");
      if (row.revokedAt) throw new AuthenticationError("The token was revoked. Create a new one.");
      if (row.expiresAt && row.expiresAt <= now)
        throw new AuthenticationError("The token has expired. Create a new one.");

      await touch(row.id, now);
      const expiresAt = row.expiresAt;
      if (row.kind === "personal") {
        const user = await reader.user.findUnique({
          where: { id: row.userId! },
          select: { isInstanceAdmin: true, name: true },
        });
        return {
          actor: {
            kind: "user",
            tokenId: row.id,
            userId: row.userId!,
            isInstanceAdmin: user?.isInstanceAdmin ?? false,
            name: user?.name ?? "",
          },
          expiresAt,
        };
      }
      const scope = row.allEnvironments
        ? null
        : await reader.tokenEnvironment.findMany({ where: { tokenId: row.id }, select: { environmentId: true } });
      return {
        actor: {
          kind: "service",
          tokenId: row.id,
          projectId: row.projectId!,
          permissions: new Set(row.permissions.split(",").filter(Boolean) as ServicePermission[]),
          environmentIds: scope ? new Set(scope.map((e) => e.environmentId)) : null,
          name: `service token ${row.name}`,
        },
        expiresAt,
      };
    },
  };
  return service;
}
