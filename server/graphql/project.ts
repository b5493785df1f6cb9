/** Projects: the caller's projects, one by slug, the `viewerCan…` answers, creation, deletion and key rotation. */
import { can, environmentScope, PROJECT_ACTIONS, type ProjectAction, projectScope } from "../authz/index.js";
import { builder, requireActor } from "./builder.js";
import { connectionType, type Keyset, pageArgs, rootConnection } from "./connection.js";
import { RoleEnum } from "./member.js";
import { mutation } from "./mutation.js";

/** One `viewerCan…` field per project action, answered by the policy: clients never re-derive permissions. */
const PROJECT_PERMISSION_FIELDS: Record<
  Exclude<ProjectAction, "project:read">,
  [field: string, description: string]
> = {
  "project:delete": ["viewerCanDelete", "Whether the caller may delete the project (owners)."],
  "environment:manage": [
    "viewerCanManageEnvironments",
    "Whether the caller may create, delete and (un)protect environments.",
  ],
  "branch:manage": ["viewerCanManageBranches", "Whether the caller may create and delete any project branch."],
  "mapping:manage": ["viewerCanManageMapping", "Whether the caller may change the branch mapping."],
  "token:manage": ["viewerCanManageTokens", "Whether the caller may create, list and revoke service tokens."],
  "member:read": ["viewerCanListMembers", "Whether the caller may list members (personal tokens of members)."],
  "member:manage": [
    "viewerCanManageMembers",
    "Whether the caller may add and remove members and change roles below owner.",
  ],
  "member:grant-owner": ["viewerCanGrantOwner", "Whether the caller may grant or take away the owner role."],
  "key:rotate": ["viewerCanRotateKey", "Whether the caller may rotate the project's data key."],
  "webhook:manage": [
    "viewerCanManageWebhooks",
    "Whether the caller may create, list and delete webhooks and see their deliveries.",
  ],
  "git:manage": [
    "viewerCanManageGit",
    "Whether the caller may connect GitHub, rotate its secret and see its deliveries.",
  ],
  "audit:read": ["viewerCanReadAuditLog", "Whether the caller may read and verify the audit log (admins and owners)."],
};

export const Project = builder.prismaObject("Project", {
  fields: (t) => ({
    id: t.exposeID("id"),
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    viewerRole: t.field({
      type: RoleEnum,
      nullable: true,
      description: "The caller's role; null for service tokens.",
      resolve: async (p, _a, ctx) => (await ctx.loaders.access.load(p.id))?.role ?? null,
    }),
    ...Object.fromEntries(
      PROJECT_ACTIONS.filter((action) => action !== "project:read").map((action) => {
        const [field, description] = PROJECT_PERMISSION_FIELDS[action];
        return [
          field,
          t.boolean({
            description,
            resolve: async (p, _a, ctx) => {
              const access = await ctx.loaders.access.load(p.id);
              return !!access && can(access, action);
            },
          }),
        ];
      }),
    ),
    activeKeyVersion: t.exposeInt("activeKeyVersion", {
      description: "The data key version new values are encrypted with (rotateProjectKey increments it).",
    }),
    branches: t.relation("branches", { query: { orderBy: { name: "asc" } } }),
    environments: t.relation("environments", {
      description:
        "Default environments first (development, preview, production), then custom ones by name. " +
        "Service tokens see only their environments.",
      query: (_args, ctx) => ({
        where: environmentScope(ctx.actor),
        // development, preview, production happen to sort by name too
        orderBy: [{ isDefault: "desc" }, { name: "asc" }],
      }),
    }),
    environment: t.prismaField({
      type: "Environment",
      nullable: true,
      args: { name: t.arg.string({ required: true }) },
      resolve: (query, project, { name }, ctx) => {
        return ctx.db.reader.environment.findFirst({
          ...query,
          where: { projectId: project.id, name, ...environmentScope(ctx.actor) },
        });
      },
    }),
    mapping: t.relation("mapping", {
      description:
        "Evaluated top to bottom; the wildcard is always last. Service tokens see only the entries of their environments.",
      query: (_args, ctx) => ({ where: { environment: environmentScope(ctx.actor) }, orderBy: { position: "asc" } }),
    }),
  }),
});

