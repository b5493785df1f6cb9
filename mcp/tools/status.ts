/** get_env_status and diff_environments. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectPayload, guarded, list, ok, ToolFailure } from "../result.js";
import { branchArg, projectArg } from "./common.js";

export function registerStatusTools(server: McpServer, client: EnvplaneClient): void {
  server.registerTool(
    "get_env_status",
    {
      title: "Environment status: revisions, live revision, pending changes",
      description:
        "Each environment's current revision and, per project branch, the environment it deploys with, the revision " +
        "its running deployment loaded (live; null when never loaded) and the keys changed since (pending). " +
        "redeployNeeded tells which deployments must be redeployed to see changes.",
      inputSchema: { project: projectArg, branch: branchArg.optional() },
      outputSchema: {
        project: z.string(),
        environments: z.array(z.object({ name: z.string(), revision: z.number() })),
        branches: z.array(
          z.object({
            branch: z.string(),
            environment: z.string().nullable().describe("null: its environment is missing or not visible to you."),
            revision: z.number().nullable(),
            liveRevision: z.number().nullable(),
            liveEnvironment: z.string().nullable(),
            servedAt: z.string().nullable(),
            pendingKeys: z.array(z.string()),
            redeployNeeded: z.boolean(),
            environmentChanged: z.boolean(),
          }),
        ),
      },
      annotations: { readOnlyHint: true },
    },
    ({ project, branch }) =>
      guarded(async () => {
        const { project: p } = await client.mcpStatus({ project });
        if (!p)
          throw new ToolFailure(
            `Project "${project}" not found, or this token cannot access it. Call list_projects to see the projects.`,
          );
        if (branch !== undefined && !p.branches.some((b) => b.name === branch))
          throw new ToolFailure(
            `Project "${p.slug}" has no branch "${branch}". Its branches: ${list(p.branches.map((b) => b.name))}.`,
          );
        const branches = p.branches
          .filter((b) => branch === undefined || b.name === branch)
          .map((b) => ({
            branch: b.name,
            environment: b.status?.environment.name ?? null,
            revision: b.status?.currentRevision ?? null,
            liveRevision: b.status?.liveRevision ?? null,
            liveEnvironment: b.live?.environmentName ?? null,
            servedAt: b.live?.servedAt ?? null,
            pendingKeys: b.status?.pendingKeys ?? [],
            redeployNeeded: b.status?.redeployNeeded ?? false,
            environmentChanged: b.status?.environmentChanged ?? false,
          }));
        const lines = branches.map(
          (b) =>
            (b.environment === null
              ? `${b.branch} → an environment this token cannot see`
              : `${b.branch} → ${b.environment} revision ${b.revision}, live ${b.liveRevision ?? "never loaded"}`) +
            `${b.redeployNeeded ? `, redeploy needed (${b.pendingKeys.length ? `pending ${b.pendingKeys.join(", ")}` : "environment changed"})` : ""}`,
        );
        return ok(
          {
            project: p.slug,
            environments: p.environments.map((e) => ({ name: e.name, revision: e.revision })),
            branches,
          },
          lines.length ? lines.join("\n") : "No project branch.",
        );
      }),
  );

  server.registerTool(
    "diff_environments",
    {
      title: "Compare two environments",
      description:
        "Compares two environments of a project key by key: ADDED (only in head), REMOVED (only in base), CHANGED, " +
        "UNCHANGED, or SECRET_NOT_COMPARED. Standard values are shown where you may read both; secrets are reported " +
        "by key only, never with a value.",
      inputSchema: {
        project: projectArg,
        base: z.string().min(1).describe("The environment compared from, e.g. staging."),
        head: z.string().min(1).describe("The environment compared to, e.g. production."),
      },
      outputSchema: {
        project: z.string(),
        base: z.object({ environment: z.string(), revision: z.number() }),
        head: z.object({ environment: z.string(), revision: z.number() }),
        counts: z.object({
          added: z.number(),
          removed: z.number(),
          changed: z.number(),
          unchanged: z.number(),
          notCompared: z.number(),
        }),
        entries: z.array(
          z.object({
            key: z.string(),
            status: z.enum(["ADDED", "REMOVED", "CHANGED", "UNCHANGED", "SECRET_NOT_COMPARED"]),
            isSecret: z.boolean(),
            baseValue: z.string().nullable().describe("Standard values only; null for secrets."),
            headValue: z.string().nullable().describe("Standard values only; null for secrets."),
          }),
        ),
      },
      annotations: { readOnlyHint: true },
    },
    ({ project, base, head }) =>
      guarded(async () => {
        const r = expectPayload(
          (await client.compareEnvironments({ project, base: { environment: base }, head: { environment: head } }))
            .compareEnvironments,
          "EnvironmentComparison",
        );
        const entries = r.entries.map((e) => ({
          key: e.key,
          status: e.status,
          isSecret: e.isSecret,
          // Keys only for secrets, whatever the API answers.
          baseValue: e.isSecret ? null : (e.baseValue ?? null),
          headValue: e.isSecret ? null : (e.headValue ?? null),
        }));
        const keysWith = (s: string) => entries.filter((e) => e.status === s).map((e) => e.key);
        return ok(
          {
            project,
            base: { environment: r.base.environment.name, revision: r.base.revision },
            head: { environment: r.head.environment.name, revision: r.head.revision },
            counts: {
              added: r.added,
              removed: r.removed,
              changed: r.changed,
              unchanged: r.unchanged,
              notCompared: r.notCompared,
            },
            entries,
          },
          `${base} → ${head}: added ${list(keysWith("ADDED"))}; removed ${list(keysWith("REMOVED"))}; changed ` +
            `${list(keysWith("CHANGED"))}; ${r.unchanged} unchanged` +
            `${r.notCompared ? `; secrets not compared ${list(keysWith("SECRET_NOT_COMPARED"))}` : ""}.`,
        );
      }),
  );
}
