import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";
import { MAX_LIMIT } from "./limits.js";

export const audit: CommandSpec = {
  path: ["audit"],
  summary: "Show the project's audit log, newest first (admins and owners).",
  options: {
    project,
    env: { type: "string", value: "<env>", description: "Only events of this environment." },
    actor: {
      type: "string",
      value: "<who>",
      description: "Only events by this user (e-mail or name) or token (name).",
    },
    action: {
      type: "string",
      value: "<action>",
      description: 'Only this action (e.g. variable.set), or a prefix ending in "." (e.g. variables.).',
    },
    since: { type: "string", value: "<when>", description: "Only events since then: 30m, 24h, 7d or a date." },
    limit: { type: "string", value: "<n>", description: `How many events at most (default 50, at most ${MAX_LIMIT}).` },
    json,
  },
  details:
    "Every write and every read of values (env pull, runtime resolution) is recorded with its keys, never values. " +
    'Each event is chained to the previous one by a SHA-256 hash: "envplane audit verify" checks the chain.',
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.audit(ctx, invocation)),
};

export const auditVerify: CommandSpec = {
  path: ["audit", "verify"],
  summary: "Check the audit log's hash chain; exit 1 when rows were edited, deleted or reordered.",
  options: { project, json },
  details:
    "This detects changes made to the log in the database after the fact. It cannot detect someone with write " +
    "access to the database rewriting the whole chain: keep copies of the log (envplane audit --json) elsewhere.",
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.auditVerify(ctx, invocation)),
};
