/** list_env_vars, set_env_vars and delete_env_vars: names and types only; values go in, never out. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { variableKey } from "../../core/names.js";
import { isSensitiveName } from "../../core/sensitive.js";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectPayload, guarded, list, ok, ToolFailure } from "../result.js";
import {
  branchArg,
  deploymentAfter,
  deploymentShape,
  type EnvState,
  environmentArg,
  projectArg,
  readEnvState,
  requireBranch,
  typeOf,
  VARIABLE_TYPES,
} from "./common.js";

/** What the API shows for a secret's (or a secret-referencing value's) preview. */
const MASK = "••••";

const variableShape = z.object({
  key: z.string(),
  type: z.enum([...VARIABLE_TYPES, "unknown"]),
  binding: z.string().nullable().describe("For a managed key: the service binding that owns it."),
  references: z.array(z.string()).describe("Project variables the value references as ${{project.KEY}}."),
  resolvesToSecret: z.boolean().describe("A reference to a project variable that is a secret."),
  hasNote: z.boolean(),
  overridden: z.boolean().optional().describe("With branch: the branch overrides the base value."),
});

type ListedVariable = z.infer<typeof variableShape>;

export function listVariables(state: EnvState, branch?: string): ListedVariable[] {
  if (!state.canRead)
    return state.keys.map((key) => ({
      key,
      type: "unknown" as const,
      binding: null,
      references: [],
      resolvesToSecret: false,
      hasNote: false,
      ...(branch !== undefined ? { overridden: false } : {}),
    }));
  return state.variables.map((v) => {
    const override = branch === undefined ? undefined : v.overrides.find((o) => o.branch.name === branch);
    const { references, resolvedPreview } = override ?? v;
    return {
      key: v.key,
      type: typeOf(v, references),
      binding: v.binding?.name ?? null,
      references,
      // Project variables are listed only to callers who may read them all; the masked resolved preview
      // ("••••" for a value referencing a secret project variable) tells the others.
      resolvesToSecret:
        references.some((r) => state.sharedSecrets.has(r)) || (references.length > 0 && resolvedPreview === MASK),
      hasNote: v.note != null,
      ...(branch !== undefined ? { overridden: !!override } : {}),
    };
  });
}

const SECRETS_RULE =
  "Secret values must never pass through you: for each of these keys call request_secret " +
  "(project, environment, key) and give the person the link it returns; they type the value in the dashboard.";

/** Keys set_env_vars / create_preview refuse: existing secrets, managed keys and names that look secret. */
export function refusedKeys(keys: readonly string[], state: EnvState | null) {
  const byKey = new Map((state?.variables ?? []).map((v) => [v.key, v]));
  const secrets: string[] = [];
  const managed: { key: string; binding: string | null }[] = [];
  const sensitive: string[] = [];
  for (const key of keys) {
    const existing = byKey.get(key);
    if (existing?.isManaged) managed.push({ key, binding: existing.binding?.name ?? null });
    else if (existing?.isSecret) secrets.push(key);
    else if (isSensitiveName(key)) sensitive.push(key);
  }
  return { secrets, managed, sensitive };
}

export function refusalMessage(refused: ReturnType<typeof refusedKeys>, what: string): string | null {
  const lines: string[] = [];
  if (refused.secrets.length)
    lines.push(`${list(refused.secrets)}: already secret${refused.secrets.length > 1 ? "s" : ""}.`);
  if (refused.sensitive.length)
    lines.push(`${list(refused.sensitive)}: the name looks like it holds a secret (password, token, key, …).`);
  if (refused.managed.length)
    lines.push(
      `${list(refused.managed.map((m) => (m.binding ? `${m.key} (binding "${m.binding}")` : m.key)))}: managed by a ` +
        "service binding; only the binding changes it (envplane bindings), leave it alone.",
    );
  if (!lines.length) return null;
  const secretLike = refused.secrets.length + refused.sensitive.length > 0;
  return [`Refused: ${what} wrote nothing.`, ...lines, ...(secretLike ? [SECRETS_RULE] : [])].join("\n");
}

/**
 * For a token that may write but not read (types unknown): which of the named keys are secrets now, from a dry run
 * of the same values as base values (nothing is written; the server reports the secrets it would overwrite).
 */
async function secretsAmong(client: EnvplaneClient, state: EnvState, env: Record<string, string>): Promise<string[]> {
  const r = expectPayload(
    (
      await client.bulkUpsertVariables({
        input: {
          project: state.project,
          environment: state.environment,
          dryRun: true,
          variables: Object.entries(env).map(([key, value]) => ({ key, value })),
        },
      })
    ).bulkUpsertVariables,
    "BulkUpsertVariablesPayload",
  );
  return r.secretOverwritten;
}

