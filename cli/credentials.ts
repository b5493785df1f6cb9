/**
 * Where the CLI keeps its session: `<config dir>/envplane/credentials.json`, mode 0600 in a
 * 0700 directory. ENVPLANE_SERVER and ENVPLANE_TOKEN override the file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CliError } from "./errors.js";

export interface Credentials {
  server: string;
  token: string;
}

/** $XDG_CONFIG_HOME, %APPDATA% or ~/.config, like most CLIs on Linux. */
function configDir(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_CONFIG_HOME ||
    (process.platform === "win32" ? env.APPDATA : undefined) ||
    path.join(os.homedir(), ".config");
  return path.join(base, "envplane");
}

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return path.join(configDir(env), "credentials.json");
}

/** The stored login; null when there is none, an error when the file is there but broken. */
export function readCredentials(env: NodeJS.ProcessEnv): Credentials | null {
  const file = credentialsPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: { server?: unknown; token?: unknown } | null = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // reported below
  }
  if (typeof parsed?.server !== "string" || typeof parsed?.token !== "string")
    throw new CliError(
      `${file} is damaged (it needs a server and a token). Run "envplane login --server URL --token TOKEN" again, ` +
        `or "envplane logout" to remove it.`,
    );
  return { server: parsed.server, token: parsed.token };
}

export function writeCredentials(env: NodeJS.ProcessEnv, credentials: Credentials): string {
  const file = credentialsPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write to a fresh 0600 file and rename, so the token is never readable by others, even briefly.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
  return file;
}

export function deleteCredentials(env: NodeJS.ProcessEnv): boolean {
  try {
    fs.unlinkSync(credentialsPath(env));
    return true;
  } catch {
    return false;
  }
}

/** Accepts http://host:port, …/ or …/graphql and returns the GraphQL endpoint. */
export function graphqlUrl(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`"${server}" is not a URL. Give the server's address, e.g. http://127.0.0.1:4000.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`"${server}" is not an http(s) URL. Give the server's address, e.g. http://127.0.0.1:4000.`);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/graphql";
  return url.toString();
}
