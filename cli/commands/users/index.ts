import type { CommandSpec } from "../../command.js";
import { json } from "../options.js";

export const usersCreate: CommandSpec = {
  path: ["users", "create"],
  summary: "Add a user to this instance and print their first personal token, once (instance admins).",
  args: [{ name: "name", required: true, description: 'Their name, e.g. "Ada Lovelace".' }],
  options: {
    email: { type: "string", value: "<address>", description: "Their e-mail (lets members add them by e-mail)." },
    admin: { type: "boolean", description: "Make them an instance admin too." },
    json,
  },
  details: `The token goes to stdout and is not shown again: hand it over securely. Then add them to a
project: envplane members add <e-mail or id> --role developer`,
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.usersCreate(ctx, invocation)),
};

export const usersList: CommandSpec = {
  path: ["users", "list"],
  summary: "List this instance's users (instance admins).",
  options: { json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.usersList(ctx, invocation)),
};
