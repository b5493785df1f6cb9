/** HTTP-level protections of the GraphQL endpoint, as yoga plugins, and the errors they raise. */
import type { DefinitionNode, SelectionNode } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import type { Context } from "../graphql/builder.js";
import { withoutInputValues } from "./errors.js";
import type { RateLimiter } from "./rate-limit.js";

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function unauthenticated(message: string) {
  return createGraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

export function tooManyRequests(message: string, retryAfter: number) {
  return createGraphQLError(message, { extensions: { code: "RATE_LIMITED", http: { status: 429, headers: { "Retry-After": String(retryAfter) } } } });
}

/** Validation errors quote literals of the query (e.g. a value typed into the wrong field); drop them. */
export function validationErrorsWithoutValues(): Plugin {
  return {
    onValidate: () => ({ valid, result, setResult }) => {
      if (!valid) setResult(result.map((error) => Object.assign(error, { message: withoutInputValues(error.message) })));
    },
  };
}

export function bodyLimit(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > MAX_BODY_BYTES)
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message: `Request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB. Split the upload.` }] }), { status: 413, headers: { "content-type": "application/json" } }));
    },
  };
}

/** Counts runtime resolutions per token; over the limit the request fails with 429. */
export function runtimeRateLimit(limiter: RateLimiter): Plugin {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as unknown as Context;
      const usesRuntime = args.document.definitions.some(
        (d: DefinitionNode) => d.kind === "OperationDefinition" && d.selectionSet.selections.some((s: SelectionNode) => s.kind === "Field" && s.name.value === "runtimeVariables"),
      );
      if (usesRuntime && ctx.actor && !limiter.hit(ctx.actor.tokenId))
        throw tooManyRequests("Too many runtime resolutions for this token. Wait and retry, or cache the values at boot.", limiter.retryAfterSeconds(ctx.actor.tokenId));
    },
  };
}
