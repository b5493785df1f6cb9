/** `envplane secrets request KEY --env E`: a single-use dashboard link asking a person to type a secret's value. */
import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const secretsRequest: CommandSpec = {
  path: ["secrets", "request"],
  summary: "Ask a person for a secret's value: prints a single-use dashboard link (you never see the value).",
  args: [{ name: "KEY", required: true, description: "The secret's key, e.g. STRIPE_KEY." }],
  options: {
    env: { type: "string", value: "<env>", description: "The environment the secret goes into. Required." },
    branch: {
      type: "string",
      value: "<branch>",
      description: "Ask for this project branch's override (the base value must be a secret).",
    },
    note: { type: "string", value: "<text>", description: "Shown to the person on the page, e.g. where to find it." },
    expires: {
      type: "string",
      value: "<hours>",
      description: "How long the link works, 1 to 168 hours (default 24).",
    },
    project,
    json,
  },
  details: `Send the link to someone who may write the environment. They open it signed in to the dashboard
and type the value into a hidden field; it is stored as a secret in one write (a new revision).
The link alone grants nothing, works once, and you only ever see the request's status:

  envplane secrets request STRIPE_KEY --env production --note "Live key from the Stripe dashboard"
  envplane secrets requests            # pending, fulfilled, expired, cancelled`,
  run: (ctx, invocation) => import("./request.run.js").then((m) => m.secretsRequest(ctx, invocation)),
};
