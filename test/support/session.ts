/** A dashboard session as a browser gets one (POST /auth/session with a personal token), as an SDK client. */
import { createClient, type EnvplaneClient } from "../../sdk/index.js";
import type { TestServer } from "./server.js";

/**
 * Signs in with `token` at the server (started with `listen`) and returns an SDK client that sends the session
 * cookie, the dashboard's CSRF header and the server's own Origin, like the dashboard does. `fetch` may wrap requests.
 */
export async function sessionClient(
  server: Pick<TestServer, "url">,
  token: string,
  fetchImpl: (input: string, init: RequestInit) => Promise<Response> = (input, init) => fetch(input, init),
): Promise<EnvplaneClient> {
  const origin = new URL(server.url).origin;
  const response = await fetch(`${origin}/auth/session`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-envplane-client": "dashboard", origin },
    body: JSON.stringify({ token }),
  });
  const cookie = /^(envplane_session=[^;]*);/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) throw new Error(`sign-in failed: HTTP ${response.status} ${await response.text()}`);
  return createClient({
    url: server.url,
    token: null,
    headers: { "x-envplane-client": "dashboard", cookie, origin },
    fetch: fetchImpl,
  });
}
