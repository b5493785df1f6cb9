/**
 * Server logs: pino, JSON lines on stderr (pretty when stderr is a terminal), level from
 * LOG_LEVEL. One access line per request: method, path, operation name, status, duration,
 * actor kind and ids. Never variables, values or the query text.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import pino, { type DestinationStream, type Logger } from "pino";
import type { Context } from "../graphql/builder.js";

const require = createRequire(import.meta.url);

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A logger writing to `destination` (default: stderr, pretty on a terminal). */
export function createLogger(level = "info", destination?: DestinationStream): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (destination) return pino(options, destination);
  if (process.stderr.isTTY) {
    // Loaded only for a terminal: a server logging to a file or a pipe never needs it.
    const pretty = require("pino-pretty") as typeof import("pino-pretty");
    return pino(options, pretty({ destination: 2, sync: true, translateTime: "SYS:HH:MM:ss.l" }));
  }
  // Written off the request's thread (libuv's pool): a line per request cost the event loop a write(2) each.
  // Lines queued while one is written go out together; pino flushes what is queued when the process exits.
  return pino(options, pino.destination({ fd: 2, sync: false }));
}

/** `response`: the node:http response of a request that came over HTTP (not one made in-process while handling it). */
type Entry = { start: number; operation?: string; actor?: Context["actor"]; response?: ServerResponse };

/** When each HTTP request arrived, before it waited for its turn (app.ts): its access line's duration counts the wait. */
const arrivals = new WeakMap<IncomingMessage, number>();

export function markArrival(request: IncomingMessage): void {
  arrivals.set(request, performance.now());
}

/** The arrival of `request`, once: an in-process request made while handling it (MCP's GraphQL calls) starts anew. */
function takeArrival(request: IncomingMessage | undefined): number | undefined {
  const at = request && arrivals.get(request);
  if (at !== undefined) arrivals.delete(request!);
  return at;
}

/** The access line of one request: method, path, operation, status, duration and who (never values or the query). */
export function writeAccessLine(
  log: Logger,
  line: { method: string; url: string; operation: string | null; status: number; durationMs: number | null },
  actor?: Context["actor"],
): void {
  const { url, ...rest } = line;
  log.info({ ...rest, path: new URL(url, "http://localhost").pathname, ...actorFields(actor) }, "request");
}

function actorFields(actor: Context["actor"] | undefined) {
  if (!actor) return {};
  return actor.kind === "user"
    ? {
        actor: "user",
        tokenId: actor.tokenId,
        userId: actor.userId,
        ...(actor.sessionId ? { sessionId: actor.sessionId } : {}),
      }
    : { actor: "service", tokenId: actor.tokenId, projectId: actor.projectId };
}

/**
 * Logs one access line per request, in-process `fetch` included. Over HTTP the line is written once the response is
 * handed to the socket (or the client left): writing it costs the event loop ~0.1 ms, which the client need not wait for.
 */
export function accessLog(log: Logger): Plugin {
  const entries = new WeakMap<Request, Entry>();
  return {
    onRequest({ request, serverContext }) {
      const { req, res } = (serverContext ?? {}) as { req?: IncomingMessage; res?: ServerResponse };
      const arrived = takeArrival(req);
      entries.set(request, arrived === undefined ? { start: performance.now() } : { start: arrived, response: res });
    },
    onParams({ request, params }) {
      const entry = entries.get(request);
      if (entry && typeof params.operationName === "string") entry.operation = params.operationName.slice(0, 100);
    },
    onExecute({ args }) {
      const ctx = args.contextValue as unknown as Context & { request?: Request };
      const entry = ctx.request ? entries.get(ctx.request) : undefined;
      if (!entry) return;
      entry.actor = ctx.actor;
      if (!entry.operation) {
        const op = (args.document as DocumentNode).definitions.find((d) => d.kind === "OperationDefinition");
        entry.operation = op && "name" in op && op.name ? op.name.value : undefined;
      }
    },
    onResponse({ request, response }) {
      const entry = entries.get(request);
      // Measured when the response is ready (not once the client has downloaded it); written after it is sent.
      const durationMs = entry ? Math.round((performance.now() - entry.start) * 10) / 10 : null;
      const line = { method: request.method, url: request.url, operation: entry?.operation ?? null, durationMs };
      const write = () => writeAccessLine(log, { ...line, status: response.status }, entry?.actor);
      const res = entry?.response;
      if (res && !res.closed) res.once("close", write);
      else write();
    },
  };
}
