/** Who is calling: a user through a personal token, or a service token of one project. */
import type { ServicePermission } from "../../core/roles.js";

export type Actor =
  | { kind: "user"; tokenId: string; userId: string; isInstanceAdmin: boolean }
  | {
      kind: "service";
      tokenId: string;
      projectId: string;
      permissions: ReadonlySet<ServicePermission>;
      /** null: every environment of the project. */
      environmentIds: ReadonlySet<string> | null;
    };
