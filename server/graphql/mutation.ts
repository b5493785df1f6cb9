/** The shape every mutation shares, written once: one required `input`, the error union, the caller. */
import type { InputObjectRef, ObjectRef } from "@pothos/core";
import type { Actor } from "../services/actor.js";
import { builder, type Context, requireActor, type Types } from "./builder.js";

/**
 * Adds `name(input: <input>!): <Name>Result` to Mutation, where the result is the union of
 * `type` and the expected errors (ValidationError, NotFoundError, ConflictError, ForbiddenError).
 * `resolve` gets the input and the authenticated caller (no token: HTTP 401).
 */
export function mutation<In extends object, Out>(
  name: string,
  options: {
    input: InputObjectRef<Types, In>;
    type: ObjectRef<Types, Out>;
    description?: string;
    resolve: (input: In, actor: Actor, ctx: Context) => Out | Promise<Out>;
  },
): void {
  builder.mutationField(name, (t) =>
    t.field({
      type: options.type,
      description: options.description,
      args: { input: t.arg({ type: options.input, required: true }) },
      errors: {},
      // Pothos' conditional input and result types do not resolve for generic In/Out; the refs above fix both.
      resolve: (_root, args, ctx) => options.resolve((args as { input: In }).input, requireActor(ctx), ctx) as never,
    }),
  );
}
