/**
 * The project grid's data: every key × every environment, all pages of Project.variableGrid.
 * The first page is small so the first rows show at once; the rest follows in pages of 500.
 */
import { type InfiniteData, type QueryClient, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { api, type GridPageQuery } from "./api.js";

type GridProject = NonNullable<GridPageQuery["project"]>;
export type GridEnvironment = GridProject["environments"][number];
export type GridCell = GridProject["variableGrid"]["nodes"][number]["cells"][number];

export interface GridRow {
  key: string;
  /** By environment name; an environment without the key has no entry. */
  cells: Record<string, GridCell>;
}

export interface GridData {
  /** The viewer's role in the project; null for service tokens. */
  viewerRole: GridProject["viewerRole"];
  /** As of the first page: their revisions are what a write expects. */
  environments: GridEnvironment[];
  rows: GridRow[];
}

const FIRST_PAGE = 100;
const PAGE = 500;

/** Under the project's key: invalidating the project refreshes the grid too. */
export const gridKey = (slug: string) => ["project", slug, "grid"] as const;

async function fetchPage(slug: string, after: string | null): Promise<GridProject> {
  const project = (await api.gridPage({ slug, first: after ? PAGE : FIRST_PAGE, after })).project;
  if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
  return project;
}

function toGridData(pages: GridProject[]): GridData {
  return {
    viewerRole: pages[0].viewerRole,
    environments: pages[0].environments,
    rows: pages.flatMap((page) =>
      page.variableGrid.nodes.map((node) => ({
        key: node.key,
        cells: Object.fromEntries(node.cells.map((c) => [c.environment, c])),
      })),
    ),
  };
}

/** The grid, growing page by page until every key is loaded (`complete`). */
export function useGrid(slug: string) {
  const query = useInfiniteQuery({
    queryKey: gridKey(slug),
    queryFn: ({ pageParam }) => fetchPage(slug, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.variableGrid.pageInfo.hasNextPage ? last.variableGrid.pageInfo.endCursor : null),
  });
  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, isError, fetchNextPage]);
  const data = useMemo(() => (query.data ? toGridData(query.data.pages) : undefined), [query.data]);
  return { ...query, data, complete: !hasNextPage };
}

/** The keys of a project's grid already in the cache (the command palette's keys); empty when not loaded. */
export function cachedGridKeys(queryClient: QueryClient, slug: string): string[] {
  const data = queryClient.getQueryData<InfiniteData<GridProject>>(gridKey(slug));
  return data?.pages.flatMap((page) => page.variableGrid.nodes.map((node) => node.key)) ?? [];
}
