import type { CommandSpec } from "../command.js";

export const serve: CommandSpec = {
  path: ["serve"],
  summary: "Start the envplane server (same as npm start).",
  details: "Configured by PORT, HOST, ENVPLANE_DATA_DIR, DATABASE_URL and ENVPLANE_ROOT_KEY; see README.md.",
  async run() {
    process.env.NODE_ENV ??= "production"; // before graphql loads: its production build skips dev-only checks
    await import("../../server/main.js");
    return new Promise<never>(() => {}); // the server runs until it is stopped
  },
};
