/** HTTP-level protections of the GraphQL endpoint, as yoga plugins, and the errors they raise. */
import type { IncomingMessage } from "node:http";
// The file Pothos's schema was built with (graphql's CommonJS entry requires it): one copy of graphql's classes,
// also where a bundler or test runner would resolve "graphql" to its ESM build.
import { execute } from "graphql/execution/execute.js";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { MAX_BODY_BYTES, MAX_DEPTH, MAX_NESTING } from "../../core/limits.js";
import { readBodyBytes } from "./body.js";
import { withoutInputValues } from "./errors.js";

export { MAX_BODY_BYTES };

export function unauthenticated(message: string) {
  return createGraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/** A dashboard session that ended (401 SESSION_EXPIRED) or cannot be told apart (SESSION_CONFLICT); the cookie is cleared. */
export function sessionEnded(message: string, clearCookie: string, code = "SESSION_EXPIRED") {
  return createGraphQLError(message, {
    extensions: { code, http: { status: 401, headers: { "Set-Cookie": clearCookie } } },
  });
}

/** A session cookie sent by a page of another origin, or without the client header: 403. */
export function forbiddenOrigin(message: string) {
  return createGraphQLError(message, { extensions: { code: "FORBIDDEN_ORIGIN", http: { status: 403 } } });
}

export function tooManyRequests(message: string, retryAfter: number) {
  return createGraphQLError(message, {
    extensions: { code: "RATE_LIMITED", http: { status: 429, headers: { "Retry-After": String(retryAfter) } } },
  });
}

/** Validation errors quote literals of the query (e.g. a value typed into the wrong field); drop them. */
export function validationErrorsWithoutValues(): Plugin {
  return {
    onValidate:
      () =>
      ({ valid, result, setResult }) => {
        if (!valid)
          setResult(result.map((error) => Object.assign(error, { message: withoutInputValues(error.message) })));
      },
  };
}

const bodyTooLarge = () => `Request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB. Split the upload.`;

/**
 * Operations run on graphql-js's own executor instead of yoga's (@graphql-tools/executor), which copies every
 * input object before coercing it: a 1,000-value push spent ~5 % more in it. We use neither @defer nor @stream.
 */
export function graphqlJsExecution(): Plugin {
  return { onExecute: ({ setExecuteFn }) => setExecuteFn(execute as Parameters<typeof setExecuteFn>[0]) };
}

/**
 * Bodies over MAX_BODY_BYTES get 413. A request saying so in its Content-Length is refused before its body is read.
 * Over HTTP a body is then no longer than its Content-Length says (Node's parser reads that many bytes, and refuses a
 * malformed one), so it is read as it is; a body without one (chunked), or handed in-process, is read up to the limit.
 * (yoga's own limit piped every body through a stream transform: ~0.1 ms of each request.)
 */
export function bodyLimit(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > MAX_BODY_BYTES)
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: bodyTooLarge() }] }), {
            status: 413,
            headers: { "content-type": "application/json" },
          }),
        );
    },
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      if (!requestParser || !request.body) return;
      const overHttp = Boolean((serverContext as { req?: IncomingMessage } | undefined)?.req);
      if (overHttp && /^\d+$/.test(request.headers.get("content-length") ?? "")) return;
      const parse = requestParser;
      setRequestParser(async (r) => parse(await readUpToLimit(r, fetchAPI)));
    },
  };
}

/** `request` with its body read into memory, or a 413 error once it passes MAX_BODY_BYTES. */
async function readUpToLimit(request: Request, fetchAPI: { Request: typeof Request }): Promise<Request> {
  const body = await readBodyBytes(request, MAX_BODY_BYTES);
  // The rest of the body is never read: the connection closes after the answer.
  if (!body)
    throw createGraphQLError(bodyTooLarge(), {
      extensions: { code: "REQUEST_ENTITY_TOO_LARGE", http: { status: 413, headers: { Connection: "close" } } },
    });
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: body as Uint8Array<ArrayBuffer>,
  });
}

/**
 * The deepest nesting of braces, brackets and parentheses in a GraphQL text (outside strings
 * and comments), stopping once it passes `limit`. Linear and iterative: no stack to overflow.
 */
export function nestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
    } else if (c === 0x22 /* " */) {
      if (text.startsWith('"""', i)) {
        let j = i + 3;
        while (j < text.length && !(text.startsWith('"""', j) && text[j - 1] !== "\\")) j++;
        i = j + 2;
      } else {
        for (i++; i < text.length && text[i] !== '"' && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28 /* { [ ( */) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d || c === 0x29 /* } ] ) */) {
      depth--;
    }
  }
  return max;
}

/**
 * Refuses a query nested deeper than MAX_NESTING before it is parsed: the parser and the
 * validation rules recurse, and thousands of levels would overflow the stack.
 */
export function nestingLimit(): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === "string" && nestingDepth(params.query, MAX_NESTING) > MAX_NESTING)
        throw createGraphQLError(
          `The query is nested more than ${MAX_NESTING} levels deep (braces, brackets and parentheses). ` +
            `Selections may be at most ${MAX_DEPTH} levels deep: flatten the query.`,
          { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
        );
    },
  };
}

/** CORS: no cross-origin access unless the request's Origin is in the allow-list (ENVPLANE_CORS_ORIGINS). */
export function corsFor(allowed: readonly string[]) {
  const origins = new Set(allowed);
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (!origin || !origins.has(origin)) return false as const;
    return {
      origin: [origin],
      credentials: true,
      methods: ["GET", "POST"],
      allowedHeaders: ["authorization", "content-type", "x-envplane-client"],
      maxAge: 600,
    };
  };
}
