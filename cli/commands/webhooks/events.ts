/** The webhook event types (--event). Shared by the command's spec and its run code. */
export const EVENT_TYPES = [
  "environment.changed",
  "environment.created",
  "environment.deleted",
  "environment.updated",
  "branch.created",
  "branch.deleted",
  "token.created",
  "token.revoked",
  "secret_request.created",
  "secret_request.cancelled",
] as const;
