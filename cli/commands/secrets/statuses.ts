/** The statuses `envplane secrets requests --status` takes (its spec and its run code share them). */
export const STATUSES = ["pending", "fulfilled", "expired", "cancelled"] as const;
export type Status = (typeof STATUSES)[number];
