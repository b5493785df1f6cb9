/** Variables and branch overrides; setting, unsetting and bulk upserts; pull and runtime resolution. */
import { type GraphQLResolveInfo, Kind } from "graphql";
import { variableScope } from "../authz/index.js";
import type { EnvironmentRow } from "../services/lookup.js";
import type { BulkUpsertResult } from "../services/variables.js";
import { builder, countEnvironmentRead, requireActor } from "./builder.js";
import { connectionType, type Keyset, pageArgs, relatedConnection } from "./connection.js";
import { mutation } from "./mutation.js";
import { PREVIEW_DESCRIPTION, readPreview, readValue, valueOwnerSelect } from "./values.js";

export const Variable = builder.prismaObject("Variable", {
  description:
    "A base value of an environment. Secrets are write-only: `value` is null for them, whatever the caller's role.",
  fields: (t) => ({
    id: t.exposeID("id"),
    key: t.exposeString("key"),
    isSecret: t.exposeBoolean("isSecret"),
    value: t.string({
      nullable: true,
      description: "The value; null for secrets.",
      select: { ...valueOwnerSelect, id: true, ciphertext: true, valueVersion: true },
      resolve: (v, _a, ctx) =>
        readValue(ctx.services.values, {
          id: v.id,
          variable: v,
          branchId: null,
          valueVersion: v.valueVersion,
          ciphertext: v.ciphertext,
        }),
    }),
    preview: t.string({
      nullable: true,
      description: `${PREVIEW_DESCRIPTION} The full value only in \`value\`.`,
      select: { ...valueOwnerSelect, id: true, ciphertext: true, valueVersion: true },
      resolve: (v, _a, ctx) =>
        readPreview(ctx.services.values, {
          id: v.id,
          variable: v,
          branchId: null,
          valueVersion: v.valueVersion,
          ciphertext: v.ciphertext,
        }),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    overrides: t.relation("overrides", {
      description: "Per-branch overrides of this value, by branch name.",
      query: { orderBy: { branch: { name: "asc" } } },
    }),
  }),
});

builder.prismaObject("BranchOverride", {
  description: "A value that replaces the base value for one project branch.",
  fields: (t) => ({
    id: t.exposeID("id"),
    branch: t.relation("branch"),
    value: t.string({
      nullable: true,
      description: "The override's value; null when the variable is a secret.",
      select: {
        id: true,
        ciphertext: true,
        valueVersion: true,
        branchId: true,
        variable: { select: valueOwnerSelect },
      },
      resolve: (o, _a, ctx) => readValue(ctx.services.values, o),
    }),
    preview: t.string({
      nullable: true,
      description: PREVIEW_DESCRIPTION,
      select: {
        id: true,
        ciphertext: true,
        valueVersion: true,
        branchId: true,
        variable: { select: valueOwnerSelect },
      },
      resolve: (o, _a, ctx) => readPreview(ctx.services.values, o),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const variablesByKey: Keyset = { list: "variables", fields: [["key", "string"]], direction: "asc" };
const VariableConnection = connectionType("Variable", Variable, "Base variables by key.");
const variables = relatedConnection({
  type: VariableConnection,
  relation: "variables",
  nodeType: "Variable",
  keyset: variablesByKey,
  where: (ctx) => variableScope(ctx.actor),
  count: (env: { id: string }, where, ctx) =>
    ctx.db.reader.variable.count({ where: { environmentId: env.id, ...where } }),
});

builder.prismaObjectField("Environment", "variables", (t) =>
  t.field({
    description:
      "Base variables by key, each with its branch overrides. Secrets have no value. " +
      "Empty when the caller may not read this environment (see viewerCanRead).",
    args: pageArgs(t.arg),
    ...variables,
  }),
);

const SetVariableInput = builder.inputType("SetVariableInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    key: t.string({ required: true }),
    value: t.string({ required: true }),
    secret: t.boolean({
      description:
        "Create as secret. The flag is set at creation and cannot change: giving the other value for an existing variable is an error.",
    }),
    branch: t.string({
      description: "Set a branch override instead of the base value (not on development; the base value must exist).",
    }),
    expectedRevision: t.int(),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
    note: t.string({ description: 'The variable\'s note (base values only): absent or null keeps it, "" clears it.' }),
  }),
});

const UnsetVariableInput = builder.inputType("UnsetVariableInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    key: t.string({ required: true }),
    branch: t.string({ description: "Remove only this branch's override; the base value stays." }),
    expectedRevision: t.int(),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

export const VariableInput = builder.inputType("VariableInput", {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string({ required: true }),
    secret: t.boolean({ description: "Type for new keys (default standard). Existing keys keep their type." }),
    note: t.string({ description: 'The key\'s note: absent or null keeps the stored one, "" clears it.' }),
    blankLineBefore: t.boolean({ description: "A blank line above the key in the .env file (kept with `layout`)." }),
  }),
});

const BulkUpsertVariablesInput = builder.inputType("BulkUpsertVariablesInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    variables: t.field({ type: [VariableInput], required: true, description: "The full set of base values." }),
    prune: t.boolean({ description: "Delete base variables missing from `variables` (with their overrides)." }),
    keep: t.stringList({
      description: "Keys prune leaves in place, e.g. the secrets `envplane env pull` left out of the file.",
    }),
    dryRun: t.boolean({ description: "Compute the diff without applying it." }),
    layout: t.boolean({
      description:
        "The order of `variables` and their blankLineBefore are the .env layout to keep; keys not sent stay " +
        "after the key they followed. A changed order counts as a change (layoutChanged).",
    }),
    expectedRevision: t.int({
      description: "Fail with a ConflictError when the environment changed since this revision.",
    }),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const SetVariablesInput = builder.inputType("SetVariablesInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    variables: t.field({
      type: [VariableInput],
      required: true,
      description:
        "The values to set (other variables stay). `secret` is the type of new keys; existing keys keep theirs.",
    }),
    branch: t.string({
      description:
        "Set overrides for this project branch instead of base values (not on development; every base value must exist).",
    }),
    expectedRevision: t.int(),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const UnsetVariablesInput = builder.inputType("UnsetVariablesInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    keys: t.stringList({ required: true }),
    branch: t.string({ description: "Remove only this project branch's overrides; the base values stay." }),
    expectedRevision: t.int(),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const SetVariablesPayload = builder
  .objectRef<{
    environment: { id: string; revision: number };
    branch: string | null;
    created: string[];
    updated: string[];
    unchanged: string[];
    secrets: string[];
  }>("SetVariablesPayload")
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      revision: t.int({
        description: "The environment's revision after the write.",
        resolve: (p) => p.environment.revision,
      }),
      branch: t.exposeString("branch", { nullable: true }),
      created: t.exposeStringList("created", { description: "Keys (or overrides) that did not exist before." }),
      updated: t.exposeStringList("updated", { description: "Keys (or overrides) given a new value." }),
      unchanged: t.exposeStringList("unchanged", {
        description:
          "Standard base values set again with the same value and note (readable to the caller): not written. Secrets are always written.",
      }),
      secrets: t.exposeStringList("secrets", { description: "The keys set that are secrets." }),
    }),
  });

const UnsetVariablesPayload = builder
  .objectRef<{
    environment: { id: string; revision: number };
    branch: string | null;
    removed: string[];
    missing: string[];
    overridesRemoved: number;
  }>("UnsetVariablesPayload")
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      revision: t.int({
        description: "The revision after the write (unchanged when nothing was removed).",
        resolve: (p) => p.environment.revision,
      }),
      branch: t.exposeString("branch", { nullable: true }),
      removed: t.exposeStringList("removed"),
      notFound: t.stringList({
        description: "Keys (or overrides) that were not there: nothing to remove.",
        resolve: (p) => p.missing,
      }),
      missing: t.exposeStringList("missing", {
        description: "Keys (or overrides) that were not there.",
        deprecationReason: "Use notFound.",
      }),
      overridesRemoved: t.exposeInt("overridesRemoved", { description: "Overrides deleted." }),
    }),
  });

