import type { CommandSpec } from "../../command.js";
import { json, project, yes } from "../options.js";

export const userArg = { name: "user", required: true, description: "The user's id or e-mail address." };

export const roleOption = {
  type: "string" as const,
  value: "viewer|developer|admin|owner",
  description: "viewer reads; developer also writes unprotected environments; admin manages; owner may delete.",
};

export const membersList: CommandSpec = {
  path: ["members", "list"],
  summary: "List the project's members and their roles.",
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.membersList(ctx, invocation)),
};

export const membersAdd: CommandSpec = {
  path: ["members", "add"],
  summary: "Add a user to the project (admins; default role developer).",
  args: [userArg],
  options: { role: { ...roleOption, description: `${roleOption.description} Default: developer.` }, project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.membersAdd(ctx, invocation)),
};

export const membersSet: CommandSpec = {
  path: ["members", "set"],
  summary: "Change a member's role (admins; only owners grant or take away owner).",
  args: [userArg],
  options: { role: roleOption, project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.membersSet(ctx, invocation)),
};

export const membersRemove: CommandSpec = {
  path: ["members", "remove"],
  summary: "Remove a member from the project (admins; the last owner stays).",
  args: [userArg],
  options: { project, yes, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.membersRemove(ctx, invocation)),
};
