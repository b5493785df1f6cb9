/** create_preview. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectPayload, guarded, list, ok, ToolFailure } from "../result.js";
import { type EnvState, projectArg, readEnvState } from "./common.js";
import { refusalMessage, refusedKeys } from "./variables.js";

export function registerPreviewTools(server: McpServer, client: EnvplaneClient): void {
  server.registerTool(
    "create_preview",
    {
      title: "Create a preview environment for a branch",
      description:
        "Creates preview/<branch>: a copy of the environment the branch deploys with now (secrets and notes included, " +
        "copied on the server — you never see them), plus `overrides`, and maps the branch to it. ${PREVIEW_URL} in an " +
        "override is replaced by `url`. The project branch is created when missing. Overrides are for non-secret " +
        "config: secret-looking or secret keys are refused (use request_secret on the preview environment afterwards). " +
        "Needs a personal token of a project admin or owner (service tokens cannot create environments). " +
        "Afterwards set_env_vars on the preview environment changes only the preview. Deploy the preview to use it.",
      inputSchema: {
        project: projectArg,
        branch: z.string().min(1).describe("The project branch the preview serves, e.g. feature/login."),
        url: z.string().min(1).describe("The preview deployment's URL (http or https)."),
        overrides: z
          .record(z.string(), z.string())
          .optional()
          .describe('Values set on top of the copy, e.g. {"PUBLIC_URL": "${PREVIEW_URL}"}.'),
      },
      outputSchema: {
        project: z.string(),
        environment: z.string().describe("The preview environment's name."),
        branch: z.string(),
        branchCreated: z.boolean(),
        from: z.string().describe("The environment it was copied from."),
        url: z.string().nullable(),
        copied: z.array(z.string()),
        overridden: z.array(z.string()),
        bindings: z.array(z.object({ binding: z.string(), variable: z.string(), mode: z.string() })),
        note: z.string(),
      },
    },
    ({ project, branch, url, overrides }) =>
      guarded(async () => {
        const keys = Object.keys(overrides ?? {});
        if (keys.length) {
          // The keys are checked against the environment the preview copies (secrets there stay secrets).
          let source: EnvState | null = null;
          const resolved = (await client.resolveBranch({ project, branch })).resolveBranch;
          if (resolved.__typename === "BranchResolution")
            source = await readEnvState(client, project, resolved.environment.name).catch(() => null);
          const refusal = refusalMessage(refusedKeys(keys, source), "create_preview");
          if (refusal) throw new ToolFailure(refusal);
        }
        const created = await client.createPreview({
          input: {
            project,
            branch,
            url,
            overrides: Object.entries(overrides ?? {}).map(([key, value]) => ({ key, value })),
          },
        });
        if (
          created.createPreview.__typename !== "CreatePreviewPayload" &&
          /binding/i.test(created.createPreview.message)
        )
          throw new ToolFailure(
            `${created.createPreview.message}\nA preview of an environment with service bindings needs a person to ` +
              "choose, per binding, whether the preview shares the parent's credential: ask them to run " +
              `"envplane preview create ${branch} --url ${url} --share-binding <name>" (or use the dashboard).`,
          );
        const r = expectPayload(created.createPreview, "CreatePreviewPayload");
        const environment = r.environment.name;
        const note =
          `Deploy branch ${branch} to use ${environment}; its deployment loads the preview's values at boot. ` +
          `Change the preview with set_env_vars (project "${project}", environment "${environment}").`;
        return ok(
          {
            project,
            environment,
            branch,
            branchCreated: r.branchCreated,
            from: r.from,
            url: r.environment.url ?? null,
            copied: r.copied,
            overridden: r.overridden,
            bindings: r.bindings.map((b) => ({ binding: b.binding, variable: b.variable, mode: b.mode })),
            note,
          },
          `Created ${environment} from ${r.from} (${r.copied.length} key(s) copied; overridden ${list(r.overridden)})` +
            `${r.branchCreated ? `, and project branch ${branch}` : ""}. ${note}`,
        );
      }),
  );
}
