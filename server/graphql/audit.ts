/** The audit log (auditLog, verifyAuditLog), who an event names (AuditActor) and what is live per branch. */
import DataLoader from "dataloader";
import type { AuditEventRow, AuditFilter } from "../services/audit.js";
import {
  branchLives,
  branchStatuses,
  type LiveRow,
  type BranchStatus as Status,
  visibleLive,
} from "../services/live.js";
import { builder, type Context, requireActor } from "./builder.js";
import { connectionType, pageArgs } from "./connection.js";

export const ActorType = builder.enumType("ActorType", {
  values: {
    USER: { value: "user", description: "A person, through a personal token or a dashboard session." },
    SERVICE: { value: "service", description: "A service token of the project." },
    SYSTEM: { value: "system", description: "The server itself (e.g. its first start)." },
  } as const,
});

export interface AuditActorShape {
  type: "user" | "service" | "system";
  name: string;
  userId: string | null;
  tokenId: string | null;
  tokenName: string | null;
}

export const AuditActor = builder.objectRef<AuditActorShape>("AuditActor").implement({
  description: "Who did something: a user (with the token or session's token), a service token, or the system.",
  fields: (t) => ({
    type: t.expose("type", { type: ActorType }),
    name: t.exposeString("name", { description: 'The user\'s name, or "service token <name>", or "system".' }),
    userId: t.exposeID("userId", { nullable: true }),
    tokenId: t.exposeID("tokenId", { nullable: true }),
    tokenName: t.exposeString("tokenName", { nullable: true, description: "null once the token is deleted." }),
  }),
});

const AuditEvent = builder.objectRef<AuditEventRow>("AuditEvent").implement({
  description:
    "One row of a project's audit log: a write, or a read of values (pull, runtime resolution). " +
    "It names keys, never values.",
  fields: (t) => ({
    id: t.exposeID("id"),
    sequence: t.exposeInt("seq", { description: "1, 2, 3, … in the project's chain." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    action: t.exposeString("action", { description: "e.g. variable.set, variables.resolve, member.set." }),
    actor: t.field({
      type: AuditActor,
      resolve: (e) => ({
        type: e.actorType as AuditActorShape["type"],
        name: e.actorName,
        userId: e.actorUserId,
        tokenId: e.tokenId,
        tokenName: e.tokenName,
      }),
    }),
    environment: t.exposeString("environmentName", { nullable: true }),
    branch: t.exposeString("branchName", { nullable: true }),
    revision: t.exposeInt("revision", {
      nullable: true,
      description: "The environment's revision after the write (or served by the read).",
    }),
    keys: t.stringList({ resolve: (e) => JSON.parse(e.keys) as string[] }),
    clientAddress: t.exposeString("clientAddress", { nullable: true }),
    userAgent: t.exposeString("userAgent", { nullable: true }),
    hash: t.exposeString("hash", { description: "SHA-256 of the row and the previous row's hash." }),
  }),
});

const AuditEventConnection = connectionType("AuditEvent", AuditEvent, "A page of the audit log, newest first.");

const AuditLogFilter = builder.inputType("AuditLogFilter", {
  fields: (t) => ({
    environment: t.string({ description: "An environment's name." }),
    actor: t.string({ description: "A user's e-mail address or name, or a token's name." }),
    action: t.string({
      description: 'An action (e.g. "variable.set"), or a prefix ending in "." (e.g. "variables.").',
    }),
    since: t.field({ type: "DateTime", description: "Events at or after this time." }),
    until: t.field({ type: "DateTime", description: "Events at or before this time." }),
  }),
});

const AuditProblem = builder
  .objectRef<{ sequence: number; eventId: string | null; message: string }>("AuditProblem")
  .implement({
    fields: (t) => ({
      sequence: t.exposeInt("sequence"),
      eventId: t.exposeID("eventId", { nullable: true, description: "null for deleted events." }),
      message: t.exposeString("message"),
    }),
  });

const AuditVerification = builder
  .objectRef<{
    ok: boolean;
    checked: number;
    problems: { sequence: number; eventId: string | null; message: string }[];
  }>("AuditVerification")
  .implement({
    description:
      "The project's hash chain walked from its anchor. It detects rows edited, deleted or reordered through the " +
      "database; it cannot detect a whole chain rewritten by someone with write access to the database.",
    fields: (t) => ({
      ok: t.exposeBoolean("ok"),
      checked: t.exposeInt("checked", { description: "Events checked." }),
      problems: t.field({ type: [AuditProblem], resolve: (v) => v.problems }),
    }),
  });

builder.queryFields((t) => ({
  auditLog: t.field({
    type: AuditEventConnection,
    description: "The project's audit log, newest first (project admins and owners).",
    args: {
      project: t.arg.string({ required: true }),
      filter: t.arg({ type: AuditLogFilter }),
      ...pageArgs(t.arg),
    },
    resolve: (_root, args, ctx) =>
      ctx.services.audit.auditLog(requireActor(ctx), { ...args, filter: args.filter as AuditFilter | null }),
  }),
  verifyAuditLog: t.field({
    type: AuditVerification,
    description: "Checks the project's audit log hash chain (project admins and owners).",
    args: { project: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.services.audit.verifyAuditLog(requireActor(ctx), args),
  }),
}));

const LiveRevision = builder
  .objectRef<{
    environmentId: string;
    environmentName: string;
    revision: number;
    servedAt: Date;
    tokenId: string | null;
  }>("LiveRevision")
  .implement({
    description: "What runtimeVariables last served the branch.",
    fields: (t) => ({
      environment: t.prismaField({
        type: "Environment",
        nullable: true,
        description: "null once the environment is deleted.",
        resolve: (query, live, _a, ctx) =>
          ctx.db.reader.environment.findUnique({ ...query, where: { id: live.environmentId } }),
      }),
      environmentName: t.exposeString("environmentName"),
      revision: t.exposeInt("revision"),
      servedAt: t.expose("servedAt", { type: "DateTime" }),
      tokenName: t.string({
        nullable: true,
        resolve: async (live, _a, ctx) =>
          live.tokenId
            ? ((await ctx.db.reader.token.findUnique({ where: { id: live.tokenId }, select: { name: true } }))?.name ??
              null)
            : null,
      }),
    }),
  });

const BranchStatus = builder.objectRef<Status>("BranchStatus").implement({
  description: "The branch's mapped environment now, against what was last served to it.",
  fields: (t) => ({
    environment: t.prismaField({
      type: "Environment",
      resolve: (query, s, _a, ctx) =>
        ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: s.environment.id } }),
    }),
    currentRevision: t.exposeInt("currentRevision"),
    liveRevision: t.exposeInt("liveRevision", { nullable: true, description: "null: never served at runtime." }),
    pendingChanges: t.int({
      resolve: (s) => s.pendingKeys.length,
      description: "Keys changed since the live revision.",
    }),
    pendingKeys: t.exposeStringList("pendingKeys"),
    redeployNeeded: t.exposeBoolean("redeployNeeded"),
    environmentChanged: t.exposeBoolean("environmentChanged", {
      description: "The branch now maps to another environment than the one it was last served.",
    }),
  }),
});

