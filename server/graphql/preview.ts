/** Preview environments: Project.previews, the preview fields of Environment, createPreview and deletePreview. */
import { environmentScope } from "../authz/index.js";
import type { PreviewResult } from "../services/previews.js";
import { PreviewBindingInput, PreviewBindingOutcomeType } from "./binding.js";
import { builder } from "./builder.js";
import { mutation } from "./mutation.js";
import { VariableInput } from "./variable.js";

builder.prismaObjectFields("Environment", (t) => ({
  url: t.exposeString("previewUrl", {
    nullable: true,
    description: "A preview environment's deployment URL (what ${PREVIEW_URL} was replaced with); null for others.",
  }),
  previewBranch: t.relation("previewBranch", {
    nullable: true,
    description: "The project branch a preview environment serves (deleting the branch deletes it); null for others.",
  }),
  previewOf: t.prismaField({
    type: "Environment",
    nullable: true,
    description:
      "The environment a preview was cloned from; null when not a preview, when that environment was deleted, " +
      "or when the caller cannot see it.",
    select: { previewOf: true, projectId: true },
    resolve: (query, env, _a, ctx) =>
      env.previewOf
        ? ctx.db.reader.environment.findFirst({
            ...query,
            where: { id: env.previewOf, projectId: env.projectId, ...environmentScope(ctx.actor) },
          })
        : null,
  }),
}));

builder.prismaObjectField("ProjectBranch", "preview", (t) =>
  t.prismaField({
    type: "Environment",
    nullable: true,
    description:
      "The branch's preview environment (envplane preview create); null when none or not visible to the caller.",
    select: { id: true },
    resolve: (query, branch, _a, ctx) =>
      ctx.db.reader.environment.findFirst({
        ...query,
        where: { previewBranchId: branch.id, ...environmentScope(ctx.actor) },
      }),
  }),
);

builder.prismaObjectField("Project", "previews", (t) =>
  t.relation("environments", {
    description: "Preview environments (envplane preview create), by name. Service tokens see only their environments.",
    query: (_args, ctx) => ({
      where: { previewBranchId: { not: null }, ...environmentScope(ctx.actor) },
      orderBy: { name: "asc" },
    }),
  }),
);

const CreatePreviewInput = builder.inputType("CreatePreviewInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    branch: t.string({
      required: true,
      description: "The project branch it serves (created when missing), e.g. feature/login → preview/feature-login.",
    }),
    from: t.string({ description: "The environment to clone; default: the one the branch deploys with now." }),
    url: t.string({ required: true, description: "The deployment's URL (http or https)." }),
    overrides: t.field({
      type: [VariableInput],
      description:
        "Values set on top of the clone; ${PREVIEW_URL} in a value is replaced by `url`. " +
        "`secret` unset: the cloned variable's type (standard for a new key).",
    }),
    bindings: t.field({
      type: [PreviewBindingInput],
      description:
        "Service bindings: required for each binding with a credential in the source — share the parent's, or own.",
    }),
    message: t.string({ description: "Why (at most 500 characters), kept with the revision this write makes." }),
  }),
});

const CreatePreviewPayload = builder.objectRef<PreviewResult>("CreatePreviewPayload").implement({
  fields: (t) => ({
    environment: t.prismaField({
      type: "Environment",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
    }),
    branchCreated: t.exposeBoolean("branchCreated", { description: "Whether the project branch was created." }),
    from: t.string({ description: "The environment it was cloned from.", resolve: (p) => p.from.name }),
    copied: t.exposeStringList("copied", { description: "Keys cloned from the source, secrets included." }),
    overridden: t.exposeStringList("overridden", { description: "Keys set from `overrides`." }),
    bindings: t.field({
      type: [PreviewBindingOutcomeType],
      description: "Per service binding: whether the preview shares its parent's credential or has its own.",
      resolve: (p) => p.bindings,
    }),
  }),
});

const DeletePreviewInput = builder.inputType("DeletePreviewInput", {
  fields: (t) => ({ project: t.string({ required: true }), branch: t.string({ required: true }) }),
});

const DeletePreviewPayload = builder.objectRef<{ name: string; branch: string }>("DeletePreviewPayload").implement({
  fields: (t) => ({
    name: t.exposeString("name", { description: "The preview environment deleted." }),
    branch: t.exposeString("branch", { description: "The project branch it served (it stays)." }),
  }),
});

mutation("createPreview", {
  input: CreatePreviewInput,
  type: CreatePreviewPayload,
  description:
    "Creates preview/<branch>: a clone (secrets included) of the environment the branch deploys with (or `from`), " +
    "plus `overrides`, and maps the branch to it, in one transaction (admins who may write the source).",
  resolve: (input, actor, ctx) => ctx.services.previews.createPreview(actor, input),
});

mutation("deletePreview", {
  input: DeletePreviewInput,
  type: DeletePreviewPayload,
  description: "Deletes a branch's preview environment and its mapping entry (admins); the project branch stays.",
  resolve: (input, actor, ctx) => ctx.services.previews.deletePreview(actor, input),
});
