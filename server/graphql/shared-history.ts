/** How history names who made a revision, in audit's AuditActor shape (server/graphql/audit.ts). */
import type { AuditActorShape } from "./audit.js";

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
    // The server itself is "system" everywhere (revisions of the 0005 migration baseline stored "envplane");
    // a named system actor (GitHub deliveries: "github") keeps its name.
    name: type === "system" && (row.actorName === "envplane" || !row.actorName) ? "system" : row.actorName,
    userId: row.actorUserId,
    tokenId: row.tokenId,
    tokenName: type === "service" && row.actorName.startsWith(prefix) ? row.actorName.slice(prefix.length) : null,
  };
}