const SetVariablePayload = builder
  .objectRef<{
    environment: { id: string; revision: number };
    key: string;
    branch: string | null;
    created: boolean;
    changed: boolean;
    noteOnly?: boolean;
    isSecret: boolean;
  }>("SetVariablePayload")
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      revision: t.int({
        description: "The environment's revision after the write.",
        resolve: (p) => p.environment.revision,
      }),
      key: t.exposeString("key"),
      branch: t.exposeString("branch", { nullable: true }),
      created: t.exposeBoolean("created", {
        description: "true when the variable (or override) did not exist before.",
      }),
      changed: t.exposeBoolean("changed", {
        description:
          "false when the same standard value was set again (readable to the caller): nothing was written, the revision is unchanged. Secrets are always written.",
      }),
      noteOnly: t.boolean({
        description: "true when the value was the same and only the note was written.",
        resolve: (p) => p.noteOnly ?? false,
      }),
      isSecret: t.exposeBoolean("isSecret"),
    }),
  });

const UnsetVariablePayload = builder
  .objectRef<{
    environment: { id: string; revision: number };
    key: string;
    branch: string | null;
    removed: boolean;
    overridesRemoved: number;
  }>("UnsetVariablePayload")
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      revision: t.int({ resolve: (p) => p.environment.revision }),
      key: t.exposeString("key"),
      branch: t.exposeString("branch", { nullable: true }),
      removed: t.exposeBoolean("removed", {
        description: "false when there was nothing to remove (the key or override was not found).",
      }),
      overridesRemoved: t.exposeInt("overridesRemoved", { description: "Overrides deleted with it." }),
    }),
  });

