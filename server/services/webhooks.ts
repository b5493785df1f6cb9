/**
 * Webhooks: an admin registers an HTTP endpoint for a project's events; every matching write
 * queues a delivery in its own transaction (server/events/outbox.ts), and the worker below
 * sends it, signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, with the `standardwebhooks` package).
 *
 * The signing secret (`whsec_` + 32 random bytes, base64) is returned once by createWebhook and
 * stored sealed with the project's data key (associated data: project and webhook id).
 *
 * The worker runs in every server. Each delivery is claimed with one conditional UPDATE
 * (pending, due, and not locked by a live claim), so two servers on one PostgreSQL never both
 * send it; a claim lasts longer than a request may take, and a server that dies mid-send leaves
 * a claim that expires, after which any server retries (at-least-once). Failures are retried
 * with exponential backoff (retryBaseMs × 2^(attempt-1), at most 6 hours) until maxAttempts,
 * then the delivery is FAILED. A delivery's error message names the failure (HTTP status,
 * connection error, timeout), never the secret or a value.
 */
import { randomBytes } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import type { ProjectAccess } from "../authz/index.js";
import { webhookSecretAad } from "../crypto/aad.js";
import type { Database, Tx } from "../db/client.js";
import { timeOrderedId } from "../db/ids.js";
import { lockAuditChain } from "../events/audit.js";
import type { WritePath } from "../events/index.js";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../events/outbox.js";
import type { Actor } from "./actor.js";
import { NotFoundError, ValidationError } from "./errors.js";
import type { KeyRing } from "./keyring.js";
import { findEnvironment } from "./lookup.js";
import { sealedSecrets } from "./sealed-secret.js";

export interface WebhookWorkerOptions {
  /** How often the worker looks for due deliveries (ENVPLANE_WEBHOOK_POLL_MS, default 2000). */
  pollMs?: number;
  /** The first retry's delay; each further one doubles it (ENVPLANE_WEBHOOK_RETRY_BASE_MS, default 30000). */
  retryBaseMs?: number;
  /** Attempts before a delivery is FAILED (ENVPLANE_WEBHOOK_MAX_ATTEMPTS, default 8). */
  maxAttempts?: number;
  /** How long one request may take (ENVPLANE_WEBHOOK_TIMEOUT_MS, default 10000). */
  timeoutMs?: number;
}

export const WEBHOOK_DEFAULTS = { pollMs: 2000, retryBaseMs: 30_000, maxAttempts: 8, timeoutMs: 10_000 } as const;
const MAX_BACKOFF_MS = 6 * 3_600_000;
const MAX_URL_LENGTH = 2000;
const MAX_DESCRIPTION_LENGTH = 200;
/** Deliveries one worker sends at once. */
const BATCH = 10;

export type Log = (line: string) => void;

export interface CreateWebhookInput {
  project: string;
  url: string;
  /** Environment names; null = every environment. */
  environments?: string[] | null;
  /** Event types; null = every type. */
  events?: WebhookEventType[] | null;
  description?: string | null;
}

/** Checks a webhook URL: absolute http(s), a host, no credentials. Returns the problem, or null. */
export function urlProblem(text: string): string | null {
  if (text.trim() === "") return "Give the URL to send events to, e.g. https://example.com/hooks/envplane.";
  if (text.length > MAX_URL_LENGTH) return `The URL is longer than ${MAX_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return `"${text.trim().slice(0, 100)}" is not an absolute URL. Give one like https://example.com/hooks/envplane.`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `Only http:// and https:// URLs can receive webhooks (got ${url.protocol.slice(0, -1)}).`;
  if (url.username || url.password)
    return "The URL must not contain a user name or password. Verify deliveries with the signing secret instead.";
  if (!url.hostname) return "The URL has no host.";
  return null;
}

export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

const signingSecret = sealedSecrets(webhookSecretAad, (id) => `the signing secret of webhook ${id}`);

/** Re-seals a project's webhook secrets with its active data key (key rotation, in its transaction). */
export async function reencryptWebhookSecrets(tx: Tx, keys: KeyRing, projectId: string, active: number) {
  const rows = await tx.webhook.findMany({
    where: { projectId, keyVersion: { lt: active } },
    select: { id: true, projectId: true, secretCiphertext: true },
  });
  for (const row of rows) {
    const secret = await signingSecret.open(keys, row, tx);
    const secretCiphertext = await signingSecret.seal(keys, tx, projectId, row.id, secret, active);
    await tx.webhook.update({ where: { id: row.id }, data: { secretCiphertext, keyVersion: active } });
  }
  return rows.length;
}

