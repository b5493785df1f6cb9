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
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (0-65535); got "${env.PORT}".`);
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir: path.resolve(env.ENVPLANE_DATA_DIR ?? ".envplane-data"),
    databaseUrl: env.DATABASE_URL || undefined,
    rootKey: env.ENVPLANE_ROOT_KEY,
    previousRootKeys: env.ENVPLANE_PREVIOUS_ROOT_KEYS,
    development: env.NODE_ENV === "development",
    authFailuresPerMinute: Number(env.ENVPLANE_AUTH_FAILURES_PER_MINUTE ?? 20),
    runtimeResolutionsPerMinute: Number(env.ENVPLANE_RUNTIME_RESOLUTIONS_PER_MINUTE ?? 600),
  };
}
