import type { CommandSpec } from "../../command.js";
import { env, json, message, project } from "../options.js";

export const envSet: CommandSpec = {
  path: ["env", "set"],
  summary: "Set a variable (or a branch override), or several as KEY=VALUE pairs in one write.",
  args: [
    { name: "KEY", required: true, description: "The variable, e.g. DATABASE_URL; or the first KEY=VALUE pair." },
    {
      name: "value",
      variadic: true,
      description:
        'The value; "-" reads it from stdin (or asks, hidden, on a terminal), so secrets stay out of shell history. After a KEY=VALUE pair: more pairs.',
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
    note: {
      type: "string",
      value: "<text>",
      description: 'The variable\'s note (the comment above it in a pulled .env); "" removes it. Not with --branch.',
    },
    message,
    project,
    json,
  },
  details: `Examples:
  envplane env set API_URL "https://preview.example.com" --env preview
  envplane env set API_URL "https://feature-x.example.com" --env preview --branch feature-x
  printf %s "$STRIPE_KEY" | envplane env set STRIPE_KEY - --env production --secret
  envplane env set LOG_LEVEL=debug FEATURE_X=on --env preview     # one write, one revision
  envplane env set SMTP_HOST smtp.example.com --note "Outgoing mail; ask ops before changing"

With "-", one trailing newline is dropped from stdin. Pairs are split at the first "="; their values are taken
as they are (no stdin).`,
  run: (ctx, invocation) => import("./set.run.js").then((m) => m.envSet(ctx, invocation)),
};
