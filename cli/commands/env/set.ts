import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { readStdin } from "../../io.js";
import { unwrap } from "../../remote.js";
import { env, project } from "../options.js";

export const envSet: CommandSpec = {
  path: ["env", "set"],
  summary: "Set a variable (or a branch override) in an environment.",
  args: [
    { name: "KEY", required: true, description: "The variable, e.g. DATABASE_URL." },
    {
      name: "value",
      required: true,
      description:
        'The value; "-" reads it from stdin (or asks, hidden, on a terminal), so secrets stay out of shell history.',
    },
  ],
  options: {
    env,
    secret: {
      type: "boolean",
      description:
        "Store it as a secret: write-only, never pulled or shown again. Set at creation; cannot change later.",
    },
    branch: {
      type: "string",
      value: "<branch>",
      description: "Set an override for this project branch only (not on development).",
    },
    project,
  },
  details: `Examples:
  envplane env set API_URL "https://preview.example.com" --env preview
  envplane env set API_URL "https://feature-x.example.com" --env preview --branch feature-x
  printf %s "$STRIPE_KEY" | envplane env set STRIPE_KEY - --env production --secret

With "-", one trailing newline is dropped from stdin.`,
  async run(ctx, { args, options }) {
    const slug = ctx.project(options);
    let value = args.value!;
    if (value === "-") {
      if (process.stdin.isTTY && !ctx.io.interactive)
        throw new UsageError(
          '"-" reads the value from stdin, but stdin is a terminal and prompts are off (CI). Pipe the value in.',
        );
      value = process.stdin.isTTY ? await ctx.io.ask("Value (hidden): ", { hidden: true }) : await readStdin();
    }
    const environment = await ctx.environment(options, slug);
    const branch = opt.string(options, "branch");
    const secret = opt.bool(options, "secret");
    const r = await ctx.sdk().setVariable({
      input: { project: slug, environment, key: args.KEY!, value, branch, secret: secret || undefined },
    });
    const set = unwrap(r.setVariable, "SetVariablePayload");
    const what = set.branch ? `override of ${set.key} for project branch ${set.branch}` : set.key;
    if (!set.changed)
      return ctx.io.done(
        `${what} in "${environment}" already has this value: nothing changed (revision ${set.revision}).`,
      );
    ctx.io.done(
      `${set.created ? "Added" : "Updated"} ${what} in "${environment}"${set.isSecret ? " (secret)" : ""} (revision ${set.revision}).`,
    );
  },
};
