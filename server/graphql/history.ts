/** An environment's history: its revisions with their changes, and restoring one. */
import DataLoader from "dataloader";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../core/limits.js";
import { can } from "../authz/index.js";
import { ValidationError } from "../services/errors.js";
import {
  type ChangeRow,
  type OverrideComparisonEntry,
  type RestoreResult,
  revisionChanges,
} from "../services/history.js";
import { AuditActor } from "./audit.js";
import { builder, type Context } from "./builder.js";
import { ComparisonEntry as ComparisonEntryRef, ComparisonStatus } from "./compare.js";
import { type ConnectionShape, connectionType, pageArgs } from "./connection.js";
import { mutation } from "./mutation.js";
import { auditActor } from "./shared-history.js";

interface EnvRef {
  id: string;
  projectId: string;
  name: string;
  isDefault: boolean;
  isProtected: boolean;
}

interface RevisionRow {
  environmentId: string;
  number: number;
  createdAt: Date;
  action: string;
  actorType: string;
  actorUserId: string | null;
  tokenId: string | null;
  actorName: string;
  message: string | null;
  added: number;
  changed: number;
  removed: number;
  /** The environment it belongs to (for changes: permissions, labels). */
  env: EnvRef;
}

const ChangeKind = builder.enumType("ChangeKind", {
  values: {
    ADDED: { value: "added", description: "The key (or the branch's override) did not exist before." },
    CHANGED: {
      value: "changed",
      description: "A new value (a secret written again counts, even with the same value).",
    },
    REMOVED: { value: "removed", description: "Deleted (removing a base value removes its overrides too)." },
  } as const,
});

const RevisionChangeRef = builder.objectRef<ChangeRow>("RevisionChange").implement({
  description: "One base value or branch override a revision changed.",
  fields: (t) => ({
    key: t.exposeString("key"),
    branch: t.string({
      nullable: true,
      description: "The project branch of an override (its name then); null for the base value.",
      resolve: (c) => (c.branchId === "" ? null : c.branchName),
    }),
    kind: t.field({ type: ChangeKind, resolve: (c) => c.kind }),
    isSecret: t.exposeBoolean("isSecret"),
    before: t.exposeString("before", {
      nullable: true,
      description: "standard values only, for callers who may read values; null for secrets",
    }),
    after: t.exposeString("after", {
      nullable: true,
      description: "standard values only, for callers who may read values; null for secrets",
    }),
  }),
});

/** Per request: the changes of every revision asked for, one statement per environment. */
const changeLoaders = new WeakMap<Context, DataLoader<RevisionRow, ChangeRow[], string>>();
function changesOf(ctx: Context, revision: RevisionRow): Promise<ChangeRow[]> {
  let loader = changeLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader<RevisionRow, ChangeRow[], string>(
      async (revisions) => {
        const byEnv = new Map<string, RevisionRow[]>();
        for (const r of revisions) byEnv.set(r.environmentId, [...(byEnv.get(r.environmentId) ?? []), r]);
        const found = new Map<string, ChangeRow[]>();
        for (const [environmentId, list] of byEnv) {
          const env = list[0].env;
          const access = await ctx.loaders.access.load(env.projectId);
          const readable = !!access && can(access, "variable:read-value", env);
          const scope = {
            projectId: env.projectId,
            environmentId,
            label: { project: access?.project.slug ?? "", environment: env.name },
          };
          const rows = await revisionChanges(
            ctx.db.reader,
            ctx.services.values,
            scope,
            list.map((r) => r.number),
            readable,
          );
          for (const row of rows) {
            const key = `${environmentId}:${row.revision}`;
            found.set(key, [...(found.get(key) ?? []), row]);
          }
        }
        return revisions.map((r) => found.get(`${r.environmentId}:${r.number}`) ?? []);
      },
      { cacheKeyFn: (r) => `${r.environmentId}:${r.number}` },
    );
    changeLoaders.set(ctx, loader);
  }
  return loader.load(revision);
}

const RevisionRef = builder.objectRef<RevisionRow>("Revision").implement({
  description: "One revision of an environment: who made it, when, why, and what it changed.",
  fields: (t) => ({
    number: t.exposeInt("number"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    action: t.exposeString("action", {
      description: "The write that made it, e.g. variable.set, environment.restore.",
    }),
    actor: t.field({ type: AuditActor, resolve: (r) => auditActor(r) }),
    message: t.exposeString("message", { nullable: true }),
    added: t.exposeInt("added"),
    changed: t.exposeInt("changed"),
    removed: t.exposeInt("removed"),
    changes: t.field({ type: [RevisionChangeRef], resolve: (r, _a, ctx) => changesOf(ctx, r) }),
  }),
});

const RevisionConnection = connectionType(
  "Revision",
  RevisionRef,
  "An environment's revisions, newest first, since its history began (historySince).",
);

const REVISION_COLUMNS = {
  environmentId: true,
  number: true,
  createdAt: true,
  action: true,
  actorType: true,
  actorUserId: true,
  tokenId: true,
  actorName: true,
  message: true,
  added: true,
  changed: true,
  removed: true,
} as const;

const cursorOf = (n: number) => Buffer.from(JSON.stringify(["revisions", n])).toString("base64url");
function parseAfter(after: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
    if (Array.isArray(decoded) && decoded[0] === "revisions" && Number.isInteger(decoded[1])) return decoded[1];
  } catch {}
  throw ValidationError.fromFields([
    {
      path: ["after"],
      message:
        "after is not a cursor of revisions. Pass pageInfo.endCursor (or an edge's cursor) of a previous page of " +
        "revisions, or leave after out to start with the newest.",
    },
  ]);
}

