import type { CommandSpec } from "../command.js";

export const serve: CommandSpec = {
  path: ["serve"],
  summary: "Start the envplane server (same as npm start).",
  details: "Configured by PORT, HOST, ENVPLANE_DATA_DIR, DATABASE_URL and ENVPLANE_ROOT_KEY; see README.md.",
  async run() {
    // bin/envplane.js starts the server directly (before graphql loads, with NODE_ENV set);
    // this path is for `serve` reached through the command table. The specifier is not a
    // literal, so compiling the CLI does not compile the server.
    const server = "../../server/main.js";
    await import(server);
    return new Promise<never>(() => {}); // the server runs until it is stopped
  },
};
