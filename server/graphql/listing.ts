/**
 * Listing an environment (issue 10): its key names and their count for whoever may see the
 * environment (a service token that may only write included: names, never values), and one
 * variable by key, the explicit read of a full value. Previews (Variable.preview, …) are next
 * to the values they shorten (variable.ts, grid.ts).
 */
import DataLoader from "dataloader";
import { can, variableScope } from "../authz/index.js";
import { builder, type Context } from "./builder.js";

interface KeyedEnvironment {
  id: string;
  projectId: string;
}

/** Per request: the sorted base keys of each environment, one statement for all the environments asked. */
const keyLoaders = new WeakMap<Context, DataLoader<string, string[]>>();

function keysOf(ctx: Context, environmentId: string): Promise<string[]> {
  let loader = keyLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.db.reader.variable.findMany({
        where: { environmentId: { in: [...ids] } },
        select: { environmentId: true, key: true },
        orderBy: { key: "asc" },
      });
      const byEnvironment = new Map<string, string[]>(ids.map((id) => [id, []]));
      for (const row of rows) byEnvironment.get(row.environmentId)?.push(row.key);
      return ids.map((id) => byEnvironment.get(id) ?? []);
    });
    keyLoaders.set(ctx, loader);
  }
  return loader.load(environmentId);
}

/** The keys when the caller may see the environment (`environment:read`), else none. */
async function visibleKeys(env: KeyedEnvironment, ctx: Context): Promise<string[]> {
  const access = await ctx.loaders.access.load(env.projectId);
  if (!access || !can(access, "environment:read", env)) return [];
  return keysOf(ctx, env.id);
}

builder.prismaObjectFields("Environment", (t) => ({
  keys: t.stringList({
    description: "The names of its base variables, sorted; never values. Also for a service token that may only write.",
    select: { id: true, projectId: true },
    resolve: (env, _a, ctx) => visibleKeys(env, ctx),
  }),
  count: t.int({
    description: "How many base variables it has (the length of `keys`).",
    select: { id: true, projectId: true },
    resolve: async (env, _a, ctx) => (await visibleKeys(env, ctx)).length,
  }),
  variable: t.prismaField({
    type: "Variable",
    nullable: true,
    description:
      "One base variable by key, with its full `value` (the explicit read; listings show `preview`). " +
      "null when it does not exist or the caller may not read this environment's values.",
    args: { key: t.arg.string({ required: true }) },
    resolve: (query, env, { key }, ctx) =>
      ctx.db.reader.variable.findFirst({
        ...query,
        // AND: a token's scope names environments too, it must not replace this one.
        where: { AND: [{ environmentId: env.id, key }, variableScope(ctx.actor)] },
      }),
  }),
}));
