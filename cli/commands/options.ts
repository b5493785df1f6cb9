/** Options several commands share, so their help reads the same everywhere. */
import type { OptionSpec } from "../command.js";

export const project: OptionSpec = {
  type: "string",
  value: "<slug>",
  description: "The project (default: the one linked in envplane/config.json).",
};
export const env: OptionSpec = {
  type: "string",
  value: "<env>",
  description: "The environment (default: development, or the one ENVPLANE_BRANCH's project branch maps to).",
};
export const json: OptionSpec = { type: "boolean", description: "Print machine-readable JSON." };
export const message: OptionSpec = {
  type: "string",
  short: "m",
  value: "<text>",
  description: "Why: kept with the revision this write makes (at most 500 characters; envplane env history shows it).",
};
export const yes: OptionSpec = { type: "boolean", short: "y", description: "Do not ask for confirmation." };
