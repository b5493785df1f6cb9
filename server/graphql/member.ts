/** Project members and their roles: listing (people only) and changes. */

import { ROLES } from "../../core/roles.js";
import { memberScope } from "../authz/index.js";
import { builder } from "./builder.js";
import { connectionType, type Keyset, pageArgs, relatedConnection } from "./connection.js";
import { mutation } from "./mutation.js";

export const RoleEnum = builder.enumType("Role", {
  description:
    "A user's role in a project: viewer reads; developer also writes unprotected environments; " +
    "admin writes all environments and manages mapping, environments, branches, members and tokens; " +
    "owner can also delete the project.",
  values: Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), { value: r }])) as Record<
    "VIEWER" | "DEVELOPER" | "ADMIN" | "OWNER",
    { value: (typeof ROLES)[number] }
  >,
});

export const Member = builder.prismaObject("Member", {
  fields: (t) => ({
    user: t.relation("user"),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role as (typeof ROLES)[number] }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const membersByJoining: Keyset = {
  list: "members",
  fields: [
    ["createdAt", "date"],
    ["userId", "string"],
  ],
  direction: "asc",
};
const MemberConnection = connectionType("Member", Member, "A project's members, in the order they joined.");
const members = relatedConnection({
  type: MemberConnection,
  relation: "members",
  nodeType: "Member",
  keyset: membersByJoining,
  where: (ctx) => memberScope(ctx.actor),
  count: (project: { id: string }, where, ctx) =>
    ctx.db.reader.member.count({ where: { projectId: project.id, ...where } }),
});

builder.prismaObjectField("Project", "members", (t) =>
  t.field({
    description:
      "Members and their roles, in the order they joined. Names and e-mail addresses are for people: " +
      "for a service token (and any caller without member:read, see viewerCanListMembers) the connection is empty.",
    args: pageArgs(t.arg),
    ...members,
  }),
);

const SetMemberInput = builder.inputType("SetMemberInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    userId: t.id({ description: "The user; or name them by email." }),
    email: t.string({ description: "The user's e-mail address (exact), instead of userId." }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});
const RemoveMemberInput = builder.inputType("RemoveMemberInput", {
  fields: (t) => ({ project: t.string({ required: true }), userId: t.id({ required: true }) }),
});

const SetMemberPayload = builder.objectRef<{ projectId: string; userId: string }>("SetMemberPayload").implement({
  fields: (t) => ({
    member: t.prismaField({
      type: "Member",
      resolve: (query, m, _a, ctx) =>
        ctx.db.reader.member.findUniqueOrThrow({
          ...query,
          where: { projectId_userId: { projectId: m.projectId, userId: m.userId } },
        }),
    }),
  }),
});
const RemoveMemberPayload = builder
  .objectRef<{ userId: string }>("RemoveMemberPayload")
  .implement({ fields: (t) => ({ userId: t.exposeID("userId") }) });

mutation("setMember", {
  input: SetMemberInput,
  type: SetMemberPayload,
  description: "Adds a user to a project or changes their role (admins; only owners grant or take away owner).",
  resolve: (input, actor, ctx) => ctx.services.members.setMember(actor, input),
});

mutation("removeMember", {
  input: RemoveMemberInput,
  type: RemoveMemberPayload,
  resolve: (input, actor, ctx) => ctx.services.members.removeMember(actor, input),
});
