/** Tokens: metadata (a token's value is returned once, at creation), a project's service tokens, creation and revocation. */

import { SERVICE_PERMISSIONS } from "../../core/roles.js";
import { can } from "../authz/index.js";
import { ForbiddenError } from "../services/errors.js";
import { builder } from "./builder.js";
import { connectionType, type Keyset, pageArgs, relatedConnection } from "./connection.js";
import { mutation } from "./mutation.js";
import { User } from "./user.js";

export const TokenKind = builder.enumType("TokenKind", {
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

export const Token = builder.prismaObject("Token", {
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.field({ type: TokenKind, resolve: (tok) => tok.kind as "personal" | "service" }),
    name: t.exposeString("name"),
    hint: t.exposeString("hint", { description: "The token's prefix and last four characters, to recognize it." }),
    permissions: t.field({
      type: [TokenPermission],
      description: "Service tokens' permissions; empty for personal tokens.",
      resolve: (tok) =>
        tok.permissions
          .split(",")
          .filter((p): p is (typeof SERVICE_PERMISSIONS)[number] =>
            (SERVICE_PERMISSIONS as readonly string[]).includes(p),
          ),
    }),
    environments: t.stringList({
      nullable: true,
      description:
        "Names of the environments a service token is limited to; null for every environment (and for personal tokens).",
      select: { allEnvironments: true, environments: { select: { environment: { select: { name: true } } } } },
      resolve: (tok) => (tok.allEnvironments ? null : tok.environments.map((e) => e.environment.name).sort()),
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    createdBy: t.field({
      type: User,
      nullable: true,
      description:
        "The user a personal token acts for, or who created a service token. " +
        "For a service token it is shown only to callers who may list the project's members (member:read): " +
        "a service token never sees people.",
      select: (_args, _ctx, nestedSelection) => ({ projectId: true, user: nestedSelection(true) }),
      resolve: async (tok, _a, ctx) => {
        // A personal token is only ever shown to its own user (or the instance admin who created it).
        if (!tok.projectId) return tok.user;
        const access = await ctx.loaders.access.load(tok.projectId);
        return access && can(access, "member:read") ? tok.user : null;
      },
    }),
  }),
});

export const tokensByCreation: Keyset = {
  list: "tokens",
  fields: [
    ["createdAt", "date"],
    ["id", "string"],
  ],
  direction: "desc",
};
export const TokenConnection = connectionType("Token", Token, "Tokens, newest first.");
const serviceTokens = relatedConnection({
  type: TokenConnection,
  relation: "tokens",
  nodeType: "Token",
  keyset: tokensByCreation,
  where: () => ({ kind: "service" }),
  count: (project: { id: string }, where, ctx) =>
    ctx.db.reader.token.count({ where: { projectId: project.id, ...where } }),
});

builder.prismaObjectField("Project", "tokens", (t) =>
  t.field({
    type: serviceTokens.type,
    description:
      "Service tokens of this project, newest first (admins only: others get a ForbiddenError). " +
      "A token's value is never shown again after creation.",
    args: pageArgs(t.arg),
    extensions: serviceTokens.extensions,
    resolve: async (project, args, ctx) => {
      const access = await ctx.loaders.access.load(project.id);
      if (!access || !can(access, "token:manage"))
        throw new ForbiddenError("Only admins and owners can list a project's service tokens.");
      return serviceTokens.resolve(project, args, ctx);
    },
  }),
);

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
const RevokeTokenInput = builder.inputType("RevokeTokenInput", { fields: (t) => ({ id: t.id({ required: true }) }) });

const CreateTokenPayload = builder
  .objectRef<{ tokenId: string; plaintextToken: string }>("CreateTokenPayload")
  .implement({
    fields: (t) => ({
      plaintextToken: t.exposeString("plaintextToken", {
        description: "The token. Shown once: it cannot be read again.",
      }),
      token: t.prismaField({
        type: "Token",
        resolve: (query, p, _a, ctx) => ctx.db.reader.token.findUniqueOrThrow({ ...query, where: { id: p.tokenId } }),
      }),
    }),
  });
const RevokeTokenPayload = builder.objectRef<{ tokenId: string }>("RevokeTokenPayload").implement({
  fields: (t) => ({
    token: t.prismaField({
      type: "Token",
      resolve: (query, p, _a, ctx) => ctx.db.reader.token.findUniqueOrThrow({ ...query, where: { id: p.tokenId } }),
    }),
  }),
});

mutation("createToken", {
  input: CreateTokenInput,
  type: CreateTokenPayload,
  description: "Creates a personal token (for yourself) or a service token (admins of its project).",
  resolve: async (input, actor, ctx) => {
    const { token, tokenInfo } = await ctx.services.tokens.createToken(actor, {
      ...input,
      userId: input.userId == null ? null : String(input.userId),
    });
    return { tokenId: tokenInfo.id, plaintextToken: token };
  },
});

mutation("revokeToken", {
  input: RevokeTokenInput,
  type: RevokeTokenPayload,
  description: "Revokes a token at once. Revoking a revoked token changes nothing.",
  resolve: async (input, actor, ctx) => ({
    tokenId: (await ctx.services.tokens.revokeToken(actor, { id: String(input.id) })).id,
  }),
});