export const BulkUpsertVariablesPayload = builder.objectRef<BulkUpsertResult>("BulkUpsertVariablesPayload").implement({
  fields: (t) => ({
    environment: t.prismaField({
      type: "Environment",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
    }),
    revision: t.exposeInt("revision", {
      description: "The revision after the write (unchanged for a dry run or when nothing changed).",
    }),
    applied: t.exposeBoolean("applied", { description: "Whether anything was written." }),
    dryRun: t.exposeBoolean("dryRun"),
    added: t.exposeStringList("added"),
    changed: t.exposeStringList("changed"),
    unchanged: t.exposeStringList("unchanged"),
    secretOverwritten: t.exposeStringList("secretOverwritten", {
      description: "Existing secrets given a value: they cannot be compared, so they are overwritten.",
    }),
    removed: t.exposeStringList("removed", { description: "Deleted because of prune." }),
    typeKept: t.exposeStringList("typeKept", {
      description: "Existing keys whose `secret` flag in the payload differed; they kept their type.",
    }),
    managedKept: t.exposeStringList("managedKept", {
      description: "With prune: variables managed by a service binding, left in place (only the binding removes them).",
    }),
  }),
});

export const PulledVariable = builder
  .objectRef<{
    key: string;
    value: string;
    fromOverride: boolean;
    note?: string | null;
    position?: number | null;
    blankLineBefore?: boolean;
    reference?: string | null;
  }>("PulledVariable")
  .implement({
    fields: (t) => ({
      key: t.exposeString("key"),
      value: t.exposeString("value", { description: "The value, its ${{project.KEY}} references resolved." }),
      reference: t.string({
        nullable: true,
        description: "The value as written when it references project variables; null when it does not.",
        resolve: (v) => v.reference ?? null,
      }),
      fromOverride: t.exposeBoolean("fromOverride"),
    }),
  });

/** The Environment fields a pull's own environment row answers (services/lookup.ts EnvironmentRow). */
const PULLED_ENVIRONMENT_FIELDS = new Set(["__typename", "id", "name", "isDefault", "isProtected", "revision"]);

/** Whether the selection of `info`'s field asks only for plain fields among PULLED_ENVIRONMENT_FIELDS. */
function onlyPulledFields(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.every((node) =>
    (node.selectionSet?.selections ?? []).every(
      (s) => s.kind === Kind.FIELD && !s.directives?.length && PULLED_ENVIRONMENT_FIELDS.has(s.name.value),
    ),
  );
}

const PullResult = builder
  .objectRef<{
    environment: EnvironmentRow;
    branch: string | null;
    revision: number;
    variables: { key: string; value: string; fromOverride: boolean }[];
    excludedSecrets: string[];
  }>("PulledEnvironment")
  .implement({
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        // The row the pull read answers the usual selection (environment { name }): no second read.
        resolve: (query, p, _a, ctx, info) =>
          onlyPulledFields(info)
            ? (p.environment as never) // the columns asked for are all in it
            : ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
      }),
      branch: t.exposeString("branch", { nullable: true }),
      revision: t.exposeInt("revision"),
      variables: t.field({
        type: [PulledVariable],
        description: "Final standard values, sorted by key.",
        resolve: (p) => p.variables,
      }),
      excludedSecrets: t.exposeStringList("excludedSecrets", { description: "Keys of the secrets left out." }),
    }),
  });

