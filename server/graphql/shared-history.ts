/**
 * Types shared by history and audit (issue 9). Defined here by history, which needed them first;
 * whichever of audit (AuditActor, ActorType) merges second removes its duplicate and imports these.
 * ComparisonEntry and ComparisonStatus live in compare.ts.
 */
import { builder } from "./builder.js";

export interface AuditActorShape {
  type: "USER" | "SERVICE" | "SYSTEM";
  name: string;
  userId: string | null;
  tokenId: string | null;
  tokenName: string | null;
}

export const ActorType = builder.enumType("ActorType", {
  values: {
    USER: { value: "USER", description: "A user, through a personal token or a dashboard session." },
    SERVICE: { value: "SERVICE", description: "A service token of the project." },
    SYSTEM: { value: "SYSTEM", description: "envplane itself (first start, history baseline)." },
  } as const,
});

export const AuditActor = builder.objectRef<AuditActorShape>("AuditActor").implement({
  description: "Who made a change: their name as it was then, and ids (which may no longer exist).",
  fields: (t) => ({
    type: t.field({ type: ActorType, resolve: (a) => a.type }),
    name: t.exposeString("name"),
    userId: t.exposeID("userId", { nullable: true }),
    tokenId: t.exposeID("tokenId", { nullable: true }),
    tokenName: t.exposeString("tokenName", { nullable: true }),
  }),
});

/** An actor from the columns a Revision (or Event) row stores. */
export function auditActor(row: {
  actorType: string;
  actorUserId: string | null;
  tokenId: string | null;
  actorName: string;
}): AuditActorShape {
  const type = row.actorType === "user" ? "USER" : row.actorType === "service" ? "SERVICE" : "SYSTEM";
  const prefix = "service token ";
  return {
    type,
    name: row.actorName,
    userId: row.actorUserId,
    tokenId: row.tokenId,
    tokenName: type === "SERVICE" && row.actorName.startsWith(prefix) ? row.actorName.slice(prefix.length) : null,
  };
}
