/** Projects: the ones you can see, create one, delete one (owners). */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import {
  Badge,
  Button,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  FormError,
  PageHeader,
  Spinner,
} from "../components/ui.js";
import { api, expect, formLevelError, ResultError } from "../lib/api.js";
import { keys, useProjects, useViewer } from "../lib/queries.js";
import { NOTICES } from "./sign-in.js";

export function ProjectsPage() {
  const projects = useProjects();
  const viewer = useViewer();
  const [creating, setCreating] = useState(false);
  const canCreate = viewer.data?.canCreateProjects ?? false;
  const { notice } = useSearch({ from: "/app/" });
  return (
    <div>
      {notice && (
        <p
          role="status"
          className="mb-4 rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          {NOTICES[notice]}
        </p>
      )}
      <PageHeader
        title="Projects"
        subtitle="Each project keeps its variables per environment and per branch."
        actions={
          <Button
            variant="primary"
            onClick={() => setCreating(true)}
            disabledReason={canCreate ? null : "Service tokens cannot create projects."}
          >
            New project
          </Button>
        }
      />
      {projects.isPending ? (
        <Spinner />
      ) : projects.isError ? (
        <ErrorState error={projects.error} retry={() => projects.refetch()} />
      ) : projects.data.length === 0 ? (
        <EmptyState title="No projects yet">
          Create one here, or run <code>envplane init</code> in a repository.
        </EmptyState>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {projects.data.map((p) => (
            <li key={p.id} className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
              <div className="flex items-start justify-between gap-2">
                <div>
                  <Link
                    to="/projects/$project"
                    params={{ project: p.slug }}
                    className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                  >
                    {p.name}
                  </Link>
                  <p className="font-mono text-xs text-zinc-500">{p.slug}</p>
                </div>
                {p.viewerRole && <Badge>{p.viewerRole.toLowerCase()}</Badge>}
              </div>
              <p className="mt-2 text-sm text-zinc-500">
                {p.environments.length} environments · {p.branches.length} branches
              </p>
              <div className="mt-3 flex justify-end">
                <DeleteProject
                  slug={p.slug}
                  disabledReason={p.viewerCanDelete ? null : "Only owners delete a project."}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
      <CreateProject open={creating} onOpenChange={setCreating} />
    </div>
  );
}

function CreateProject({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: async (input: { slug: string; name?: string }) =>
      expect((await api.createProject({ input })).createProject, "ProjectPayload").project,
    onSuccess: async (project) => {
      await queryClient.invalidateQueries({ queryKey: keys.projects });
      onOpenChange(false);
      await navigate({ to: "/projects/$project", params: { project: project.slug } });
    },
  });
  const failure = create.error instanceof ResultError ? create.error : null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    create.mutate({ slug: String(form.get("slug") ?? "").trim(), name: name || undefined });
  }
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="New project" description="You become its owner.">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="Slug" name="slug" required placeholder="shop" error={failure?.forField("slug")} autoFocus />
        <Field label="Name" name="name" placeholder="Shop (defaults to the slug)" error={failure?.forField("name")} />
        <FormError error={formLevelError(create.error, ["slug", "name"])} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create project
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteProject({ slug, disabledReason }: { slug: string; disabledReason: string | null }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () =>
      expect((await api.deleteProject({ input: { slug } })).deleteProject, "DeleteProjectPayload"),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: keys.projects });
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        onClick={() => setOpen(true)}
        disabledReason={disabledReason}
        aria-label={`Delete project ${slug}`}
      >
        Delete
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${slug}?`}
        description="Every environment, variable, secret, branch and token of the project is deleted. This cannot be undone."
      >
        <div className="flex flex-col gap-3">
          <Field label={`Type ${slug} to confirm`} value={typed} onChange={(e) => setTyped(e.target.value)} />
          <FormError error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={typed !== slug || remove.isPending} onClick={() => remove.mutate()}>
              Delete project
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
