/**
 * The local project folder: `envplane/config.json` (committed: the linked project, the
 * branch mapping and the platform config), `envplane/.env`, `envplane/.env.local` and
 * `envplane/.gitignore`. Found by walking up from the working directory, like git.
 */
import fs from "node:fs";
import path from "node:path";
import { type ParsedDotenv, parseDotenv } from "../core/dotenv.js";
import { DEFAULT_MAPPING, type MappingRule, orderRules } from "../core/mapping.js";
import { CliError } from "./errors.js";

export type ProjectConfig = Record<string, unknown> & {
  project?: string;
  environments?: Record<string, string | string[]>;
};

export class Workspace {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = path.join(root, "envplane");
  }

  get configPath() {
    return path.join(this.dir, "config.json");
  }
  get envPath() {
    return path.join(this.dir, ".env");
  }
  get envLocalPath() {
    return path.join(this.dir, ".env.local");
  }

  display(file: string): string {
    return displayPath(file);
  }

  readConfig(): ProjectConfig {
    let text: string;
    try {
      text = fs.readFileSync(this.configPath, "utf8");
    } catch {
      throw new CliError(`Cannot read ${this.display(this.configPath)}. Run "envplane init" to create it.`);
    }
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch (error) {
      throw new CliError(
        `${this.display(this.configPath)} is not valid JSON (${(error as Error).message}). Fix the file and run the command again.`,
      );
    }
    if (!config || typeof config !== "object" || Array.isArray(config))
      throw new CliError(
        `${this.display(this.configPath)} must hold a JSON object, like {"environments": {"production": "main", "preview": "*"}}.`,
      );
    return config as ProjectConfig;
  }

  writeConfig(config: ProjectConfig): void {
    fs.writeFileSync(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }
}

/** A path as the user sees it, relative to the working directory. */
export function displayPath(file: string): string {
  return path.relative(process.cwd(), file) || ".";
}

/** The parsed .env file, or null when it does not exist. */
export function readEnvFile(file: string): ParsedDotenv | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`Cannot read ${displayPath(file)}: ${(error as Error).message}`);
  }
  return parseDotenv(text);
}

export function findWorkspace(from: string): Workspace | null {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "envplane", "config.json"))) return new Workspace(dir);
    if (path.dirname(dir) === dir) return null;
  }
}

/** Creates what is missing of envplane/{config.json,.env,.gitignore}; returns the files created. */
export function initWorkspace(root: string): { workspace: Workspace; created: string[] } {
  const workspace = new Workspace(root);
  fs.mkdirSync(workspace.dir, { recursive: true });
  const created: string[] = [];
  const create = (file: string, content: string, mode?: number) => {
    try {
      fs.writeFileSync(file, content, { flag: "wx", mode });
      created.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  };
  create(workspace.configPath, `${JSON.stringify({ environments: configFromMapping(DEFAULT_MAPPING) }, null, 2)}\n`);
  create(workspace.envPath, "", 0o600);
  create(path.join(workspace.dir, ".gitignore"), ".env*\n");
  return { workspace, created };
}

/** config.json's `environments` block (environment → branch or branches) as mapping rules. */
export function mappingFromConfig(block: ProjectConfig["environments"]): MappingRule[] {
  if (block === undefined) return DEFAULT_MAPPING;
  if (!block || typeof block !== "object" || Array.isArray(block))
    throw new CliError(
      `The "environments" block of envplane/config.json must map environment names to a branch name, "*" or a list of branch names.`,
    );
  const rules: MappingRule[] = [];
  for (const [environment, value] of Object.entries(block)) {
    const branches = Array.isArray(value) ? value : [value];
    for (const branch of branches) {
      if (typeof branch !== "string")
        throw new CliError(
          `envplane/config.json: environments.${environment} must be a branch name, "*" or a list of branch names.`,
        );
      rules.push({ environment, branch });
    }
  }
  return rules;
}

/** Mapping rules as config.json's block; an environment with several branches gets a list. */
export function configFromMapping(rules: readonly MappingRule[]): Record<string, string | string[]> {
  const block: Record<string, string | string[]> = {};
  for (const { environment, branch } of rules) {
    const current = block[environment];
    block[environment] = current === undefined ? branch : [...(Array.isArray(current) ? current : [current]), branch];
  }
  return block;
}

/** Equal in evaluation order (the wildcard is evaluated last wherever it is written). */
export function sameMapping(a: readonly MappingRule[], b: readonly MappingRule[]): boolean {
  const [x, y] = [orderRules(a), orderRules(b)];
  return x.length === y.length && x.every((r, i) => r.branch === y[i].branch && r.environment === y[i].environment);
}
