/**
 * The envplane command line: the command table, dispatch, and how failures end
 * (exit 0 done, 1 failed, 2 usage error). The table holds declarative specs only: a command's
 * run code, the SDK and the context load when that command runs, so `--help`, `--version` and
 * completion start fast (test/cli/startup.test.ts).
 */

import { type CommandSpec, commandHelp, findCommand, groupHelp, parseInvocation } from "./command.js";
import { audit, auditVerify } from "./commands/audit/index.js";
import { bindingCommands } from "./commands/bindings/index.js";
import { branchCreate } from "./commands/branch/create.js";
import { branchDelete } from "./commands/branch/delete.js";
import { branchList } from "./commands/branch/list.js";
import { completion } from "./commands/completion.js";
import { configDisable } from "./commands/config/disable.js";
import { configEnable } from "./commands/config/enable.js";
import { dashboard } from "./commands/dashboard.js";
import { dev } from "./commands/dev.js";
import { envCreate } from "./commands/env/create.js";
import { envDelete } from "./commands/env/delete.js";
import { envDiff } from "./commands/env/diff.js";
import { envExport } from "./commands/env/export.js";
import { envGet } from "./commands/env/get.js";
import { envHistory } from "./commands/env/history.js";
import { envList } from "./commands/env/list.js";
import { envListEnvironments } from "./commands/env/list-environments.js";
import { envPromote } from "./commands/env/promote.js";
import { envPull } from "./commands/env/pull.js";
import { envPush } from "./commands/env/push.js";
import { envRestore } from "./commands/env/restore.js";
import { envSeed } from "./commands/env/seed.js";
import { envSet } from "./commands/env/set.js";
import { envUnset } from "./commands/env/unset.js";
import { gitCommands } from "./commands/git/index.js";
import { init } from "./commands/init.js";
import { link } from "./commands/link.js";
import { login } from "./commands/login.js";
import { logout } from "./commands/logout.js";
import { mappingSet } from "./commands/mapping/set.js";
import { mappingShow } from "./commands/mapping/show.js";
import { mappingUnset } from "./commands/mapping/unset.js";
import { mcp } from "./commands/mcp.js";
import { membersAdd, membersList, membersRemove, membersSet } from "./commands/members/index.js";
import { previewCommands } from "./commands/preview/index.js";
import { projectsCreate } from "./commands/projects/create.js";
import { projectsDelete } from "./commands/projects/delete.js";
import { projectsList } from "./commands/projects/list.js";
import { run } from "./commands/run.js";
import { secretsCommands } from "./commands/secrets/index.js";
import { serve } from "./commands/serve.js";
import { sharedCommands } from "./commands/shared/index.js";
import { status } from "./commands/status.js";
import { tokensCreate } from "./commands/tokens/create.js";
import { tokensList } from "./commands/tokens/list.js";
import { tokensRevoke } from "./commands/tokens/revoke.js";
import { usersCreate, usersList } from "./commands/users/index.js";
import { webhookCommands } from "./commands/webhooks/index.js";
import { whoami } from "./commands/whoami.js";
import type { Context } from "./context.js";
import { CliError, UsageError } from "./errors.js";
import { IO } from "./io.js";
import { packageVersion } from "./version.js";

export const commands: CommandSpec[] = [
  init,
  link,
  dev,
  run,
  envList,
  envGet,
  envSet,
  envUnset,
  envPull,
  envExport,
  envPush,
  envListEnvironments,
  envCreate,
  envDelete,
  envSeed,
  envHistory,
  envDiff,
  envRestore,
  envPromote,
  ...sharedCommands,
  ...secretsCommands,
  configEnable,
  configDisable,
  projectsCreate,
  projectsList,
  projectsDelete,
  branchCreate,
  branchList,
  branchDelete,
  mappingShow,
  mappingSet,
  mappingUnset,
  tokensCreate,
  tokensList,
  tokensRevoke,
  membersList,
  membersAdd,
  membersSet,
  membersRemove,
  usersCreate,
  usersList,
  ...webhookCommands,
  ...previewCommands,
  ...gitCommands,
  ...bindingCommands,
  login,
  logout,
  whoami,
  audit,
  auditVerify,
  status,
  dashboard,
  mcp,
  serve,
  completion(() => commands),
];

let ctx: Context | null = null;

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help") {
    (argv.length === 0 ? process.stderr : process.stdout).write(groupHelp(commands, []));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    const group = commands.some((c) => c.path[0] === argv[0]) ? [argv[0]] : null;
    if (group && (argv.length === 1 || argv[1] === "--help" || argv[1] === "-h")) {
      const asked = argv.length > 1;
      (asked ? process.stdout : process.stderr).write(groupHelp(commands, group));
      return asked ? 0 : 2;
    }
    throw new UsageError(
      `Unknown command "envplane ${argv
        .filter((a) => !a.startsWith("-"))
        .slice(0, 2)
        .join(" ")}". Run "envplane --help" to see the commands.`,
    );
  }
  const invocation = parseInvocation(found.spec, found.rest);
  if (invocation.help) {
    process.stdout.write(commandHelp(found.spec));
    return 0;
  }
  if (found.spec.contextFree) return ((await found.spec.run(null as never, invocation)) as number | undefined) ?? 0;
  ctx = new (await import("./context.js")).Context(process.env);
  const code = await found.spec.run(ctx, invocation);
  return typeof code === "number" ? code : 0;
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  const current = ctx as Context | null; // set by main() once a command runs
  const io = current?.io ?? new IO(process.env);
  if (error instanceof CliError) {
    io.error(error.message);
    code = error.exitCode;
  } else {
    let server: string | undefined;
    try {
      server = current?.credentials()?.server;
    } catch {
      server = undefined;
    }
    const { describeFailure } = await import("./remote.js");
    const known = describeFailure(error, server);
    io.error(known ?? `Unexpected failure: ${(error as Error)?.message ?? String(error)}`);
    code = 1;
  }
  if (!current) io.close();
} finally {
  (ctx as Context | null)?.io.close();
}
process.exitCode = code!;
