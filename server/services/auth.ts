/** Turns a bearer token into an Actor. Malformed tokens are rejected before any query. */
import { timingSafeEqual } from "node:crypto";
import type { ServicePermission } from "../../core/roles.js";
import type { Db } from "../db/client.js";
import type { Actor } from "./actor.js";
import { hashToken, parseToken } from "./token-format.js";
import { inTransaction } from "./transaction.js";

export class AuthenticationError extends Error {}

const LAST_USED_EVERY_MS = 60_000;

export function authService({
  reader,
  writer,
}: {
  reader: Pick<Db, "token" | "user" | "tokenEnvironment">;
  writer: Db;
}) {
  const lastUsedWritten = new Map<string, number>();

  return {
    async authenticate(token: string, now = new Date()): Promise<Actor> {
      if (!parseToken(token))
        throw new AuthenticationError(
          "The token is malformed (bad prefix, length or checksum). Copy it again; envplane tokens start with envp_.",
        );
      const hash = hashToken(token);
      // Relations are loaded only when the token's kind needs them (one statement each).
      const row = await reader.token.findUnique({
        where: { hash },
        select: {
          id: true,
          kind: true,
          hash: true,
          userId: true,
          projectId: true,
          permissions: true,
          allEnvironments: true,
          expiresAt: true,
          revokedAt: true,
        },
      });
      if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash)))
        throw new AuthenticationError("The token is not valid. Check it, or create a new one.");
      if (row.revokedAt) throw new AuthenticationError("The token was revoked. Create a new one.");
      if (row.expiresAt && row.expiresAt <= now)
        throw new AuthenticationError("The token has expired. Create a new one.");

      const last = lastUsedWritten.get(row.id) ?? 0;
      if (now.getTime() - last > LAST_USED_EVERY_MS) {
        lastUsedWritten.set(row.id, now.getTime());
        await inTransaction(writer, (tx) => tx.token.update({ where: { id: row.id }, data: { lastUsedAt: now } }));
      }
      if (row.kind === "personal") {
        const user = await reader.user.findUnique({ where: { id: row.userId! }, select: { isInstanceAdmin: true } });
        return { kind: "user", tokenId: row.id, userId: row.userId!, isInstanceAdmin: user?.isInstanceAdmin ?? false };
      }
      const scope = row.allEnvironments
        ? null
        : await reader.tokenEnvironment.findMany({ where: { tokenId: row.id }, select: { environmentId: true } });
      return {
        kind: "service",
        tokenId: row.id,
        projectId: row.projectId!,
        permissions: new Set(row.permissions.split(",").filter(Boolean) as ServicePermission[]),
        environmentIds: scope ? new Set(scope.map((e) => e.environmentId)) : null,
      };
    },
  };
}
