/** What several tools share: argument schemas, reading an environment's variable types, and redeploy status. */
import { z } from "zod";
import { allPages, type EnvplaneClient, MAX_PAGE_SIZE, type McpEnvVarsQuery } from "../../sdk/index.js";
import { list, ToolFailure } from "../result.js";

export const projectArg = z.string().min(1).describe('The project\'s slug, e.g. "shop" (see list_projects).');
export const environmentArg = z
  .string()
  .min(1)
  .describe('An environment\'s name, e.g. "production" (see list_environments).');
export const branchArg = z
  .string()
  .min(1)
  .describe("A project branch (not a Git branch): its overrides of the environment's values.");

/** managed > secret > reference > standard: the first that applies is what an agent may do with the key. */
export const VARIABLE_TYPES = ["managed", "secret", "reference", "standard"] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

type Env = NonNullable<NonNullable<McpEnvVarsQuery["project"]>["environment"]>;
export type EnvVariable = Env["variables"]["nodes"][number];

export interface EnvState {
  project: string;
  environment: string;
  revision: number;
  keys: string[];
  canRead: boolean;
  canWrite: boolean;
  branches: string[];
  /** Keys of the project variables that are secrets. */
  sharedSecrets: Set<string>;
  /** Every base variable (empty when the caller may not read the environment). */
  variables: EnvVariable[];
}

/** The types and names of an environment's variables at one revision (never values), or a ToolFailure. */
export async function readEnvState(client: EnvplaneClient, project: string, environment: string): Promise<EnvState> {
  for (let attempt = 1; ; attempt++) {
    const pages: McpEnvVarsQuery[] = [];
    const variables = await allPages(async (after) => {
      const page = await client.mcpEnvVars({ project, environment, first: MAX_PAGE_SIZE, after });
      if (!page.project)
        throw new ToolFailure(
          `Project "${project}" not found, or this token cannot access it. Call list_projects to see the projects.`,
        );
      if (!page.project.environment)
        throw new ToolFailure(
          `Environment "${environment}" not found in project "${project}". ` +
            `Call list_environments with project "${project}" to see its environments.`,
        );
      pages.push(page);
      return page.project.environment.variables;
    });
    const first = pages[0].project!;
    const env = first.environment!;
    if (pages.every((p) => p.project?.environment?.revision === env.revision))
      return {
        project: first.slug,
        environment: env.name,
        revision: env.revision,
        keys: env.keys,
        canRead: env.viewerCanRead,
        canWrite: env.viewerCanWrite,
        branches: first.branches.map((b) => b.name),
        sharedSecrets: new Set(first.sharedVariables.filter((s) => s.isSecret).map((s) => s.key)),
        variables,
      };
    if (attempt === 3)
      throw new ToolFailure(`Environment "${environment}" kept changing while it was read. Try again.`);
  }
}

export function requireBranch(state: EnvState, branch: string | undefined): void {
  if (branch !== undefined && !state.branches.includes(branch))
    throw new ToolFailure(
      `Project "${state.project}" has no branch "${branch}". Its branches: ${list(state.branches)}. ` +
        "Omit branch to work on the environment's base values.",
    );
}

/** What the agent may do with a variable (see VARIABLE_TYPES). */
export function typeOf(v: { isManaged: boolean; isSecret: boolean }, references: readonly string[]): VariableType {
  if (v.isManaged) return "managed";
  if (v.isSecret) return "secret";
  if (references.length > 0) return "reference";
  return "standard";
}

export interface Deployment {
  /** Whether a deployment must restart to see the change. */
  redeployNeeded: boolean;
  /** Project branches whose deployments loaded this environment (runtimeVariables) and now lag behind. */
  deployedBranches: { branch: string; liveRevision: number; revision: number }[];
  note: string;
}

/**
 * Whether a change just written to `environment` (for `branch` only, when given) needs a redeploy: true when
 * something changed and a branch deploying with it has loaded it at runtime.
 */
export async function deploymentAfter(
  client: EnvplaneClient,
  project: string,
  environment: string,
  changed: boolean,
  branch?: string,
): Promise<Deployment> {
  const { project: p } = await client.mcpStatus({ project });
  const deployed = (p?.branches ?? [])
    .filter((b) => (branch === undefined || b.name === branch) && b.status?.environment.name === environment)
    .filter((b) => b.status?.liveRevision != null)
    .map((b) => ({ branch: b.name, liveRevision: b.status!.liveRevision!, revision: b.status!.currentRevision }));
  const lagging = deployed.filter((d) => d.liveRevision < d.revision);
  const redeployNeeded = changed && lagging.length > 0;
  let note: string;
  if (!changed) note = "Nothing changed, so no redeploy is needed.";
  else if (redeployNeeded)
    note =
      `Redeploy needed: running deployments keep the values they loaded at boot. ` +
      `Redeploy ${list(lagging.map((d) => `branch ${d.branch} (live revision ${d.liveRevision})`))}.`;
  else
    note =
      `No deployment has loaded "${environment}" yet${branch ? ` for branch ${branch}` : ""}; ` +
      "the next deploy picks the change up.";
  return { redeployNeeded, deployedBranches: lagging, note };
}

export const deploymentShape = {
  redeployNeeded: z.boolean().describe("Whether running deployments must be redeployed to see the change."),
  deployedBranches: z
    .array(z.object({ branch: z.string(), liveRevision: z.number(), revision: z.number() }))
    .describe("Project branches whose running deployment lags behind this environment's revision."),
  note: z.string(),
};
