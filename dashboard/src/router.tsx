/**
 * The dashboard's routes (TanStack Router, code-based). One file per screen in routes/;
 * the project screens share ProjectLayout (header, tabs). Screens behind sign-in load on
 * first visit (their own chunks), so the sign-in and projects pages load the least.
 */
import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
} from "@tanstack/react-router";
import { Shell } from "./components/Shell.js";
import { SIGNED_OUT_REASONS, type SignedOutReason } from "./lib/api.js";
import { NotFound } from "./routes/not-found.js";
import { ProjectLayout } from "./routes/project-layout.js";
import { ProjectsPage } from "./routes/projects.js";
import { NOTICES, type Notice, SignInPage } from "./routes/sign-in.js";

const root = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: NotFound,
});

export const signInRoute = createRoute({
  getParentRoute: () => root,
  path: "/sign-in",
  validateSearch: (search: Record<string, unknown>): { reason?: SignedOutReason; next?: string } => ({
    reason:
      typeof search.reason === "string" && Object.hasOwn(SIGNED_OUT_REASONS, search.reason)
        ? (search.reason as SignedOutReason)
        : undefined,
    next: typeof search.next === "string" ? search.next : undefined,
  }),
  component: SignInPage,
});

/** Everything behind sign-in. */
const app = createRoute({ getParentRoute: () => root, id: "app", component: Shell });

const projects = createRoute({
  getParentRoute: () => app,
  path: "/",
  // A notice chosen by a code (fixed wording; an address cannot make the page say anything else).
  validateSearch: (search: Record<string, unknown>): { notice?: Notice } => ({
    notice:
      typeof search.notice === "string" && Object.hasOwn(NOTICES, search.notice)
        ? (search.notice as Notice)
        : undefined,
  }),
  component: ProjectsPage,
});
const settings = createRoute({
  getParentRoute: () => app,
  path: "/settings",
  component: lazyRouteComponent(() => import("./routes/settings.js"), "SettingsPage"),
});
const users = createRoute({
  getParentRoute: () => app,
  path: "/users",
  component: lazyRouteComponent(() => import("./routes/users.js"), "UsersPage"),
});

export const secretRequestRoute = createRoute({
  getParentRoute: () => app,
  path: "/requests/$id",
  component: lazyRouteComponent(() => import("./routes/secret-request.js"), "SecretRequestPage"),
});

export const projectRoute = createRoute({
  getParentRoute: () => app,
  path: "/projects/$project",
  component: ProjectLayout,
});
export const gridRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/",
  validateSearch: (
    search: Record<string, unknown>,
  ): { q?: string; missing?: boolean; type?: "secret" | "standard"; env?: string } => ({
    q: typeof search.q === "string" && search.q ? search.q : undefined,
    missing: search.missing === true || search.missing === "true" ? true : undefined,
    type: search.type === "secret" || search.type === "standard" ? search.type : undefined,
    env: typeof search.env === "string" && search.env ? search.env : undefined,
  }),
  component: lazyRouteComponent(() => import("./routes/grid.js"), "GridPage"),
});
export const environmentRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/environments/$environment",
  validateSearch: (search: Record<string, unknown>): { branch?: string; key?: string } => ({
    branch: typeof search.branch === "string" && search.branch ? search.branch : undefined,
    key: typeof search.key === "string" && search.key ? search.key : undefined,
  }),
  component: lazyRouteComponent(() => import("./routes/environment.js"), "EnvironmentPage"),
});
export const environmentHistoryRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/environments/$environment/history",
  component: lazyRouteComponent(() => import("./routes/environment-history.js"), "EnvironmentHistoryPage"),
});
export const environmentsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/environments",
  component: lazyRouteComponent(() => import("./routes/environments.js"), "EnvironmentsPage"),
});
export const branchesRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/branches",
  component: lazyRouteComponent(() => import("./routes/branches.js"), "BranchesPage"),
});
export const accessRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/access",
  component: lazyRouteComponent(() => import("./routes/access.js"), "AccessPage"),
});
export const webhooksRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/webhooks",
  component: lazyRouteComponent(() => import("./routes/webhooks.js"), "WebhooksPage"),
});
export const previewsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/previews",
  component: lazyRouteComponent(() => import("./routes/previews.js"), "PreviewsPage"),
});

export const gitRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/git",
  component: lazyRouteComponent(() => import("./routes/git.js"), "GitPage"),
});

export const auditRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/audit",
  component: lazyRouteComponent(() => import("./routes/audit.js"), "AuditPage"),
});
export const compareRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/compare",
  component: lazyRouteComponent(() => import("./routes/compare.js"), "ComparePage"),
});
export const promoteRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/promote",
  validateSearch: (search: Record<string, unknown>): { from?: string; to?: string } => ({
    from: typeof search.from === "string" && search.from ? search.from : undefined,
    to: typeof search.to === "string" && search.to ? search.to : undefined,
  }),
  component: lazyRouteComponent(() => import("./routes/promote.js"), "PromotePage"),
});
export const sharedRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/shared",
  component: lazyRouteComponent(() => import("./routes/shared.js"), "SharedPage"),
});

export const secretRequestsRoute = createRoute({
  getParentRoute: () => projectRoute,
  path: "/requests",
  component: lazyRouteComponent(() => import("./routes/secret-requests.js"), "SecretRequestsPage"),
});

const routeTree = root.addChildren([
  signInRoute,
  app.addChildren([
    projects,
    settings,
    users,
    secretRequestRoute,
    projectRoute.addChildren([
      gridRoute,
      environmentRoute,
      environmentHistoryRoute,
      environmentsRoute,
      branchesRoute,
      accessRoute,
      webhooksRoute,
      previewsRoute,
      gitRoute,
      auditRoute,
      compareRoute,
      promoteRoute,
      sharedRoute,
      secretRequestsRoute,
    ]),
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: false, scrollRestoration: true });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
