/** The caller (viewer): a user with a personal token, or a project's service token. */
import { canOnInstance } from "../authz/policy.js";
import { builder, requireActor } from "./builder.js";
import { pageArgs, rootConnection } from "./connection.js";
import { TokenConnection, tokensByCreation } from "./token.js";

export const Viewer = builder
  .objectRef<{ tokenId: string; userId: string | null; projectId: string | null; sessionId: string | null }>("Viewer")
  .implement({
    description:
      "The caller: a user (personal token or dashboard session) or a project's service token. " +
      "For a session, `token` is the personal token it descends from.",
    fields: (t) => ({
      canCreateProjects: t.boolean({
        description: "Whether the caller may create projects (users may; service tokens may not).",
        resolve: (_v, _a, ctx) => canOnInstance(requireActor(ctx), "project:create"),
      }),
      canManageUsers: t.boolean({
        description: "Whether the caller may create and list users (instance admins).",
        resolve: (_v, _a, ctx) => canOnInstance(requireActor(ctx), "user:manage"),
      }),
      token: t.prismaField({
        type: "Token",
        resolve: (query, v, _a, ctx) => ctx.db.reader.token.findUniqueOrThrow({ ...query, where: { id: v.tokenId } }),
      }),
      user: t.prismaField({
        type: "User",
        nullable: true,
        description: "null for service tokens.",
        resolve: (query, v, _a, ctx) =>
          v.userId ? ctx.db.reader.user.findUnique({ ...query, where: { id: v.userId } }) : null,
      }),
      project: t.prismaField({
        type: "Project",
        nullable: true,
        description: "A service token's project; null for personal tokens.",
        resolve: (query, v, _a, ctx) =>
          v.projectId ? ctx.db.reader.project.findUnique({ ...query, where: { id: v.projectId } }) : null,
      }),
      personalTokens: t.field({
        type: TokenConnection,
        description: "The user's personal tokens (metadata only), newest first; empty for service tokens.",
        args: pageArgs(t.arg),
        resolve: (v, args, ctx, info) => {
          // a service token has no user: a condition that matches nothing
          const where = v.userId ? { userId: v.userId, kind: "personal" } : { id: { in: [] as string[] } };
          return rootConnection(ctx, info, {
            typeName: "Token",
            keyset: tokensByCreation,
            args,
            where,
            findMany: (query) => ctx.db.reader.token.findMany(query),
            count: (query) => ctx.db.reader.token.count(query),
          });
        },
      }),
    }),
  });

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    resolve: (_root, _args, ctx) => {
      const actor = requireActor(ctx);
      return actor.kind === "user"
        ? { tokenId: actor.tokenId, userId: actor.userId, projectId: null, sessionId: actor.sessionId ?? null }
        : { tokenId: actor.tokenId, userId: null, projectId: actor.projectId, sessionId: null };
    },
  }),
}));
