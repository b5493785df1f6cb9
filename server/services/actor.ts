/**
 * Who is calling: a user through a personal token or a dashboard session, or a service token
 * of one project. A session's `tokenId` is the personal token it descends from (events name it).
 */
import type { ServicePermission } from "../../core/roles.js";

/**
 * What the audit log records about a caller besides its identity. `name` is looked up with the token (and cached
 * with it); `clientAddress` and `userAgent` are attached per request, after the cache (server/app.ts).
 */
export interface ActorDetails {
  /** The user's name, or "service token <name>". */
  name?: string;
  clientAddress?: string | null;
  userAgent?: string | null;
}

export type Actor = ActorDetails &
  (
    | {
        kind: "user";
        tokenId: string;
        userId: string;
        isInstanceAdmin: boolean;
        /** Set when the caller is a dashboard session (cookie) rather than the token itself. */
        sessionId?: string;
      }
    | {
        kind: "service";
        tokenId: string;
        projectId: string;
        permissions: ReadonlySet<ServicePermission>;
        /** null: every environment of the project. */
        environmentIds: ReadonlySet<string> | null;
      }
  );
