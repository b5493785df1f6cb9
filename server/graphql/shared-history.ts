/**
 * Types shared by history, compare and audit (issue 9). Defined here by history, which needed
 * them first; whichever of audit (AuditActor, ActorType) and compare (ComparisonEntry,
 * ComparisonStatus) merges second removes its duplicate and imports these.
 */
import type { ComparisonEntry } from "../services/history.js";
import type { AuditActorShape } from "./audit.js";
import { builder } from "./builder.js";

/** An actor from the columns a Revision (or Event) row stores. */
export function auditActor(row: {
  actorType: string;
  actorUserId: string | null;
  tokenId: string | null;
  actorName: string;
}): AuditActorShape {
  const type = row.actorType === "user" ? "user" : row.actorType === "service" ? "service" : "system";
  const prefix = "service token ";
  return {
    type,
    name: row.actorName,
    userId: row.actorUserId,
    tokenId: row.tokenId,
    tokenName: type === "service" && row.actorName.startsWith(prefix) ? row.actorName.slice(prefix.length) : null,
  };
}

export const ComparisonStatus = builder.enumType("ComparisonStatus", {
  values: {
    ADDED: { value: "ADDED", description: "Only in head." },
    REMOVED: { value: "REMOVED", description: "Only in base." },
    CHANGED: { value: "CHANGED", description: "In both, with another value or type." },
    UNCHANGED: { value: "UNCHANGED", description: "In both, the same." },
  } as const,
});

export const ComparisonEntryRef = builder.objectRef<ComparisonEntry>("ComparisonEntry").implement({
  description: "One key of two compared states (base → head).",
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
