/**
 * How a tool answers: structured content (checked against the tool's output schema) plus a
 * short text, or `isError: true` with a message that says what is wrong and what to do.
 * Expected failures (the API's result unions, authentication, rate limits) keep the server's
 * own message; nothing here ever carries a variable's value.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { EnvplaneRequestError } from "../sdk/index.js";

/** A failure whose message is meant for the agent (a refusal, something not found, a bad argument). */
export class ToolFailure extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ToolFailure";
  }
}

export function ok(structured: Record<string, unknown>, text: string): CallToolResult {
  return { structuredContent: structured, content: [{ type: "text", text }] };
}

export function fail(message: string, details?: Record<string, unknown>): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text: message }],
    ...(details ? { structuredContent: details } : {}),
  };
}

/** Runs a tool body: a ToolFailure or an API error becomes an isError result with its message. */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolFailure) return fail(error.message, error.details);
    if (error instanceof EnvplaneRequestError) return fail(`envplane: ${error.message}`);
    // Network failures and the like: their message names the server, never a value.
    return fail(`envplane could not be reached or failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

interface ApiError {
  __typename: string;
  message: string;
  fieldErrors?: { path: string[]; message: string }[];
}

/**
 * The payload of a result union, or a ToolFailure with the API's message (and its field
 * errors, which name the input paths the server refused).
 */
export function expectPayload<T extends { __typename?: string }, N extends string>(
  result: T,
  typename: N,
): Extract<T, { __typename?: N }> {
  if (result.__typename === typename) return result as Extract<T, { __typename?: N }>;
  const error = result as unknown as ApiError;
  // A field error that only repeats the message adds nothing (and its path names the API's input, not the tool's).
  const fields = (error.fieldErrors ?? [])
    .filter((f) => f.message !== error.message)
    .map((f) => `${f.path.join(".")}: ${f.message}`);
  throw new ToolFailure(forAgents([...new Set([error.message, ...fields])].filter(Boolean).join("\n")));
}

/** The server's hints name CLI commands; an agent has tools instead. */
const CLI_HINTS: [RegExp, string][] = [
  [/Run "envplane env list-environments" to see them\./g, "Call list_environments to see them."],
  [/Run "envplane projects list" to see the projects you can access\./g, "Call list_projects to see them."],
  [
    /Set the base value first: envplane env set \S+ <value> --env \S+/g,
    "Set the base value first (set_env_vars without branch).",
  ],
];

export function forAgents(message: string): string {
  return CLI_HINTS.reduce((text, [cli, tool]) => text.replace(cli, tool), message);
}

/** "A, B and C" */
export function list(items: readonly string[], empty = "none"): string {
  if (items.length === 0) return empty;
  if (items.length === 1) return items[0];
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
