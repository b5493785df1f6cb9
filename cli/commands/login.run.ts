import type { ViewerQuery } from "../../sdk/index.js";
import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { graphqlUrl, writeCredentials } from "../credentials.js";
import { CliError, UsageError } from "../errors.js";
import { readStdin } from "../io.js";
import { connect, describeFailure } from "../remote.js";
import { describeViewer } from "./whoami.run.js";

export const login: CommandSpec["run"] = async (ctx, { options }) => {
  const server = opt.string(options, "server") ?? ctx.env.ENVPLANE_SERVER;
  if (!server)
    throw new UsageError(
      "Missing --server <url>: the envplane server to log in to, e.g. --server http://127.0.0.1:4000.",
    );
  let token = opt.string(options, "token");
  if (token === "-") {
    if (process.stdin.isTTY && !ctx.io.interactive)
      throw new UsageError(
        '"--token -" reads the token from stdin, but stdin is a terminal and prompts are off (CI). Pipe the token in.',
      );
    // On a terminal: a hidden prompt that ends on Enter (like env set KEY -); piped: all of stdin.
    token = (process.stdin.isTTY ? await ctx.io.ask("Token (hidden): ", { hidden: true }) : await readStdin()).trim();
  } else if (token === undefined && ctx.io.interactive)
    token = (await ctx.io.ask("Token (hidden): ", { hidden: true })).trim();
  if (!token) throw new UsageError("Missing --token <token>. Pass it, or --token - to read it from stdin.");
  try {
    graphqlUrl(server);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let viewer: ViewerQuery["viewer"];
  try {
    ({ viewer } = await connect({ server, token }).viewer());
  } catch (error) {
    throw new CliError(describeFailure(error, graphqlUrl(server)) ?? (error as Error).message);
  }
  if (!viewer.token) throw new CliError("The server did not accept the token.");
  const file = writeCredentials(ctx.env, { server, token });
  ctx.io.done(`Logged in to ${graphqlUrl(server)} ${describeViewer(viewer)}.`);
  ctx.io.note(`Credentials saved to ${file} (readable only by you).`);
};
