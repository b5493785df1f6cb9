/**
 * Builds the envplane server without listening: root key, database (migrated), services
 * and the GraphQL (yoga) app. server/main.ts listens; tests call `app.fetch` directly.
 */
import type { IncomingMessage, RequestListener } from "node:http";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createYoga, type Plugin } from "graphql-yoga";
import { loadRootKey, parsePreviousRootKeys } from "./crypto/root-key.js";
import { dbConfigFromEnv, openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import type { Config } from "./config.js";
import { maskError } from "./http/errors.js";
import { MAX_BODY_BYTES, bodyLimit, runtimeRateLimit, tooManyRequests, unauthenticated, validationErrorsWithoutValues } from "./http/plugins.js";
import { RateLimiter } from "./http/rate-limit.js";
import { schema } from "./schema/index.js";
import type { Context } from "./schema/builder.js";
import { createLoaders } from "./schema/loaders.js";
import type { Actor } from "./services/actor.js";
import { AuthenticationError } from "./services/auth.js";
import { initializeOrVerify } from "./services/bootstrap.js";
import { rewrapDataKeys } from "./services/key-rotation.js";
import { createServices, type Services } from "./services/index.js";
import { KeyRing } from "./services/keyring.js";

export interface Logger {
  info(line: string): void;
  error(line: string): void;
}

export interface App {
  fetch: (request: Request | string, init?: RequestInit) => Promise<Response>;
  /** A node:http request listener. */
  handle: RequestListener;
  services: Services;
  database: Database;
  keys: KeyRing;
  /** The first owner's token when this start created it (print it once), else null. */
  ownerToken: string | null;
  close(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  /** Reports every SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
}


export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log: Logger = options.log ?? { info: (l) => console.error(l), error: (l) => console.error(l) };
  const dbConfig = dbConfigFromEnv(config.databaseUrl, config.dataDir);
  const root = await loadRootKey({ envValue: config.rootKey, dataDir: dbConfig.provider === "sqlite" ? config.dataDir : null, log: log.info });
  const previousRoots = parsePreviousRootKeys(config.previousRootKeys);
  await migrate(dbConfig.provider === "sqlite" ? { provider: "sqlite", file: dbConfig.file } : { provider: "postgresql", url: dbConfig.url }, { log: log.info });
  const database = await openDatabase(dbConfig, { onQuery: options.onQuery });
  try {
    const keys = new KeyRing(root, database.reader, previousRoots);
    const ownerToken = await initializeOrVerify(database.writer, keys);
    const rewrapped = await rewrapDataKeys(database.writer, keys);
    if (rewrapped) log.info(`Root key rotation: re-wrapped ${rewrapped} project data key(s) with root key ${root.fingerprint}.`);
    const services = createServices(database, keys, { log: log.error });
    // Re-encryptions interrupted by a stop resume in the background; reads work meanwhile.
    const closing = new AbortController();
    const resuming = services.keyRotation.resumeAll({ signal: closing.signal }).then(
      (done) => done.forEach((r) => log.info(`Resumed re-encryption of project ${r.projectId}: ${r.reencrypted} value(s) now on key version ${r.activeKeyVersion}.`)),
      (error) => log.error(`Resuming re-encryption failed: ${error instanceof Error ? error.message : String(error)}`),
    );

    const authFailures = new RateLimiter(config.authFailuresPerMinute, 60_000);
    const runtimeCalls = new RateLimiter(config.runtimeResolutionsPerMinute, 60_000);

    const yoga = createYoga<{ req?: IncomingMessage }, Context>({
      schema,
      graphqlEndpoint: "/graphql",
      landingPage: false,
      maxRequestBodySize: MAX_BODY_BYTES,
      graphiql: { title: "envplane GraphiQL", headers: JSON.stringify({ Authorization: "Bearer envp_…" }) },
      logging: {
        debug: () => {},
        info: (...a: unknown[]) => log.info(a.map(String).join(" ")),
        warn: (...a: unknown[]) => log.info(a.map(String).join(" ")),
        // yoga logs every error it masks as it was (with the input values it quotes); maskError logs the unexpected ones safely.
        error: (...a: unknown[]) => {
          if (!a.some((x) => x instanceof Error)) log.error(a.map(String).join(" "));
        },
      },
      maskedErrors: { maskError: (error) => maskError(error, log.error, config.development) },
      plugins: [
        bodyLimit(),
        validationErrorsWithoutValues(),
        useCSRFPrevention({ requestHeaders: ["x-envplane-client", "x-graphql-yoga-csrf"] }),
        EnvelopArmorPlugin({
          maxDepth: { n: 12 },
          maxAliases: { n: 15 },
          maxDirectives: { n: 10 },
          maxTokens: { n: 5000 },
          costLimit: { maxCost: 20000 },
          blockFieldSuggestion: { enabled: !config.development },
        }) as Plugin,
        runtimeRateLimit(runtimeCalls),
      ],
      context: async ({ request, req }): Promise<Context> => {
        const client = req?.socket?.remoteAddress ?? "in-process";
        const header = request.headers.get("authorization");
        let actor: Actor | null = null;
        if (header) {
          if (authFailures.blocked(client)) throw tooManyRequests("Too many failed authentications from this address. Wait and retry.", authFailures.retryAfterSeconds(client));
          const token = header.replace(/^Bearer\s+/i, "").trim();
          try {
            actor = await services.auth.authenticate(token);
          } catch (error) {
            if (!(error instanceof AuthenticationError)) throw error;
            authFailures.hit(client);
            throw unauthenticated(error.message);
          }
        }
        return { actor, services, db: database, loaders: createLoaders(database, actor), keys };
      },
    });

    return {
      fetch: (request, init) => Promise.resolve(yoga.fetch(typeof request === "string" ? new Request(request, init) : request)),
      handle: yoga as unknown as RequestListener,
      services,
      database,
      keys,
      ownerToken,
      close: async () => {
        closing.abort(); // the batch under way finishes; the next start resumes the rest
        await resuming;
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
