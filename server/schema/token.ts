/** Tokens and the caller (viewer). A token's value is returned once, at creation. */
import { SERVICE_PERMISSIONS } from "../../core/roles.js";
import { builder, requireActor } from "./builder.js";

const TokenKind = builder.enumType("TokenKind", {
  values: {
    PERSONAL: { value: "personal", description: "Acts for a user, with the user's role in each project." },
    SERVICE: { value: "service", description: "Belongs to one project, with its own permissions and environments." },
  } as const,
});

const TokenPermission = builder.enumType("TokenPermission", {
  values: {
    READ: { value: "read", description: "List variables and pull standard values." },
    WRITE: { value: "write", description: "Change variables." },
    RUNTIME: { value: "runtime", description: "Runtime resolution: values including secrets." },
  } as const,
});

builder.prismaObject("Token", {
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.field({ type: TokenKind, resolve: (tok) => tok.kind as "personal" | "service" }),
    name: t.exposeString("name"),
    hint: t.exposeString("hint", { description: "The token's prefix and last four characters, to recognize it." }),
    permissions: t.field({
      type: [TokenPermission],
      description: "Service tokens' permissions; empty for personal tokens.",
      resolve: (tok) => tok.permissions.split(",").filter((p): p is (typeof SERVICE_PERMISSIONS)[number] => (SERVICE_PERMISSIONS as readonly string[]).includes(p)),
    }),
    environments: t.stringList({
      nullable: true,
      description: "Names of the environments a service token is limited to; null for every environment (and for personal tokens).",
      select: { allEnvironments: true, environments: { select: { environment: { select: { name: true } } } } },
      resolve: (tok) => (tok.allEnvironments ? null : tok.environments.map((e) => e.environment.name).sort()),
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    createdBy: t.relation("user", { nullable: true, description: "The user a personal token acts for, or who created a service token." }),
  }),
});

const Viewer = builder.objectRef<{ tokenId: string; userId: string | null; projectId: string | null }>("Viewer").implement({
  description: "The caller: a user (personal token) or a project's service token.",
  fields: (t) => ({
    token: t.prismaField({ type: "Token", resolve: (query, v, _a, ctx) => ctx.db.reader.token.findUniqueOrThrow({ ...query, where: { id: v.tokenId } }) }),
    user: t.prismaField({
      type: "User",
      nullable: true,
      description: "null for service tokens.",
      resolve: (query, v, _a, ctx) => (v.userId ? ctx.db.reader.user.findUnique({ ...query, where: { id: v.userId } }) : null),
    }),
    project: t.prismaField({
      type: "Project",
      nullable: true,
      description: "A service token's project; null for personal tokens.",
      resolve: (query, v, _a, ctx) => (v.projectId ? ctx.db.reader.project.findUnique({ ...query, where: { id: v.projectId } }) : null),
    }),
    personalTokens: t.prismaField({
      type: ["Token"],
      description: "The user's personal tokens (metadata only).",
      resolve: (query, v, _a, ctx) => (v.userId ? ctx.db.reader.token.findMany({ ...query, where: { userId: v.userId, kind: "personal" }, orderBy: { createdAt: "desc" } }) : []),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    resolve: (_root, _args, ctx) => {
      const actor = requireActor(ctx);
      return actor.kind === "user" ? { tokenId: actor.tokenId, userId: actor.userId, projectId: null } : { tokenId: actor.tokenId, userId: null, projectId: actor.projectId };
    },
  }),
}));

const CreateTokenInput = builder.inputType("CreateTokenInput", {
  fields: (t) => ({
    kind: t.field({ type: TokenKind, required: true }),
    name: t.string({ required: true }),
    project: t.string({ description: "SERVICE: the project it belongs to." }),
    environments: t.stringList({ description: "SERVICE: limit it to these environments (default: all)." }),
    permissions: t.field({ type: [TokenPermission], description: "SERVICE: default [READ]." }),
    expiresAt: t.field({ type: "DateTime", description: "Default: never." }),
    userId: t.id({ description: "PERSONAL: create it for another user (instance admins only)." }),
  }),
});

const CreateTokenPayload = builder.objectRef<{ tokenId: string; plaintextToken: string }>("CreateTokenPayload").implement({
  fields: (t) => ({
    plaintextToken: t.exposeString("plaintextToken", { description: "The token. Shown once: it cannot be read again." }),
    token: t.prismaField({ type: "Token", resolve: (query, p, _a, ctx) => ctx.db.reader.token.findUniqueOrThrow({ ...query, where: { id: p.tokenId } }) }),
  }),
});

const RevokeTokenPayload = builder.objectRef<{ tokenId: string }>("RevokeTokenPayload").implement({
  fields: (t) => ({
    token: t.prismaField({ type: "Token", resolve: (query, p, _a, ctx) => ctx.db.reader.token.findUniqueOrThrow({ ...query, where: { id: p.tokenId } }) }),
  }),
});

builder.mutationFields((t) => ({
  createToken: t.field({
    type: CreateTokenPayload,
    description: "Creates a personal token (for yourself) or a service token (admins of its project).",
    args: { input: t.arg({ type: CreateTokenInput, required: true }) },
    errors: {},
    resolve: async (_root, { input }, ctx) => {
      const { token, tokenInfo } = await ctx.services.tokens.createToken(requireActor(ctx), { ...input, userId: input.userId == null ? null : String(input.userId) });
      return { tokenId: tokenInfo.id, plaintextToken: token };
    },
  }),
  revokeToken: t.field({
    type: RevokeTokenPayload,
    description: "Revokes a token at once. Revoking a revoked token changes nothing.",
    args: { input: t.arg({ type: builder.inputType("RevokeTokenInput", { fields: (f) => ({ id: f.id({ required: true }) }) }), required: true }) },
    errors: {},
    resolve: async (_root, { input }, ctx) => ({ tokenId: (await ctx.services.tokens.revokeToken(requireActor(ctx), { id: String(input.id) })).id }),
  }),
}));
