/**
 * The one write path. Every write — variables, overrides, environments, seeding, branches,
 * mapping, members, tokens, projects, key rotation — runs as a unit of work:
 *
 *   1. resolve and authorize once: the project (by slug) as the caller's access, the
 *      environment (by name), the permission, any extra `authorize` check;
 *   2. one transaction: bump the environment's revision first when asked (write-first: the
 *      database serializes concurrent writers there, and a stale expectedRevision fails
 *      before anything else), run the service's work, then append exactly one Event row
 *      (actor, token, action, ids, keys touched — never values);
 *   3. a `Rollback` (nothing changed) or any error rolls everything back: no event.
 *
 * Services are thin callers: `writes.run({ actor, action, project, environment, permission,
 * bump, expectedRevision }, async (uow) => …)`.
 */

import {
  assertCan,
  type EnvironmentAction,
  type ProjectAccess,
  type ProjectAction,
  projectAccess,
  projectNotFound,
} from "../authz/index.js";
import type { Database, Tx } from "../db/client.js";
import { lockProject } from "../db/project-sql.js";
import type { Actor } from "../services/actor.js";
import { type EnvironmentRow, findEnvironment } from "../services/lookup.js";
import { LARGE_WRITE, nextTurn } from "../services/pace.js";
import { bumpRevision, inTransaction } from "../services/transaction.js";
import type { EventAction } from "./actions.js";
import { type AuditFields, appendAuditRow } from "./audit.js";
import {
  assertMessage,
  type BranchDeletionRevision,
  captureBranchDeletion,
  captureRemovals,
  captureRevision,
} from "./history.js";
import { enqueueDeliveries } from "./outbox.js";

export { Rollback } from "../services/transaction.js";

/** Who wrote: a token's actor, or the server itself (first start). */
export type EventActor = Actor | { kind: "system"; name?: string };

export interface WriteSpec {
  actor: EventActor;
  action: EventAction;
  /** Project slug: resolved to the caller's access (a project it cannot access is "not found"). */
  project?: string;
  /** Environment name in `project`: resolved (one the caller cannot see is "not found"). */
  environment?: string;
  /** Asserted once resolved: on the environment when one is named, else on the project. */
  permission?: ProjectAction | EnvironmentAction;
  /** Further checks once resolved, before the transaction. */
  authorize?: (resolved: { access: ProjectAccess; env: EnvironmentRow | null }) => void | Promise<void>;
  /** Increment the environment's revision as the transaction's first statement. */
  bump?: boolean;
  /** With `bump`: fail with a ConflictError (and no event) unless the environment is at this revision. */
  expectedRevision?: number | null;
  /**
   * Lock the project row as the transaction's first statement, so concurrent writes of this
   * kind to one project run one after the other and each sees the previous one's result
   * (membership changes: "at least one owner" is checked inside, after the lock).
   */
  serializeProject?: boolean;
  /** Why: kept with the revision this write makes (at most 500 characters). */
  message?: string | null;
}

/** What a write records besides actor and action. Keys are variable names only. */
export interface EventFields {
  projectId?: string | null;
  environmentId?: string | null;
  branchId?: string | null;
  revision?: number | null;
  keys?: Iterable<string>;
  metadata?: Record<string, unknown>;
}

export interface UnitOfWork {
  tx: Tx;
  /** The caller's access to the project named in the spec (throws when none was named). */
  readonly access: ProjectAccess;
  /** The environment named in the spec (throws when none was named). */
  readonly env: EnvironmentRow;
  /** The environment's revision after the bump (throws when there was none). */
  readonly revision: number;
  /** Bumps another environment's revision (e.g. one created in this transaction); recorded on the event. */
  bump(env: { id: string; name: string }, expectedRevision?: number | null): Promise<number>;
  /** Adds to the event this write appends (keys accumulate, metadata merges, ids replace). */
  record(fields: EventFields): void;
  /**
   * Call BEFORE deleting values of the bumped environment: records in its history the removal
   * of base values `keys` (with their overrides), or of `branchId`'s overrides of them.
   */
  removing(keys: readonly string[], branchId?: string | null): Promise<void>;
  /** Deleting a project branch: moves each environment with overrides of it to a revision recording their removal. */
  removingBranch(branchId: string): Promise<BranchDeletionRevision[]>;
}

