/** Comparing two environments (or revisions of them) and promoting one onto another. */
import type { ComparisonEntry as Entry } from "../services/compare.js";
import type { PromoteResult } from "../services/promote.js";
import { builder, countEnvironmentRead, requireActor } from "./builder.js";
import { SeedDecisionInput } from "./environment.js";
import { mutation } from "./mutation.js";

export const ComparisonStatus = builder.enumType("ComparisonStatus", {
  values: {
    ADDED: { value: "ADDED", description: "Only in head (for a write: only in the result)." },
    REMOVED: { value: "REMOVED", description: "Only in base (for a write: removed by it)." },
    CHANGED: { value: "CHANGED", description: "In both, with another value or type." },
    UNCHANGED: { value: "UNCHANGED", description: "In both, the same." },
    SECRET_NOT_COMPARED: {
      value: "SECRET_NOT_COMPARED",
      description:
        "A secret in both, not compared: whether two secrets are equal tells something about their values (set a " +
        "guess where you may write, compare it with where you may not), so it is told only to a caller who may " +
        "write both environments (for a past revision of one environment: who may write it). Ask someone who may " +
        "write both to compare them.",
    },
  } as const,
});

export const ComparisonEntry = builder.objectRef<Entry>("ComparisonEntry").implement({
  description: "One key of a comparison. Secrets are compared on the server and never shown.",
  fields: (t) => ({
    key: t.exposeString("key"),
    status: t.field({ type: ComparisonStatus, resolve: (e) => e.status }),
    isSecret: t.exposeBoolean("isSecret"),
    baseValue: t.exposeString("baseValue", {
      nullable: true,
      description: "standard values for callers who may read both sides; null for secrets",
    }),
    headValue: t.exposeString("headValue", {
      nullable: true,
      description: "standard values for callers who may read both sides; null for secrets",
    }),
  }),
});

const EnvironmentRefInput = builder.inputType("EnvironmentRefInput", {
  fields: (t) => ({
    environment: t.string({ required: true }),
    revision: t.int({ description: "A past revision of it; omit for its current state." }),
  }),
});

type Side = { environment: { id: string }; revision: number };

const ComparedSide = builder.objectRef<Side>("ComparedSide").implement({
  fields: (t) => ({
    environment: t.prismaField({
      type: "Environment",
      resolve: (query, side, _a, ctx) =>
        ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: side.environment.id } }),
    }),
    revision: t.exposeInt("revision", { description: "The revision compared." }),
  }),
});

const EnvironmentComparison = builder
  .objectRef<{
    base: Side;
    head: Side;
    entries: Entry[];
    added: number;
    removed: number;
    changed: number;
    unchanged: number;
    notCompared: number;
  }>("EnvironmentComparison")
  .implement({
    fields: (t) => ({
      base: t.field({ type: ComparedSide, resolve: (c) => c.base }),
      head: t.field({ type: ComparedSide, resolve: (c) => c.head }),
      entries: t.field({ type: [ComparisonEntry], resolve: (c) => c.entries, description: "Every key, by name." }),
      added: t.exposeInt("added"),
      removed: t.exposeInt("removed"),
      changed: t.exposeInt("changed"),
      unchanged: t.exposeInt("unchanged"),
      notCompared: t.exposeInt("notCompared", {
        description: "Secrets in both sides that were not compared (SECRET_NOT_COMPARED): you may not write both.",
      }),
    }),
  });

builder.queryFields((t) => ({
  compareEnvironments: t.field({
    type: EnvironmentComparison,
    description:
      "Compares two environments, each now or at a past revision: per key ADDED (only in head), REMOVED, " +
      "CHANGED or UNCHANGED. Needs the right to read the values of both; secrets are reported as changed or " +
      "unchanged, never with a value, and only to a caller who may write both (else SECRET_NOT_COMPARED).",
    args: {
      project: t.arg.string({ required: true }),
      base: t.arg({ type: EnvironmentRefInput, required: true }),
      head: t.arg({ type: EnvironmentRefInput, required: true }),
    },
    errors: {},
    resolve: (_root, args, ctx) => {
      const actor = requireActor(ctx);
      // Two whole environments, unpaginated: counted as the one whole read a request may make.
      countEnvironmentRead(ctx);
      return ctx.services.compare.compareEnvironments(actor, args);
    },
  }),
}));

const PromoteEnvironmentInput = builder.inputType("PromoteEnvironmentInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    from: t.string({ required: true, description: "The source environment." }),
    fromRevision: t.int({ description: "Promote the source as it was at this revision; omit for its current state." }),
    to: t.string({ required: true, description: "The target environment." }),
    decisions: t.field({
      type: [SeedDecisionInput],
      description:
        "A reviewed promotion: one decision per key of the source (KEEP carries it, secrets included when you " +
        "may write the source; EDIT gives a new value; SKIP leaves the target's key alone). Omit to carry everything.",
    }),
    prune: t.boolean({ description: "Also remove the target's keys that the source does not have." }),
    dryRun: t.boolean({ description: "Return the entries and write nothing." }),
    expectedRevision: t.int({ description: "The target's revision you reviewed against." }),
    message: t.string({ description: "Why (at most 500 characters), recorded with the revision." }),
  }),
});

const PromoteEnvironmentPayload = builder.objectRef<PromoteResult>("PromoteEnvironmentPayload").implement({
  fields: (t) => ({
    environment: t.prismaField({
      type: "Environment",
      description: "The target.",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.environment.findUniqueOrThrow({ ...query, where: { id: p.environment.id } }),
    }),
    revision: t.exposeInt("revision", { description: "The target's revision after the write (now, for a dry run)." }),
    fromRevision: t.exposeInt("fromRevision", { description: "The source revision promoted." }),
    applied: t.exposeBoolean("applied", { description: "False for a dry run or when nothing changes." }),
    dryRun: t.exposeBoolean("dryRun"),
    entries: t.field({
      type: [ComparisonEntry],
      description: "The target now (base) against the result (head), every key.",
      resolve: (p) => p.entries,
    }),
    copied: t.exposeStringList("copied", { description: "Keys carried from the source as they are." }),
    edited: t.exposeStringList("edited", { description: "Keys given a new value (EDIT)." }),
    skipped: t.exposeStringList("skipped", { description: "Source keys left out (SKIP, and skippedSecrets)." }),
    removed: t.exposeStringList("removed", { description: "Target keys removed by prune." }),
    skippedSecrets: t.exposeStringList("skippedSecrets", {
      description:
        "Secrets of the source not carried because the caller may not write the source. Promote them as someone " +
        "who may, or set them in the target.",
    }),
  }),
});

mutation("promoteEnvironment", {
  input: PromoteEnvironmentInput,
  type: PromoteEnvironmentPayload,
  description:
    "Applies one environment's state (now or at fromRevision) to another in one write, as-is or reviewed " +
    "(KEEP / EDIT / SKIP); prune removes the target's keys the source lacks; dryRun writes nothing.",
  resolve: (input, actor, ctx) => ctx.services.promote.promoteEnvironment(actor, input),
});
