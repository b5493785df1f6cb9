/**
 * Builds the envplane server without listening: root key, database (migrated), services
 * and the GraphQL (yoga) app. server/main.ts listens; tests call `app.fetch` directly.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createYoga, type Plugin } from "graphql-yoga";
import { MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_DIRECTIVES, MAX_TOKENS, MAX_WAITING_REQUESTS } from "../core/limits.js";
import type { Config } from "./config.js";
import { loadRootKey, parsePreviousRootKeys } from "./crypto/root-key.js";
import { type Database, dbConfigFromEnv, openDatabase, secureSqliteFiles, sqliteFileExists } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { pruneAuditLog, sealUnchainedEvents } from "./events/audit.js";
import type { Context } from "./graphql/builder.js";
import { schema } from "./graphql/index.js";
import { createLoaders } from "./graphql/loaders.js";
import { requestDetails } from "./http/client.js";
import { costLimitRule } from "./http/cost.js";
import { maskError } from "./http/errors.js";
import { handleGitHubHook, isGitHookPath } from "./http/github.js";
import { GRAPHIQL_ASSETS, graphiqlAsset, graphiqlPage, wantsGraphiQL } from "./http/graphiql.js";
import { inputChecks } from "./http/input.js";
import { accessLog, createLogger, type Logger, markArrival, writeAccessLine } from "./http/log.js";
import { MCP_PATH } from "./http/mcp-path.js";
import {
  bodyLimit,
  corsFor,
  forbiddenOrigin,
  graphqlJsExecution,
  nestingLimit,
  sessionEnded,
  tooManyRequests,
  unauthenticated,
  validationErrorsWithoutValues,
} from "./http/plugins.js";
import { createRateLimiter, MemoryRateLimiter } from "./http/rate-limit.js";
import {
  CONFLICTING_SESSIONS,
  clearSessionCookie,
  errorResponse,
  handleSession,
  isHttps,
  ownOrigin,
  readSessionCookie,
  refusedOrigin,
} from "./http/session.js";
import { DEFAULT_DASHBOARD_DIR, isApiPath, serveDashboard } from "./http/static.js";
import type { Actor } from "./services/actor.js";
import { AuthenticationError } from "./services/auth.js";
import { initializeOrVerify } from "./services/bootstrap.js";
import { createServices, type Services } from "./services/index.js";
import { rewrapDataKeys } from "./services/key-rotation.js";
import { KeyRing } from "./services/keyring.js";
import { nextTurn, waitingTurns } from "./services/pace.js";
import { parseToken } from "./services/token-format.js";

export type { Logger };

export interface App {
  fetch: (request: Request | string, init?: RequestInit) => Promise<Response>;
  /** A node:http request listener. */
  handle: RequestListener;
  services: Services;
  database: Database;
  keys: KeyRing;
  log: Logger;
  /** The first owner's token when this start created it (print it once), else null. */
  ownerToken: string | null;
  close(): Promise<void>;
}

