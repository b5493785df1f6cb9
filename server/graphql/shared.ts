/**
 * Project-shared variables (the hidden `_shared` environment) and `${{project.KEY}}` references:
 * Project.sharedVariables, set/unset mutations, and on Variable/BranchOverride the referenced keys
 * and a preview of the resolved value ("••••" when it resolves to a secret).
 */
import DataLoader from "dataloader";
import { previewOf, SECRET_PREVIEW } from "../../core/preview.js";
import { parseReferences, readReferencesColumn, substituteReferences } from "../../core/references.js";
import { canReadSharedValues, canWriteShared } from "../services/shared-access.js";
import { builder, type Context } from "./builder.js";
import { mutation } from "./mutation.js";
import { valueOwnerSelect } from "./values.js";
import { BulkUpsertVariablesPayload } from "./variable.js";

type SharedMap = Map<string, { isSecret: boolean; value: string | null }>;
const sharedCache = new WeakMap<Context, Map<string, Promise<SharedMap>>>();

/** The project's shared variables (standard values decrypted), once per request. */
function sharedOf(ctx: Context, projectId: string): Promise<SharedMap> {
  let perProject = sharedCache.get(ctx);
  if (!perProject) {
    perProject = new Map();
    sharedCache.set(ctx, perProject);
  }
  let found = perProject.get(projectId);
  if (!found) {
    found = (async () => {
      const env = await ctx.db.reader.environment.findFirst({
        where: { projectId, kind: "shared" },
        select: { id: true, project: { select: { slug: true } } },
      });
      if (!env) return new Map();
      const rows = await ctx.services.values.load(
        ctx.db.reader,
        { projectId, environmentId: env.id, label: { project: env.project.slug, environment: "_shared" } },
        { secrets: false },
      );
      return new Map(rows.map((r) => [r.key, { isSecret: r.isSecret, value: r.value }]));
    })();
    perProject.set(projectId, found);
  }
  return found;
}

interface Stored {
  variable: { key: string; isSecret: boolean; environmentId: string; environment: { projectId: string } };
  branchId: string | null;
  valueVersion: number;
  ciphertext: Uint8Array;
}

/**
 * Preview of a stored value with its references resolved; null when a referenced project variable is
 * gone, or when the value cannot be decrypted (its `value` field reports and logs that, once).
 */
async function resolvedPreview(ctx: Context, stored: Stored) {
  const { variable, branchId, valueVersion, ciphertext } = stored;
  if (variable.isSecret) return SECRET_PREVIEW;
  const { projectId } = variable.environment;
  const identity = { projectId, environmentId: variable.environmentId, branchId, key: variable.key, valueVersion };
  const value = await ctx.services.values.tryDecryptOne(identity, ciphertext);
  if (value === null) return null;
  const keys = parseReferences(value).keys;
  if (!keys.length) return previewOf(value);
  const shared = await sharedOf(ctx, projectId);
  if (keys.some((k) => !shared.has(k))) return null;
  if (keys.some((k) => shared.get(k)!.isSecret)) return SECRET_PREVIEW;
  return previewOf(substituteReferences(value, new Map(keys.map((k) => [k, shared.get(k)!.value ?? ""]))));
}

/** Per request: the secret project variables' keys of each project asked, one statement for all of them. */
const secretKeyLoaders = new WeakMap<Context, DataLoader<string, Set<string>>>();

function secretSharedKeys(ctx: Context, projectId: string): Promise<Set<string>> {
  let loader = secretKeyLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.db.reader.variable.findMany({
        where: { isSecret: true, environment: { projectId: { in: [...ids] }, kind: "shared" } },
        select: { key: true, environment: { select: { projectId: true } } },
      });
      const byProject = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
      for (const row of rows) byProject.get(row.environment.projectId)?.add(row.key);
      return ids.map((id) => byProject.get(id) ?? new Set());
    });
    secretKeyLoaders.set(ctx, loader);
  }
  return loader.load(projectId);
}

/**
 * Per request: for each project asked, project variable key -> the environments whose values or overrides
 * reference it (sorted names). Two statements for all the projects and keys of a request.
 */
const userLoaders = new WeakMap<Context, DataLoader<string, Map<string, string[]>>>();

