import type { CommandSpec } from "../command.js";

/** bin/envplane.js starts the server itself for a plain `envplane serve` (before graphql loads); this spec gives it help. */
export const serve: CommandSpec = {
  path: ["serve"],
  summary: "Start the envplane server (same as npm start).",
  options: {
    "recover-owner": {
      type: "boolean",
      description:
        "Do not serve: print a new owner token once (run it where the data is, with the same configuration).",
    },
  },
  details: `Configured by PORT, HOST, ENVPLANE_DATA_DIR, DATABASE_URL and ENVPLANE_ROOT_KEY; see README.md.
The server binds its port before it touches the data: a start that cannot listen creates nothing.

Lost the owner token printed on the first start? On the machine holding the data directory (or with
DATABASE_URL) and the root key, run "envplane serve --recover-owner": it gives the first instance admin
a new personal token, prints it once on stdout and records the recovery as an event.`,
  run: (ctx, invocation) => import("./serve.run.js").then((m) => m.serve(ctx, invocation)),
};
