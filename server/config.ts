/** Server configuration, read from the environment once. */
import path from "node:path";
import { MAX_WAITING_REQUESTS } from "../core/limits.js";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  rootKey: string | undefined;
  /** Old root keys during a root-key rotation (comma-separated base64). */
  previousRootKeys?: string;
  /** "production" masks more and hides field suggestions; tests and `npm start` run as production unless NODE_ENV=development. */
  development: boolean;
  authFailuresPerMinute: number;
  runtimeResolutionsPerMinute: number;
  /** pino level (LOG_LEVEL); default "info". */
  logLevel?: string;
  /** Origins allowed cross-origin requests with credentials (ENVPLANE_CORS_ORIGINS); default none. */
  corsOrigins?: string[];
  /** Absolute lifetime of a dashboard session in hours (ENVPLANE_SESSION_HOURS); default 12. */
  sessionHours?: number;
  /** Trust X-Forwarded-Proto from a reverse proxy (ENVPLANE_TRUST_PROXY=1): https there marks cookies Secure. */
  trustProxy?: boolean;
  /** The built dashboard (index.html, assets/); default <repo>/dashboard/dist. */
  dashboardDir?: string;
  /** Run the webhook worker in this server (ENVPLANE_WEBHOOK_WORKER, default on; off when unset in a Config). */
  webhookWorker?: boolean;
  /** Webhook timings: ENVPLANE_WEBHOOK_POLL_MS, _RETRY_BASE_MS, _MAX_ATTEMPTS, _TIMEOUT_MS (see services/webhooks.ts). */
  webhooks?: { pollMs?: number; retryBaseMs?: number; maxAttempts?: number; timeoutMs?: number };
  /** Delete audit log rows older than this many days (ENVPLANE_AUDIT_RETENTION_DAYS); unset: keep them forever. */
  auditRetentionDays?: number;
  /** Requests that may wait for their turn before more get 503 (ENVPLANE_MAX_WAITING_REQUESTS); default 1,000. */
  maxWaitingRequests?: number;
}

export const DEFAULT_SESSION_HOURS = 12;

/** ENVPLANE_SESSION_HOURS: a number of hours above 0, at most a year (fractions allowed, e.g. 0.5). */
export function parseSessionHours(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return DEFAULT_SESSION_HOURS;
  const hours = Number(text);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 8760)
    throw new Error(
      `ENVPLANE_SESSION_HOURS must be a number of hours above 0 and at most 8760 (a year), e.g. 12; got "${text}".`,
    );
  return hours;
}

function parseFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = (env[name] ?? "").trim().toLowerCase();
  if (["", "0", "false", "no"].includes(text)) return false;
  if (["1", "true", "yes"].includes(text)) return true;
  throw new Error(`${name} must be 1 or 0 (true or false); got "${env[name]}".`);
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** ENVPLANE_CORS_ORIGINS: comma-separated exact origins (scheme://host[:port]); never "*". */
export function parseCorsOrigins(text: string | undefined): string[] {
  const origins = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {}
    if (origin === "*" || !parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin)
      throw new Error(
        `ENVPLANE_CORS_ORIGINS must list exact origins such as https://dashboard.example.com (scheme, ` +
          `host and port, no path or "*"); "${origin}" is not one.`,
      );
  }
  return origins;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  const n = Number(text ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1; got "${text}".`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number (0-65535); got "${env.PORT}".`);
  const logLevel = (env.LOG_LEVEL || "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel))
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${env.LOG_LEVEL}".`);
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir: path.resolve(env.ENVPLANE_DATA_DIR ?? ".envplane-data"),
    databaseUrl: env.DATABASE_URL || undefined,
    rootKey: env.ENVPLANE_ROOT_KEY,
    previousRootKeys: env.ENVPLANE_PREVIOUS_ROOT_KEYS,
    development: env.NODE_ENV === "development",
    authFailuresPerMinute: positiveInteger(env, "ENVPLANE_AUTH_FAILURES_PER_MINUTE", 20),
    runtimeResolutionsPerMinute: positiveInteger(env, "ENVPLANE_RUNTIME_RESOLUTIONS_PER_MINUTE", 600),
    maxWaitingRequests: positiveInteger(env, "ENVPLANE_MAX_WAITING_REQUESTS", MAX_WAITING_REQUESTS),
    logLevel,
    corsOrigins: parseCorsOrigins(env.ENVPLANE_CORS_ORIGINS),
    sessionHours: parseSessionHours(env.ENVPLANE_SESSION_HOURS),
    trustProxy: parseFlag(env, "ENVPLANE_TRUST_PROXY"),
    dashboardDir: env.ENVPLANE_DASHBOARD_DIR ? path.resolve(env.ENVPLANE_DASHBOARD_DIR) : undefined,
    webhookWorker: env.ENVPLANE_WEBHOOK_WORKER === undefined ? true : parseFlag(env, "ENVPLANE_WEBHOOK_WORKER"),
    webhooks: {
      pollMs: positiveInteger(env, "ENVPLANE_WEBHOOK_POLL_MS", 2000),
      retryBaseMs: positiveInteger(env, "ENVPLANE_WEBHOOK_RETRY_BASE_MS", 30_000),
      maxAttempts: positiveInteger(env, "ENVPLANE_WEBHOOK_MAX_ATTEMPTS", 8),
      timeoutMs: positiveInteger(env, "ENVPLANE_WEBHOOK_TIMEOUT_MS", 10_000),
    },
    auditRetentionDays: env.ENVPLANE_AUDIT_RETENTION_DAYS?.trim()
      ? positiveInteger(env, "ENVPLANE_AUDIT_RETENTION_DAYS", 1)
      : undefined,
  };
}
