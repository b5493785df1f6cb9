/**
 * Who is calling: a user through a personal token or a dashboard session, or a service token
 * of one project. A session's `tokenId` is the personal token it descends from (events name it).
 */
import type { ServicePermission } from "../../core/roles.js";

export type Actor =
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
    };
