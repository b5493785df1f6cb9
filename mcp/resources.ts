/** Resources: the agent guide and each project's branch → environment mapping. */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { allPages, type EnvplaneClient, MAX_PAGE_SIZE } from "../sdk/index.js";
import { GUIDE, GUIDE_URI } from "./guide.js";

export function registerResources(server: McpServer, client: EnvplaneClient): void {
  server.registerResource(
    "guide",
    GUIDE_URI,
    {
      title: "envplane environment variables: a guide for agents",
      description: "Merge versus replace, secrets through request_secret, references, previews and redeploys.",
      mimeType: "text/markdown",
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: GUIDE }] }),
  );

  server.registerResource(
    "mapping",
    new ResourceTemplate("envplane://projects/{project}/mapping", {
      list: async () => {
        const projects = await allPages(
          async (after) => (await client.mcpProjects({ first: MAX_PAGE_SIZE, after })).projects,
        );
        return {
          resources: projects.map((p) => ({
            uri: `envplane://projects/${encodeURIComponent(p.slug)}/mapping`,
            name: `${p.slug} mapping`,
            mimeType: "application/json",
          })),
        };
      },
    }),
    {
      title: "A project's branch → environment mapping",
      description:
        'Which environment each project branch deploys with, top to bottom (the "*" wildcard last; other branches ' +
        "fall back to preview).",
      mimeType: "application/json",
    },
    async (uri, variables) => {
      const slug = decodeURIComponent(String(variables.project));
      const { project } = await client.mcpMapping({ project: slug });
      // An unknown project: a clear error (the SDK turns it into a JSON-RPC error with this message).
      if (!project) throw new Error(`Project "${slug}" not found, or this token cannot access it. Call list_projects.`);
      const mapping = project.mapping.map((m) => ({ branch: m.branch, environment: m.environment.name }));
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify({ project: project.slug, mapping, fallback: "preview" }, null, 2),
          },
        ],
      };
    },
  );
}
