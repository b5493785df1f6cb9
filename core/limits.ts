/**
 * The API limits, in one place (README "Limits" documents them). The server and its clients import
 * them from here: e.g. the write path refuses more than MAX_BULK_ITEMS variables too.
 */

/** Items one bulk request may carry in any list argument (e.g. bulkUpsertVariables' `variables`). */
export const MAX_BULK_ITEMS = 10_000;
/** Largest page a paginated list returns (`first`); lists without `first` count as this many for the cost. */
export const MAX_PAGE_SIZE = 500;
/** Page size of a paginated list when `first` is not given. */
export const DEFAULT_PAGE_SIZE = 100;
/** Items assumed for a list that is not paginated (projects, environments, branches, members, tokens, …). */
export const UNPAGED_LIST_SIZE = 5;
/** Cost of one query: each field costs 1, times the page sizes of the lists it is under (see cost.ts). */
export const MAX_COST = 100_000;
/** Selection depth of a query. */
export const MAX_DEPTH = 12;
/** Nesting of braces, brackets and parentheses in a query text, checked before it is parsed. */
export const MAX_NESTING = 40;
export const MAX_ALIASES = 15;
export const MAX_DIRECTIVES = 10;
export const MAX_TOKENS = 5000;
/** Request body size. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Turns that may be waiting in the line when an HTTP request arrives; past it the request gets 503 at once
 * (server/app.ts). A turn is a request's first slice (server/services/pace.ts): at most 10 ms of work, ~3–5 ms for
 * a small pull. 1,000 waiting is 5–10 s of waiting, past any client's patience, and their sockets and parsed
 * headers (tens of MiB) stay bounded. Under it a saturated server still serves everyone in arrival order.
 */
export const MAX_WAITING_REQUESTS = 1000;
