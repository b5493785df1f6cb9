import type { CommandSpec } from "../command.js";
import { UsageError } from "../errors.js";

/** bin/envplane.js starts the server itself for a plain `envplane serve` (before graphql loads); this spec gives it help. */
export const serve: CommandSpec["run"] = async () => {
  throw new UsageError(
    '"envplane serve" takes no arguments but --recover-owner; configure it with the environment variables in "envplane serve --help".',
  );
};
