/** Projects, their members and the instance's users. */
import { ROLES } from "../../core/roles.js";
import { can, environmentScope, memberScope, projectScope, PROJECT_ACTIONS, type ProjectAction } from "../authz/index.js";
import { ForbiddenError } from "../services/errors.js";
import { builder, requireActor } from "./builder.js";

const RoleEnum = builder.enumType("Role", {
  description: "A user's role in a project: viewer reads; developer also writes unprotected environments; admin writes all environments and manages mapping, environments, branches, members and tokens; owner can also delete the project.",
  values: Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), { value: r }])) as Record<"VIEWER" | "DEVELOPER" | "ADMIN" | "OWNER", { value: (typeof ROLES)[number] }>,
});

builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    email: t.exposeString("email", { nullable: true }),
    isInstanceAdmin: t.exposeBoolean("isInstanceAdmin"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.prismaObject("Member", {
  fields: (t) => ({
    user: t.relation("user"),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role as (typeof ROLES)[number] }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

/** One `viewerCan…` field per project action, answered by the policy: clients never re-derive permissions. */
const PROJECT_PERMISSION_FIELDS: Record<Exclude<ProjectAction, "project:read">, [field: string, description: string]> = {
  "project:delete": ["viewerCanDelete", "Whether the caller may delete the project (owners)."],
  "environment:manage": ["viewerCanManageEnvironments", "Whether the caller may create, delete and (un)protect environments."],
  "branch:manage": ["viewerCanManageBranches", "Whether the caller may create and delete any project branch."],
  "mapping:manage": ["viewerCanManageMapping", "Whether the caller may change the branch mapping."],
  "token:manage": ["viewerCanManageTokens", "Whether the caller may create, list and revoke service tokens."],
  "member:read": ["viewerCanListMembers", "Whether the caller may list members (personal tokens of members)."],
  "member:manage": ["viewerCanManageMembers", "Whether the caller may add and remove members and change roles below owner."],
  "member:grant-owner": ["viewerCanGrantOwner", "Whether the caller may grant or take away the owner role."],
  "key:rotate": ["viewerCanRotateKey", "Whether the caller may rotate the project's data key."],
};

builder.prismaObject("Project", {
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
    activeKeyVersion: t.exposeInt("activeKeyVersion", { description: "The data key version new values are encrypted with (rotateProjectKey increments it)." }),
    branches: t.relation("branches", { query: { orderBy: { name: "asc" } } }),
    environments: t.relation("environments", {
      description: "Default environments first (development, preview, production), then custom ones by name. Service tokens see only their environments.",
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
        return ctx.db.reader.environment.findFirst({ ...query, where: { projectId: project.id, name, ...environmentScope(ctx.actor) } });
      },
    }),
    mapping: t.relation("mapping", { description: "Evaluated top to bottom; the wildcard is always last.", query: { orderBy: { position: "asc" } } }),
    members: t.relation("members", {
      description: "Members and their roles (personal tokens only; see viewerCanListMembers).",
      query: (_args, ctx) => ({ where: memberScope(ctx.actor), orderBy: { createdAt: "asc" } }),
    }),
    tokens: t.prismaField({
      type: ["Token"],
      description: "Service tokens of this project (admins only). A token's value is never shown again after creation.",
      resolve: async (query, project, _args, ctx) => {
        const access = await ctx.loaders.access.load(project.id);
        if (!access || !can(access, "token:manage")) throw new ForbiddenError("Only admins and owners can list a project's service tokens.");
        return ctx.db.reader.token.findMany({ ...query, where: { projectId: project.id, kind: "service" }, orderBy: { createdAt: "desc" } });
      },
    }),
  }),
});

builder.queryFields((t) => ({
  projects: t.prismaField({
    type: ["Project"],
    description: "The projects the caller can access.",
    resolve: (query, _root, _args, ctx) => {
      return ctx.db.reader.project.findMany({ ...query, where: projectScope(requireActor(ctx)), orderBy: { slug: "asc" } });
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
  users: t.prismaField({
    type: ["User"],
    description: "Every user of this instance (instance admins only).",
    resolve: (query, _root, _args, ctx) => {
      const actor = requireActor(ctx);
      if (actor.kind !== "user" || !actor.isInstanceAdmin) throw new ForbiddenError("Only instance admins can list users.");
      return ctx.db.reader.user.findMany({ ...query, orderBy: { createdAt: "asc" } });
    },
  }),
}));

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({
    slug: t.string({ required: true, description: "Lower-case letters, digits and -, e.g. shop." }),
    name: t.string({ description: "Display name; defaults to the slug." }),
  }),
});

const ProjectPayload = builder.objectRef<{ projectId: string }>("ProjectPayload").implement({
  fields: (t) => ({
    project: t.prismaField({ type: "Project", resolve: (query, p, _a, ctx) => ctx.db.reader.project.findUniqueOrThrow({ ...query, where: { id: p.projectId } }) }),
  }),
});

const DeleteProjectPayload = builder.objectRef<{ slug: string }>("DeleteProjectPayload").implement({ fields: (t) => ({ slug: t.exposeString("slug") }) });

const CreateUserInput = builder.inputType("CreateUserInput", {
  fields: (t) => ({ name: t.string({ required: true }), email: t.string(), isInstanceAdmin: t.boolean() }),
});
const CreateUserPayload = builder.objectRef<{ userId: string; plaintextToken: string }>("CreateUserPayload").implement({
  fields: (t) => ({
    plaintextToken: t.exposeString("plaintextToken", { description: "The new user's first personal token. Shown once: hand it over securely." }),
    user: t.prismaField({ type: "User", resolve: (query, p, _a, ctx) => ctx.db.reader.user.findUniqueOrThrow({ ...query, where: { id: p.userId } }) }),
  }),
});

const SetMemberInput = builder.inputType("SetMemberInput", {
  fields: (t) => ({ project: t.string({ required: true }), userId: t.id({ required: true }), role: t.field({ type: RoleEnum, required: true }) }),
});
const RemoveMemberInput = builder.inputType("RemoveMemberInput", {
  fields: (t) => ({ project: t.string({ required: true }), userId: t.id({ required: true }) }),
});
const MemberPayload = builder.objectRef<{ projectId: string; userId: string }>("SetMemberPayload").implement({
  fields: (t) => ({
    member: t.prismaField({
      type: "Member",
      resolve: (query, m, _a, ctx) => ctx.db.reader.member.findUniqueOrThrow({ ...query, where: { projectId_userId: { projectId: m.projectId, userId: m.userId } } }),
    }),
  }),
});
const RotateProjectKeyPayload = builder
  .objectRef<{ activeKeyVersion: number; reencrypted: number; pending: number }>("RotateProjectKeyPayload")
  .implement({
    fields: (t) => ({
      activeKeyVersion: t.exposeInt("activeKeyVersion"),
      reencrypted: t.exposeInt("reencrypted", { description: "Values re-encrypted with the new key by this call." }),
      pending: t.exposeInt("pending", { description: "Values still on an older key (non-zero only if interrupted; finished at the next start)." }),
    }),
  });

const RemoveMemberPayload = builder.objectRef<{ userId: string }>("RemoveMemberPayload").implement({ fields: (t) => ({ userId: t.exposeID("userId") }) });

builder.mutationFields((t) => ({
  createProject: t.field({
    type: ProjectPayload,
    description: "Creates a project with branches main and dev, environments development, preview and production (protected), and the mapping production → main, preview → *.",
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    errors: {},
    resolve: async (_root, { input }, ctx) => ({ projectId: (await ctx.services.projects.createProject(requireActor(ctx), input)).id }),
  }),
  deleteProject: t.field({
    type: DeleteProjectPayload,
    description: "Deletes a project and everything in it (owners only).",
    args: { input: t.arg({ type: builder.inputType("DeleteProjectInput", { fields: (f) => ({ slug: f.string({ required: true }) }) }), required: true }) },
    errors: {},
    resolve: (_root, { input }, ctx) => ctx.services.projects.deleteProject(requireActor(ctx), input),
  }),
  createUser: t.field({
    type: CreateUserPayload,
    description: "Adds a user to this instance (instance admins only) and returns their first personal token.",
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    errors: {},
    resolve: async (_root, { input }, ctx) => {
      const { user, token } = await ctx.services.members.createUser(requireActor(ctx), input);
      return { userId: user.id, plaintextToken: token };
    },
  }),
  setMember: t.field({
    type: MemberPayload,
    description: "Adds a user to a project or changes their role (admins; only owners grant or take away owner).",
    args: { input: t.arg({ type: SetMemberInput, required: true }) },
    errors: {},
    resolve: (_root, { input }, ctx) => ctx.services.members.setMember(requireActor(ctx), input),
  }),
  rotateProjectKey: t.field({
    type: RotateProjectKeyPayload,
    description: "Creates a new data key for the project, makes it active and re-encrypts every value with it (admins). Reads keep working throughout.",
    args: { input: t.arg({ type: builder.inputType("RotateProjectKeyInput", { fields: (f) => ({ project: f.string({ required: true }) }) }), required: true }) },
    errors: {},
    resolve: (_root, { input }, ctx) => ctx.services.keyRotation.rotateProjectKey(requireActor(ctx), input),
  }),
  removeMember: t.field({
    type: RemoveMemberPayload,
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    errors: {},
    resolve: (_root, { input }, ctx) => ctx.services.members.removeMember(requireActor(ctx), input),
  }),
}));

