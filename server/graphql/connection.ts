/**
 * Cursor-paginated connections for the lists that grow (projects, variables, tokens, members,
 * users): `first` (default 100, at most 500) and `after`, answered with `edges { cursor node }`,
 * `nodes`, `pageInfo { hasNextPage endCursor }` and `totalCount`.
 *
 * Pages are keyset pages: each list has a sort key (e.g. a variable's `key`, a token's
 * `createdAt` + `id`), a cursor is the opaque base64url of the list's name and the last row's
 * key, and the next page is "rows after that key". Rows written or deleted between two pages
 * never shift the rest. Nested connections are planned into their parent's query by
 * plugin-prisma (no N+1), the way its own `relatedConnection` is.
 */
import type { ArgBuilder, ObjectRef } from "@pothos/core";
import { queryFromInfo } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../core/limits.js";
import { ValidationError } from "../services/errors.js";
import { builder, type Context, isSupportedDate, type Types } from "./builder.js";

type KeyValue = string | Date;
type Row = Record<string, unknown>;
type Where = Record<string, unknown>;

/** How a list is sorted and named in its cursors. */
export interface Keyset {
  /** The list's name in its cursors, e.g. "variables": a cursor of another list is refused. */
  list: string;
  /** The sort key, most significant first; the last field makes it unique. */
  fields: readonly (readonly [name: string, type: "string" | "date"])[];
  direction: "asc" | "desc";
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

interface Page {
  first: number;
  /** The rows after the cursor (empty without one). */
  where: Where;
  orderBy: Row[];
}

export function cursorOf(keyset: Keyset, row: Row): string {
  const values = keyset.fields.map(([name]) => {
    const value = row[name];
    return value instanceof Date ? value.toISOString() : value;
  });
  return Buffer.from(JSON.stringify([keyset.list, ...values])).toString("base64url");
}

function parseCursor(keyset: Keyset, after: string): KeyValue[] | null {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== keyset.fields.length + 1 || decoded[0] !== keyset.list) return null;
  const values: KeyValue[] = [];
  for (const [i, [, type]] of keyset.fields.entries()) {
    const raw = decoded[i + 1];
    if (typeof raw !== "string") return null;
    if (type === "date") {
      const date = new Date(raw);
      if (Number.isNaN(date.getTime()) || !isSupportedDate(date)) return null;
      values.push(date);
    } else values.push(raw);
  }
  return values;
}

/** Rows strictly after `values` in the keyset's order: (a > x) or (a = x and b > y) … */
function afterWhere(keyset: Keyset, values: KeyValue[]): Where {
  const op = keyset.direction === "asc" ? "gt" : "lt";
  const branches = keyset.fields.map(([name], i) => ({
    ...Object.fromEntries(keyset.fields.slice(0, i).map(([earlier], j) => [earlier, values[j]])),
    [name]: { [op]: values[i] },
  }));
  return branches.length === 1 ? branches[0] : { OR: branches };
}

/** The page `args` ask for, or a ValidationError that says what is wrong and how to page instead. */
export function pageOf(keyset: Keyset, args: PageArgs): Page {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
    throw ValidationError.fromFields([
      {
        path: ["first"],
        message:
          `first must be between 0 and ${MAX_PAGE_SIZE} (got ${first}): ` +
          `a page holds at most ${MAX_PAGE_SIZE} ${keyset.list}. Fetch the rest page by page, ` +
          `passing pageInfo.endCursor as after.`,
      },
    ]);
  let where: Where = {};
  if (args.after != null) {
    const values = parseCursor(keyset, args.after);
    if (!values)
      throw ValidationError.fromFields([
        {
          path: ["after"],
          message:
            `after is not a cursor of ${keyset.list}. Pass pageInfo.endCursor (or an edge's cursor) ` +
            `of a previous page of ${keyset.list}, or leave after out to start at the beginning.`,
        },
      ]);
    where = afterWhere(keyset, values);
  }
  return { first, where, orderBy: keyset.fields.map(([name]) => ({ [name]: keyset.direction })) };
}

/** What a connection field resolves to; the connection types read it. */
export interface ConnectionShape<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursor: (node: T) => string;
  totalCount: () => number | Promise<number>;
}

/** A page of rows fetched with `take: first + 1`: the extra row only says there is a next page. */
function toConnection<T extends Row>(
  keyset: Keyset,
  rows: T[],
  first: number,
  totalCount: () => number | Promise<number>,
): ConnectionShape<T> {
  return {
    nodes: rows.slice(0, first),
    hasNextPage: rows.length > first,
    cursor: (node) => cursorOf(keyset, node),
    totalCount,
  };
}

const and = (...wheres: Where[]): Where => {
  const parts = wheres.filter((w) => Object.keys(w).length > 0);
  return parts.length <= 1 ? (parts[0] ?? {}) : { AND: parts };
};

/** A select-mode query must still load the sort key for the cursors (include mode loads every column). */
function withKeyFields<Q extends { select?: Row }>(keyset: Keyset, query: Q): Q {
  if (!query.select) return query;
  return { ...query, select: { ...Object.fromEntries(keyset.fields.map(([name]) => [name, true])), ...query.select } };
}

