import type { CommandSpec } from "../command.js";

export const login: CommandSpec = {
  path: ["login"],
  summary: "Store the server address and a token for the next commands.",
  options: {
    server: { type: "string", value: "<url>", description: "The envplane server, e.g. http://127.0.0.1:4000." },
    token: {
      type: "string",
      value: "<token>",
      description: 'A personal or service token; "-" reads it from stdin (keeps it out of shell history).',
    },
  },
  details: `The token is checked against the server, then stored in $XDG_CONFIG_HOME/envplane/credentials.json
(~/.config/envplane by default) with mode 0600. ENVPLANE_SERVER and ENVPLANE_TOKEN override it.`,
  run: (ctx, invocation) => import("./login.run.js").then((m) => m.login(ctx, invocation)),
};
