/** `envplane users create|list`: the instance's users (instance admins). */
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson, table } from "../../format.js";
import { unwrap } from "../../remote.js";
import { listUsers } from "../members/index.run.js";

export const usersCreate: CommandSpec["run"] = async (ctx, { args, options }) => {
  const r = await ctx.sdk().createUser({
    input: { name: args.name!, email: opt.string(options, "email"), isInstanceAdmin: opt.bool(options, "admin") },
  });
  const { user, plaintextToken } = unwrap(r.createUser, "CreateUserPayload");
  if (opt.bool(options, "json")) return printJson({ token: plaintextToken, ...user });
  ctx.io.print(plaintextToken);
  ctx.io.note(
    `Created user "${user.name}"${user.email ? ` <${user.email}>` : ""} (id ${user.id})${user.isInstanceAdmin ? ", an instance admin" : ""}.`,
  );
  ctx.io.note(
    `Their personal token is shown once: hand it over securely. They log in with "envplane login --server ${ctx.credentials()?.server ?? "<url>"} --token -". Add them to a project with "envplane members add ${user.email ?? user.id}".`,
  );
};

export const usersList: CommandSpec["run"] = async (ctx, { options }) => {
  const users = await listUsers(ctx);
  if (opt.bool(options, "json")) return printJson(users);
  ctx.io.print(
    table([
      ["ID", "NAME", "EMAIL", "ADMIN", "CREATED"],
      ...users.map((u) => [u.id, u.name, u.email ?? "-", u.isInstanceAdmin ? "yes" : "no", u.createdAt.slice(0, 10)]),
    ]),
  );
};
