/**
 * `envplane members list|add|set|remove`: who may do what in a project. A user is named by
 * id or e-mail; an e-mail is looked up among the project's members, then (for instance
 * admins) among the instance's users.
 */
import { allPages, EnvplaneRequestError, MAX_PAGE_SIZE, type Role } from "../../../sdk/index.js";
import { type OptionValues, opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, table } from "../../format.js";
import { unwrap } from "../../remote.js";

const ROLES = ["viewer", "developer", "admin", "owner"] as const;

function role(text: string | undefined, fallback?: Role): Role {
  if (text === undefined && fallback) return fallback;
  if (text === undefined) throw new UsageError("Missing --role <role>: one of viewer, developer, admin, owner.");
  if (!(ROLES as readonly string[]).includes(text.toLowerCase()))
    throw new UsageError(`--role "${text}" is not a role. Use viewer, developer, admin or owner.`);
  return text.toUpperCase() as Role;
}

async function listMembers(ctx: Context, slug: string) {
  return allPages(async (after) => {
    const { project: p } = await ctx.sdk().projectMembers({ slug, first: MAX_PAGE_SIZE, after });
    if (!p)
      throw new CliError(
        `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
      );
    return p.members;
  });
}

type Member = Awaited<ReturnType<typeof listMembers>>[number];

/** Every user of the instance (instance admins only: a clear error for anyone else). */
export async function listUsers(ctx: Context) {
  try {
    return await allPages(async (after) => (await ctx.sdk().users({ first: MAX_PAGE_SIZE, after })).users);
  } catch (error) {
    if (error instanceof EnvplaneRequestError && /instance admins/.test(error.message))
      throw new CliError(`${error.message} Ask an instance admin, or name the user by id.`);
    throw error;
  }
}

/** The user a command names: an id, or an e-mail found among the members, then the instance's users. */
async function resolveUser(ctx: Context, who: string, members: Member[]): Promise<{ id: string; label: string }> {
  const label = (u: { id: string; name: string; email?: string | null }) =>
    `${u.name}${u.email ? ` <${u.email}>` : ""}`;
  const member = members.find((m) => m.user.id === who || (who.includes("@") && m.user.email === who));
  if (member) return { id: member.user.id, label: label(member.user) };
  if (!who.includes("@")) return { id: who, label: who };
  const user = (await listUsers(ctx)).find((u) => u.email?.toLowerCase() === who.toLowerCase());
  if (!user) throw new CliError(`No user with e-mail ${who}. Instance admins add users with "envplane users create".`);
  return { id: user.id, label: label(user) };
}

export const membersList: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const members = await listMembers(ctx, slug);
  if (opt.bool(options, "json"))
    return printJson(members.map((m) => ({ ...m.user, role: m.role.toLowerCase(), since: m.createdAt })));
  if (!members.length)
    return ctx.io.note(`No members listed for ${slug} (listing them needs a personal token of a member).`);
  ctx.io.print(
    table([
      ["ID", "NAME", "EMAIL", "ROLE"],
      ...members.map((m) => [m.user.id, m.user.name, m.user.email ?? "-", m.role.toLowerCase()]),
    ]),
  );
};

async function setRole(ctx: Context, options: OptionValues, who: string, adding: boolean) {
  const slug = ctx.project(options);
  const wanted = role(opt.string(options, "role"), adding ? "DEVELOPER" : undefined);
  const members = await listMembers(ctx, slug);
  const user = await resolveUser(ctx, who, members);
  const current = members.find((m) => m.user.id === user.id);
  if (adding && current)
    throw new CliError(
      `${user.label} is already a member of ${slug} (${current.role.toLowerCase()}). Change the role with "envplane members set ${who} --role <role>".`,
    );
  if (!adding && !current)
    throw new CliError(`${user.label} is not a member of ${slug}. Add them with "envplane members add ${who}".`);
  const r = await ctx.sdk().setMember({ input: { project: slug, userId: user.id, role: wanted } });
  const { member } = unwrap(r.setMember, "SetMemberPayload");
  if (opt.bool(options, "json"))
    return printJson({
      project: slug,
      userId: member.user.id,
      name: member.user.name,
      role: member.role.toLowerCase(),
    });
  ctx.io.done(
    adding
      ? `Added ${user.label} to ${slug} as ${member.role.toLowerCase()}.`
      : `${user.label} is now ${member.role.toLowerCase()} in ${slug} (was ${current!.role.toLowerCase()}).`,
  );
}

export const membersAdd: CommandSpec["run"] = (ctx, { args, options }) => setRole(ctx, options, args.user!, true);

export const membersSet: CommandSpec["run"] = (ctx, { args, options }) => setRole(ctx, options, args.user!, false);

export const membersRemove: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const members = await listMembers(ctx, slug);
  const user = await resolveUser(ctx, args.user!, members);
  if (!members.some((m) => m.user.id === user.id))
    throw new CliError(`${user.label} is not a member of ${slug}. Run "envplane members list".`);
  await ctx.confirmDestructive(
    options,
    `Remove ${user.label} from ${slug}? Their personal tokens stop working in it.`,
    `Removing ${user.label} takes away their access to ${slug}.`,
    "Cancelled: nothing was changed.",
  );
  const r = unwrap(
    (await ctx.sdk().removeMember({ input: { project: slug, userId: user.id } })).removeMember,
    "RemoveMemberPayload",
  );
  if (opt.bool(options, "json")) return printJson({ project: slug, userId: r.userId, removed: true });
  ctx.io.done(`Removed ${user.label} from ${slug}.`);
};
