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
