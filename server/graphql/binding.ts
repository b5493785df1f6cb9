/**
 * Managed data-service bindings: Project.bindings, Variable.isManaged / binding, and bindService, updateBinding,
 * unbindService. A credential is a secret: it is written here and never returned.
 */
import { can } from "../authz/index.js";
import {
  BINDING_SERVICES,
  type BindingChange,
  type BindingService,
  type PreviewBindingOutcome,
} from "../services/bindings.js";
import { builder } from "./builder.js";
import { mutation } from "./mutation.js";

const BindingServiceEnum = builder.enumType("BindingService", {
  description: "The kind of data service a binding names.",
  values: Object.fromEntries(BINDING_SERVICES.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    string,
    { value: BindingService }
  >,
});

const BindingChangeKind = builder.enumType("BindingChangeKind", {
  values: {
    ADDED: { value: "added", description: "The environment got the credential (a new managed secret)." },
    ROTATED: { value: "rotated", description: "The environment's credential was replaced." },
    REMOVED: { value: "removed", description: "The credential (the managed variable) was removed." },
    KEPT: { value: "kept", description: "Unbound with keepVariables: the credential stays as a plain secret." },
  } as const,
});

export const ServiceBinding = builder.prismaObject("ServiceBinding", {
  description:
    "A managed data service of the project. Per environment, its credential is a secret variable named `variable` " +
    "that only the binding changes: set, push, prune, seed, promote and restore leave it as it is.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    service: t.field({ type: BindingServiceEnum, resolve: (b) => b.service as BindingService }),
    variable: t.exposeString("variable", { description: "The variable the credential is injected under." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    environments: t.stringList({
      description: "The environments (that the caller can see) where it has a credential, by name.",
      select: {
        projectId: true,
        variables: { select: { environment: { select: { id: true, name: true, isProtected: true } } } },
      },
      resolve: async (b, _a, ctx) => {
        const access = await ctx.loaders.access.load(b.projectId);
        if (!access) return [];
        return b.variables
          .map((v) => v.environment)
          .filter((e) => can(access, "environment:read", e))
          .map((e) => e.name)
          .sort();
      },
    }),
  }),
});

builder.prismaObjectField("Project", "bindings", (t) =>
  t.prismaField({
    type: ["ServiceBinding"],
    description: "The project's managed data-service bindings, by name.",
    resolve: (query, project, _a, ctx) =>
      ctx.db.reader.serviceBinding.findMany({ ...query, where: { projectId: project.id }, orderBy: { name: "asc" } }),
  }),
);

builder.prismaObjectFields("Variable", (t) => ({
  isManaged: t.boolean({
    description: "Whether a service binding manages it (see `binding`): only the binding changes or removes it.",
    select: { managedBy: true },
    resolve: (v) => v.managedBy !== null,
  }),
  binding: t.relation("binding", {
    nullable: true,
    description: "The service binding whose credential this is; null for a plain variable.",
  }),
}));

const BindingCredentialInput = builder.inputType("BindingCredentialInput", {
  fields: (t) => ({
    environment: t.string({ required: true }),
    value: t.string({ required: true, description: "The credential (e.g. a connection URL), stored as a secret." }),
  }),
});

const BindServiceInput = builder.inputType("BindServiceInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    name: t.string({ required: true, description: "Unique in the project, e.g. main-db." }),
    service: t.field({ type: BindingServiceEnum, required: true }),
    variable: t.string({ description: "The variable the credential is injected under (default DATABASE_URL)." }),
    environments: t.field({
      type: [BindingCredentialInput],
      description:
        "The credential per environment. The variable must not exist there yet as a plain variable " +
        "(it is never taken over: unset it first).",
    }),
    message: t.string({ description: "Why (at most 500 characters), kept with each revision this write makes." }),
  }),
});

const UpdateBindingInput = builder.inputType("UpdateBindingInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    name: t.string({ required: true }),
    environments: t.field({
      type: [BindingCredentialInput],
      description: "Sets the credential of these environments (added, or rotated where it exists).",
    }),
    removeEnvironments: t.stringList({ description: "Removes the credential (the managed variable) from these." }),
    message: t.string({ description: "Why (at most 500 characters), kept with each revision this write makes." }),
  }),
});