function usersOf(ctx: Context, projectId: string): Promise<Map<string, string[]>> {
  let loader = userLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const inProjects = { projectId: { in: [...ids] }, kind: "environment" };
      const referencing = { not: "[]" };
      const [base, overrides] = await Promise.all([
        ctx.db.reader.variable.findMany({
          where: { references: referencing, environment: inProjects },
          select: { references: true, environment: { select: { name: true, projectId: true } } },
        }),
        ctx.db.reader.branchOverride.findMany({
          where: { references: referencing, variable: { environment: inProjects } },
          select: {
            references: true,
            variable: { select: { environment: { select: { name: true, projectId: true } } } },
          },
        }),
      ]);
      const byProject = new Map<string, Map<string, Set<string>>>(ids.map((id) => [id, new Map()]));
      const rows = [
        ...base,
        ...overrides.map((o) => ({ references: o.references, environment: o.variable.environment })),
      ];
      for (const { references, environment } of rows) {
        const byKey = byProject.get(environment.projectId);
        for (const key of readReferencesColumn(references)) {
          if (!byKey?.has(key)) byKey?.set(key, new Set());
          byKey?.get(key)?.add(environment.name);
        }
      }
      return ids.map(
        (id) => new Map([...(byProject.get(id) ?? [])].map(([key, names]) => [key, [...names].sort()] as const)),
      );
    });
    userLoaders.set(ctx, loader);
  }
  return loader.load(projectId);
}

/** Whether a stored value resolves as a secret: it is one, or it references a secret project variable. */
async function resolvesAsSecret(
  ctx: Context,
  stored: { isSecret: boolean; projectId: string; references: string | null },
): Promise<boolean> {
  if (stored.isSecret) return true;
  const keys = readReferencesColumn(stored.references);
  if (!keys.length) return false;
  const secret = await secretSharedKeys(ctx, stored.projectId);
  return keys.some((k) => secret.has(k));
}

const resolvesAsSecretDescription =
  "true when the value resolves as a secret: it is one (isSecret), or it references a secret project variable " +
  "(${{project.KEY}}), so pull leaves it out and listings show ••••.";

const referencesDescription =
  "The project variables the value references (${{project.KEY}}), as written, sorted; empty when none.";
const previewDescription =
  "The value with its references resolved: its first 12 characters and … when longer; •••• for a secret or a " +
  "value referencing a secret project variable; null when a referenced project variable no longer exists.";

builder.objectFields(BulkUpsertVariablesPayload, (t) => ({
  referencesReplaced: t.exposeStringList("referencesReplaced", {
    description:
      "Changed keys whose stored value held ${{project.KEY}} references that the pushed literal value replaces " +
      "(the value no longer follows the project variable).",
  }),
}));

builder.prismaObjectField("Variable", "references", (t) =>
  t.stringList({
    description: referencesDescription,
    select: { references: true },
    resolve: (v) => readReferencesColumn(v.references),
  }),
);

builder.prismaObjectField("Variable", "resolvedPreview", (t) =>
  t.string({
    nullable: true,
    description: previewDescription,
    select: { ...valueOwnerSelect, id: true, ciphertext: true, valueVersion: true },
    resolve: (v, _a, ctx) =>
      resolvedPreview(ctx, { variable: v, branchId: null, valueVersion: v.valueVersion, ciphertext: v.ciphertext }),
  }),
);

builder.prismaObjectField("Variable", "resolvesAsSecret", (t) =>
  t.boolean({
    description: resolvesAsSecretDescription,
    select: { isSecret: true, references: true, environment: { select: { projectId: true } } },
    resolve: (v, _a, ctx) =>
      resolvesAsSecret(ctx, { isSecret: v.isSecret, projectId: v.environment.projectId, references: v.references }),
  }),
);

builder.prismaObjectField("Variable", "usedBy", (t) =>
  t.stringList({
    description:
      "For a project variable: the environments whose values (or branch overrides) reference it, by name. " +
      "Empty for other variables.",
    select: { key: true, environment: { select: { projectId: true, kind: true } } },
    resolve: async (v, _a, ctx) =>
      v.environment.kind === "shared" ? ((await usersOf(ctx, v.environment.projectId)).get(v.key) ?? []) : [],
  }),
);

builder.prismaObjectField("BranchOverride", "references", (t) =>
  t.stringList({
    description: referencesDescription,
    select: { references: true },
    resolve: (o) => readReferencesColumn(o.references),
  }),
);

builder.prismaObjectField("BranchOverride", "resolvedPreview", (t) =>
  t.string({
    nullable: true,
    description: previewDescription,
    select: { id: true, ciphertext: true, valueVersion: true, branchId: true, variable: { select: valueOwnerSelect } },
    resolve: (o, _a, ctx) => resolvedPreview(ctx, o),
  }),
);

