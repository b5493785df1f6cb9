/**
 * The dashboard's only API client: the generated SDK over the session cookie. Every request
 * carries the CSRF header; the browser adds the Origin the server checks.
 */
import { createClient, EnvplaneRequestError } from "../../../sdk/index.js";

export type * from "../../../sdk/generated.js";
export { EnvplaneRequestError };

/** Why the sign-in screen shows up: fixed wording, chosen by code (a link can't make it say anything else). */
export const SIGNED_OUT_REASONS = {
  "signed-out": "You signed out.",
  "session-ended": "You ended this session.",
  expired: "Your session has ended (it expired, was revoked, or you signed out elsewhere). Sign in again.",
  conflict:
    "Your browser held more than one envplane session cookie (a page on another port of this host may have set " +
    "one), so none was used. Sign in again; that clears them.",
} as const;
export type SignedOutReason = keyof typeof SIGNED_OUT_REASONS;

/** Called when the server says the session is gone (expired, revoked, signed out elsewhere). */
let onSignedOut: (reason: SignedOutReason | null) => void = () => {};
export function whenSignedOut(handler: (reason: SignedOutReason | null) => void) {
  onSignedOut = handler;
}

export const api = createClient({
  url: "/graphql",
  headers: { "x-envplane-client": "dashboard" },
  fetch: async (input, init) => {
    const response = await fetch(input, { ...init, credentials: "same-origin" });
    if (response.status === 401) {
      const body = await response
        .clone()
        .json()
        .catch(() => null);
      const code: string | undefined = body?.errors?.[0]?.extensions?.code;
      onSignedOut(code === "SESSION_CONFLICT" ? "conflict" : code === "SESSION_EXPIRED" ? "expired" : null);
    }
    return response;
  },
});

export interface SessionUser {
  id: string;
  email: string;
  name?: string | null;
}

async function authRequest(method: "POST" | "DELETE", body?: unknown) {
  const response = await fetch("/auth/session", {
    method,
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-envplane-client": "dashboard" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return response.status === 204 ? null : await response.json();
  const failure = await response.json().catch(() => null);
  throw new Error(failure?.error?.message ?? `Sign-in failed (HTTP ${response.status}).`);
}

/** Exchanges a personal token or a one-time sign-in code for a session cookie. */
export const signIn = (credential: { token: string } | { code: string }) =>
  authRequest("POST", credential) as Promise<{ user: SessionUser; expiresAt: string }>;

export const signOut = () => authRequest("DELETE");

/** A typed error result of a mutation (the schema's Error union members). */
export interface ApiError {
  __typename: string;
  message: string;
  fieldErrors?: { path: string[]; message: string }[];
  currentRevision?: number | null;
}

/** Narrows a payload union: the success member, or throws the typed error for the form to show. */
export function expect<T extends { __typename: string }, N extends T["__typename"]>(
  result: T,
  typename: N,
): Extract<T, { __typename: N }> {
  if (result.__typename === typename) return result as Extract<T, { __typename: N }>;
  throw new ResultError(result as unknown as ApiError);
}

export class ResultError extends Error {
  constructor(readonly result: ApiError) {
    super(result.message);
    this.name = "ResultError";
  }
  /** The message for a field (fieldErrors path ends with `field`), if the server named it. */
  forField(field: string): string | undefined {
    return this.result.fieldErrors?.find((e) => e.path[e.path.length - 1] === field)?.message;
  }
}

/** The error a form shows at its foot: anything but a typed result naming one of `fields` (shown at the field). */
export function formLevelError(error: unknown, fields: string[]): unknown {
  if (error instanceof ResultError && fields.some((field) => error.forField(field))) return null;
  return error ?? null;
}