const PageInfo = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>("PageInfo").implement({
  description: "Where a page of a connection ends.",
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage", {
      description: "Whether more items follow: fetch them with after: endCursor.",
    }),
    endCursor: t.exposeString("endCursor", {
      nullable: true,
      description: "The cursor of the last item of this page; null when the page is empty.",
    }),
  }),
});

const NODE_PATHS = [[{ name: "nodes" }], [{ name: "edges" }, { name: "node" }]];

/** The `<name>Connection` and `<name>Edge` types for a node type. */
export function connectionType<T>(name: string, node: ObjectRef<Types, T>, description: string) {
  const Edge = builder.objectRef<{ node: T; cursor: string }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString("cursor", { description: "Pass it as after to get the items that follow this one." }),
      // (the node's shape is T: its ref says so, generics do not carry it through Pothos' resolver types)
      node: t.field({ type: node, resolve: (edge) => edge.node as never }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    description,
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (c) => c.nodes.map((n) => ({ node: n, cursor: c.cursor(n) })) }),
      nodes: t.field({ type: [node], resolve: (c) => c.nodes }),
      pageInfo: t.field({
        type: PageInfo,
        resolve: (c) => ({
          hasNextPage: c.hasNextPage,
          endCursor: c.nodes.length ? c.cursor(c.nodes[c.nodes.length - 1]) : null,
        }),
      }),
      totalCount: t.int({ description: "Items in the whole list (every page).", resolve: (c) => c.totalCount() }),
    }),
  });
}

/** The `first` and `after` arguments of every connection field: `args: pageArgs(t.arg)`. */
export function pageArgs(arg: ArgBuilder<Types>) {
  return {
    first: arg.int({ description: `How many items (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).` }),
    after: arg.string({ description: "Start after this cursor (pageInfo.endCursor of the previous page)." }),
  };
}

/** A top-level connection: the nodes' selection is planned from the query, one findMany for the page. */
export async function rootConnection<T extends Row>(
  ctx: Context,
  info: GraphQLResolveInfo,
  options: {
    typeName: string;
    keyset: Keyset;
    args: PageArgs;
    where: Where;
    findMany: (query: { where: Where; orderBy: Row[]; take: number; select?: Row; include?: Row }) => Promise<T[]>;
    count: (query: { where: Where }) => Promise<number>;
  },
): Promise<ConnectionShape<T>> {
  const page = pageOf(options.keyset, options.args);
  const query = queryFromInfo({ context: ctx, info, typeName: options.typeName, paths: NODE_PATHS });
  const rows = await options.findMany({
    ...withKeyFields(options.keyset, query as { select?: Row; include?: Row }),
    where: and(options.where, page.where),
    orderBy: page.orderBy,
    take: page.first + 1,
  });
  return toConnection(options.keyset, rows, page.first, () => options.count({ where: options.where }));
}

type SelectionFn = (
  args: PageArgs,
  ctx: Context,
  nested: (query: Row, paths: { getType: () => string; paths: typeof NODE_PATHS }) => Row,
  selected: () => ReadonlySet<string>,
) => Row;

/**
 * A connection over a relation of a prisma object (`Environment.variables`): the page is
 * selected in the parent's query, with `_count` when totalCount is asked for. `where` is the
 * read scope. `count` answers totalCount for a parent loaded without it (another plan).
 *
 * It plugs into plugin-prisma through the field extensions its own `relation` and
 * `relatedConnection` use (pothosPrismaSelect, pothosPrismaLoaded): the public `select`
 * option does not say which fields are selected, and `_count` should cost nothing unless
 * totalCount is asked for. With @pothos/plugin-relay installed, `t.relatedConnection` would
 * replace this helper.
 */
export function relatedConnection<Parent extends Row, T extends Row>(options: {
  type: ObjectRef<Types, ConnectionShape<T>>;
  relation: string;
  nodeType: string;
  keyset: Keyset;
  where?: (ctx: Context) => Where;
  count: (parent: Parent, where: Where, ctx: Context) => Promise<number>;
}) {
  const { relation, keyset } = options;
  const select: SelectionFn = (args, ctx, nested, selected) => {
    const scope = options.where?.(ctx) ?? {};
    let page: Page;
    try {
      page = pageOf(keyset, args);
    } catch {
      // Bad arguments select nothing; the field's resolver reports them.
      page = { first: 0, where: {}, orderBy: [] };
    }
    const query = nested(
      { where: and(scope, page.where), orderBy: page.orderBy, take: page.first + 1 },
      { getType: () => options.nodeType, paths: NODE_PATHS },
    );
    return {
      select: {
        [relation]: withKeyFields(keyset, query),
        ...(selected().has("totalCount") ? { _count: { select: { [relation]: { where: scope } } } } : {}),
      },
    };
  };
  return {
    type: options.type,
    extensions: { pothosPrismaSelect: select, pothosPrismaLoaded: (parent: Row) => parent[relation] !== undefined },
    resolve: (parent: Parent, args: PageArgs, ctx: Context): ConnectionShape<T> => {
      const page = pageOf(keyset, args);
      const counted = (parent._count as Record<string, number> | undefined)?.[relation];
      return toConnection(
        keyset,
        parent[relation] as T[],
        page.first,
        () => counted ?? options.count(parent, options.where?.(ctx) ?? {}, ctx),
      );
    },
  };
}
