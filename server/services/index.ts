/** Composition root: every service, built from the database and the key ring. */
import type { Database } from "../db/client.js";
import { authService } from "./auth.js";
import { branchService } from "./branches.js";
import { environmentService } from "./environments.js";
import type { KeyRing } from "./keyring.js";
import { keyRotationService } from "./key-rotation.js";
import { memberService } from "./members.js";
import { projectService } from "./projects.js";
import { resolutionService } from "./resolution.js";
import { tokenService } from "./tokens.js";
import { variableService } from "./variables.js";

export function createServices(db: Database, keys: KeyRing) {
  return {
    auth: authService({ reader: db.reader, writer: db.writer }),
    projects: projectService({ db, keys }),
    branches: branchService({ db }),
    environments: environmentService({ db, keys }),
    variables: variableService({ db, keys }),
    resolution: resolutionService({ db, keys }),
    tokens: tokenService({ db }),
    members: memberService({ db }),
    keyRotation: keyRotationService({ db, keys }),
  };
}

export type Services = ReturnType<typeof createServices>;
