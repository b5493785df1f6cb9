/** list_projects and list_environments. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { allPages, type EnvplaneClient, MAX_PAGE_SIZE } from "../../sdk/index.js";
import { guarded, list, ok, ToolFailure } from "../result.js";
import { projectArg } from "./common.js";

export function registerProjectTools(server: McpServer, client: EnvplaneClient): void {
  server.registerTool(
    "list_projects",
    {
      title: "List projects",
      description: "Lists the projects this token can access: slug, name, your role and environment names.",
      inputSchema: {},
      outputSchema: {
        count: z.number(),
        projects: z.array(
          z.object({
            slug: z.string(),
            name: z.string(),
            role: z.string().nullable().describe("Your role; null for a service token."),
            environments: z.array(z.string()),
          }),
        ),
      },
      annotations: { readOnlyHint: true },
    },
    () =>
      guarded(async () => {
        const nodes = await allPages(
          async (after) => (await client.mcpProjects({ first: MAX_PAGE_SIZE, after })).projects,
        );
        const projects = nodes.map((p) => ({
          slug: p.slug,
          name: p.name,
          role: p.viewerRole ?? null,
          environments: p.environments.map((e) => e.name),
        }));
        return ok(
          { count: projects.length, projects },
          projects.length
            ? `${projects.length} project(s): ${list(projects.map((p) => p.slug))}.`
            : "This token can access no project.",
        );
      }),
  );

  server.registerTool(
    "list_environments",
    {
      title: "List a project's environments",
      description:
        "Lists a project's environments with their revision, variable count, whether you may read and write them, " +
        "whether they are protected, and the project branches that deploy with them (previews: their branch and URL).",
      inputSchema: { project: projectArg },
      outputSchema: {
        project: z.string(),
        environments: z.array(
          z.object({
            name: z.string(),
            revision: z.number(),
            count: z.number(),
            isDefault: z.boolean(),
            isProtected: z.boolean(),
            canRead: z.boolean(),
            canWrite: z.boolean(),
            deployedBy: z.array(z.string()).describe('Mapping entries (branch names or "*") that deploy with it.'),
            previewBranch: z.string().nullable(),
            url: z.string().nullable(),
          }),
        ),
      },
      annotations: { readOnlyHint: true },
    },
    ({ project }) =>
      guarded(async () => {
        const { project: p } = await client.mcpEnvironments({ project });
        if (!p)
          throw new ToolFailure(
            `Project "${project}" not found, or this token cannot access it. Call list_projects to see the projects.`,
          );
        const environments = p.environments.map((e) => ({
          name: e.name,
          revision: e.revision,
          count: e.count,
          isDefault: e.isDefault,
          isProtected: e.isProtected,
          canRead: e.viewerCanRead,
          canWrite: e.viewerCanWrite,
          deployedBy: e.mappedBranches.map((m) => m.branch),
          previewBranch: e.previewBranch?.name ?? null,
          url: e.url ?? null,
        }));
        return ok(
          { project: p.slug, environments },
          `${environments.length} environment(s) in ${p.slug}: ` +
            `${list(environments.map((e) => `${e.name} (revision ${e.revision}, ${e.count} keys${e.canWrite ? "" : ", read-only"})`))}.`,
        );
      }),
  );
}