export interface AppOptions {
  /** A pino logger (tests pass one writing to a capture stream); default: stderr at `config.logLevel`. */
  logger?: Logger;
  /** Reports every SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log: Logger = options.logger ?? createLogger(config.logLevel);
  const info = (line: string) => log.info(line);
  const dbConfig = dbConfigFromEnv(config.databaseUrl, config.dataDir);
  const sqliteFile = dbConfig.provider === "sqlite" ? dbConfig.file : null;
  const root = await loadRootKey({
    envValue: config.rootKey,
    dataDir: sqliteFile ? config.dataDir : null,
    existingDatabase: sqliteFile && sqliteFileExists(sqliteFile) ? sqliteFile : null,
    log: info,
  });
  const previousRoots = parsePreviousRootKeys(config.previousRootKeys);
  if (sqliteFile) secureSqliteFiles(sqliteFile, config.dataDir);
  await migrate(
    sqliteFile
      ? { provider: "sqlite", file: sqliteFile }
      : { provider: "postgresql", url: (dbConfig as { url: string }).url },
    { log: info },
  );
  const database = await openDatabase(dbConfig, { onQuery: options.onQuery });
  try {
    if (sqliteFile) secureSqliteFiles(sqliteFile, config.dataDir); // the -wal and -shm files SQLite created
    const keys = new KeyRing(root, database.reader, previousRoots);
    // Before anything appends: events from before the audit log get their hashes first.
    const sealed = await sealUnchainedEvents(database);
    if (sealed) log.info(`Audit log: chained ${sealed} event(s) written before the audit log existed.`);
    const ownerToken = await initializeOrVerify(database.writer, keys);
    const rewrapped = await rewrapDataKeys(database.writer, keys);
    if (rewrapped)
      log.info(`Root key rotation: re-wrapped ${rewrapped} project data key(s) with root key ${root.fingerprint}.`);
    const services = createServices(database, keys, {
      log: (line: string) => log.error(line),
      sessions: { hours: config.sessionHours },
      webhooks: config.webhooks,
      webhookLog: (line: string) => log.warn(line),
    });
    if (config.webhookWorker) services.webhooks.worker.start();
    // Re-encryptions interrupted by a stop resume in the background; reads work meanwhile.
    const closing = new AbortController();
    const resuming = services.keyRotation.resumeAll({ signal: closing.signal }).then(
      (done) => {
        for (const r of done)
          log.info(
            `Resumed re-encryption of project ${r.projectId}: ${r.reencrypted} value(s) ` +
              `now on key version ${r.activeKeyVersion}.`,
          );
      },
      (error) => log.error(`Resuming re-encryption failed: ${error instanceof Error ? error.message : String(error)}`),
    );

    // Audit retention: at start, then daily. Each prune moves its chain's anchor, so the rest still verifies.
    const retentionDays = config.auditRetentionDays;
    const prune = () =>
      retentionDays
        ? pruneAuditLog(database, retentionDays).then(
            (n) => n && log.info(`Audit retention: deleted ${n} event(s) older than ${retentionDays} day(s).`),
            (error) => log.error(`Audit retention failed: ${error instanceof Error ? error.message : String(error)}`),
          )
        : Promise.resolve();
    await prune();
    const pruning = retentionDays ? setInterval(prune, 86_400_000) : null;
    pruning?.unref();

    const authFailures = createRateLimiter(database, "auth", config.authFailuresPerMinute);
    // Malformed tokens are refused without touching the database, and counted in this process only.
    const malformedTokens = new MemoryRateLimiter(config.authFailuresPerMinute, 60_000);
    const runtimeCalls = createRateLimiter(database, "runtime", config.runtimeResolutionsPerMinute);
    const limits: Context["limits"] = {
      async runtime(actor: Actor) {
        const { allowed, retryAfter } = await runtimeCalls.hit(actor.tokenId);
        if (!allowed)
          throw tooManyRequests(
            "Too many runtime resolutions for this token. Wait and retry, or cache the values at boot.",
            retryAfter,
          );
      },
    };

    // The MCP route (its SDK, zod and the tools: ~7 MiB) is loaded on its first request, not at start.
    let mcpModule: Promise<typeof import("./http/mcp.js")> | undefined;
    const mcpRoute = () =>
      (mcpModule ??= import("./http/mcp.js").catch((error) => {
        mcpModule = undefined; // the next request tries again
        throw error;
      }));

    const trustProxy = config.trustProxy ?? false;
    const maxWaiting = config.maxWaitingRequests ?? MAX_WAITING_REQUESTS;
    const dashboardDir = config.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
    /** What is not GraphQL: sign-in and sign-out, GraphiQL and its files, the dashboard. */
    const routes: Plugin = {
      async onRequest({ request, url, serverContext, endResponse }) {
        const path = url.pathname;
        const client = (serverContext as { req?: IncomingMessage }).req?.socket?.remoteAddress ?? "in-process";
        try {
          if (path === MCP_PATH)
            endResponse(
              await (await mcpRoute()).handleMcp(request, serverContext as { req?: IncomingMessage }, {
                graphql: async (r, context) => yoga.fetch(r, context),
                warn: (line) => log.warn(line),
              }),
            );
          else if (path === "/auth/session")
            endResponse(await handleSession(request, client, { services, authFailures, trustProxy }));
          else if (isGitHookPath(path)) endResponse(await handleGitHubHook(request, path, services.git));
          else if (path.startsWith("/auth/"))
            endResponse(errorResponse(404, "NOT_FOUND", "Not found. The endpoint is /auth/session (POST, DELETE)."));
          else if (path.startsWith(GRAPHIQL_ASSETS))
            endResponse(await graphiqlAsset(request, path.slice(GRAPHIQL_ASSETS.length)));
          else if (wantsGraphiQL(request, path))
            endResponse(
              await graphiqlPage({
                title: "envplane GraphiQL",
                endpoint: "/graphql",
                // ASCII only: a browser refuses a header value with "…" in it (GraphiQL would fail before a token is typed).
                headers: JSON.stringify({ Authorization: "Bearer envp_pat_YOUR_TOKEN" }),
              }),
            );
          else if ((request.method === "GET" || request.method === "HEAD") && !isApiPath(path))
            endResponse(await serveDashboard(request, dashboardDir));
        } catch (error) {
          log.error(
            `Unexpected error at ${request.method} ${path}: ${error instanceof Error ? error.stack : String(error)}`,
          );
          endResponse(errorResponse(500, "INTERNAL_SERVER_ERROR", "Unexpected error."));
        }
      },
    };

