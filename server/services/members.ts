/**
 * Users of this instance and their roles in projects. "At least one owner" holds under
 * concurrency: every membership change locks the project row first in its transaction and
 * checks the owners inside it, so two owners demoting each other at once cannot both win.
 */

import { check, displayName } from "../../core/names.js";
import { ROLES, type Role } from "../../core/roles.js";
import { assertCan, assertCanOnInstance, type ProjectAccess } from "../authz/index.js";
import type { Database, Tx } from "../db/client.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, NotFoundError, ValidationError } from "./errors.js";
import { generateToken, hashToken, tokenHint } from "./token-format.js";
import { isUniqueViolation } from "./transaction.js";

function assertRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role))
    throw new ValidationError(`Unknown role "${role}". Use viewer, developer, admin or owner.`, [
      { path: ["role"], message: "Unknown role." },
    ]);
}

function assertMayGrant(access: ProjectAccess, role: Role) {
  assertCan(access, "member:manage");
  if (role === "owner") assertCan(access, "member:grant-owner");
}

/** Refuses to take the owner role from the project's last owner (read inside the locked transaction). */
async function assertNotLastOwner(tx: Tx, access: ProjectAccess, field: string) {
  if ((await tx.member.count({ where: { projectId: access.project.id, role: "owner" } })) <= 1)
    throw new ValidationError(
      `This is the last owner of project "${access.project.slug}". Make someone else owner first.`,
      [{ path: [field], message: "Last owner." }],
    );
}

export function memberService({ db, writes }: { db: Pick<Database, "reader">; writes: WritePath }) {
  return {
    /** Instance admins add users; each new user gets a first personal token, shown once. */
    async createUser(actor: Actor, input: { name: string; email?: string | null; isInstanceAdmin?: boolean | null }) {
      assertCanOnInstance(actor, "user:manage", "Only instance admins can create users.");
      assertValid(check(displayName, input.name, ["name"]));
      if (input.email != null && !/^[^@\s]+@[^@\s]+$/.test(input.email))
        throw new ValidationError("email is not an e-mail address.", [{ path: ["email"], message: "Invalid e-mail." }]);
      const token = generateToken("personal");
      try {
        const user = await writes.run({ actor, action: "user.create" }, async ({ tx, record }) => {
          const user = await tx.user.create({
            data: {
              name: input.name.trim(),
              email: input.email ?? null,
              isInstanceAdmin: input.isInstanceAdmin ?? false,
            },
          });
          const first = await tx.token.create({
            data: {
              kind: "personal",
              name: "first token",
              hash: hashToken(token),
              hint: tokenHint(token),
              userId: user.id,
            },
          });
          record({ metadata: { userId: user.id, isInstanceAdmin: user.isInstanceAdmin, token: first.id } });
          return user;
        });
        return { user, token };
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`A user with e-mail "${input.email}" already exists.`);
        throw error;
      }
    },

    /** Adds a user (named by id or by e-mail) to a project or changes their role. */
    async setMember(
      actor: Actor,
      input: { project: string; userId?: string | null; email?: string | null; role: string },
    ) {
      assertRole(input.role);
      const role = input.role;
      if ((input.userId == null) === (input.email == null))
        throw new ValidationError("Name the user by userId or by email (one of them).", [
          { path: [input.userId == null ? "email" : "userId"], message: "Give either userId or email." },
        ]);
      if (input.email != null && !input.email.trim())
        throw new ValidationError("The e-mail address is empty.", [
          { path: ["email"], message: "Give the e-mail address of a user of this instance." },
        ]);
      let userId = input.userId ?? "";
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        assertMayGrant(access, role);
        if (input.email != null) {
          const email = input.email.trim();
          const user = await db.reader.user.findUnique({ where: { email }, select: { id: true } });
          if (!user)
            throw new NotFoundError(
              `No user with e-mail "${email}". Instance admins add users (dashboard Users page or "envplane users create").`,
              "User",
            );
          userId = user.id;
        } else if (!(await db.reader.user.findUnique({ where: { id: userId }, select: { id: true } })))
          throw new NotFoundError(`User "${userId}" not found.`, "User");
      };
      return writes.run(
        { actor, action: "member.set", project: input.project, authorize, serializeProject: true },
        async ({ tx, access, record }) => {
          const where = { projectId_userId: { projectId: access.project.id, userId } };
          const current = await tx.member.findUnique({ where, select: { role: true } });
          if (current?.role === "owner" && role !== "owner") {
            assertMayGrant(access, "owner");
            await assertNotLastOwner(tx, access, "role");
          }
          record({ metadata: { userId, role, previousRole: current?.role ?? null } });
          return tx.member.upsert({
            where,
            create: { projectId: access.project.id, userId, role },
            update: { role },
          });
        },
      );
    },

    async removeMember(actor: Actor, input: { project: string; userId: string }) {
      const spec = {
        actor,
        action: "member.remove",
        project: input.project,
        permission: "member:manage",
        serializeProject: true,
      } as const;
      return writes.run(spec, async ({ tx, access, record }) => {
        const where = { projectId_userId: { projectId: access.project.id, userId: input.userId } };
        const current = await tx.member.findUnique({ where, select: { role: true } });
        if (!current)
          throw new NotFoundError(
            `User "${input.userId}" is not a member of project "${access.project.slug}".`,
            "Member",
          );
        if (current.role === "owner") {
          assertMayGrant(access, "owner");
          await assertNotLastOwner(tx, access, "userId");
        }
        await tx.member.delete({ where });
        record({ metadata: { userId: input.userId, role: current.role } });
        return { userId: input.userId };
      });
    },
  };
}