export interface WritePath {
  run<T>(spec: WriteSpec, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

function actorColumns(actor: EventActor) {
  if (actor.kind === "system") return { actorType: "system", actorUserId: null, tokenId: null };
  if (actor.kind === "user") return { actorType: "user", actorUserId: actor.userId, tokenId: actor.tokenId };
  return { actorType: "service", actorUserId: null, tokenId: actor.tokenId };
}

function tokenActor(actor: EventActor): Actor {
  if (actor.kind === "system") throw new Error("the system actor has no project access");
  return actor;
}

function actorDetails(actor: EventActor) {
  if (actor.kind === "system") return { actorName: actor.name ?? "system", clientAddress: null, userAgent: null };
  return {
    actorName: actor.name ?? (actor.kind === "service" ? "service token" : ""),
    clientAddress: actor.clientAddress ?? null,
    userAgent: actor.userAgent ?? null,
  };
}

/**
 * Appends one event row to the audit log (its project's hash chain, see audit.ts). Only the write path, the
 * audited reads and the first start (which has no caller) call it.
 */
export async function appendEvent(
  tx: Pick<Tx, "$queryRaw" | "$executeRaw">,
  actor: EventActor,
  action: EventAction,
  fields: EventFields = {},
): Promise<{ id: string; createdAt: Date }> {
  return appendAuditRow(tx, auditFields(actor, action, fields));
}

/** An event's audit row fields (also for a read's row appended on the idle SQLite writer, services/audit.ts). */
export function auditFields(actor: EventActor, action: EventAction, fields: EventFields = {}): AuditFields {
  return {
    action,
    ...actorColumns(actor),
    ...actorDetails(actor),
    projectId: fields.projectId ?? null,
    environmentId: fields.environmentId ?? null,
    branchId: fields.branchId ?? null,
    revision: fields.revision ?? null,
    keys: JSON.stringify([...new Set(fields.keys ?? [])].sort()),
    metadata: JSON.stringify(fields.metadata ?? {}),
  };
}

/** The system writing in a project (a GitHub delivery): an admin's permissions, no token, no person. */
async function systemAccess(
  client: Database["reader"],
  actor: { kind: "system"; name?: string },
  slug: string,
): Promise<ProjectAccess> {
  const project = await client.project.findUnique({
    where: { slug },
    select: { id: true, slug: true, name: true, activeKeyVersion: true },
  });
  if (!project) throw projectNotFound(slug);
  return { actor, project, role: "admin" };
}

export function writePath(
  db: Pick<Database, "provider" | "reader" | "writer">,
  /**
   * Called after a write committed (e.g. the auth cache forgets actors a revocation changed;
   * the webhook worker is nudged when `deliveries` were queued).
   */
  afterCommit: (action: EventAction, outcome: { deliveries: number }) => void = () => {},
): WritePath {
  function authorize(spec: WriteSpec, access: ProjectAccess, env: EnvironmentRow | null) {
    if (!spec.permission) return;
    if (env) assertCan(access, spec.permission as EnvironmentAction, env);
    else assertCan(access, spec.permission as ProjectAction);
  }

  async function resolve(client: Database["reader"], spec: WriteSpec) {
    if (spec.project === undefined) return { access: null, env: null };
    const access =
      spec.actor.kind === "system"
        ? await systemAccess(client, spec.actor, spec.project)
        : await projectAccess(client, tokenActor(spec.actor), spec.project);
    const env = spec.environment !== undefined ? await findEnvironment(client, access, spec.environment) : null;
    authorize(spec, access, env);
    await spec.authorize?.({ access, env });
    return { access, env };
  }

  return {
    async run<T>(spec: WriteSpec, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
      if (spec.bump && spec.environment === undefined) throw new Error(`${spec.action}: bump needs an environment`);
      if (spec.serializeProject && spec.project === undefined)
        throw new Error(`${spec.action}: serializeProject needs a project`);
      assertMessage(spec.message);
      const { access, env } = await resolve(db.reader, spec);
      let deliveries = 0;
      const result = await inTransaction(db.writer, async (tx) => {
        if (spec.serializeProject && !(await lockProject(tx, db.provider, access!.project.id)))
          throw projectNotFound(spec.project!);
        const event: Required<Omit<EventFields, "keys">> & { keys: Set<string> } = {
          projectId: access?.project.id ?? null,
          environmentId: env?.id ?? null,
          branchId: null,
          revision: null,
          keys: new Set(),
          metadata: {},
        };
        let bumped = null as { id: string } | null;
        let branchRevisions: BranchDeletionRevision[] = [];
        const uow: UnitOfWork = {
          tx,
          get access() {
            if (!access) throw new Error(`${spec.action}: no project was resolved`);
            return access;
          },
          get env() {
            if (!env) throw new Error(`${spec.action}: no environment was resolved`);
            return env;
          },
          get revision() {
            if (event.revision === null) throw new Error(`${spec.action}: no revision was bumped`);
            return event.revision;
          },
          async bump(target, expectedRevision) {
            if (bumped) throw new Error(`${spec.action}: a write bumps one environment's revision once`);
            bumped = target;
            const revision = await bumpRevision(tx, target, expectedRevision);
            event.environmentId = target.id;
            event.revision = revision;
            return revision;
          },
          record(fields) {
            for (const key of fields.keys ?? []) event.keys.add(key);
            if (fields.metadata) Object.assign(event.metadata, fields.metadata);
            if (fields.projectId !== undefined) event.projectId = fields.projectId;
            if (fields.environmentId !== undefined) event.environmentId = fields.environmentId;
            if (fields.branchId !== undefined) event.branchId = fields.branchId;
            if (fields.revision !== undefined) event.revision = fields.revision;
          },
          async removing(keys, branchId) {
            if (!bumped || event.revision === null) throw new Error(`${spec.action}: removing needs a bumped revision`);
            await captureRemovals(
              tx,
              db.provider,
              { environmentId: bumped.id, revision: event.revision },
              { keys, branchId },
            );
          },
          async removingBranch(branchId) {
            const { actor, action, message } = spec;
            branchRevisions = await captureBranchDeletion(tx, db.provider, {
              projectId: access!.project.id,
              branchId,
              actor,
              action,
              message,
            });
            return branchRevisions;
          },
        };
        if (spec.bump) await uow.bump(env!, spec.expectedRevision);
        const result = await work(uow);
        // A large write lets other requests in before its history statement and after it (before COMMIT).
        const large = event.keys.size >= LARGE_WRITE;
        if (large) await nextTurn(true);
        if (bumped && event.revision !== null)
          await captureRevision(tx, db.provider, {
            environmentId: bumped.id,
            number: event.revision,
            action: spec.action,
            actor: spec.actor,
            message: spec.message,
          });
        if (large) await nextTurn(true);
        const appended = await appendEvent(tx, spec.actor, spec.action, { ...event, keys: event.keys });
        const outbox = { ...appended, action: spec.action, actor: spec.actor, message: spec.message ?? null };
        deliveries = await enqueueDeliveries(tx, { ...outbox, ...event });
        // A branch deletion also moved environments on: subscribers to environment.changed see each revision.
        for (const r of branchRevisions)
          deliveries += await enqueueDeliveries(tx, {
            ...outbox,
            ...event,
            type: "environment.changed",
            environmentId: r.environmentId,
            revision: r.revision,
            keys: r.keys,
            branchName: r.branch,
          });
        // A branch deletion that took its preview environment with it: environment.deleted for the preview.
        const { previewId, preview } = event.metadata as { previewId?: unknown; preview?: unknown };
        if (typeof previewId === "string" && typeof preview === "string")
          deliveries += await enqueueDeliveries(tx, {
            ...outbox,
            ...event,
            type: "environment.deleted",
            environmentId: previewId,
            revision: null,
            keys: [],
            metadata: { ...event.metadata, name: preview },
            branchName: typeof event.metadata.name === "string" ? event.metadata.name : undefined,
          });
        return result;
      });
      afterCommit(spec.action, { deliveries });
      return result;
    },
  };
}
