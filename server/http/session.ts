/**
 * Dashboard sign-in and sign-out, plain HTTP in front of GraphQL:
 *
 *   POST   /auth/session  {"token":"envp_pat_…"} or {"code":"…"}  → 200 {user, expiresAt} + Set-Cookie
 *   DELETE /auth/session                                         → 204, cookie cleared
 *
 * Both need the x-envplane-client header and an Origin equal to the server's own: a page of
 * another origin (even on the same site, e.g. another port) cannot sign a browser in or out.
 * The session's secret travels only in the HttpOnly cookie `envplane_session`.
 */

import { AuthenticationError } from "../services/auth.js";
import type { Services } from "../services/index.js";
import { SignInError } from "../services/sessions.js";
import { readBodyBytes } from "./body.js";
import { requestDetails } from "./client.js";
import type { RateLimiter } from "./rate-limit.js";

export const SESSION_COOKIE = "envplane_session";
export const CLIENT_HEADER = "x-envplane-client";
const MAX_SIGN_IN_BODY = 4096;

/** Whether the browser reached this server over HTTPS (directly, or through a trusted proxy). */
export function isHttps(request: Request, trustProxy: boolean): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return trustProxy && forwarded === "https";
}

/** The server's own origin as the browser sees it (from the Host header; https behind a trusted proxy). */
export function ownOrigin(request: Request, trustProxy: boolean): string {
  const url = new URL(request.url);
  return `${isHttps(request, trustProxy) ? "https:" : url.protocol}//${url.host}`;
}

/** Every value of cookie `name` the request carries (a browser sends one per path it was set for). */
export function readCookies(request: Request, name: string): string[] {
  const values: string[] = [];
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index !== -1 && part.slice(0, index).trim() === name) values.push(part.slice(index + 1).trim());
  }
  return values;
}

/**
 * The session secret of a request, or null. Browsers keep cookies per host, not per port: a page
 * on another port of this host can plant its own `envplane_session` (for a longer path, sent
 * first). A request carrying more than one is refused, so a planted session is never used.
 */
export function readSessionCookie(request: Request): string | null | "conflict" {
  const values = readCookies(request, SESSION_COOKIE);
  return values.length > 1 ? "conflict" : (values[0] ?? null);
}

export const CONFLICTING_SESSIONS =
  "Your browser sent more than one envplane session cookie: a page on another port of this host may have set " +
  "one. None was used. Sign in again (that clears them); if it repeats, clear this site's cookies.";

/** Paths a planted cookie could be scoped to and still be sent to the API; sign-in and sign-out clear them. */
const STRAY_COOKIE_PATHS = ["/graphql", "/auth", "/auth/session"];

export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return (
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}` +
    (secure ? "; Secure" : "")
  );
}

export const clearSessionCookie = (secure: boolean) => sessionCookie("", 0, secure);

/** Set-Cookie headers removing session cookies planted for narrower paths (see readSessionCookie). */
const clearStrayCookies = (secure: boolean): [string, string][] =>
  STRAY_COOKIE_PATHS.map((path) => [
    "set-cookie",
    `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=${path}; Max-Age=0${secure ? "; Secure" : ""}`,
  ]);

/**
 * Why a browser request may not use the session cookie (or the /auth endpoints), or null when
 * it may: it must carry x-envplane-client and come from a page of this very origin.
 */
export function refusedOrigin(request: Request, trustProxy: boolean): string | null {
  const own = ownOrigin(request, trustProxy);
  if (!request.headers.get(CLIENT_HEADER))
    return (
      `Requests with a dashboard session need the "${CLIENT_HEADER}" header (any value), which the envplane dashboard ` +
      "sends: without it the request could come from a cross-site form or link."
    );
  const origin = request.headers.get("origin");
  if (!origin) return `Requests with a dashboard session need an Origin header equal to this server's origin (${own}).`;
  if (origin !== own)
    return (
      `The request comes from a page of ${origin}, not of this server (${own}): a dashboard session can only be ` +
      "used by the dashboard this server serves. Use a token (Authorization: Bearer) from other origins."
    );
  return null;
}

