/** Project branches and the branch -> environment mapping. */
import { builder, requireActor } from "./builder.js";
import { mutation } from "./mutation.js";

builder.prismaObject("ProjectBranch", {
  description: "A forked copy of the project's infrastructure (a platform concept, not a Git branch).",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    overrideCount: t.relationCount("overrides"),
  }),
});

builder.prismaObject("MappingEntry", {
  name: "BranchMapping",
  description:
    'One line of the mapping: a project branch name (or "*" for every other branch) deploys with `environment`.',
  fields: (t) => ({
    branch: t.exposeString("branch"),
    position: t.exposeInt("position"),
    environment: t.relation("environment"),
  }),
});

const MatchedBy = builder.enumType("MatchedBy", {
  values: {
    EXPLICIT: { value: "explicit", description: "The branch is named in the mapping." },
    WILDCARD: { value: "wildcard", description: 'The "*" entry.' },
    FALLBACK: { value: "fallback", description: "No wildcard: preview." },
  } as const,
});

const BranchResolution = builder
  .objectRef<{ branch: string; matchedBy: "explicit" | "wildcard" | "fallback"; environment: { id: string } }>(
    "BranchResolution",
  )
  .implement({
    fields: (t) => ({
      branch: t.exposeString("branch"),
      matchedBy: t.expose("matchedBy", { type: MatchedBy }),
      environment: t.prismaField({
        type: "Environment",
        resolve: (query, r, _a, ctx) =>
          ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: r.environment.id } }),
      }),
    }),
  });

builder.queryFields((t) => ({
  resolveBranch: t.field({
    type: BranchResolution,
    description:
      "Which environment a project branch deploys with: first explicit match, then the wildcard, else preview.",
    args: { project: t.arg.string({ required: true }), branch: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.services.resolution.resolveBranch(requireActor(ctx), args),
  }),
}));

const BranchInput = builder.inputType("CreateBranchInput", {
  fields: (t) => ({ project: t.string({ required: true }), name: t.string({ required: true }) }),
});
const DeleteBranchInput = builder.inputType("DeleteBranchInput", {
  fields: (t) => ({ project: t.string({ required: true }), name: t.string({ required: true }) }),
});
const MappingEntryInput = builder.inputType("BranchMappingInput", {
  fields: (t) => ({
    environment: t.string({ required: true }),
    branch: t.string({ required: true, description: 'A project branch name, or "*" for every other branch.' }),
  }),
});
const UpdateBranchMappingInput = builder.inputType("UpdateBranchMappingInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    entries: t.field({
      type: [MappingEntryInput],
      required: true,
      description: "The whole mapping, in evaluation order (a wildcard entry is moved last).",
    }),
  }),
});

const BranchPayload = builder.objectRef<{ branchId: string }>("CreateBranchPayload").implement({
  fields: (t) => ({
    branch: t.prismaField({
      type: "ProjectBranch",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.projectBranch.findUniqueOrThrow({ ...query, where: { id: p.branchId } }),
    }),
  }),
});
const DeleteBranchPayload = builder
  .objectRef<{ name: string; overridesRemoved: number; previewDeleted: string | null }>("DeleteBranchPayload")
  .implement({
    fields: (t) => ({
      name: t.exposeString("name"),
      overridesRemoved: t.exposeInt("overridesRemoved", { description: "Branch overrides deleted with the branch." }),
      previewDeleted: t.exposeString("previewDeleted", {
        nullable: true,
        description: "The branch's preview environment, deleted with it (with its mapping entry); null when none.",
      }),
    }),
  });
const MappingPayload = builder.objectRef<{ projectId: string }>("UpdateBranchMappingPayload").implement({
  fields: (t) => ({
    mapping: t.prismaField({
      type: ["MappingEntry"],
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.mappingEntry.findMany({
          ...query,
          where: { projectId: p.projectId },
          orderBy: { position: "asc" },
        }),
    }),
  }),
});

mutation("createBranch", {
  input: BranchInput,
  type: BranchPayload,
  resolve: async (input, actor, ctx) => ({ branchId: (await ctx.services.branches.createBranch(actor, input)).id }),
});

mutation("deleteBranch", {
  input: DeleteBranchInput,
  type: DeleteBranchPayload,
  description:
    "Deletes a project branch and its overrides (admins). main cannot be deleted. " +
    "Mapping entries naming the branch stay, like lines of config.json.",
  resolve: (input, actor, ctx) => ctx.services.branches.deleteBranch(actor, input),
});

mutation("updateBranchMapping", {
  input: UpdateBranchMappingInput,
  type: MappingPayload,
  description:
    "Replaces the branch → environment mapping (admins). development cannot be a target; each branch maps once; at most one wildcard.",
  resolve: async (input, actor, ctx) => {
    await ctx.services.branches.updateBranchMapping(actor, input);
    const project = await ctx.db.reader.project.findUniqueOrThrow({
      where: { slug: input.project },
      select: { id: true },
    });
    return { projectId: project.id };
  },
});
