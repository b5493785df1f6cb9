/** The project grid's data: every key × every environment, all pages of Project.variableGrid. */
import { useQuery } from "@tanstack/react-query";
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
  /** As of the first page: their revisions are what a write expects. */
  environments: GridEnvironment[];
  rows: GridRow[];
}

/** Under the project's key: invalidating the project refreshes the grid too. */
export const gridKey = (slug: string) => ["project", slug, "grid"] as const;

export async function fetchGrid(slug: string): Promise<GridData> {
  const rows: GridRow[] = [];
  let environments: GridEnvironment[] | null = null;
  let after: string | null = null;
  for (;;) {
    const project: GridPageQuery["project"] = (await api.gridPage({ slug, first: 500, after })).project;
    if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
    environments ??= project.environments;
    for (const node of project.variableGrid.nodes)
      rows.push({ key: node.key, cells: Object.fromEntries(node.cells.map((c) => [c.environment, c])) });
    if (!project.variableGrid.pageInfo.hasNextPage) return { environments, rows };
    after = project.variableGrid.pageInfo.endCursor;
  }
}

export function useGrid(slug: string) {
  return useQuery({ queryKey: gridKey(slug), queryFn: () => fetchGrid(slug) });
}