builder.prismaObjectField("BranchOverride", "resolvesAsSecret", (t) =>
  t.boolean({
    description: resolvesAsSecretDescription,
    select: {
      references: true,
      variable: { select: { isSecret: true, environment: { select: { projectId: true } } } },
    },
    resolve: (o, _a, ctx) =>
      resolvesAsSecret(ctx, {
        isSecret: o.variable.isSecret,
        projectId: o.variable.environment.projectId,
        references: o.references,
      }),
  }),
);

builder.prismaObjectField("Project", "sharedVariables", (t) =>
  t.prismaField({
    type: ["Variable"],
    description:
      "Project-shared variables by key: environments reference them as ${{project.KEY}}. Secrets have no value. " +
      "Empty when the caller may not read them (a service token limited to some environments, or without read).",
    resolve: async (query, project, _a, ctx) => {
      const access = await ctx.loaders.access.load(project.id);
      if (!access || !canReadSharedValues(access)) return [];
      return ctx.db.reader.variable.findMany({
        ...query,
        where: { environment: { projectId: project.id, kind: "shared" } },
        orderBy: { key: "asc" },
      });
    },
  }),
);

builder.prismaObjectField("Project", "sharedRevision", (t) =>
  t.int({
    description: "The revision of the project variables (0 before the first write); each write makes one.",
    resolve: async (project, _a, ctx) =>
      (await ctx.db.reader.environment.findFirst({ where: { projectId: project.id, kind: "shared" } }))?.revision ?? 0,
  }),
);

builder.prismaObjectField("Project", "viewerCanWriteShared", (t) =>
  t.boolean({
    description:
      "Whether the caller may change project variables: they feed every environment, so it takes what writing " +
      "every environment (protected ones included) takes.",
    resolve: async (project, _a, ctx) => {
      const access = await ctx.loaders.access.load(project.id);
      return access ? canWriteShared(ctx.db.reader, access) : false;
    },
  }),
);

const SetSharedVariableInput = builder.inputType("SetSharedVariableInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    key: t.string({ required: true }),
    value: t.string({ required: true, description: "The value itself: it cannot reference project variables." }),
    secret: t.boolean({ description: "Create as secret (set at creation; cannot change)." }),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const UnsetSharedVariableInput = builder.inputType("UnsetSharedVariableInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    key: t.string({ required: true }),
    force: t.boolean({
      description:
        "Delete it even when environments reference it: their references then fail to resolve (pull and runtime " +
        "report them) until it is set again.",
    }),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const SetSharedVariablePayload = builder
  .objectRef<{ key: string; created: boolean; isSecret: boolean; revision: number; projectId: string }>(
    "SetSharedVariablePayload",
  )
  .implement({
    fields: (t) => ({
      key: t.exposeString("key"),
      created: t.exposeBoolean("created"),
      isSecret: t.exposeBoolean("isSecret"),
      revision: t.exposeInt("revision", { description: "The project variables' revision after the write." }),
      variable: t.prismaField({
        type: "Variable",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.variable.findFirstOrThrow({
            ...query,
            where: { key: p.key, environment: { projectId: p.projectId, kind: "shared" } },
          }),
      }),
    }),
  });

const UnsetSharedVariablePayload = builder
  .objectRef<{ key: string; removed: boolean; usedBy: string[]; revision: number }>("UnsetSharedVariablePayload")
  .implement({
    fields: (t) => ({
      key: t.exposeString("key"),
      removed: t.exposeBoolean("removed", { description: "False when there was no such project variable." }),
      usedBy: t.exposeStringList("usedBy", {
        description: "Environments that still reference it (deleted with force): their references no longer resolve.",
      }),
      revision: t.exposeInt("revision"),
    }),
  });

mutation("setSharedVariable", {
  input: SetSharedVariableInput,
  type: SetSharedVariablePayload,
  description: "Creates or updates a project-shared variable (environments reference it as ${{project.KEY}}).",
  resolve: (input, actor, ctx) => ctx.services.shared.setSharedVariable(actor, input),
});

mutation("unsetSharedVariable", {
  input: UnsetSharedVariableInput,
  type: UnsetSharedVariablePayload,
  description:
    "Deletes a project-shared variable; refused (ConflictError naming the environments) while values reference " +
    "it, unless `force`.",
  resolve: (input, actor, ctx) => ctx.services.shared.unsetSharedVariable(actor, input),
});
