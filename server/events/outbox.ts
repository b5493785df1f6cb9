/**
 * The transactional outbox of webhooks: the write path calls `enqueueDeliveries` in the
 * write's own transaction, right after appending its event, so a delivery exists exactly
 * when its event does (a rolled-back write queues nothing). The worker
 * (server/services/webhooks.ts) sends them later, from any server.
 *
 * Cost: a write whose action no webhook can subscribe to costs nothing here; any other costs
 * one indexed SELECT of the project's webhooks (none → done). Only when a webhook matches are
 * the names for the payload looked up. No per-process cache: with several servers on one
 * PostgreSQL, a webhook created by another server must get the very next event.
 */
import type { Tx } from "../db/client.js";
import { querySql } from "../db/direct.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import type { Actor } from "../services/actor.js";

/** Who wrote (the write path's EventActor): a token's actor, or the server itself. */
type EventActor = Actor | { kind: "system"; name?: string };

/** The event types a webhook can subscribe to, as sent in the payload's `type`. */
export const WEBHOOK_EVENT_TYPES = [
  "environment.changed",
  "environment.created",
  "environment.deleted",
  "environment.updated",
  "branch.created",
  "branch.deleted",
  "token.created",
  "token.revoked",
  "secret_request.created",
  "secret_request.cancelled",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Which writes each event type reports. Every write that changes an environment's variables is environment.changed. */
const TYPE_OF_ACTION: Record<string, WebhookEventType> = {
  "variable.set": "environment.changed",
  "variable.unset": "environment.changed",
  "variables.set": "environment.changed",
  "variables.unset": "environment.changed",
  "variables.bulk_upsert": "environment.changed",
  "variable.note_set": "environment.changed",
  "environment.seed": "environment.changed",
  "environment.restore": "environment.changed",
  "environment.promote": "environment.changed",
  "binding.credential_set": "environment.changed",
  "binding.credential_remove": "environment.changed",
  "secret_request.fulfill": "environment.changed",
  "secret_request.create": "secret_request.created",
  "secret_request.cancel": "secret_request.cancelled",
  "environment.create": "environment.created",
  "environment.delete": "environment.deleted",
  "environment.update": "environment.updated",
  "branch.create": "branch.created",
  "branch.delete": "branch.deleted",
  "token.create": "token.created",
  "token.revoke": "token.revoked",
  "preview.create": "environment.created",
  "preview.delete": "environment.deleted",
};

/** The event type a write action is reported as, or null when webhooks never see it. */
export function webhookEventType(action: string): WebhookEventType | null {
  return TYPE_OF_ACTION[action] ?? null;
}

/** A GitHub delivery (git.*) that created or deleted a project branch is reported as branch.created / branch.deleted. */
function gitBranchEventType(event: { action: string; metadata: Record<string, unknown> }): WebhookEventType | null {
  if (!event.action.startsWith("git.")) return null;
  if (event.metadata.outcome === "created") return "branch.created";
  if (event.metadata.outcome === "deleted") return "branch.deleted";
  return null;
}

export interface OutboxEvent {
  id: string;
  createdAt: Date;
  action: string;
  actor: EventActor;
  projectId: string | null;
  environmentId: string | null;
  branchId: string | null;
  revision: number | null;
  keys: Iterable<string>;
  metadata: Record<string, unknown>;
  /** The write's message (`-m`), when it has one. */
  message?: string | null;
  /** Report the event as this type rather than its action's (a branch deletion's environment revisions). */
  type?: WebhookEventType;
  /** The branch's name when its row is gone (deleted in this transaction). */
  branchName?: string;
}

/** The JSON body a webhook receives (Standard Webhooks: type, timestamp, data). Names and keys, never values. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: {
    project: { id: string; slug: string };
    environment: { id: string; name: string } | null;
    revision: number | null;
    keys: string[];
    branch: string | null;
    actor: { type: "user" | "service" | "system"; name: string };
    /** The write's message (`-m`), or null. */
    message: string | null;
  };
}

/** Whether a webhook with these filters receives an event (environment filter: environment events only). */
export function webhookMatches(
  webhook: { environmentIds: string | null; events: string },
  type: WebhookEventType,
  environmentId: string | null,
): boolean {
  if (!(JSON.parse(webhook.events) as string[]).includes(type)) return false;
  if (
    webhook.environmentIds === null ||
    environmentId === null ||
    type.startsWith("branch.") ||
    type.startsWith("token.")
  )
    return true;
  return (JSON.parse(webhook.environmentIds) as string[]).includes(environmentId);
}

async function actorOf(tx: Tx, actor: EventActor): Promise<WebhookPayload["data"]["actor"]> {
  if (actor.kind === "system") return { type: "system", name: actor.name ?? "system" };
  if (actor.kind === "user") {
    const user = await tx.user.findUnique({ where: { id: actor.userId }, select: { name: true } });
    return { type: "user", name: user?.name ?? actor.userId };
  }
  const token = await tx.token.findUnique({ where: { id: actor.tokenId }, select: { name: true } });
  return { type: "service", name: `service token ${token?.name ?? actor.tokenId}` };
}

/** Queues one delivery per matching webhook of the event's project; returns how many. */
export async function enqueueDeliveries(tx: Tx, event: OutboxEvent): Promise<number> {
  const type = event.type ?? webhookEventType(event.action) ?? gitBranchEventType(event);
  if (!type || !event.projectId) return 0;
  // Every write asks this: one raw statement on the transaction's connection (server/db/direct.ts), not a Prisma query.
  const webhooks = await querySql<{ id: string; environmentIds: string | null; events: string }>(
    tx,
    Prisma.sql`SELECT "id", "environmentIds", "events" FROM "Webhook" WHERE "projectId" = ${event.projectId}`,
  );
  if (webhooks.length === 0) return 0;
  const environmentId = type.startsWith("environment.") ? event.environmentId : null;
  const matching = webhooks.filter((w) => webhookMatches(w, type, environmentId));
  if (matching.length === 0) return 0;

  const name = typeof event.metadata.name === "string" ? event.metadata.name : null;
  // One read after another: the transaction has one PostgreSQL connection, and sent at once they would rely on
  // Prisma batching them (pg's queue of a busy client's queries is deprecated; pg 9 drops it).
  const project = await tx.project.findUniqueOrThrow({
    where: { id: event.projectId },
    select: { id: true, slug: true },
  });
  const environment = environmentId
    ? await tx.environment.findUnique({ where: { id: environmentId }, select: { id: true, name: true } })
    : null;
  const branch = event.branchId
    ? await tx.projectBranch.findUnique({ where: { id: event.branchId }, select: { name: true } })
    : null;
  const actor = await actorOf(tx, event.actor);
  const payload: WebhookPayload = {
    type,
    timestamp: event.createdAt.toISOString(),
    data: {
      project,
      // A deleted environment is gone from its table: its name is on the event.
      environment: environmentId ? (environment ?? { id: environmentId, name: name ?? environmentId }) : null,
      revision: event.revision,
      keys: [...new Set(event.keys)].sort(),
      branch: branch?.name ?? event.branchName ?? (type.startsWith("branch.") ? name : null),
      actor,
      message: event.message ?? null,
    },
  };
  const body = JSON.stringify(payload);
  await tx.webhookDelivery.createMany({
    data: matching.map((w) => ({
      webhookId: w.id,
      eventId: event.id,
      eventType: type,
      payload: body,
      status: "pending",
      nextAttemptAt: event.createdAt,
    })),
  });
  return matching.length;
}
