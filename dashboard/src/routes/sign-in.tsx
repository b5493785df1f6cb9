/**
 * Sign in: paste a personal token once (it becomes an HttpOnly session cookie and is
 * forgotten), or follow a one-time link from `envplane dashboard` (#code=… in the address).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Button, Field, FormError } from "../components/ui.js";
import { api, SIGNED_OUT_REASONS, signIn } from "../lib/api.js";

/** Notices the projects page shows after a redirect from here (`?notice=`), by code. */
export const NOTICES = {
  "link-used": "That sign-in link was already used; you are still signed in.",
} as const;
export type Notice = keyof typeof NOTICES;

/** Whether this browser's session is valid (the failed sign-in kept it). */
async function stillSignedIn(): Promise<boolean> {
  try {
    return !!(await api.viewer()).viewer.user;
  } catch {
    return false;
  }
}

export function SignInPage() {
  const search = useSearch({ from: "/sign-in" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const tokenRef = useRef<HTMLInputElement>(null);

  async function finish(credential: { token: string } | { code: string }) {
    setBusy(true);
    setError(null);
    try {
      await signIn(credential);
      queryClient.clear();
      const next = search.next?.startsWith("/") && !search.next.startsWith("//") ? search.next : "/";
      await navigate({ href: next });
    } catch (e) {
      // A link already used (or expired), opened in a browser that is still signed in: carry on as signed in.
      if ("code" in credential && (await stillSignedIn())) {
        await navigate({ to: "/", search: { notice: "link-used" } });
        return;
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  // A one-time link: the code travels in the fragment (never sent to a server or logged); use it once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once for the address the page opened with
  useEffect(() => {
    const code = new URLSearchParams(location.hash.slice(1)).get("code");
    if (!code) return;
    history.replaceState(null, "", location.pathname + location.search);
    void finish({ code });
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const token = tokenRef.current?.value.trim() ?? "";
    if (!token) return setError(new Error("Paste your personal token (it starts with envp_)."));
    if (tokenRef.current) tokenRef.current.value = ""; // not kept in the page
    void finish({ token });
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-md rounded-xl border border-zinc-200 p-6 shadow-sm dark:border-zinc-800">
        <h1 className="text-xl font-semibold">Sign in to envplane</h1>
        {search.reason && (
          <p
            role="status"
            className="mt-3 rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
          >
            {SIGNED_OUT_REASONS[search.reason]}
          </p>
        )}
        <form onSubmit={submit} className="mt-4 flex flex-col gap-3">
          <Field
            label="Personal token"
            name="token"
            type="password"
            autoComplete="off"
            ref={tokenRef}
            placeholder="envp_…"
            hint={
              <>
                Paste it once: envplane keeps a session cookie instead. No token? Run <code>envplane dashboard</code>{" "}
                for a one-time sign-in link.
              </>
            }
          />
          <FormError error={error} />
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      </div>
    </main>
  );
}
