/** Builds the GraphQL schema from the per-entity modules. */
import { builder } from "./builder.js";
import "./user.js";
import "./member.js";
import "./project.js";
import "./viewer.js";
import "./branch.js";
import "./environment.js";
import "./variable.js";
import "./token.js";
import "./grid.js";
import "./listing.js";
import "./session.js";
import "./compare.js";
import "./history.js";
import "./webhook.js";
import "./audit.js";
import "./git.js";
import "./shared.js";
import "./preview.js";
import "./binding.js";
import "./notes.js";
import "./secret-request.js";

export const schema = builder.toSchema({ sortSchema: true });