    const yoga = createYoga<{ req?: IncomingMessage }, Context>({
      schema,
      graphqlEndpoint: "/graphql",
      landingPage: false,
      maxRequestBodySize: false, // bodyLimit() below: the same limit, without a stream transform per request
      // GraphiQL is served by `routes` below, from this server only (yoga's own page loads it from a CDN).
      graphiql: false,
      cors: corsFor(config.corsOrigins ?? []),
      logging: {
        debug: (...a: unknown[]) => log.debug(a.map(String).join(" ")),
        info: (...a: unknown[]) => log.info(a.map(String).join(" ")),
        warn: (...a: unknown[]) => log.warn(a.map(String).join(" ")),
        // yoga logs every error it masks as it was (with the input values it quotes); maskError logs the unexpected ones safely.
        error: (...a: unknown[]) => {
          if (!a.some((x) => x instanceof Error)) log.error(a.map(String).join(" "));
        },
      },
      maskedErrors: { maskError: (error) => maskError(error, (line) => log.error(line), config.development) },
      plugins: [
        accessLog(log),
        routes,
        bodyLimit(),
        graphqlJsExecution(),
        nestingLimit(),
        validationErrorsWithoutValues(),
        useCSRFPrevention({ requestHeaders: ["x-envplane-client", "x-graphql-yoga-csrf"] }),
        EnvelopArmorPlugin({
          maxDepth: { n: MAX_DEPTH },
          maxAliases: { n: MAX_ALIASES, allowList: [] },
          maxDirectives: { n: MAX_DIRECTIVES },
          maxTokens: { n: MAX_TOKENS },
          costLimit: { enabled: false },
          blockFieldSuggestion: { enabled: !config.development },
        }) as Plugin,
        {
          onValidate: ({ addValidationRule, context, params }) =>
            addValidationRule(
              costLimitRule(
                MAX_COST,
                (context as { params?: { variables?: Record<string, unknown> } }).params?.variables,
                params.documentAST,
              ),
            ),
        } satisfies Plugin,
        inputChecks(),
      ],
      context: async ({ request, req }): Promise<Context> => {
        const client = req?.socket?.remoteAddress ?? "in-process";
        const header = request.headers.get("authorization");
        let actor: Actor | null = null;
        if (header) {
          const token = header.replace(/^Bearer\s+/i, "").trim();
          try {
            actor = await services.auth.authenticate(token);
          } catch (error) {
            if (!(error instanceof AuthenticationError)) throw error;
            // Only failures count, and a valid token is always served: one client's failures never lock out
            // another behind the same address.
            // Failures = those counted by the (shared) limiter + this process's malformed tokens.
            const [counted, other] = parseToken(token)
              ? [authFailures, malformedTokens]
              : [malformedTokens, authFailures];
            const { count, retryAfter } = await counted.hit(client);
            if (count + other.known(client) > config.authFailuresPerMinute)
              throw tooManyRequests("Too many failed authentications from this address. Wait and retry.", retryAfter);
            throw unauthenticated(error.message);
          }
        } else {
          // A dashboard session: only from a page of this very origin that says it is an envplane client.
          const secret = readSessionCookie(request);
          if (secret) {
            const refused = refusedOrigin(request, trustProxy);
            if (refused) throw forbiddenOrigin(refused);
            if (secret === "conflict")
              throw sessionEnded(
                CONFLICTING_SESSIONS,
                clearSessionCookie(isHttps(request, trustProxy)),
                "SESSION_CONFLICT",
              );
            try {
              actor = await services.auth.authenticateSession(secret);
            } catch (error) {
              if (!(error instanceof AuthenticationError)) throw error;
              throw sessionEnded(error.message, clearSessionCookie(isHttps(request, trustProxy)));
            }
          }
        }
        // Per request, after the auth cache: who is calling from where, for the audit log.
        if (actor) actor = { ...actor, ...requestDetails(request, req?.socket?.remoteAddress, trustProxy) };
        return {
          actor,
          services,
          db: database,
          loaders: createLoaders(database, actor),
          keys,
          limits,
          environmentReads: 0,
          origin: ownOrigin(request, trustProxy),
        };
      },
    });

