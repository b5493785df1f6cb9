/**
 * The one vocabulary of permissions. Every check in envplane — service asserts, GraphQL
 * read scopes, `viewerCan…` fields, and later the dashboard session and the MCP server —
 * names one of these actions and asks `can()`.
 */
export const PROJECT_ACTIONS = [
  /** See the project, its environments' names, branches and mapping. */
  "project:read",
  /** Delete the project and everything in it. */
  "project:delete",
  /** Create, delete and (un)protect environments. */
  "environment:manage",
  /** Create and delete project branches (creating one for a writable environment needs only write there). */
  "branch:manage",
  /** Change which branches deploy with which environment. */
  "mapping:manage",
  /** Create, list and revoke the project's service tokens. */
  "token:manage",
  /** List the project's members (names, e-mail addresses, roles). */
  "member:read",
  /** Add and remove members, change roles below owner. */
  "member:manage",
  /** Grant or take away the owner role. */
  "member:grant-owner",
  /** Rotate the project's data key. */
  "key:rotate",
  /** Create, list and delete the project's webhooks, see their deliveries, redeliver. */
  "webhook:manage",
  /** Read and verify the project's audit log (who did what, when, from where; never values). */
  "audit:read",
  /** Connect the project to a GitHub repository's webhook, rotate its secret, see its deliveries. */
  "git:manage",
] as const;

export const ENVIRONMENT_ACTIONS = [
  /** Know the environment exists and list its keys. */
  "environment:read",
  /** Read standard values (secrets are never readable through the API). */
  "variable:read-value",
  /** Set, unset and bulk-upsert variables and overrides; seed into it. */
  "environment:write",
  /** Resolve the environment at runtime, secrets included. */
  "runtime:resolve",
] as const;

/** Actions outside any project: on the instance itself. */
export const INSTANCE_ACTIONS = [
  /** Create a project (the creator becomes its owner). */
  "project:create",
  /** Create and revoke one's own tokens (personal ones, or service tokens of projects one manages). */
  "token:create",
  /** Create and list users, and create or revoke other users' personal tokens. */
  "user:manage",
] as const;

export type InstanceAction = (typeof INSTANCE_ACTIONS)[number];
export type ProjectAction = (typeof PROJECT_ACTIONS)[number];
export type EnvironmentAction = (typeof ENVIRONMENT_ACTIONS)[number];
export type Action = ProjectAction | EnvironmentAction;