function checkInput(input: CreateWebhookInput) {
  const problems: { path: string[]; message: string }[] = [];
  const url = urlProblem(input.url);
  if (url) problems.push({ path: ["url"], message: url });
  if (input.environments && input.environments.length === 0)
    problems.push({
      path: ["environments"],
      message: "environments is an empty list: name at least one, or leave it out for every environment.",
    });
  if (input.events && input.events.length === 0)
    problems.push({
      path: ["events"],
      message: "events is an empty list: name at least one event type, or leave it out for every type.",
    });
  for (const [i, type] of (input.events ?? []).entries())
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type))
      problems.push({
        path: ["events", String(i)],
        message: `Unknown event type "${type}". Use one of ${WEBHOOK_EVENT_TYPES.join(", ")}.`,
      });
  if (input.description && input.description.length > MAX_DESCRIPTION_LENGTH)
    problems.push({
      path: ["description"],
      message: `The description is longer than ${MAX_DESCRIPTION_LENGTH} characters; shorten it.`,
    });
  if (problems.length) throw ValidationError.fromFields(problems);
}

export function webhookService({
  db,
  keys,
  writes,
  worker,
}: {
  db: Pick<Database, "reader" | "writer" | "provider">;
  keys: KeyRing;
  writes: WritePath;
  worker: WebhookWorker;
}) {
  const notFound = (id: string) =>
    new NotFoundError(`Webhook "${id}" not found in this project. List them with "envplane webhooks list".`, "Webhook");

  return {
    worker,

    /** Creates a webhook; returns it with its signing secret (shown this once). */
    async createWebhook(actor: Actor, input: CreateWebhookInput) {
      checkInput(input);
      const environmentIds: string[] = [];
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        const unknown: { path: string[]; message: string }[] = [];
        for (const [i, name] of (input.environments ?? []).entries()) {
          try {
            environmentIds.push((await findEnvironment(db.reader, access, name)).id);
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
            unknown.push({ path: ["environments", String(i)], message: error.message });
          }
        }
        if (unknown.length) throw ValidationError.fromFields(unknown);
      };
      const secret = generateSigningSecret();
      const events = [...new Set(input.events ?? WEBHOOK_EVENT_TYPES)].sort();
      const webhook = await writes.run(
        { actor, action: "webhook.create", project: input.project, permission: "webhook:manage", authorize },
        async ({ tx, access, record }) => {
          const id = timeOrderedId();
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id: access.project.id },
            select: { activeKeyVersion: true },
          });
          const created = await tx.webhook.create({
            data: {
              id,
              projectId: access.project.id,
              url: input.url.trim(),
              description: input.description?.trim() || null,
              environmentIds: input.environments ? JSON.stringify([...new Set(environmentIds)]) : null,
              events: JSON.stringify(events),
              secretCiphertext: await signingSecret.seal(keys, tx, access.project.id, id, secret, activeKeyVersion),
              keyVersion: activeKeyVersion,
              createdBy: actor.kind === "user" ? actor.userId : null,
            },
          });
          record({ metadata: { webhook: id, url: created.url, events, environments: input.environments ?? null } });
          return created;
        },
      );
      return { webhook, signingSecret: secret };
    },

    async deleteWebhook(actor: Actor, input: { project: string; id: string }) {
      return writes.run(
        { actor, action: "webhook.delete", project: input.project, permission: "webhook:manage" },
        async ({ tx, access, record }) => {
          const row = await tx.webhook.findFirst({ where: { id: input.id, projectId: access.project.id } });
          if (!row) throw notFound(input.id);
          // The audit chain before the webhook's row: a concurrent write holding the chain queues deliveries to it.
          await lockAuditChain(tx, db.provider, access.project.id);
          await tx.webhook.delete({ where: { id: row.id } });
          record({ metadata: { webhook: row.id, url: row.url } });
          return row;
        },
      );
    },

    /** Queues a new delivery of a delivery's payload (same event, new delivery id). */
    async redeliver(actor: Actor, input: { project: string; deliveryId: string }) {
      const delivery = await writes.run(
        { actor, action: "webhook.redeliver", project: input.project, permission: "webhook:manage" },
        async ({ tx, access, record }) => {
          const original = await tx.webhookDelivery.findFirst({
            where: { id: input.deliveryId, webhook: { projectId: access.project.id } },
          });
          if (!original)
            throw new NotFoundError(
              `Webhook delivery "${input.deliveryId}" not found in project "${access.project.slug}". ` +
                `See a webhook's deliveries with "envplane webhooks deliveries <webhook-id>".`,
              "WebhookDelivery",
            );
          const now = new Date();
          const created = await tx.webhookDelivery.create({
            data: {
              webhookId: original.webhookId,
              eventId: original.eventId,
              eventType: original.eventType,
              payload: original.payload,
              status: "pending",
              nextAttemptAt: now,
            },
          });
          record({ metadata: { webhook: original.webhookId, delivery: created.id, redeliveryOf: original.id } });
          return created;
        },
      );
      worker.nudge();
      return delivery;
    },
  };
}

export interface WebhookWorker {
  /** Starts polling (idempotent). */
  start(): void;
  /** Stops polling and waits for the deliveries under way (an interrupted request is retried later). */
  stop(): Promise<void>;
  /** Looks for due deliveries now (after a local commit queued some); no-op when stopped. */
  nudge(): void;
  /** Sends every due delivery once, whether started or not (tests). */
  runOnce(): Promise<void>;
  readonly running: boolean;
}

