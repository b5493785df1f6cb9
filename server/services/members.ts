/** Users of this instance and their roles in projects. */
import type { Database } from "../db/client.js";
import { check, displayName } from "../../core/names.js";
import { ROLES, type Role } from "../../core/roles.js";
import { generateToken, hashToken, tokenHint } from "./token-format.js";
import { assertCan, projectAccess, type ProjectAccess } from "../authz/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "./errors.js";
import { inTransaction, isUniqueViolation } from "./transaction.js";

function assertRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new ValidationError(`Unknown role "${role}". Use viewer, developer, admin or owner.`, [{ path: ["role"], message: "Unknown role." }]);
}

function assertMayGrant(access: ProjectAccess, role: Role) {
  assertCan(access, "member:manage");
  if (role === "owner") assertCan(access, "member:grant-owner");
}

export function memberService({ db }: { db: Pick<Database, "reader" | "writer"> }) {
  async function ownerCount(projectId: string) {
    return db.reader.member.count({ where: { projectId, role: "owner" } });
  }

  return {
    /** Instance admins add users; each new user gets a first personal token, shown once. */
    async createUser(actor: Actor, input: { name: string; email?: string | null; isInstanceAdmin?: boolean | null }) {
      if (actor.kind !== "user" || !actor.isInstanceAdmin) throw new ForbiddenError("Only instance admins can create users.");
      assertValid(check(displayName, input.name, ["name"]));
      if (input.email != null && !/^[^@\s]+@[^@\s]+$/.test(input.email)) throw new ValidationError("email is not an e-mail address.", [{ path: ["email"], message: "Invalid e-mail." }]);
      const token = generateToken("personal");
      try {
        const user = await inTransaction(db.writer, async (tx) => {
          const user = await tx.user.create({ data: { name: input.name.trim(), email: input.email ?? null, isInstanceAdmin: input.isInstanceAdmin ?? false } });
          await tx.token.create({ data: { kind: "personal", name: "first token", hash: hashToken(token), hint: tokenHint(token), userId: user.id } });
          return user;
        });
        return { user, token };
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`A user with e-mail "${input.email}" already exists.`);
        throw error;
      }
    },

    async setMember(actor: Actor, input: { project: string; userId: string; role: string }) {
      assertRole(input.role);
      const access = await projectAccess(db.reader, actor, input.project);
      assertMayGrant(access, input.role);
      if (!(await db.reader.user.findUnique({ where: { id: input.userId }, select: { id: true } }))) throw new NotFoundError(`User "${input.userId}" not found.`, "User");
      const current = await db.reader.member.findUnique({ where: { projectId_userId: { projectId: access.project.id, userId: input.userId } } });
      if (current?.role === "owner" && input.role !== "owner") {
        assertMayGrant(access, "owner");
        if ((await ownerCount(access.project.id)) === 1) throw new ValidationError(`This is the last owner of project "${access.project.slug}". Make someone else owner first.`, [{ path: ["role"], message: "Last owner." }]);
      }
      const role = input.role;
      return inTransaction(db.writer, (tx) =>
        tx.member.upsert({
          where: { projectId_userId: { projectId: access.project.id, userId: input.userId } },
          create: { projectId: access.project.id, userId: input.userId, role },
          update: { role },
        }),
      );
    },

    async removeMember(actor: Actor, input: { project: string; userId: string }) {
      const access = await projectAccess(db.reader, actor, input.project);
      assertCan(access, "member:manage");
      const current = await db.reader.member.findUnique({ where: { projectId_userId: { projectId: access.project.id, userId: input.userId } } });
      if (!current) throw new NotFoundError(`User "${input.userId}" is not a member of project "${access.project.slug}".`, "Member");
      if (current.role === "owner") {
        assertMayGrant(access, "owner");
        if ((await ownerCount(access.project.id)) === 1) throw new ValidationError(`This is the last owner of project "${access.project.slug}". Make someone else owner first.`, [{ path: ["userId"], message: "Last owner." }]);
      }
      await inTransaction(db.writer, (tx) => tx.member.delete({ where: { projectId_userId: { projectId: access.project.id, userId: input.userId } } }));
      return { userId: input.userId };
    },
  };
}
