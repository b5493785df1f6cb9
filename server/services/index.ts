/** Composition root: every service, built from the database and the key ring. */

import type { Database } from "../db/client.js";
import type { EventAction } from "../events/actions.js";
import { writePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { auditService } from "./audit.js";
import { authService } from "./auth.js";
import { bindingService } from "./bindings.js";
import { branchService } from "./branches.js";
import { compareService } from "./compare.js";
import { environmentService } from "./environments.js";
import { gitService } from "./git.js";
import { historyService } from "./history.js";
import { keyRotationService } from "./key-rotation.js";
import type { KeyRing } from "./keyring.js";
import { memberService } from "./members.js";
import { noteService } from "./notes.js";
import { previewService } from "./previews.js";
import { projectService } from "./projects.js";
import { promoteService } from "./promote.js";
import { resolutionService } from "./resolution.js";
import { secretRequestService } from "./secret-requests.js";
import { type SessionOptions, sessionService } from "./sessions.js";
import { sharedService } from "./shared.js";
import { tokenService } from "./tokens.js";
import { type Log, ValueStore } from "./values.js";
import { variableService } from "./variables.js";
import { type WebhookWorkerOptions, webhookService, webhookWorker } from "./webhooks.js";

const CHANGES_ACTORS = new Set<EventAction>([
  "token.revoke",
  "token.create",
  "user.create",
  "member.set",
  "member.remove",
  "project.delete",
  "environment.delete",
  "session.revoke",
  "session.revoke_others",
]);

export interface ServiceOptions {
  /** Server log lines (e.g. which stored rows cannot be decrypted); never values. */
  log?: Log;
  sessions?: SessionOptions;
  /** The webhook worker's timings (started by the app, see server/app.ts). */
  webhooks?: WebhookWorkerOptions;
  /** Failed webhook deliveries (default: `log`). */
  webhookLog?: Log;
}

export function createServices(db: Database, keys: KeyRing, options: ServiceOptions = {}) {
  const log = options.log ?? ((line: string) => console.error(line));
  const values = new ValueStore(db.provider, keys, log);
  const auth = authService({ reader: db.reader, writer: db.writer });
  const worker = webhookWorker({ db, keys, log: options.webhookLog ?? log, options: options.webhooks });
  // Writes that can revoke or change an actor empty the auth cache once committed (see AUTH_CACHE_TTL_MS);
  // webhook deliveries a write queued are sent at once (by this server's worker, when it runs).
  const writes = writePath(db, (action, { deliveries }) => {
    if (CHANGES_ACTORS.has(action)) auth.forgetAll();
    if (deliveries > 0) worker.nudge();
  });
  const previews = previewService({ db, values, writes });
  return {
    auth,
    projects: projectService({ keys, writes }),
    branches: branchService({ db, writes }),
    environments: environmentService({ db, values, writes }),
    compare: compareService({ db, values }),
    promote: promoteService({ db, values, writes }),
    variables: variableService({ db, values, writes }),
    notes: noteService({ values, writes }),
    history: historyService({ db, values, writes }),
    resolution: resolutionService({ db, values, log }),
    audit: auditService({ db, log }),
    tokens: tokenService({ db, writes }),
    members: memberService({ db, writes }),
    sessions: sessionService({ db, writes, auth }, options.sessions),
    keyRotation: keyRotationService({ db, keys, writes }),
    webhooks: webhookService({ db, keys, writes, worker }),
    previews,
    git: gitService({
      db,
      keys,
      writes,
      // createPreview only hands its actor to the write path, which takes the system actor (an admin's access).
      createPreview: (actor, input) => previews.createPreview(actor as unknown as Actor, input),
    }),
    shared: sharedService({ db, values, writes }),
    bindings: bindingService({ db, values, writes }),
    secretRequests: secretRequestService({ db, values, writes }),
    /** Decrypting single values for the GraphQL `value` fields. */
    values,
  };
}

export type Services = ReturnType<typeof createServices>;
