/** Resources: the agent guide and each project's branch → environment mapping. */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { allPages, type EnvplaneClient, MAX_PAGE_SIZE } from "../sdk/index.js";
import { GUIDE, GUIDE_URI } from "./guide.js";

/** The MCP specification's error code for an unknown resource. */
const RESOURCE_NOT_FOUND = -32002;

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
      // An unknown project: the protocol's "resource not found" (-32002), not an internal error, with a clear message.
      if (!project)
        throw new McpError(
          RESOURCE_NOT_FOUND,
          `Project "${slug}" not found, or this token cannot access it. Call list_projects.`,
          { uri: uri.href },
        );
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
