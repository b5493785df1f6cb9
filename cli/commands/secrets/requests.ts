/** `envplane secrets requests`: the project's secret requests and their status (never a value). */

import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";
import { STATUSES } from "./statuses.js";

export const secretsRequests: CommandSpec = {
  path: ["secrets", "requests"],
  summary: "List the project's secret requests (newest first) with their status.",
  options: {
    env: { type: "string", value: "<env>", description: "Only requests for this environment." },
    status: { type: "string", value: "<status>", description: `Only ${STATUSES.join(", ")}.` },
    project,
    json,
  },
  run: (ctx, invocation) => import("./requests.run.js").then((m) => m.secretsRequests(ctx, invocation)),
};