const UnbindServiceInput = builder.inputType("UnbindServiceInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    name: t.string({ required: true }),
    keepVariables: t.boolean({
      description: "Keep the credentials as plain secrets (default: they are removed with the binding).",
    }),
    message: t.string({ description: "Why (at most 500 characters), kept with each revision this write makes." }),
  }),
});

const BindingChangeType = builder.objectRef<BindingChange>("BindingChange").implement({
  description: "What a binding write did in one environment.",
  fields: (t) => ({
    environment: t.exposeString("environment"),
    kind: t.field({ type: BindingChangeKind, resolve: (c) => c.kind }),
    revision: t.exposeInt("revision", {
      nullable: true,
      description: "The environment's revision after the change; null when no value changed (KEPT).",
    }),
  }),
});

interface BindingOutcome {
  binding: { id: string; name: string; service: string; variable: string };
  changes: BindingChange[];
}

const BindingPayload = builder.objectRef<BindingOutcome>("BindingPayload").implement({
  fields: (t) => ({
    binding: t.prismaField({
      type: "ServiceBinding",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.serviceBinding.findUniqueOrThrow({ ...query, where: { id: p.binding.id } }),
    }),
    changes: t.field({
      type: [BindingChangeType],
      description: "One entry per environment changed.",
      resolve: (p) => p.changes,
    }),
  }),
});

const UnbindServicePayload = builder.objectRef<BindingOutcome>("UnbindServicePayload").implement({
  fields: (t) => ({
    name: t.string({ resolve: (p) => p.binding.name }),
    variable: t.string({ resolve: (p) => p.binding.variable }),
    changes: t.field({
      type: [BindingChangeType],
      description: "One entry per environment changed.",
      resolve: (p) => p.changes,
    }),
  }),
});

mutation("bindService", {
  input: BindServiceInput,
  type: BindingPayload,
  description:
    "Binds a data service (admins and owners; each environment given must be writable by the caller): its credential " +
    "becomes a managed secret in each environment, one revision each, all in one transaction.",
  resolve: (input, actor, ctx) => ctx.services.bindings.bindService(actor, input),
});

mutation("updateBinding", {
  input: UpdateBindingInput,
  type: BindingPayload,
  description: "Sets, rotates or removes a binding's credentials per environment, in one transaction.",
  resolve: (input, actor, ctx) => ctx.services.bindings.updateBinding(actor, input),
});

mutation("unbindService", {
  input: UnbindServiceInput,
  type: UnbindServicePayload,
  description:
    "Removes a binding with its credentials (one revision per environment), or with keepVariables leaves them " +
    "as plain secrets.",
  resolve: (input, actor, ctx) => ctx.services.bindings.unbindService(actor, input),
});

/** createPreview's choice per binding (used by server/graphql/preview.ts). */
export const PreviewBindingInput = builder.inputType("PreviewBindingInput", {
  description: "For one binding: the preview shares its parent's credential (share: true) or gets its own (value).",
  fields: (t) => ({
    binding: t.string({ required: true, description: "The binding's name." }),
    share: t.boolean({ description: "Use the parent environment's credential (copied now, managed by the binding)." }),
    value: t.string({ description: "The preview's own credential (stored as a managed secret)." }),
  }),
});

const PreviewBindingMode = builder.enumType("PreviewBindingMode", {
  values: {
    SHARED: { value: "shared", description: "The preview got its parent's credential." },
    OWN: { value: "own", description: "The preview got its own credential." },
  } as const,
});

export const PreviewBindingOutcomeType = builder.objectRef<PreviewBindingOutcome>("PreviewBinding").implement({
  description: "What a new preview got for one binding.",
  fields: (t) => ({
    binding: t.exposeString("binding"),
    variable: t.exposeString("variable"),
    mode: t.field({ type: PreviewBindingMode, resolve: (o) => o.mode }),
  }),
});
