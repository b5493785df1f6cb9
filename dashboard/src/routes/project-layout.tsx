/** A project's frame: its name, the environments at a glance, and tabs for its screens. */
import { Link, Outlet, useParams, useRouterState } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { EmptyState, ErrorState, Spinner } from "../components/ui.js";
import { ProjectNotFound, useProject } from "../lib/queries.js";

const tab =
  "shrink-0 whitespace-nowrap border-b-2 border-transparent px-3 py-2 text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 " +
  "dark:hover:text-zinc-100 data-[status=active]:border-indigo-600 data-[status=active]:font-medium " +
  "data-[status=active]:text-zinc-900 dark:data-[status=active]:text-white";

export function ProjectLayout() {
  const { project: slug } = useParams({ from: "/app/projects/$project" });
  const project = useProject(slug);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const tabs = useRef<HTMLElement>(null);
  const loaded = project.isSuccess;
  // On a narrow screen the tab row scrolls sideways: keep the active tab in view (only the row scrolls, not the page).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the screen changes or the tabs first appear
  useEffect(() => {
    const nav = tabs.current;
    const active = nav?.querySelector<HTMLElement>('[data-status="active"]');
    if (!nav || !active) return;
    const row = nav.getBoundingClientRect();
    const tab = active.getBoundingClientRect();
    if (tab.left < row.left) nav.scrollLeft += tab.left - row.left;
    else if (tab.right > row.right) nav.scrollLeft += tab.right - row.right;
  }, [pathname, loaded]);
  if (project.isPending) return <Spinner />;
  if (project.error instanceof ProjectNotFound)
    return (
      <EmptyState title="Project not found">
        <p>{project.error.message} Check the address, or ask an admin of the project to add you.</p>
        <Link to="/" className="mt-2 inline-block text-indigo-600 underline">
          Back to your projects
        </Link>
      </EmptyState>
    );
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  const p = project.data;
  return (
    <div>
      <div className="mb-1 text-sm text-zinc-500">
        <Link to="/" className="hover:underline">
          Projects
        </Link>{" "}
        / <span className="font-mono">{p.slug}</span>
      </div>
      <h1 className="text-2xl font-semibold">{p.name}</h1>
      <nav
        ref={tabs}
        aria-label="Project"
        className="mt-3 mb-5 flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800"
      >
        <Link to="/projects/$project" params={{ project: slug }} className={tab} activeOptions={{ exact: true }}>
          Variables
        </Link>
        <Link to="/projects/$project/environments" params={{ project: slug }} className={tab}>
          Environments
        </Link>
        <Link to="/projects/$project/shared" params={{ project: slug }} className={tab}>
          Shared
        </Link>
        <Link to="/projects/$project/branches" params={{ project: slug }} className={tab}>
          Branches &amp; mapping
        </Link>
        <Link to="/projects/$project/previews" params={{ project: slug }} className={tab}>
          Previews
        </Link>
        <Link to="/projects/$project/requests" params={{ project: slug }} className={tab}>
          Requests
        </Link>
        <Link to="/projects/$project/access" params={{ project: slug }} className={tab}>
          Access
        </Link>
        <Link to="/projects/$project/webhooks" params={{ project: slug }} className={tab}>
          Webhooks
        </Link>
        <Link to="/projects/$project/git" params={{ project: slug }} className={tab}>
          GitHub
        </Link>
        <Link to="/projects/$project/audit" params={{ project: slug }} className={tab}>
          Audit log
        </Link>
        <Link to="/projects/$project/compare" params={{ project: slug }} className={tab}>
          Compare
        </Link>
        <Link to="/projects/$project/promote" params={{ project: slug }} className={tab}>
          Promote
        </Link>
      </nav>
      <Outlet />
    </div>
  );
}
