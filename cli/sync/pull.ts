/** `envplane env pull`: the platform's final standard values into envplane/.env, as a full replacement. */
import fs from "node:fs";
import { renderPulledEnv } from "../../core/dotenv.js";
import { effectiveOrder } from "../../core/notes.js";
import { featureOfVariable } from "../../core/platform-config/index.js";
import type { Context } from "../context.js";
import { unwrap } from "../remote.js";

export interface PullResult {
  environment: string;
  branch: string | null;
  file: string;
  revision: number;
  variables: number;
  excludedSecrets: string[];
  unrepresentable: string[];
}

type Pulled = { key: string; value: string; note?: string | null; blankLineBefore?: boolean };

/** Groups values by config feature (auth.external.google, …, env() overrides in `config` included), then "User variables". */
function groups(variables: Pulled[], config: unknown) {
  const byFeature = new Map<string, Pulled[]>();
  const user: Pulled[] = [];
  for (const v of variables) {
    const feature = featureOfVariable(v.key, config);
    if (feature) byFeature.set(feature, [...(byFeature.get(feature) ?? []), v]);
    else user.push(v);
  }
  return [
    ...[...byFeature.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([title, vars]) => ({ title, variables: vars })),
    { title: "User variables", variables: user },
  ];
}

/** The text `env pull` writes (the file's content) and what it holds, without writing anything. */
export async function pullText(
  ctx: Context,
  input: { project: string; environment: string; branch: string | null; config?: unknown },
): Promise<{ text: string; result: Omit<PullResult, "file"> }> {
  const r = await ctx
    .sdk()
    .pullVariablesWithNotes({ project: input.project, environment: input.environment, branch: input.branch });
  const pulled = unwrap(r.pullVariables, "PulledEnvironment");
  const { text, unrepresentable } = renderPulledEnv({
    environment: pulled.environment.name,
    branch: pulled.branch ?? null,
    excludedSecrets: pulled.excludedSecrets,
    // In the order and grouping last pushed, with notes (core/notes.ts).
    groups: groups(
      effectiveOrder(pulled.variables.map((v) => ({ ...v, position: v.position ?? null }))).map((v) => ({
        key: v.key,
        value: v.value,
        note: v.note,
        blankLineBefore: v.blankLineBefore,
      })),
      input.config,
    ),
  });
  return {
    text,
    result: {
      environment: pulled.environment.name,
      branch: pulled.branch ?? null,
      revision: pulled.revision,
      variables: pulled.variables.length - unrepresentable.length,
      excludedSecrets: pulled.excludedSecrets,
      unrepresentable,
    },
  };
}

export async function pullInto(
  ctx: Context,
  input: { project: string; environment: string; branch: string | null; file: string; config?: unknown },
): Promise<PullResult> {
  const { text, result } = await pullText(ctx, input);
  // Replace atomically: a reader never sees half a file; the values are only for this user.
  const temp = `${input.file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.renameSync(temp, input.file);
  return { ...result, file: input.file };
}
