/**
 * The envplane TypeScript SDK: one typed method per GraphQL operation.
 *
 *   import { createClient } from "envplane/sdk";
 *   const envplane = createClient({ url: "http://127.0.0.1:4000/graphql", token: process.env.ENVPLANE_TOKEN });
 *   const r = await envplane.pullVariables({ project: "shop", environment: "development" });
 *   if (r.pullVariables.__typename !== "PulledEnvironment") throw new Error(r.pullVariables.message);
 *
 * Expected failures come back as typed results (`__typename` ValidationError, NotFoundError,
 * ConflictError, ForbiddenError); authentication, rate limits and unexpected server errors
 * throw an EnvplaneRequestError.
 */
import { getSdk, type Requester } from "./generated.js";

export * from "./generated.js";

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  token?: string | null;
  /** Defaults to the global fetch; tests pass the server's in-process fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  headers?: Record<string, string>;
}

export class EnvplaneRequestError extends Error {
  constructor(
    message: string,
    /** UNAUTHENTICATED, RATE_LIMITED, INTERNAL_SERVER_ERROR, GRAPHQL_VALIDATION_FAILED, … */
    readonly code: string | null,
    readonly status: number,
    readonly errors: { message: string; extensions?: Record<string, unknown> }[] = [],
  ) {
    super(message);
    this.name = "EnvplaneRequestError";
  }
}

/** This SDK's version (package.json's; a test keeps them equal). */
export const SDK_VERSION = "0.1.0";

/**
 * In Node, requests name the SDK (`envplane-sdk/<version>`), so the audit log shows who called; browsers forbid
 * setting User-Agent (they send their own). A user-agent in `options.headers` wins (the CLI sends envplane-cli/…).
 */
function userAgent(headers: Record<string, string> | undefined): Record<string, string> {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (!node || Object.keys(headers ?? {}).some((h) => h.toLowerCase() === "user-agent")) return {};
  return { "user-agent": `envplane-sdk/${SDK_VERSION}` };
}

export function createClient(options: ClientOptions) {
  const defaultHeaders = userAgent(options.headers);
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const requester: Requester<{ signal?: AbortSignal }> = async (document, variables, requestOptions) => {
    const response = await doFetch(options.url, {
      method: "POST",
      signal: requestOptions?.signal,
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        "x-envplane-client": "sdk",
        ...defaultHeaders,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query: String(document), variables }),
    });
    const text = await response.text();
    let body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new EnvplaneRequestError(
        `envplane server answered HTTP ${response.status} with a non-JSON body. Is ${options.url} an envplane GraphQL endpoint?`,
        null,
        response.status,
      );
    }
    if (body.errors?.length) {
      const first = body.errors[0];
      throw new EnvplaneRequestError(
        first.message,
        (first.extensions?.code as string | undefined) ?? null,
        response.status,
        body.errors,
      );
    }
    if (!response.ok || body.data == null)
      throw new EnvplaneRequestError(`envplane server answered HTTP ${response.status}.`, null, response.status);
    return body.data as never;
  };
  return getSdk(requester);
}

export type EnvplaneClient = ReturnType<typeof createClient>;

/** The largest page the server gives (`first`); lists default to 100 items a page. */
export const MAX_PAGE_SIZE = 500;

/** One page of a connection, as the operations select it. */
export interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Every item of a paginated list: calls `page(after)` from the start (after = null) with
 * each page's endCursor until there is no next page. Pass `first: MAX_PAGE_SIZE` in `page`
 * for the fewest requests:
 *
 *   const projects = await allPages(async (after) => (await envplane.projects({ first: MAX_PAGE_SIZE, after })).projects);
 */
export async function allPages<T>(page: (after: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const current: Page<T> = await page(after);
    items.push(...current.nodes);
    if (!current.pageInfo.hasNextPage || !current.pageInfo.endCursor) return items;
    after = current.pageInfo.endCursor;
  }
}
