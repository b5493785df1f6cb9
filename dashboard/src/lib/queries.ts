/** Shared queries (TanStack Query keys and hooks) the screens build on. */
import { useQuery } from "@tanstack/react-query";
import { api, expect } from "./api.js";

export const keys = {
  viewer: ["viewer"] as const,
  projects: ["projects"] as const,
  project: (slug: string) => ["project", slug] as const,
  environment: (slug: string, environment: string) => ["project", slug, "environment", environment] as const,
};

export function useViewer() {
  return useQuery({ queryKey: keys.viewer, queryFn: async () => (await api.viewer()).viewer, staleTime: 60_000 });
}

/** Every project the viewer can see (all pages). */
export function useProjects() {
  return useQuery({
    queryKey: keys.projects,
    queryFn: async () => {
      const nodes = [];
      let after: string | null = null;
      for (;;) {
        const page: Awaited<ReturnType<typeof api.projects>>["projects"] = (await api.projects({ first: 500, after }))
          .projects;
        nodes.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) return nodes;
        after = page.pageInfo.endCursor;
      }
    },
  });
}

/** The server answered that there is no such project for this user (none, or no access): retrying cannot help. */
export class ProjectNotFound extends Error {}

export function useProject(slug: string) {
  return useQuery({
    queryKey: keys.project(slug),
    queryFn: async () => {
      const project = (await api.project({ slug })).project;
      if (!project) throw new ProjectNotFound(`There is no project "${slug}", or you are not a member of it.`);
      return project;
    },
    retry: (failures, error) => !(error instanceof ProjectNotFound) && failures < 3,
  });
}

export type Project = NonNullable<Awaited<ReturnType<typeof api.project>>["project"]>;
export type Environment = Project["environments"][number];

export { expect };
