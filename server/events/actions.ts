/** Every kind of write, as recorded in the Event table's `action` column. */
export const EVENT_ACTIONS = [
  "project.create",
  "project.delete",
  "project.key_rotate",
  "environment.create",
  "environment.delete",
  "environment.update",
  "environment.seed",
  /** One environment's state applied to another (envplane env promote). */
  "environment.promote",
  /** An environment set back to the state of an earlier revision (a new revision). */
  "environment.restore",
  "branch.create",
  "branch.delete",
  "mapping.set",
  "variable.set",
  "variable.unset",
  "variables.bulk_upsert",
  /** Several base values or branch overrides in one write (envplane env set A=1 B=2). */
  "variables.set",
  /** Several base values or branch overrides removed in one write (envplane env unset A B). */
  "variables.unset",
  /** A base variable's note set, edited or cleared alone (envplane dashboard; a revision, values untouched). */
  "variable.note_set",
  "token.create",
  "token.revoke",
  "user.create",
  "member.set",
  "member.remove",
  /** A dashboard session was created (signed in with a personal token or a sign-in link). */
  "session.create",
  /** A dashboard session was ended: signed out, or revoked by its user. */
  "session.revoke",
  /** All of a user's other dashboard sessions were revoked. */
  "session.revoke_others",
  /** A one-time sign-in link was created (envplane dashboard). */
  "sign_in_link.create",
  /** A developer pulled an environment's standard values (keys recorded, never values). */
  "variables.pull",
  /** A deployed app resolved its branch's variables at runtime (keys recorded, never values). */
  "variables.resolve",
  /** The first start: the owner and their token were created. */
  "instance.initialize",
  /** envplane serve --recover-owner: a new token for the first instance admin. */
  "instance.recover_owner",
  /** A webhook was created (its signing secret is never recorded). */
  "webhook.create",
  "webhook.delete",
  /** A webhook delivery was queued again (the same payload, a new delivery). */
  "webhook.redeliver",
  /** A GitHub connection was made (its secret is never recorded). */
  "git.connect",
  "git.disconnect",
  "git.rotate_secret",
  /** Whether GitHub-created branches get a preview environment changed. */
  "git.update",
  /** GitHub deliveries (actor: system "github"): a push, a branch/tag created or deleted, a ping, another event. */
  "git.push",
  "git.create",
  "git.delete",
  "git.ping",
  "git.other",
  /** A project-shared variable was set or removed (envplane shared set/unset). */
  "shared.set",
  "shared.unset",
  /** A preview environment was created for a project branch, cloned from another (envplane preview create). */
  "preview.create",
  /** A preview environment was deleted (envplane preview delete). */
  "preview.delete",
  /** A managed data-service binding was created (bindService); its credentials are binding.credential_* events. */
  "binding.create",
  /** A binding was removed (unbindService), with its credentials unless kept as plain secrets. */
  "binding.delete",
  /** One environment's managed credential was set or rotated (a new revision of it; never the value). */
  "binding.credential_set",
  /** One environment's managed credential was removed (a new revision of it). */
  "binding.credential_remove",
  /** Someone asked for a secret's value through a single-use dashboard link (createSecretRequest). */
  "secret_request.create",
  /** A signed-in person typed the requested secret: the variable written and the request fulfilled (a revision). */
  "secret_request.fulfill",
  /** A pending secret request was cancelled. */
  "secret_request.cancel",
] as const;

export type EventAction = (typeof EVENT_ACTIONS)[number];