    return {
      fetch: (request, init) =>
        Promise.resolve(yoga.fetch(typeof request === "string" ? new Request(request, init) : request)),
      // Each request waits for its turn (services/pace.ts): first come, first served, and between two turns
      // Node accepts new connections, so a client connecting to a busy server is not kept waiting.
      // A request whose client left while it waited is not run (its answer could not be delivered).
      // When the line is full, a request gets 503 at once instead of waiting without end.
      handle: (request, response) => {
        markArrival(request); // its access line's duration counts the wait
        const waiting = waitingTurns();
        if (waiting >= maxWaiting) return serverBusy(request, response, waiting, log);
        void nextTurn().then(() => {
          if (!request.socket?.destroyed) (yoga as unknown as RequestListener)(request, response);
        });
      },
      services,
      database,
      keys,
      log,
      ownerToken,
      close: async () => {
        closing.abort(); // the batch under way finishes; the next start resumes the rest
        if (pruning) clearInterval(pruning);
        await resuming;
        await services.webhooks.worker.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** 503 to a request that arrived while the line of turns was full: a GraphQL-shaped error, Retry-After, one access line. */
function serverBusy(request: IncomingMessage, response: ServerResponse, waiting: number, log: Logger): void {
  const body = JSON.stringify({
    errors: [
      {
        message: `The server is busy: ${waiting} requests are already waiting for their turn. Retry in a second.`,
        extensions: { code: "SERVER_BUSY" },
      },
    ],
  });
  response.writeHead(503, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "retry-after": "1",
    // The body is never read: closing saves reading (and discarding) a refused upload.
    connection: "close",
  });
  response.end(body);
  writeAccessLine(log, {
    method: request.method ?? "",
    url: request.url ?? "/",
    operation: null,
    status: 503,
    durationMs: 0,
  });
}
