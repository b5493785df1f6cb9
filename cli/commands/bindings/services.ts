/** The service kinds of a binding (--service). Shared by the command's spec and its run code. */
export const SERVICES = ["postgres", "redis", "bucket", "other"] as const;
