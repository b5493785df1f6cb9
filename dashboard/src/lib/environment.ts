/** One environment's variables (every page, one consistent revision) and what a branch would get in it. */
import { useQuery } from "@tanstack/react-query";
import { api, expect } from "./api.js";
import { keys } from "./queries.js";

export const MASK = "••••";

/** The server's rules for the secret flag (setVariable, setVariables, bulkUpsertVariables), said once. */
export const SECRET_RULES =
  "A secret is write-only: it can be overwritten with a new value but never read back — not here, not through " +
  "the API, not by envplane env pull (only deployed apps, through a service token with the runtime permission, " +
  "receive it). The type is chosen once, at creation: a secret can't be turned back into a standard variable, " +
  "and a standard variable can't become a secret. To change it, delete the variable (its branch overrides go " +
  "with it) and add it again. Branch overrides of a secret are secret too.";

type Page = NonNullable<NonNullable<Awaited<ReturnType<typeof api.environmentVariables>>["project"]>["environment"]>;
export type EnvironmentWithVariables = Omit<Page, "variables"> & { variables: Page["variables"]["nodes"] };
export type Variable = Page["variables"]["nodes"][number];
export type Override = Variable["overrides"][number];

/** Pages are re-read from the start when the environment changed in between (at most a few times). */
async function loadAll(project: string, environment: string): Promise<EnvironmentWithVariables> {
  for (let attempt = 0; ; attempt++) {
    const nodes: Variable[] = [];
    let first: Page | null = null;
    let after: string | null = null;
    let consistent = true;
    for (;;) {
      const r = await api.environmentVariables({ project, environment, first: 500, after });
      const page = r.project?.environment;
      if (!page)
        throw new Error(`No environment "${environment}" in project "${project}", or you have no access to it.`);
      first ??= page;
      if (page.revision !== first.revision) consistent = false;
      nodes.push(...page.variables.nodes);
      if (!page.variables.pageInfo.hasNextPage) break;
      after = page.variables.pageInfo.endCursor ?? null;
    }
    if (consistent || attempt >= 3) {
      const { variables: _, ...environmentFields } = first;
      return { ...environmentFields, variables: nodes };
    }
  }
}

export function useEnvironmentVariables(project: string, environment: string) {
  return useQuery({
    queryKey: keys.environment(project, environment),
    queryFn: () => loadAll(project, environment),
  });
}

/**
 * What `branch` gets in this environment, resolved by the server (pullVariables: base values with the
 * branch's overrides). Standard values only: secrets come back as keys (`excludedSecrets`), never values.
 */
export function usePulledForBranch(project: string, environment: string, branch: string | undefined) {
  return useQuery({
    queryKey: [...keys.environment(project, environment), "branch", branch ?? ""],
    enabled: branch !== undefined,
    queryFn: async () =>
      expect((await api.pullVariables({ project, environment, branch })).pullVariables, "PulledEnvironment"),
  });
}