const RuntimeVariable = builder
  .objectRef<{ key: string; value: string; isSecret: boolean; fromOverride: boolean }>("RuntimeVariable")
  .implement({
    fields: (t) => ({
      key: t.exposeString("key"),
      value: t.exposeString("value"),
      isSecret: t.exposeBoolean("isSecret"),
      fromOverride: t.exposeBoolean("fromOverride"),
    }),
  });

const RuntimeResult = builder
  .objectRef<{
    environment: { id: string; name: string };
    branch: string;
    revision: number;
    variables: { key: string; value: string; isSecret: boolean; fromOverride: boolean }[];
  }>("RuntimeEnvironment")
  .implement({
    fields: (t) => ({
      environmentName: t.string({ resolve: (p) => p.environment.name }),
      branch: t.exposeString("branch"),
      revision: t.exposeInt("revision"),
      variables: t.field({ type: [RuntimeVariable], resolve: (p) => p.variables }),
    }),
  });

builder.queryFields((t) => ({
  pullVariables: t.field({
    type: PullResult,
    description:
      "The final standard values of an environment (resolved for `branch` on deployed environments), and the keys of the secrets left out.",
    args: {
      project: t.arg.string({ required: true }),
      environment: t.arg.string({ required: true }),
      branch: t.arg.string(),
    },
    errors: {},
    resolve: (_root, args, ctx) => {
      const actor = requireActor(ctx);
      countEnvironmentRead(ctx);
      return ctx.services.resolution.pullVariables(actor, args);
    },
  }),
  runtimeVariables: t.field({
    type: RuntimeResult,
    description:
      "What a deployed app gets at boot: branch → mapped environment → override → base, secrets included. " +
      "Service tokens with the runtime permission only.",
    args: { project: t.arg.string({ required: true }), branch: t.arg.string({ required: true }) },
    errors: {},
    resolve: async (_root, args, ctx) => {
      const actor = requireActor(ctx);
      countEnvironmentRead(ctx);
      await ctx.limits.runtime(actor); // each resolution counts: aliases and fragments too
      return ctx.services.resolution.runtimeVariables(actor, args);
    },
  }),
}));

mutation("setVariable", {
  input: SetVariableInput,
  type: SetVariablePayload,
  description: "Creates or updates one base value, or a branch override with `branch`.",
  resolve: (input, actor, ctx) => ctx.services.variables.setVariable(actor, input),
});

mutation("unsetVariable", {
  input: UnsetVariableInput,
  type: UnsetVariablePayload,
  description:
    "Deletes a base value (and its overrides), or one branch override with `branch`. Reports whether anything was removed.",
  resolve: (input, actor, ctx) => ctx.services.variables.unsetVariable(actor, input),
});

mutation("bulkUpsertVariables", {
  input: BulkUpsertVariablesInput,
  type: BulkUpsertVariablesPayload,
  description:
    "Applies a full set of base values in one transaction: the server computes the diff (added, changed, " +
    "unchanged, secret-overwritten, removed with prune). All or nothing.",
  resolve: (input, actor, ctx) => ctx.services.variables.bulkUpsertVariables(actor, input),
});

mutation("setVariables", {
  input: SetVariablesInput,
  type: SetVariablesPayload,
  description:
    "Sets several base values, or several overrides of one project branch with `branch`, as one write (one revision). All or nothing.",
  resolve: (input, actor, ctx) => ctx.services.variables.setVariables(actor, input),
});

mutation("unsetVariables", {
  input: UnsetVariablesInput,
  type: UnsetVariablesPayload,
  description:
    "Deletes several base values (with their overrides), or several overrides of one project branch with `branch`, as one write. Keys not found are listed in `notFound`.",
  resolve: (input, actor, ctx) => ctx.services.variables.unsetVariables(actor, input),
});
