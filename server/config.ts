/** Server configuration, read from the environment once. */
import path from "node:path";

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
    logLevel,
    corsOrigins: parseCorsOrigins(env.ENVPLANE_CORS_ORIGINS),
  };
}
