import type { CommandSpec } from "../command.js";
import { UsageError } from "../errors.js";

/** bin/envplane.js starts the server itself for a plain `envplane serve` (before graphql loads); this spec gives it help. */
export const serve: CommandSpec = {
  path: ["serve"],
  summary: "Start the envplane server (same as npm start).",
  details: "Configured by PORT, HOST, ENVPLANE_DATA_DIR, DATABASE_URL and ENVPLANE_ROOT_KEY; see README.md.",
  async run() {
    throw new UsageError(
      '"envplane serve" takes no arguments; configure it with the environment variables in "envplane serve --help".',
    );
  },
};