function json(status: number, body: unknown, headers: Record<string, string> | [string, string][] = {}): Response {
  const all = new Headers(headers);
  all.set("content-type", "application/json; charset=utf-8");
  all.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: all });
}

export const errorResponse = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(status, { error: { code, message } }, headers);

export interface SessionRoutes {
  services: Services;
  authFailures: RateLimiter;
  trustProxy: boolean;
}

/** The body's text, or null past MAX_SIGN_IN_BODY bytes: a chunked body is read only that far, never whole. */
async function readText(request: Request): Promise<string | null> {
  const bytes = await readBodyBytes(request, MAX_SIGN_IN_BODY);
  return bytes && Buffer.from(bytes).toString("utf8");
}

async function readBody(request: Request): Promise<{ token?: unknown; code?: unknown } | null> {
  const text = await readText(request);
  if (text === null) return null;
  try {
    const body = JSON.parse(text);
    return body && typeof body === "object" && !Array.isArray(body) ? body : null;
  } catch {
    return null;
  }
}

/** Answers /auth/session; `client` is the caller's address (for the failed-authentication limit). */
export async function handleSession(request: Request, client: string, routes: SessionRoutes): Promise<Response> {
  const { services, authFailures, trustProxy } = routes;
  const secure = isHttps(request, trustProxy);
  if (request.method !== "POST" && request.method !== "DELETE")
    return errorResponse(405, "METHOD_NOT_ALLOWED", "Use POST /auth/session to sign in, DELETE to sign out.", {
      allow: "POST, DELETE",
    });
  const refused = refusedOrigin(request, trustProxy);
  if (refused) return errorResponse(403, "FORBIDDEN_ORIGIN", refused);

  if (request.method === "DELETE") {
    for (const secret of readCookies(request, SESSION_COOKIE))
      await services.sessions.signOut(secret, requestDetails(request, client, trustProxy));
    return new Response(null, {
      status: 204,
      headers: [
        ["set-cookie", clearSessionCookie(secure)],
        ...clearStrayCookies(secure),
        ["cache-control", "no-store"],
      ],
    });
  }

  const body = await readBody(request);
  const token = body?.token;
  const code = body?.code;
  const expected =
    'Send a JSON body {"token":"envp_pat_…"} (a personal token) or {"code":"…"} (the code of a sign-in link from ' +
    '"envplane dashboard"), with Content-Type: application/json.';
  if (!body || (token === undefined) === (code === undefined))
    return errorResponse(
      400,
      "BAD_REQUEST",
      body ? `Give either "token" or "code", not both or neither. ${expected}` : expected,
    );
  if (typeof (token ?? code) !== "string" || !(token ?? code))
    return errorResponse(
      400,
      "BAD_REQUEST",
      `"${token !== undefined ? "token" : "code"}" must be a non-empty string. ${expected}`,
    );

  const userAgent = request.headers.get("user-agent") ?? "";
  const details = requestDetails(request, client, trustProxy);
  try {
    const session =
      token !== undefined
        ? await services.sessions.signInWithToken(token as string, userAgent, undefined, details)
        : await services.sessions.signInWithCode(code as string, userAgent, undefined, details);
    // Signing in again in the same browser replaces its session: the one its cookie named ends.
    for (const previous of readCookies(request, SESSION_COOKIE)) await services.sessions.signOut(previous, details);
    const user = await services.sessions.user(session.userId);
    return json(200, { user, expiresAt: session.expiresAt.toISOString() }, [
      ["set-cookie", sessionCookie(session.secret, (session.expiresAt.getTime() - Date.now()) / 1000, secure)],
      ...clearStrayCookies(secure),
    ]);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    if (error instanceof SignInError && error.status === 403) return errorResponse(403, "FORBIDDEN", error.message);
    const { count, retryAfter } = await authFailures.hit(client);
    if (count > authFailures.limit)
      return errorResponse(429, "RATE_LIMITED", "Too many failed sign-ins from this address. Wait and retry.", {
        "retry-after": String(retryAfter),
      });
    return errorResponse(401, "UNAUTHENTICATED", error.message);
  }
}
