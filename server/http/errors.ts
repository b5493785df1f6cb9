/**
 * What clients see of errors. Expected failures (AppError) keep their message and get a
 * code; GraphQL's own errors are kept but stripped of any echoed input value; everything
 * else becomes "Unexpected error." and is logged on the server without request data.
 */
import type { GraphQLError as GraphQLErrorType } from "graphql";
import { AuditUnavailableError } from "../services/audit.js";
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UndecryptableError,
  ValidationError,
} from "../services/errors.js";
import { graphql } from "./graphql.js";

const { GraphQLError } = graphql;
type GraphQLError = GraphQLErrorType;

function codeOf(error: AppError): string {
  if (error instanceof ValidationError) return "VALIDATION";
  if (error instanceof NotFoundError) return "NOT_FOUND";
  if (error instanceof ConflictError) return "CONFLICT";
  if (error instanceof ForbiddenError) return "FORBIDDEN";
  if (error instanceof UndecryptableError) return "UNDECRYPTABLE";
  if (error instanceof AuditUnavailableError) return "AUDIT_UNAVAILABLE";
  return "BAD_REQUEST";
}

/** By tag, not class: graphql can be loaded twice (its ESM and CJS builds, e.g. under vitest), each with its own GraphQLError. */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError || Object.prototype.toString.call(error) === "[object GraphQLError]";
}

/** Removes input values that graphql-js quotes in coercion and validation messages. */
export function withoutInputValues(message: string): string {
  return message
    .replace(/got invalid value [\s\S]*?(?=(?: at "[^"]*")?; |$)/, "got an invalid value")
    .replace(/(cannot represent[^:;]*?value): [\s\S]*$/, "$1.")
    .replace(/(Expected value of type "[^"]+"), found [\s\S]*?(;|\.$|$)/, "$1$2")
    .replace(
      /(Int cannot represent non-integer value|Int cannot represent non 32-bit signed integer value|Boolean cannot represent a non boolean value|ID cannot represent value): [\s\S]*$/,
      "$1.",
    )
    .replace(/Value [\s\S]*? does not exist in ("[^"]+" enum)/, "Value does not exist in $1")
    .replace(/((?:found|Unexpected) (?:String|BlockString|Int|Float|Name)) "[\s\S]*"/, "$1")
    .replace(/ ?Did you mean the enum value [\s\S]*?\?/g, "");
}

/** `development` (NODE_ENV=development) shows an unexpected error's message (never its stack) to help debugging. */
export function maskError(error: unknown, log: (line: string) => void, development = false): Error {
  const original = isGraphQLError(error) && error.originalError ? error.originalError : error;
  const path = isGraphQLError(error) ? error.path : undefined;
  if (original instanceof AppError)
    return new GraphQLError(original.message, { path, extensions: { code: codeOf(original) } });
  if (isGraphQLError(original)) {
    const { http, code } = original.extensions as { http?: unknown; code?: unknown };
    // A variable's coercion error wraps the scalar's error; the outer message names the path (`at "input.secret"`).
    const message =
      isGraphQLError(error) && error.message.endsWith(original.message) ? error.message : original.message;
    return new GraphQLError(withoutInputValues(message), {
      path,
      nodes: original.nodes,
      extensions: { ...(code ? { code } : {}), ...(http ? { http } : {}) },
    });
  }
  log(
    `Unexpected error${path ? ` at ${path.join(".")}` : ""}: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`,
  );
  const detail = development && original instanceof Error ? ` (development: ${original.message})` : "";
  return new GraphQLError(`Unexpected error.${detail}`, { path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
}
