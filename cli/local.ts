/** Local resolution for `envplane dev`: config.json against OS env → envplane/.env.local → envplane/.env. */

import { type FeatureInfo, type Resolution, resolveConfig } from "../core/platform-config/index.js";
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
  const linked = typeof config.project === "string" && config.project !== "";
  const resolution = resolveConfig(config, layers, { linked });
  for (const warning of [...warnings, ...resolution.warnings]) warn(warning);
  if (resolution.errors.length) throw new CliError(resolution.errors.join("\n\nError: "));
  if (resolution.missing.length) throw new CliError(resolution.missing.map(missingLocally).join("\n\nError: "));
  return { resolution, env: { ...layers.env, ...layers.envLocal, ...os, ...resolution.variables } };
}

/**
 * An enabled feature's missing variables, for dev: it reads local files only, so the fix is
 * .env.local (envplane env set would store the value on the platform, where dev never looks,
 * and env pull leaves secrets out).
 */
function missingLocally(feature: FeatureInfo): string {
  const one = feature.variables.length === 1;
  const secrets = feature.variables.filter((v) => v.sensitive).map((v) => v.name);
  return [
    `${feature.path} is enabled but missing ${one ? "a required variable" : "required variables"}:`,
    ...feature.variables.map((v) => v.name),
    "",
    `envplane dev reads the OS environment, envplane/.env.local and envplane/.env. Add ${one ? "it" : "them"} to envplane/.env.local (git-ignored):`,
    ...feature.variables.map((v) => `${v.name}=your-value`),
    ...(secrets.length
      ? [
          "",
          `${secrets.join(", ")} ${secrets.length === 1 ? "is a secret" : "are secrets"}: "envplane env pull" never writes secrets, so get the value from whoever manages it.`,
        ]
      : []),
  ].join("\n");
}
