/** A project's frame: its name, the environments at a glance, and tabs for its screens. */
import { Link, Outlet, useParams } from "@tanstack/react-router";
import { ErrorState, Spinner } from "../components/ui.js";
import { useProject } from "../lib/queries.js";

const tab =
  "shrink-0 whitespace-nowrap border-b-2 border-transparent px-3 py-2 text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 " +
  "dark:hover:text-zinc-100 data-[status=active]:border-indigo-600 data-[status=active]:font-medium " +
  "data-[status=active]:text-zinc-900 dark:data-[status=active]:text-white";

export function ProjectLayout() {
  const { project: slug } = useParams({ from: "/app/projects/$project" });
  const project = useProject(slug);
  if (project.isPending) return <Spinner />;
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
        aria-label="Project"
        className="mt-3 mb-5 flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800"
      >
        <Link to="/projects/$project" params={{ project: slug }} className={tab} activeOptions={{ exact: true }}>
          Variables
        </Link>
        <Link to="/projects/$project/environments" params={{ project: slug }} className={tab}>
          Environments
        </Link>
        <Link to="/projects/$project/branches" params={{ project: slug }} className={tab}>
          Branches &amp; mapping
        </Link>
        <Link to="/projects/$project/access" params={{ project: slug }} className={tab}>
          Access
        </Link>
      </nav>
      <Outlet />
    </div>
  );
}
