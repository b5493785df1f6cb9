/**
 * The inbound GitHub webhook: `POST /hooks/github/<connection id>` (see server/services/git.ts).
 * Transport checks here — method, content type, body size — the signature and the rest in the service.
 */
import type { GitService } from "../services/git.js";
import { GIT_HOOK_PATH } from "../services/git.js";
import { readBodyBytes } from "./body.js";
import { errorResponse } from "./session.js";

/** GitHub caps payloads at 25 MB; a push payload is far smaller (20 commits at most). */
export const MAX_HOOK_BODY_BYTES = 5 * 1024 * 1024;

export function isGitHookPath(path: string): boolean {
  return path.startsWith("/hooks/");
}

export async function handleGitHubHook(request: Request, path: string, git: GitService): Promise<Response> {
  const connectionId = path.startsWith(GIT_HOOK_PATH) ? path.slice(GIT_HOOK_PATH.length) : "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(connectionId))
    return errorResponse(
      404,
      "NOT_FOUND",
      'Not found. GitHub webhooks are posted to /hooks/github/<id> (see "envplane git status").',
    );
  if (request.method !== "POST")
    return errorResponse(405, "METHOD_NOT_ALLOWED", "GitHub webhooks are delivered with POST.", { allow: "POST" });
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json")
    return errorResponse(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      type === "application/x-www-form-urlencoded"
        ? "This webhook sends form-encoded payloads. In the GitHub webhook's settings choose Content type: application/json."
        : "Send the payload as application/json (in the GitHub webhook's settings: Content type: application/json).",
    );
  const body = await readBodyBytes(request, MAX_HOOK_BODY_BYTES);
  if (!body)
    return errorResponse(
      413,
      "PAYLOAD_TOO_LARGE",
      `The payload is larger than ${MAX_HOOK_BODY_BYTES} bytes; nothing was done.`,
    );
  const answer = await git.receive({
    connectionId,
    event: request.headers.get("x-github-event"),
    deliveryId: request.headers.get("x-github-delivery"),
    signature: request.headers.get("x-hub-signature-256"),
    body,
  });
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}
