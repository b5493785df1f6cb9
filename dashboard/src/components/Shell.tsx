/** The signed-in frame: top bar (navigation, theme, sign out), the command palette and the page. */
import { useQueryClient } from "@tanstack/react-query";
import { Link, Navigate, Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useState } from "react";
import { signOut } from "../lib/api.js";
import { useViewer } from "../lib/queries.js";
import { toggleTheme } from "../lib/theme.js";
import { CommandPalette } from "./CommandPalette.js";
import { Button, ErrorState, Spinner } from "./ui.js";

const navLink =
  "shrink-0 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800 " +
  "data-[status=active]:bg-zinc-100 data-[status=active]:font-medium data-[status=active]:text-zinc-900 " +
  "dark:data-[status=active]:bg-zinc-800 dark:data-[status=active]:text-white";

export function Shell() {
  const viewer = useViewer();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const href = useRouterState({ select: (s) => s.location.href });
  const [, setTheme] = useState(0);

  if (viewer.isPending) return <Spinner />;
  if (viewer.isError)
    return (
      <main className="p-6">
        <ErrorState error={viewer.error} retry={() => viewer.refetch()} />
      </main>
    );
  const user = viewer.data.user;
  if (!user) return <Navigate to="/sign-in" search={{ next: href }} />;

  async function leave() {
    await signOut().catch(() => {});
    queryClient.clear();
    await navigate({ to: "/sign-in", search: { reason: "signed-out" } });
  }

  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
        <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2">
          <Link to="/" className="mr-auto font-semibold tracking-tight sm:mr-2">
            envplane
          </Link>
          <nav
            aria-label="Main"
            className="order-last flex w-full items-center gap-1 overflow-x-auto sm:order-none sm:w-auto sm:flex-1"
          >
            <Link to="/" className={navLink} activeOptions={{ exact: true }}>
              Projects
            </Link>
            {viewer.data.canManageUsers && (
              <Link to="/users" className={navLink}>
                Users
              </Link>
            )}
            <Link to="/settings" className={navLink}>
              Your account
            </Link>
          </nav>
          <CommandPalette />
          <Button
            variant="ghost"
            aria-label="Toggle dark mode"
            onClick={() => {
              toggleTheme();
              setTheme((n) => n + 1);
            }}
          >
            ◐
          </Button>
          <span className="hidden text-sm text-zinc-500 sm:inline" title={user.email ?? undefined}>
            {user.name || user.email}
          </span>
          <Button variant="ghost" onClick={leave}>
            Sign out
          </Button>
        </div>
      </header>
      <main className="mx-auto max-w-screen-2xl px-4 py-5">
        <Outlet />
      </main>
    </div>
  );
}
