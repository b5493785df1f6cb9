/** Personal and service tokens: created (shown once), listed by metadata, revoked. */

import { check, displayName } from "../../core/names.js";
import { SERVICE_PERMISSIONS, type ServicePermission } from "../../core/roles.js";
import { assertCanOnInstance, canOnInstance, type ProjectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import { Rollback, type WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertValid, NotFoundError, ValidationError } from "./errors.js";
import { findEnvironment } from "./lookup.js";
import { generateToken, hashToken, type TokenKind, tokenHint } from "./token-format.js";

export interface CreateTokenInput {
  kind: TokenKind;
  name: string;
  /** Service tokens: the project they belong to. */
  project?: string | null;
  /** Service tokens: environment names; null or empty = every environment. */
  environments?: string[] | null;
  permissions?: ServicePermission[] | null;
  expiresAt?: Date | null;
  /** Personal tokens: another user's id (instance admins only, e.g. for a new user). */
  userId?: string | null;
}

export function tokenService({ db, writes }: { db: Pick<Database, "reader">; writes: WritePath }) {
  return {
    async createToken(actor: Actor, input: CreateTokenInput, now = new Date()) {
      assertValid(check(displayName, input.name, ["name"]));
      if (input.expiresAt && input.expiresAt <= now)
        throw new ValidationError(
          "expiresAt is in the past. Give a future date, or none for a token that does not expire.",
          [{ path: ["expiresAt"], message: "Must be in the future." }],
        );
      assertCanOnInstance(actor, "token:create", "Service tokens cannot create tokens. Use a personal token.");
      const token = generateToken(input.kind);
      const base = {
        name: input.name.trim(),
        hash: hashToken(token),
        hint: tokenHint(token),
        expiresAt: input.expiresAt ?? null,
      };

      if (input.kind === "personal") {
        if (input.project || input.environments?.length || input.permissions?.length)
          throw new ValidationError(
            "Personal tokens act with their user's roles; project, environments and permissions are for service tokens.",
            [{ path: ["kind"], message: "Use kind SERVICE." }],
          );
        const userId = input.userId ?? actor.userId;
        if (userId !== actor.userId)
          assertCanOnInstance(actor, "user:manage", "Only instance admins can create tokens for other users.");
        if (!(await db.reader.user.findUnique({ where: { id: userId }, select: { id: true } })))
          throw new NotFoundError(`User "${userId}" not found.`, "User");
        const row = await writes.run({ actor, action: "token.create" }, async ({ tx, record }) => {
          const created = await tx.token.create({ data: { ...base, kind: "personal", userId } });
          record({ metadata: { token: created.id, kind: "personal", name: created.name, userId } });
          return created;
        });
        return { token, tokenInfo: row };
      }

      if (!input.project)
        throw new ValidationError("A service token belongs to one project: set project.", [
          { path: ["project"], message: "Required for service tokens." },
        ]);
      // An empty list is a mistake, never "all" or "the default": a token limited to nothing would get everything.
      if (input.environments && input.environments.length === 0)
        throw new ValidationError("environments is an empty list: name at least one, or leave it out for all.", [
          { path: ["environments"], message: "Pick at least one environment, or all of them." },
        ]);
      if (input.permissions && input.permissions.length === 0)
        throw new ValidationError("permissions is an empty list: name at least one (read, write, runtime).", [
          { path: ["permissions"], message: "Pick at least one permission." },
        ]);
      const permissions = [...new Set(input.permissions ?? ["read"])] as ServicePermission[];
      for (const p of permissions)
        if (!SERVICE_PERMISSIONS.includes(p))
          throw new ValidationError(`Unknown permission "${p}". Use read, write or runtime.`, [
            { path: ["permissions"], message: "Unknown permission." },
          ]);
      const envs: { id: string; name: string }[] = [];
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        for (const name of new Set(input.environments ?? [])) envs.push(await findEnvironment(db.reader, access, name));
      };
      const row = await writes.run(
        { actor, action: "token.create", project: input.project, permission: "token:manage", authorize },
        async ({ tx, access, record }) => {
          const created = await tx.token.create({
            data: {
              ...base,
              kind: "service",
              userId: actor.userId,
              projectId: access.project.id,
              permissions: permissions.sort().join(","),
              allEnvironments: envs.length === 0,
              environments: { create: envs.map((e) => ({ environmentId: e.id })) },
            },
          });
          record({
            metadata: {
              token: created.id,
              kind: "service",
              name: created.name,
              permissions,
              environments: envs.map((e) => e.name),
            },
          });
          return created;
        },
      );
      return { token, tokenInfo: row };
    },

    async revokeToken(actor: Actor, input: { id: string }, now = new Date()) {
      // Checked first, so a service token learns nothing about which token ids exist.
      assertCanOnInstance(actor, "token:create", "Service tokens cannot revoke tokens. Use a personal token.");
      const row = await db.reader.token.findUnique({
        where: { id: input.id },
        select: {
          id: true,
          kind: true,
          userId: true,
          projectId: true,
          revokedAt: true,
          project: { select: { slug: true } },
        },
      });
      const notFound = new NotFoundError(
        `Token "${input.id}" not found. List tokens with "envplane tokens list".`,
        "Token",
      );
      if (!row) throw notFound;
      if (row.kind === "personal" && row.userId !== actor.userId && !canOnInstance(actor, "user:manage"))
        throw notFound;
      const project = row.kind === "service" ? row.project!.slug : undefined;
      const hide = (error: unknown) => {
        // A project the caller cannot access: the token does not exist for it either.
        throw error instanceof NotFoundError && error.resource === "Project" ? notFound : error;
      };
      return writes
        .run(
          { actor, action: "token.revoke", project, permission: project ? "token:manage" : undefined },
          async ({ tx, record }) => {
            // Already revoked (checked after access, so it tells nothing to others): nothing to do, no event.
            if (row.revokedAt) throw new Rollback(await tx.token.findUniqueOrThrow({ where: { id: row.id } }));
            record({ metadata: { token: row.id, kind: row.kind } });
            return tx.token.update({ where: { id: row.id }, data: { revokedAt: now } });
          },
        )
        .catch(hide);
    },
  };
}
