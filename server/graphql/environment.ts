/** Environments: listing, creation (optionally seeded), deletion, protection and seeding. */
import { can, type EnvironmentAction, variableScope } from "../authz/index.js";
import type { SeedSummary } from "../services/environments.js";
import { builder } from "./builder.js";
import { mutation } from "./mutation.js";

/** One `viewerCan…` field per environment action, answered by the policy. */
const ENVIRONMENT_PERMISSION_FIELDS: [field: string, action: EnvironmentAction, description: string][] = [
  ["viewerCanRead", "variable:read-value", "Whether the caller may read this environment's standard values."],
  ["viewerCanWrite", "environment:write", "Whether the caller may change this environment's variables."],
  [
    "viewerCanResolveRuntime",
    "runtime:resolve",
    "Whether the caller may resolve it at runtime, secrets included (service tokens).",
  ],
];

builder.prismaObject("Environment", {
  description: "A flat, independent set of variables. development, preview and production always exist.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    isDefault: t.exposeBoolean("isDefault", {
      description: "development, preview and production: cannot be deleted or renamed.",
    }),
    isProtected: t.exposeBoolean("isProtected", {
      description: "Only admins and owners (or a service token with write on it) change a protected environment.",
    }),
    revision: t.exposeInt("revision", {
      description: "Incremented by every write; pass it back as expectedRevision to detect concurrent changes.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    variableCount: t.relationCount("variables", {
      description: "Base variables the caller may list (0 when it may not read this environment).",
      where: (_args, ctx) => variableScope(ctx.actor),
    }),
    ...Object.fromEntries(
      ENVIRONMENT_PERMISSION_FIELDS.map(([field, action, description]) => [
        field,
        t.boolean({
          description,
          resolve: async (env, _a, ctx) => {
            const access = await ctx.loaders.access.load(env.projectId);
            return !!access && can(access, action, env);
          },
        }),
      ]),
    ),
    mappedBranches: t.relation("mapping", {
      description: "Mapping entries that deploy with this environment.",
      query: { orderBy: { position: "asc" } },
    }),
  }),
});

const SeedAction = builder.enumType("SeedAction", {
  values: {
    KEEP: {
      value: "KEEP",
      description: "Copy the source value (standard variables only: a secret cannot be shown or kept).",
    },
    EDIT: { value: "EDIT", description: "Use a new value, optionally marked secret." },
    SKIP: { value: "SKIP", description: "Leave the variable out." },
  } as const,
});

export const SeedDecisionInput = builder.inputType("SeedDecisionInput", {
  fields: (t) => ({
    key: t.string({ required: true }),
    action: t.field({ type: SeedAction, required: true }),
    value: t.string({ description: "The new value, for EDIT." }),
    secret: t.boolean({ description: "For EDIT: store as secret (defaults to the source variable's type)." }),
  }),
});

const SeedSummaryRef = builder.objectRef<SeedSummary>("SeedSummary").implement({
  fields: (t) => ({
    copied: t.exposeStringList("copied"),
    edited: t.exposeStringList("edited"),
    skipped: t.exposeStringList("skipped"),
    skippedSecrets: t.exposeStringList("skippedSecrets", {
      description:
        "Secrets of the source left out of an as-is seed (also in `skipped`) because the caller may read the " +
        "source but not write it. Seed them as someone who may write the source, or set them in the target.",
    }),
    typeKept: t.exposeStringList("typeKept", {
      description: "Keys that already existed in the target with another type; they kept it.",
    }),
  }),
});

const CreateEnvironmentInput = builder.inputType("CreateEnvironmentInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    name: t.string({ required: true }),
    from: t.string({
      description: "Seed it from this environment: everything as-is (secrets included), or as reviewed in `decisions`.",
    }),
    decisions: t.field({
      type: [SeedDecisionInput],
      description: "A reviewed seed: one decision per variable of `from`.",
    }),
    isProtected: t.boolean(),
  }),
});

const SeedEnvironmentInput = builder.inputType("SeedEnvironmentInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    target: t.string({ required: true }),
    from: t.string({ required: true }),
    decisions: t.field({ type: [SeedDecisionInput], description: "Omit to copy everything as-is (secrets included)." }),
    expectedRevision: t.int({ description: "The target's revision you reviewed against." }),
    expectedSourceRevision: t.int({ description: "The source's revision you reviewed." }),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const NameInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({ project: t.string({ required: true }), name: t.string({ required: true }) }),
  });

const EnvironmentPayload = builder
  .objectRef<{ environment: { id: string }; seed: SeedSummary | null }>("EnvironmentPayload")
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      seed: t.expose("seed", {
        type: SeedSummaryRef,
        nullable: true,
        description: "What seeding did; null when nothing was seeded.",
      }),
    }),
  });

const DeleteEnvironmentPayload = builder
  .objectRef<{ name: string; unmappedBranches: string[] }>("DeleteEnvironmentPayload")
  .implement({
    fields: (t) => ({
      name: t.exposeString("name"),
      unmappedBranches: t.exposeStringList("unmappedBranches", {
        description: "Mapping entries that pointed at it and were removed.",
      }),
    }),
  });

const UpdateEnvironmentInput = builder.inputType("UpdateEnvironmentInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    name: t.string({ required: true }),
    isProtected: t.boolean({ required: true }),
  }),
});

mutation("createEnvironment", {
  input: CreateEnvironmentInput,
  type: EnvironmentPayload,
  description: "Creates a custom environment (admins), optionally seeded from another in the same transaction.",
  resolve: (input, actor, ctx) => ctx.services.environments.createEnvironment(actor, input),
});

mutation("deleteEnvironment", {
  input: NameInput("DeleteEnvironmentInput"),
  type: DeleteEnvironmentPayload,
  description: "Deletes a custom environment and its variables (admins). Default environments cannot be deleted.",
  resolve: (input, actor, ctx) => ctx.services.environments.deleteEnvironment(actor, input),
});

mutation("updateEnvironment", {
  input: UpdateEnvironmentInput,
  type: EnvironmentPayload,
  description: "Protects or unprotects an environment (admins).",
  resolve: async (input, actor, ctx) => ({
    environment: await ctx.services.environments.updateEnvironment(actor, input),
    seed: null,
  }),
});

mutation("seedEnvironment", {
  input: SeedEnvironmentInput,
  type: EnvironmentPayload,
  description:
    "Fills an existing environment from another: everything as-is, or a reviewed list of KEEP / EDIT / SKIP " +
    "decisions. Existing keys not in the source stay.",
  resolve: (input, actor, ctx) => ctx.services.environments.seedEnvironment(actor, input),
});