const projectsBySlug: Keyset = { list: "projects", fields: [["slug", "string"]], direction: "asc" };
const ProjectConnection = connectionType("Project", Project, "Projects by slug.");

builder.queryFields((t) => ({
  projects: t.field({
    type: ProjectConnection,
    description: "The projects the caller can access, by slug.",
    args: pageArgs(t.arg),
    resolve: (_root, args, ctx, info) => {
      const where = projectScope(requireActor(ctx));
      return rootConnection(ctx, info, {
        typeName: "Project",
        keyset: projectsBySlug,
        args,
        where,
        findMany: (query) => ctx.db.reader.project.findMany(query),
        count: (query) => ctx.db.reader.project.count(query),
      });
    },
  }),
  project: t.prismaField({
    type: "Project",
    nullable: true,
    description: "A project by slug; null when it does not exist or the caller cannot access it.",
    args: { slug: t.arg.string({ required: true }) },
    resolve: async (query, _root, { slug }, ctx) => {
      return ctx.db.reader.project.findFirst({ ...query, where: { slug, ...projectScope(requireActor(ctx)) } });
    },
  }),
}));

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({
    slug: t.string({ required: true, description: "Lower-case letters, digits and -, e.g. shop." }),
    name: t.string({ description: "Display name; defaults to the slug." }),
  }),
});
const DeleteProjectInput = builder.inputType("DeleteProjectInput", {
  fields: (t) => ({ slug: t.string({ required: true }) }),
});
const RotateProjectKeyInput = builder.inputType("RotateProjectKeyInput", {
  fields: (t) => ({ project: t.string({ required: true }) }),
});

const ProjectPayload = builder.objectRef<{ projectId: string }>("ProjectPayload").implement({
  fields: (t) => ({
    project: t.prismaField({
      type: "Project",
      resolve: (query, p, _a, ctx) => ctx.db.reader.project.findUniqueOrThrow({ ...query, where: { id: p.projectId } }),
    }),
  }),
});
const DeleteProjectPayload = builder
  .objectRef<{ slug: string }>("DeleteProjectPayload")
  .implement({ fields: (t) => ({ slug: t.exposeString("slug") }) });
const RotateProjectKeyPayload = builder
  .objectRef<{ activeKeyVersion: number; reencrypted: number; pending: number }>("RotateProjectKeyPayload")
  .implement({
    fields: (t) => ({
      activeKeyVersion: t.exposeInt("activeKeyVersion"),
      reencrypted: t.exposeInt("reencrypted", { description: "Values re-encrypted with the new key by this call." }),
      pending: t.exposeInt("pending", {
        description: "Values still on an older key (non-zero only if interrupted; finished at the next start).",
      }),
    }),
  });

mutation("createProject", {
  input: CreateProjectInput,
  type: ProjectPayload,
  description:
    "Creates a project with branches main and dev, environments development, preview and production (protected), " +
    "and the mapping production → main, preview → *.",
  resolve: async (input, actor, ctx) => ({ projectId: (await ctx.services.projects.createProject(actor, input)).id }),
});

mutation("deleteProject", {
  input: DeleteProjectInput,
  type: DeleteProjectPayload,
  description: "Deletes a project and everything in it (owners only).",
  resolve: (input, actor, ctx) => ctx.services.projects.deleteProject(actor, input),
});

mutation("rotateProjectKey", {
  input: RotateProjectKeyInput,
  type: RotateProjectKeyPayload,
  description:
    "Creates a new data key for the project, makes it active and re-encrypts every value with it (admins). Reads keep working throughout.",
  resolve: (input, actor, ctx) => ctx.services.keyRotation.rotateProjectKey(actor, input),
});
