import { spawn } from "node:child_process";
import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { printJson } from "../format.js";
import { unwrap } from "../remote.js";

const isCI = (env: NodeJS.ProcessEnv) => !["", "0", "false"].includes((env.CI ?? "").toLowerCase());

/** Opens `url` in the desktop's browser; failing to is not an error (the link is printed). */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // no browser opener: the printed link is enough
  }
}

export const dashboard: CommandSpec["run"] = async (ctx, { options }) => {
  const link = unwrap((await ctx.sdk().createSignInLink()).createSignInLink, "SignInLink");
  if (opt.bool(options, "json")) return printJson({ url: link.url, expiresAt: link.expiresAt });
  ctx.io.print(link.url);
  ctx.io.note("Open it within 2 minutes; it works once and signs in as you. Do not share it.");
  if (process.stdout.isTTY && !isCI(process.env) && !opt.bool(options, "no-open")) openInBrowser(link.url);
};
