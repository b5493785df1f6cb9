/** The one write path and the event vocabulary (see write-path.ts). */
export * from "./actions.js";
export * from "./audit.js";
export * from "./write-path.js";
