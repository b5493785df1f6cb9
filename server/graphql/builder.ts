/** The one Pothos builder: plugins, context, scalars and the shared error types. */
import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import { GraphQLError } from "graphql";
import type { Database } from "../db/client.js";
import type PrismaTypes from "../db/generated/pothos-types.js";
import { getDatamodel } from "../db/generated/pothos-types.js";
import type { Actor } from "../services/actor.js";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UndecryptableError,
  ValidationError,
} from "../services/errors.js";
import type { Services } from "../services/index.js";
import type { KeyRing } from "../services/keyring.js";
import type { Loaders } from "./loaders.js";

export interface Context {
  actor: Actor | null;
  services: Services;
  db: Database;
  loaders: Loaders;
  keys: KeyRing;
  /** Per-request rate limits; `runtime` counts one runtime resolution and throws the 429 error over the limit. */
  limits: { runtime(actor: Actor): Promise<void> };
  /** Whole environments read so far by this request (pullVariables, runtimeVariables): at most one. */
  environmentReads: number;
  /** This server's origin as the caller reached it (e.g. http://127.0.0.1:4000), for links it hands out. */
  origin: string;
}

/**
 * pullVariables and runtimeVariables return every value of an environment, unpaginated: one of
 * them per request, so aliases and fragments cannot multiply the work of one request.
 */
export function countEnvironmentRead(ctx: Context): void {
  ctx.environmentReads += 1;
  if (ctx.environmentReads > 1)
    throw new GraphQLError(
      "One request reads at most one whole environment (pullVariables, runtimeVariables or compareEnvironments); " +
        "this one asks for more. Send one request per environment.",
      { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } },
    );
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [ErrorsPlugin, PrismaPlugin],
  prisma: { client: (ctx) => ctx.db.reader, dmmf: getDatamodel(), exposeDescriptions: false, onUnusedQuery: null },
  errors: {
    defaultTypes: [ValidationError, NotFoundError, ConflictError, ForbiddenError, UndecryptableError],
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${fieldName[0].toUpperCase()}${fieldName.slice(1)}Result` },
  },
});

export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The caller, or a 401 when the request carried no token. */
export function requireActor(ctx: Context): Actor {
  if (ctx.actor) return ctx.actor;
  throw new GraphQLError(
    'Authentication required: send "Authorization: Bearer <token>" with a personal or service token. The owner\'s ' +
      "token is printed on the server's first start (lost: \"envplane serve --recover-owner\" on the server's machine); " +
      'in a folder linked to a project, "envplane tokens create --name ci" creates a service token.',
    {
      extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
    },
  );
}

const MIN_DATE = Date.UTC(1970, 0, 1);
const MAX_DATE = Date.UTC(10000, 0, 1) - 1;

/** Whether a date is one the API accepts (1970-01-01 to 9999-12-31, what both databases store). */
export const isSupportedDate = (date: Date) => date.getTime() >= MIN_DATE && date.getTime() <= MAX_DATE;

builder.scalarType("DateTime", {
  description: "An ISO-8601 date and time in UTC.",
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value as string).toISOString()),
  parseValue: (value) => {
    const date = new Date(value as string);
    if (typeof value !== "string" || Number.isNaN(date.getTime()))
      throw new GraphQLError("DateTime must be an ISO-8601 string, e.g. 2030-01-31T00:00:00Z.");
    if (!isSupportedDate(date))
      throw new GraphQLError("DateTime must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z.");
    return date;
  },
});

builder.queryType({});
builder.mutationType({});

const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  description: "An expected failure. `message` says what is wrong and how to fix it.",
  fields: (t) => ({ message: t.exposeString("message") }),
});

const FieldErrorRef = builder.objectRef<{ path: string[]; message: string }>("FieldError").implement({
  description: 'A problem with one input field; `path` leads to it from the input (e.g. ["variables", "3", "key"]).',
  fields: (t) => ({ path: t.exposeStringList("path"), message: t.exposeString("message") }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input is invalid; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorRef], resolve: (e) => e.fieldErrors }) }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description:
    "A named project, environment, branch, variable, token or user does not exist (or is not visible to this token).",
  interfaces: [ErrorInterface],
  fields: (t) => ({ resource: t.exposeString("resource") }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  description: "The write conflicts with the current state (stale revision, existing name); nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ currentRevision: t.exposeInt("currentRevision", { nullable: true }) }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "This token may not do that.",
  interfaces: [ErrorInterface],
});

builder.objectType(UndecryptableError, {
  name: "UndecryptableError",
  description:
    "Stored values that cannot be decrypted (damaged in the database); `keys` names them. " +
    "Set them again to replace them. Nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ keys: t.exposeStringList("keys") }),
});
