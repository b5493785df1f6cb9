/**
 * Size limits of the services. MAX_BULK_ITEMS may move to server/http/limits.ts (the HTTP
 * layer's limits); it is defined here until then.
 */

/** Items in one bulk request (bulkUpsertVariables variables/keep, seed decisions). */
export const MAX_BULK_ITEMS = 10_000;
