/** Dashboard sessions: the viewer's list, revocation, and one-time sign-in links (envplane dashboard). */
import { builder, requireActor } from "./builder.js";
import { connectionType, type Keyset, pageArgs, rootConnection } from "./connection.js";
import { mutation } from "./mutation.js";
import { Viewer } from "./viewer.js";

const SessionVia = builder.enumType("SessionVia", {
  values: {
    TOKEN: { value: "token", description: "Signed in with a personal token." },
    LINK: { value: "link", description: 'Signed in with a one-time sign-in link ("envplane dashboard").' },
  } as const,
});

export const Session = builder.prismaObject("Session", {
  description: "A dashboard (browser) session of a user. Its secret lives only in the browser's cookie.",
  fields: (t) => ({
    id: t.exposeID("id"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", description: "Updated at most once a minute." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    userAgent: t.exposeString("userAgent", { description: "The browser's User-Agent when it signed in (truncated)." }),
    createdVia: t.field({ type: SessionVia, resolve: (s) => s.createdVia as "token" | "link" }),
    current: t.boolean({
      description: "Whether this is the session making the request.",
      resolve: (s, _a, ctx) => ctx.actor?.kind === "user" && ctx.actor.sessionId === s.id,
    }),
  }),
});

const sessionsByCreation: Keyset = {
  list: "sessions",
  fields: [
    ["createdAt", "date"],
    ["id", "string"],
  ],
  direction: "desc",
};
const SessionConnection = connectionType("Session", Session, "Dashboard sessions, newest first.");

builder.objectFields(Viewer, (t) => ({
  sessions: t.field({
    type: SessionConnection,
    description: "The user's dashboard sessions that have not expired, newest first; empty for service tokens.",
    args: pageArgs(t.arg),
    resolve: (v, args, ctx, info) => {
      const where = v.userId ? { userId: v.userId, expiresAt: { gt: new Date() } } : { id: { in: [] as string[] } };
      return rootConnection(ctx, info, {
        typeName: "Session",
        keyset: sessionsByCreation,
        args,
        where,
        findMany: (query) => ctx.db.reader.session.findMany(query),
        count: (query) => ctx.db.reader.session.count(query),
      });
    },
  }),
  session: t.prismaField({
    type: "Session",
    nullable: true,
    description: "The session making the request; null with a token.",
    resolve: (query, v, _a, ctx) =>
      v.sessionId ? ctx.db.reader.session.findUnique({ ...query, where: { id: v.sessionId } }) : null,
  }),
}));

const RevokeSessionInput = builder.inputType("RevokeSessionInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});
const RevokeSessionPayload = builder.objectRef<{ id: string }>("RevokeSessionPayload").implement({
  fields: (t) => ({ id: t.exposeID("id", { description: "The session that ended." }) }),
});
const RevokeOtherSessionsPayload = builder.objectRef<{ count: number }>("RevokeOtherSessionsPayload").implement({
  fields: (t) => ({ count: t.exposeInt("count", { description: "How many sessions ended." }) }),
});
const SignInLink = builder.objectRef<{ url: string; expiresAt: Date }>("SignInLink").implement({
  description: "A one-time link that signs a browser in to the dashboard as you.",
  fields: (t) => ({
    url: t.exposeString("url", { description: "Open it within 2 minutes; it works once. Treat it like a password." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
  }),
});

mutation("revokeSession", {
  input: RevokeSessionInput,
  type: RevokeSessionPayload,
  description: "Ends one of your dashboard sessions at once (the current one too: that signs you out).",
  resolve: (input, actor, ctx) => ctx.services.sessions.revokeSession(actor, String(input.id)),
});

builder.mutationField("revokeOtherSessions", (t) =>
  t.field({
    type: RevokeOtherSessionsPayload,
    description:
      "Ends all your dashboard sessions except the one making the request (with a token: all of them). " +
      "Ending none is not an error (count 0).",
    errors: {},
    resolve: (_root, _args, ctx) => ctx.services.sessions.revokeOtherSessions(requireActor(ctx)),
  }),
);

builder.mutationField("createSignInLink", (t) =>
  t.field({
    type: SignInLink,
    description:
      "A one-time link (2 minutes) that signs a browser in to this server's dashboard as you. " +
      "Users only (personal token or session); service tokens get a ForbiddenError.",
    errors: {},
    resolve: async (_root, _args, ctx) => {
      const { code, expiresAt } = await ctx.services.sessions.createSignInLink(requireActor(ctx));
      return { url: `${ctx.origin}/sign-in#code=${code}`, expiresAt };
    },
  }),
);