async function mayRead(ctx: Context, env: EnvRef): Promise<boolean> {
  const access = await ctx.loaders.access.load(env.projectId);
  return !!access && can(access, "environment:read", env);
}

const ENV_SELECT = { id: true, projectId: true, name: true, isDefault: true, isProtected: true } as const;

builder.prismaObjectFields("Environment", (t) => ({
  historySince: t.exposeInt("historySince", {
    description:
      "The first revision whose full state is known: older revisions (before envplane recorded history) " +
      "cannot be shown, compared or restored.",
  }),
  revisions: t.field({
    type: RevisionConnection,
    description: "Revisions, newest first. Each page is one statement (changes: one more for the whole page).",
    select: ENV_SELECT,
    args: pageArgs(t.arg),
    resolve: async (env, args, ctx): Promise<ConnectionShape<RevisionRow>> => {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
        throw ValidationError.fromFields([
          {
            path: ["first"],
            message: `first must be between 0 and ${MAX_PAGE_SIZE} (got ${first}). Fetch more page by page with after.`,
          },
        ]);
      const before = args.after != null ? parseAfter(args.after) : null;
      const where = { environmentId: env.id };
      const rows = (await mayRead(ctx, env))
        ? await ctx.db.reader.revision.findMany({
            where: before === null ? where : { ...where, number: { lt: before } },
            orderBy: { number: "desc" },
            take: first + 1,
            select: REVISION_COLUMNS,
          })
        : [];
      return {
        nodes: rows.slice(0, first).map((r) => ({ ...r, env })),
        hasNextPage: rows.length > first,
        cursor: (r) => cursorOf(r.number),
        totalCount: () => ctx.db.reader.revision.count({ where }),
      };
    },
  }),
  // (The contract's `revision(number:)`: Environment.revision is already the current revision number.)
  revisionByNumber: t.field({
    type: RevisionRef,
    nullable: true,
    description: "One revision by number; null when it is not in the history (see historySince).",
    select: ENV_SELECT,
    args: { number: t.arg.int({ required: true }) },
    resolve: async (env, args, ctx) => {
      if (!(await mayRead(ctx, env))) return null;
      const row = await ctx.db.reader.revision.findUnique({
        where: { environmentId_number: { environmentId: env.id, number: args.number } },
        select: REVISION_COLUMNS,
      });
      return row ? { ...row, env } : null;
    },
  }),
}));

const RestoreEnvironmentInput = builder.inputType("RestoreEnvironmentInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    revision: t.int({ required: true, description: "The revision whose state to restore (historySince or later)." }),
    expectedRevision: t.int({ description: "The environment's current revision you reviewed against." }),
    dryRun: t.boolean({ description: "Only report what restoring would change; write nothing." }),
    message: t.string({ description: "Why (at most 500 characters), kept with the new revision." }),
  }),
});

const OverrideComparisonEntryRef = builder.objectRef<OverrideComparisonEntry>("OverrideComparisonEntry").implement({
  description: "One branch override of a comparison. Secrets are compared on the server and never shown.",
  fields: (t) => ({
    key: t.exposeString("key"),
    branch: t.exposeString("branch", { description: "The branch's name." }),
    status: t.field({ type: ComparisonStatus, resolve: (e) => e.status }),
    isSecret: t.exposeBoolean("isSecret"),
    baseValue: t.exposeString("baseValue", {
      nullable: true,
      description: "standard values only, for callers who may read values; null for secrets",
    }),
    headValue: t.exposeString("headValue", {
      nullable: true,
      description: "standard values only, for callers who may read values; null for secrets",
    }),
  }),
});

const RestoreEnvironmentPayload = builder.objectRef<RestoreResult>("RestoreEnvironmentPayload").implement({
  fields: (t) => ({
    environment: t.prismaField({
      type: "Environment",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
    }),
    revision: t.exposeInt("revision", {
      description: "The revision made (dry run or nothing to do: the current one).",
    }),
    restoredFrom: t.exposeInt("restoredFrom"),
    applied: t.exposeBoolean("applied", { description: "false for a dry run, or when the state already matched." }),
    dryRun: t.exposeBoolean("dryRun"),
    entries: t.field({
      type: [ComparisonEntryRef],
      description: "Base values restoring changes: base = now, head = the restored revision (unchanged ones left out).",
      resolve: (p) => p.entries,
    }),
    overrideEntries: t.field({
      type: [OverrideComparisonEntryRef],
      description:
        "Branch overrides restoring changes: base = now, head = the restored revision (unchanged ones left out).",
      resolve: (p) => p.overrideEntries,
    }),
    overridesRestored: t.exposeInt("overridesRestored", {
      description: "Branch overrides written or removed to match the revision.",
    }),
    skippedBranches: t.exposeStringList("skippedBranches", {
      description: "Branches that had overrides at that revision but have been deleted since: not restored.",
    }),
  }),
});

mutation("restoreEnvironment", {
  input: RestoreEnvironmentInput,
  type: RestoreEnvironmentPayload,
  description:
    "Sets an environment back to the state of an earlier revision, secrets and branch overrides included, as a " +
    "new revision (entirely on the server: values are never sent). dryRun shows the changes without writing.",
  resolve: (input, actor, ctx) => ctx.services.history.restoreEnvironment(actor, input),
});