function failureMessage(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `No answer within ${timeoutMs} ms.`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === "ECONNREFUSED") return "Connection refused: nothing listens at that address.";
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") return "The host name could not be resolved.";
  if (cause?.message === "bad port")
    return "The URL's port is one that HTTP clients refuse to call (e.g. 9, 25, 6000: the fetch standard's blocked ports); use another port.";
  if (cause?.code) return `Could not send the request (${cause.code}).`;
  if (cause?.message) return `Could not send the request: ${cause.message}.`;
  return "Could not send the request.";
}

export function webhookWorker({
  db,
  keys,
  log,
  options = {},
}: {
  db: Pick<Database, "reader" | "writer">;
  keys: KeyRing;
  log: Log;
  options?: WebhookWorkerOptions;
}): WebhookWorker {
  const { pollMs, retryBaseMs, maxAttempts, timeoutMs } = { ...WEBHOOK_DEFAULTS, ...options };
  /** A claim outlasts the longest request by a margin. */
  const lockMs = timeoutMs + 30_000;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;
  let again = false;
  /** Aborted by stop(): requests under way end, their claims are given back. */
  let stopController = new AbortController();
  const fresh = () => {
    if (stopController.signal.aborted) stopController = new AbortController();
  };

  async function attempt(id: string) {
    const now = new Date();
    const lockedUntil = new Date(now.getTime() + lockMs);
    const claimed = await db.writer.webhookDelivery.updateMany({
      where: {
        id,
        status: "pending",
        nextAttemptAt: { lte: now },
        OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
      },
      data: { lockedUntil },
    });
    if (claimed.count !== 1) return; // another server (or turn) has it
    const delivery = await db.writer.webhookDelivery.findUnique({
      where: { id },
      select: {
        id: true,
        payload: true,
        attempts: true,
        webhook: { select: { id: true, projectId: true, url: true, secretCiphertext: true } },
      },
    });
    if (!delivery) return; // its webhook was deleted meanwhile
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const secret = await signingSecret.open(keys, delivery.webhook);
      const timestamp = new Date();
      const signature = new StandardWebhook(secret).sign(delivery.id, timestamp, delivery.payload);
      const response = await fetch(delivery.webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "envplane-webhooks",
          "webhook-id": delivery.id,
          "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "webhook-signature": signature,
        },
        body: delivery.payload,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopController.signal]),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status > 299)
        error =
          response.status >= 300 && response.status < 400
            ? `The endpoint answered HTTP ${response.status} (a redirect; redirects are not followed).`
            : `The endpoint answered HTTP ${response.status}.`;
    } catch (e) {
      if (stopController.signal.aborted) {
        // Stopping: give the claim back, uncounted; this or another server sends it later.
        await db.writer.webhookDelivery.updateMany({ where: { id, lockedUntil }, data: { lockedUntil: null } });
        return;
      }
      error =
        e instanceof Error && e.name === "CryptoError"
          ? "The signing secret cannot be decrypted (damaged in the database). Delete the webhook and create it again."
          : failureMessage(e, timeoutMs);
    }
    const attempts = delivery.attempts + 1;
    const done = new Date();
    const outcome =
      error === null
        ? { status: "succeeded", deliveredAt: done, nextAttemptAt: null }
        : attempts >= maxAttempts
          ? { status: "failed", nextAttemptAt: null }
          : {
              status: "pending",
              nextAttemptAt: new Date(done.getTime() + Math.min(retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS)),
            };
    await db.writer.webhookDelivery.updateMany({
      where: { id, lockedUntil },
      data: { ...outcome, attempts, lastStatusCode: statusCode, lastError: error, lockedUntil: null },
    });
    if (error !== null)
      log(
        `Webhook delivery ${id} (webhook ${delivery.webhook.id}) attempt ${attempts} failed: ${error}` +
          (outcome.status === "failed" ? ` Giving up after ${attempts} attempts.` : ""),
      );
  }

  async function sweep() {
    for (;;) {
      again = false;
      const now = new Date();
      const due = await db.reader.webhookDelivery.findMany({
        where: {
          status: "pending",
          nextAttemptAt: { lte: now },
          OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
        },
        orderBy: { nextAttemptAt: "asc" },
        take: BATCH,
        select: { id: true },
      });
      await Promise.all(due.map((d) => attempt(d.id)));
      if ((due.length < BATCH && !again) || stopController.signal.aborted) return;
    }
  }

  function run(): Promise<void> {
    if (current) {
      again = true;
      return current;
    }
    current = sweep()
      .catch((error) => log(`Webhook worker: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        current = null;
        schedule();
      });
    return current;
  }

  function schedule() {
    if (!running || stopController.signal.aborted) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, pollMs);
    timer.unref();
  }

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      fresh();
      void run();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      stopController.abort();
      await current;
    },
    nudge() {
      if (running) void run();
    },
    async runOnce() {
      fresh();
      await run();
      while (current) await current;
    },
  };
}