export function registerVariableTools(server: McpServer, client: EnvplaneClient): void {
  server.registerTool(
    "list_env_vars",
    {
      title: "List environment variables (names and types)",
      description:
        "Lists the variable names of an environment with their type and a count — never values (values are " +
        "write-only for agents). Types: managed (owned by a service binding: do not change), secret (set only through " +
        "request_secret), reference (its value is ${{project.KEY}}: it follows a project variable), standard " +
        "(plain config you may set). With branch: the keys that project branch sees, marking the ones it overrides.",
      inputSchema: { project: projectArg, environment: environmentArg, branch: branchArg.optional() },
      outputSchema: {
        project: z.string(),
        environment: z.string(),
        branch: z.string().nullable(),
        revision: z.number(),
        count: z.number(),
        typesKnown: z.boolean().describe("false for a token that may write but not read: types are unknown."),
        variables: z.array(variableShape),
      },
      annotations: { readOnlyHint: true },
    },
    ({ project, environment, branch }) =>
      guarded(async () => {
        const state = await readEnvState(client, project, environment);
        requireBranch(state, branch);
        const variables = listVariables(state, branch);
        const counts = VARIABLE_TYPES.map((t) => [t, variables.filter((v) => v.type === t).length] as const)
          .filter(([, n]) => n > 0)
          .map(([t, n]) => `${n} ${t}`);
        const overridden = variables.filter((v) => v.overridden).length;
        return ok(
          {
            project: state.project,
            environment: state.environment,
            branch: branch ?? null,
            revision: state.revision,
            count: variables.length,
            typesKnown: state.canRead,
            variables,
          },
          `${variables.length} variable(s) in ${state.project}/${state.environment}` +
            `${branch ? ` as branch ${branch} sees them (${overridden} overridden)` : ""}` +
            `${counts.length ? `: ${counts.join(", ")}` : ""} (revision ${state.revision}).` +
            `${variables.length ? ` Keys: ${variables.map((v) => v.key).join(", ")}.` : ""}` +
            `${state.canRead ? "" : " This token may not read the environment, so types are unknown."}`,
        );
      }),
  );

  server.registerTool(
    "set_env_vars",
    {
      title: "Set environment variables (merge by default)",
      description:
        "Sets non-secret config values (ports, flags, public URLs) in one environment, as one revision. MERGES by " +
        "default: only the keys you name change; every other key, its note, ${{project.X}} references and managed " +
        "bindings stay. replace: true makes the environment's standard values exactly `env` (unnamed standard and " +
        "reference keys are removed and listed), but secrets and managed keys are always kept; use it rarely. NEVER pass " +
        "secrets: keys that are secrets, managed, or look secret (password, token, *_KEY, …) are refused and nothing " +
        "is written — call request_secret for each instead. To remove a key use delete_env_vars, not an empty value. " +
        "Running deployments need a redeploy to see changes: see redeployNeeded and note in the result.",
      inputSchema: {
        project: projectArg,
        environment: environmentArg,
        env: z
          .record(z.string(), z.string())
          .describe('The keys to set and their values, e.g. {"PORT": "8080", "LOG_LEVEL": "info"}.'),
        replace: z
          .boolean()
          .optional()
          .describe("Make the standard values exactly `env` (default false: merge). Secrets and managed keys stay."),
        branch: branchArg.optional(),
      },
      outputSchema: {
        project: z.string(),
        environment: z.string(),
        branch: z.string().nullable(),
        mode: z.enum(["merge", "replace"]),
        added: z.array(z.string()),
        changed: z.array(z.string()),
        unchanged: z.array(z.string()),
        removed: z.array(z.string()).describe("replace only: standard keys removed because `env` did not name them."),
        keptSecrets: z.array(z.string()).describe("replace only: secrets kept (an agent cannot supply them again)."),
        managedKept: z.array(z.string()).describe("replace only: keys of service bindings, kept."),
        revision: z.number(),
        ...deploymentShape,
      },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    ({ project, environment, env, replace, branch }) =>
      guarded(async () => {
        const keys = Object.keys(env);
        if (keys.length === 0) throw new ToolFailure('env names no key. Pass at least one, e.g. {"PORT": "8080"}.');
        if (replace && branch !== undefined)
          throw new ToolFailure(
            "replace works on base values only. For a branch, set overrides with replace false (merge) and remove " +
              "the ones you no longer want with delete_env_vars (with branch).",
          );
        const badKeys = keys.filter((key) => !variableKey.safeParse(key).success);
        if (badKeys.length)
          throw new ToolFailure(
            `Refused: set_env_vars wrote nothing. Invalid key name${badKeys.length > 1 ? "s" : ""}: ` +
              `${list(badKeys.map((k) => JSON.stringify(k)))}. Keys look like DATABASE_URL: letters, digits and _, ` +
              "not starting with a digit.",
          );
        const state = await readEnvState(client, project, environment);
        requireBranch(state, branch);
        if (replace && !state.canRead)
          throw new ToolFailure(
            "replace needs a token that may read this environment (to keep its secrets and managed keys). " +
              "Use merge (replace false) and delete_env_vars instead.",
          );
        const refused = refusedKeys(keys, state);
        if (!state.canRead) refused.secrets.push(...(await secretsAmong(client, state, env)));
        const refusal = refusalMessage(refused, "set_env_vars");
        if (refusal) throw new ToolFailure(refusal);
        const variables = Object.entries(env).map(([key, value]) => ({ key, value }));
        const where = { project: state.project, environment: state.environment };
        let result: { added: string[]; changed: string[]; unchanged: string[]; revision: number };
        let removed: string[] = [];
        let keptSecrets: string[] = [];
        let managedKept: string[] = [];
        if (replace) {
          keptSecrets = state.variables.filter((v) => v.isSecret && !v.isManaged).map((v) => v.key);
          const r = expectPayload(
            (
              await client.bulkUpsertVariables({
                input: { ...where, variables, prune: true, keep: keptSecrets, expectedRevision: state.revision },
              })
            ).bulkUpsertVariables,
            "BulkUpsertVariablesPayload",
          );
          result = { added: r.added, changed: r.changed, unchanged: r.unchanged, revision: r.revision };
          removed = r.removed;
          managedKept = r.managedKept;
        } else {
          const r = expectPayload(
            (await client.setVariables({ input: { ...where, branch, variables, expectedRevision: state.revision } }))
              .setVariables,
            "SetVariablesPayload",
          );
          result = { added: r.created, changed: r.updated, unchanged: r.unchanged, revision: r.revision };
        }
        const changed = result.added.length + result.changed.length + removed.length > 0;
        const deployment = await deploymentAfter(client, state.project, state.environment, changed, branch);
        const target = `${state.project}/${state.environment}${branch ? ` (branch ${branch})` : ""}`;
        return ok(
          {
            ...where,
            branch: branch ?? null,
            mode: replace ? "replace" : "merge",
            ...result,
            removed,
            keptSecrets,
            managedKept,
            ...deployment,
          },
          `${replace ? "Replaced" : "Merged"} into ${target}: added ${list(result.added)}; changed ` +
            `${list(result.changed)}; unchanged ${list(result.unchanged)}` +
            `${replace ? `; removed ${list(removed)}; kept secrets ${list(keptSecrets)}, managed ${list(managedKept)}` : ""}` +
            `. Revision ${result.revision}. ${deployment.note}`,
        );
      }),
  );

  server.registerTool(
    "delete_env_vars",
    {
      title: "Delete environment variables",
      description:
        "Removes keys from one environment as one revision (a base key takes its branch overrides with it), or with " +
        "branch only that project branch's overrides. Reports removed and not_found. Keys of a service binding " +
        "cannot be removed here. Running deployments need a redeploy to see it.",
      inputSchema: {
        project: projectArg,
        environment: environmentArg,
        keys: z.array(z.string().min(1)).min(1).describe("The keys to remove."),
        branch: branchArg.optional(),
      },
      outputSchema: {
        project: z.string(),
        environment: z.string(),
        branch: z.string().nullable(),
        removed: z.array(z.string()),
        not_found: z.array(z.string()),
        revision: z.number(),
        ...deploymentShape,
      },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    ({ project, environment, keys, branch }) =>
      guarded(async () => {
        const r = expectPayload(
          (await client.unsetVariables({ input: { project, environment, keys, branch } })).unsetVariables,
          "UnsetVariablesPayload",
        );
        const deployment = await deploymentAfter(client, project, environment, r.removed.length > 0, branch);
        return ok(
          {
            project,
            environment,
            branch: branch ?? null,
            removed: r.removed,
            not_found: r.notFound,
            revision: r.revision,
            ...deployment,
          },
          `Removed ${list(r.removed)} from ${project}/${environment}${branch ? ` (branch ${branch})` : ""}; not found ` +
            `${list(r.notFound)}. Revision ${r.revision}. ${deployment.note}`,
        );
      }),
  );
}
