/** Local resolution for `envplane dev`: config.json against OS env → envplane/.env.local → envplane/.env. */

import { formatMissingFeature, type Resolution, resolveConfig } from "../core/platform-config/index.js";
import { CliError } from "./errors.js";
import { readEnvFile, type Workspace } from "./workspace.js";

export interface LocalEnvironment {
  resolution: Resolution;
  /** The environment for the command: the files' variables, the OS environment over them, then the resolved config values. */
  env: NodeJS.ProcessEnv;
}

const asRecord = (entries: { key: string; value: string }[] | undefined) =>
  Object.fromEntries((entries ?? []).map((e) => [e.key, e.value]));

/**
 * Resolves the workspace; a hardcoded sensitive field or an enabled feature missing variables
 * is an error. Warnings (a malformed .env line, a missing env() variable) go to `warn` first,
 * since they often explain the error.
 */
export function resolveLocal(
  workspace: Workspace,
  os: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): LocalEnvironment {
  const config = workspace.readConfig();
  const envFile = readEnvFile(workspace.envPath);
  const envLocal = readEnvFile(workspace.envLocalPath);
  const warnings = [
    ...(envLocal?.warnings ?? []).map((w) => `envplane/.env.local: ${w}`),
    ...(envFile?.warnings ?? []).map((w) => `envplane/.env: ${w}`),
  ];
  const layers = { os: { ...os }, envLocal: asRecord(envLocal?.entries), env: asRecord(envFile?.entries) };
  const resolution = resolveConfig(config, layers);
  for (const warning of [...warnings, ...resolution.warnings]) warn(warning);
  if (resolution.errors.length) throw new CliError(resolution.errors.join("\n\nError: "));
  if (resolution.missing.length)
    throw new CliError(resolution.missing.map((f) => formatMissingFeature(f, "development")).join("\n\nError: "));
  return { resolution, env: { ...layers.env, ...layers.envLocal, ...os, ...resolution.variables } };
}
