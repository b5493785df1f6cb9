/** The one permission policy: actions, `can`/`assertCan`, access loading and read scopes. */
export * from "./access.js";
export * from "./actions.js";
export * from "./policy.js";
export * from "./scopes.js";
