/**
 * What every command gets: terminal I/O, the process environment, the workspace, and an
 * SDK client for the logged-in server. Values come from the flag, then the environment,
 * then the linked project file, then a prompt (TTY only), else a clear error.
 */

import { resolveBranch } from "../core/mapping.js";
import { allPages, type EnvplaneClient, MAX_PAGE_SIZE } from "../sdk/index.js";
import { type OptionValues, opt } from "./args.js";
import { type Credentials, graphqlUrl, readCredentials } from "./credentials.js";
import { CliError, UsageError } from "./errors.js";
import { IO } from "./io.js";
import { connect, type Project, rulesOf } from "./remote.js";
import { findWorkspace, type Workspace } from "./workspace.js";

export const NOT_LINKED = 'No linked project. Run "envplane link" first.';

export class Context {
  readonly io: IO;
  private client: EnvplaneClient | null = null;
  private session: ReturnType<Context["readSession"]> | undefined;

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {
    this.io = new IO(env);
  }

  workspace(): Workspace | null {
    return findWorkspace(process.cwd());
  }

  requireWorkspace(): Workspace {
    const workspace = this.workspace();
    if (!workspace)
      throw new CliError('No envplane/config.json in this directory or any parent. Run "envplane init" first.');
    return workspace;
  }

  /** ENVPLANE_SERVER + ENVPLANE_TOKEN, else the credentials file written by login. */
  credentials(): (Credentials & { source: "environment" | "file" }) | null {
    if (this.session === undefined) this.session = this.readSession();
    return this.session;
  }

  private readSession(): (Credentials & { source: "environment" | "file" }) | null {
    const server = this.env.ENVPLANE_SERVER;
    const token = this.env.ENVPLANE_TOKEN;
    if (server && token) return { server, token, source: "environment" };
    const stored = readCredentials(this.env);
    if (token && !server) {
      if (!stored)
        throw new CliError(
          'ENVPLANE_TOKEN is set but not the server. Set ENVPLANE_SERVER too, or run "envplane login --server URL --token TOKEN".',
        );
      return { server: stored.server, token, source: "environment" };
    }
    if (server && stored) {
      // The stored token goes only to the server it was stored for.
      if (sameServer(server, stored.server)) return { ...stored, server, source: "environment" };
      throw new CliError(
        `ENVPLANE_SERVER is ${server}, but the stored login is for ${stored.server}. ` +
          `Set ENVPLANE_TOKEN for that server too, or run "envplane login --server ${server}".`,
      );
    }
    return stored ? { ...stored, source: "file" } : null;
  }

  sdk(): EnvplaneClient {
    if (this.client) return this.client;
    const credentials = this.credentials();
    if (!credentials)
      throw new CliError(
        'Not logged in. Run "envplane login --server URL --token TOKEN", or set ENVPLANE_SERVER and ENVPLANE_TOKEN.',
      );
    this.client = connect(credentials);
    return this.client;
  }

  /** --project, else the project linked in envplane/config.json, else undefined. */
  linkedProject(options: OptionValues): string | undefined {
    const flag = opt.string(options, "project");
    if (flag) return flag;
    const linked = this.workspace()?.readConfig().project;
    return typeof linked === "string" && linked ? linked : undefined;
  }

  /** The project to work on (see linkedProject); an error naming `envplane link` when there is none. */
  project(options: OptionValues): string {
    const slug = this.linkedProject(options);
    if (!slug) throw new CliError(NOT_LINKED);
    return slug;
  }

  async loadProject(slug: string): Promise<Project> {
    const { project } = await this.sdk().project({ slug });
    if (!project)
      throw new CliError(
        `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
      );
    return project;
  }

  /** An environment with its variables (secret values null); a clear error when it or the project is not there. */
  /** Every project the token can access (all pages). */
  async listProjects() {
    return allPages(async (after) => (await this.sdk().projects({ first: MAX_PAGE_SIZE, after })).projects);
  }

  /**
   * An environment with all its variables (secret values null), read page by page at one
   * revision (read again if a write lands between pages); a clear error when it or the
   * project is not there.
   */
  async loadEnvironment(project: string, environment: string) {
    for (let attempt = 1; ; attempt++) {
      const pages: Awaited<ReturnType<Context["environmentPage"]>>[] = [];
      const variables = await allPages(async (after) => {
        const page = await this.environmentPage(project, environment, after);
        pages.push(page);
        return page.variables;
      });
      if (pages.every((p) => p.revision === pages[0].revision)) return { ...pages[0], variables };
      if (attempt === 3)
        throw new CliError(
          `Environment "${environment}" of project "${project}" kept changing while it was read. Try again.`,
        );
    }
  }

  private async environmentPage(project: string, environment: string, after: string | null) {
    const { project: p } = await this.sdk().environmentVariables({ project, environment, first: MAX_PAGE_SIZE, after });
    if (!p) throw new CliError(`Project "${project}" not found, or your token cannot access it.`);
    if (!p.environment)
      throw new CliError(
        `Environment "${environment}" not found in project "${project}". Run "envplane env list-environments".`,
      );
    return p.environment;
  }

  /** Confirms a destructive command: --yes, else a [y/N] question on a terminal, else a usage error naming --yes. */
  async confirmDestructive(
    options: OptionValues,
    question: string,
    consequence: string,
    cancelled = "Cancelled: nothing was deleted.",
  ): Promise<void> {
    if (opt.bool(options, "yes")) return;
    if (!this.io.interactive) throw new UsageError(`${consequence} Re-run with --yes to confirm.`);
    if (!(await this.io.confirm(question))) throw new CliError(cancelled);
  }

  /** The project branch of a deployment context (ENVPLANE_BRANCH), if any. */
  deploymentBranch(): string | undefined {
    return this.env.ENVPLANE_BRANCH || undefined;
  }

  /**
   * --env, else the environment ENVPLANE_BRANCH's project branch maps to (a deployment
   * context; a branch the project does not have is an error), else development.
   */
  async environment(options: OptionValues, project: string): Promise<string> {
    const flag = opt.string(options, "env");
    if (flag) return flag;
    const branch = this.deploymentBranch();
    if (!branch) return "development";
    const loaded = await this.loadProject(project);
    if (!loaded.branches.some((b) => b.name === branch))
      throw new CliError(
        `ENVPLANE_BRANCH is "${branch}", which is not a project branch of "${project}", so there is no environment to use. ` +
          `Fix ENVPLANE_BRANCH (see "envplane branch list"), or pass --env to choose the environment.`,
      );
    return resolveBranch(rulesOf(loaded), branch).environment;
  }
}

function sameServer(a: string, b: string): boolean {
  try {
    return graphqlUrl(a) === graphqlUrl(b);
  } catch {
    return false;
  }
}
