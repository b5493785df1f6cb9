/** Every base variable of one environment (all pages), with its overrides; secrets have no value. */
import { api } from "./api.js";

export type AllVariable = NonNullable<
  NonNullable<Awaited<ReturnType<typeof api.environmentVariables>>["project"]>["environment"]
>["variables"]["nodes"][number];

/** Query key (under the project's key, so invalidating the project refreshes it). */
export const allVariablesKey = (slug: string, environment: string) =>
  ["project", slug, "environment", environment, "all-variables"] as const;

export async function fetchAllVariables(slug: string, environment: string) {
  const variables: AllVariable[] = [];
  let after: string | null = null;
  let revision = 0;
  for (;;) {
    const response = await api.environmentVariables({ project: slug, environment, first: 500, after });
    const env = response.project?.environment;
    if (!env) throw new Error(`No environment "${environment}" in "${slug}", or you have no access to it.`);
    if (!after) revision = env.revision;
    variables.push(...env.variables.nodes);
    if (!env.variables.pageInfo.hasNextPage) return { revision, variables };
    after = env.variables.pageInfo.endCursor ?? null;
  }
}
