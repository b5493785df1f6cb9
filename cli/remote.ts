/**
 * The CLI's side of the API: an SDK client for a server and token, and how its answers
 * become messages (a result union's error, a network failure, an authentication failure).
 */

import type { MappingRule } from "../core/mapping.js";
import { createClient, type EnvplaneClient, EnvplaneRequestError, type ProjectQuery } from "../sdk/index.js";
import { type Credentials, graphqlUrl } from "./credentials.js";
import { CliError } from "./errors.js";
import { packageVersion } from "./version.js";

const REQUEST_TIMEOUT_MS = 60_000;

export type Project = NonNullable<ProjectQuery["project"]>;

/** The branch mapping of a project (or of an updateBranchMapping payload) as domain rules. */
export function rulesOf(from: {
  mapping: readonly { branch: string; environment: { name: string } }[];
}): MappingRule[] {
  return from.mapping.map((m) => ({ branch: m.branch, environment: m.environment.name }));
}

export function connect(credentials: Credentials): EnvplaneClient {
  // Checked here so a pasted token with a line break never ends up quoted in an HTTP error.
  if (!/^[\x21-\x7e]+$/.test(credentials.token))
    throw new CliError(
      "The token contains spaces, line breaks or other characters no envplane token has. Copy it again (ENVPLANE_TOKEN or envplane login).",
    );
  let url: string;
  try {
    url = graphqlUrl(credentials.server);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  return createClient({
    url,
    token: credentials.token,
    // Named in the audit log (envplane audit: FROM, userAgent).
    headers: { "user-agent": `envplane-cli/${packageVersion()}` },
    fetch: (input, init) => fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
  });
}

type Result = { __typename?: string; message?: string; fieldErrors?: { path: string[]; message: string }[] };

/** Words for the API's input lists, so a field error names what the user gave, not an input path. */
const ITEMS: Record<string, string> = {
  entries: "mapping rule",
  variables: "variable",
  decisions: "seed decision",
  keep: "kept key",
  environments: "environment",
  permissions: "permission",
};

/** A field error's input path in the user's terms: ["entries", "3", "environment"] → "mapping rule 4 (environment)". */
export function describePath(path: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const index = /^\d+$/.test(path[i + 1] ?? "") ? Number(path[i + 1]) : null;
    if (index !== null) {
      words.push(`${ITEMS[path[i]] ?? path[i]} ${index + 1}`);
      i++;
    } else words.push(words.length ? `(${path[i]})` : path[i]);
  }
  return words.join(" ");
}

/**
 * A `describe` for unwrap that names the names the user typed: ["key"] → key "1BAD" (names only, never a value).
 * Other paths as describePath says them.
 */
export function naming(given: Record<string, string | null | undefined>): (path: readonly string[]) => string {
  return (path) => {
    const typed = path.length === 1 ? given[path[0]] : undefined;
    return typed == null ? describePath(path) : `${path[0]} "${typed}"`;
  };
}

/**
 * The payload when `result` is `typename`; otherwise a CliError with the server's message and
 * field errors (`describe` names a field error's input in the user's terms, e.g. by its key).
 */
export function unwrap<T extends Result, N extends string>(
  result: T,
  typename: N,
  describe: (path: readonly string[]) => string = describePath,
): Extract<T, { __typename?: N }> {
  if (result.__typename === typename) return result as Extract<T, { __typename?: N }>;
  // One field error is already the message; several are listed under it.
  const fields = result.fieldErrors ?? [];
  const details =
    fields.length > 1 ? fields.map((f) => `  ${f.path.length ? `${describe(f.path)}: ` : ""}${f.message}`) : [];
  // The server's message starts with the first field error's input path: said in the user's terms too.
  const first = fields[0];
  const prefix = first?.path.length ? `${first.path.join(".")}: ` : null;
  const message =
    prefix && result.message?.startsWith(prefix)
      ? `${describe(first.path)}: ${result.message.slice(prefix.length)}`
      : result.message;
  throw new CliError([message ?? `Unexpected answer from the server (${result.__typename}).`, ...details].join("\n"));
}

/** A readable message for failures below the GraphQL results: network, authentication, rate limits. */
export function describeFailure(error: unknown, server: string | undefined): string | null {
  if (error instanceof EnvplaneRequestError) {
    if (error.code === "UNAUTHENTICATED")
      return `${error.message} Run "envplane login" with a valid token, or check ENVPLANE_TOKEN.`;
    if (error.code === "RATE_LIMITED") return `${error.message}`;
    // The request itself was refused (a limit, a bad argument): the message says what to change.
    if (error.code === "BAD_USER_INPUT" || error.code === "GRAPHQL_VALIDATION_FAILED") return error.message;
    return `The server failed: ${error.message}`;
  }
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError")
    return `The envplane server at ${server} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`;
  if (e instanceof TypeError && e.message === "fetch failed")
    return (
      `Cannot reach the envplane server at ${server} ` +
      `(${e.cause?.code ?? e.cause?.message ?? "network error"}). Is it running? ` +
      `Check the address given to "envplane login" or ENVPLANE_SERVER.`
    );
  return null;
}
