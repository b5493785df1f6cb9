/** The instance's users: listing (instance admins) and creation. */
import { assertCanOnInstance } from "../authz/index.js";
import { builder, requireActor } from "./builder.js";
import { connectionType, type Keyset, pageArgs, rootConnection } from "./connection.js";
import { mutation } from "./mutation.js";

export const User = builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    email: t.exposeString("email", { nullable: true }),
    isInstanceAdmin: t.exposeBoolean("isInstanceAdmin"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const usersByCreation: Keyset = {
  list: "users",
  fields: [
    ["createdAt", "date"],
    ["id", "string"],
  ],
  direction: "asc",
};
const UserConnection = connectionType("User", User, "Users, oldest first.");

builder.queryFields((t) => ({
  users: t.field({
    type: UserConnection,
    description: "Every user of this instance, oldest first (instance admins only).",
    args: pageArgs(t.arg),
    resolve: (_root, args, ctx, info) => {
      const actor = requireActor(ctx);
      assertCanOnInstance(actor, "user:manage", "Only instance admins can list users.");
      return rootConnection(ctx, info, {
        typeName: "User",
        keyset: usersByCreation,
        args,
        where: {},
        findMany: (query) => ctx.db.reader.user.findMany(query),
        count: (query) => ctx.db.reader.user.count(query),
      });
    },
  }),
}));

const CreateUserInput = builder.inputType("CreateUserInput", {
  fields: (t) => ({ name: t.string({ required: true }), email: t.string(), isInstanceAdmin: t.boolean() }),
});

const CreateUserPayload = builder.objectRef<{ userId: string; plaintextToken: string }>("CreateUserPayload").implement({
  fields: (t) => ({
    plaintextToken: t.exposeString("plaintextToken", {
      description: "The new user's first personal token. Shown once: hand it over securely.",
    }),
    user: t.prismaField({
      type: "User",
      resolve: (query, p, _a, ctx) => ctx.db.reader.user.findUniqueOrThrow({ ...query, where: { id: p.userId } }),
    }),
  }),
});

mutation("createUser", {
  input: CreateUserInput,
  type: CreateUserPayload,
  description: "Adds a user to this instance (instance admins only) and returns their first personal token.",
  resolve: async (input, actor, ctx) => {
    const { user, token } = await ctx.services.members.createUser(actor, input);
    return { userId: user.id, plaintextToken: token };
  },
});