type BranchRef = { id: string; projectId: string; name: string };

/**
 * Per request: the live rows of every branch asked for in one statement, and their statuses in a constant number
 * of statements per project (the mapping, the environments, the pending keys of all branches at once).
 */
const liveLoaderCache = new WeakMap<Context, ReturnType<typeof createLiveLoaders>>();
function liveLoaders(ctx: Context) {
  let loaders = liveLoaderCache.get(ctx);
  if (!loaders) {
    loaders = createLiveLoaders(ctx);
    liveLoaderCache.set(ctx, loaders);
  }
  return loaders;
}
function createLiveLoaders(ctx: Context) {
  const live = new DataLoader<string, LiveRow | undefined>(async (ids) => {
    const rows = await branchLives(ctx.db.reader, ids);
    return ids.map((id) => rows.get(id));
  });
  const status = new DataLoader<BranchRef, Status | null, string>(
    async (branches) => {
      const lives = new Map<string, LiveRow>();
      for (const [i, row] of (await live.loadMany(branches.map((b) => b.id))).entries())
        if (row instanceof Error) throw row;
        else if (row) lives.set(branches[i].id, row);
      const found = new Map<string, Status | null>();
      for (const projectId of new Set(branches.map((b) => b.projectId))) {
        const list = branches.filter((b) => b.projectId === projectId);
        const access = await ctx.loaders.access.load(projectId);
        const statuses = access ? await branchStatuses(ctx.db.reader, access, list, lives) : list.map(() => null);
        for (const [i, b] of list.entries()) found.set(b.id, statuses[i]);
      }
      return branches.map((b) => found.get(b.id) ?? null);
    },
    { cacheKeyFn: (b) => b.id },
  );
  return { live, status };
}

builder.prismaObjectFields("ProjectBranch", (t) => ({
  live: t.field({
    type: LiveRevision,
    nullable: true,
    select: { id: true, projectId: true },
    description:
      "What the branch's deployment last got from runtimeVariables; null: never, or an environment you cannot see.",
    resolve: async (branch, _a, ctx) => {
      const access = await ctx.loaders.access.load(branch.projectId);
      return access ? visibleLive(access, await liveLoaders(ctx).live.load(branch.id)) : null;
    },
  }),
  status: t.field({
    type: BranchStatus,
    nullable: true,
    select: { id: true, projectId: true, name: true },
    description:
      "Changes not yet live on the branch; null when its environment does not exist or is not visible to you.",
    resolve: (branch, _a, ctx) => liveLoaders(ctx).status.load(branch),
  }),
}));
