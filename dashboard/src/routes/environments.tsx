/** Environments: the project's environments, create one (optionally seeded), protect, delete. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { environmentName } from "../../../core/names.js";
import { usePreviews } from "../components/preview-info.js";
import {
  Badge,
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  FormError,
  PageHeader,
  Spinner,
} from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import { type Environment, keys, type Project, useProject } from "../lib/queries.js";
import { type SeedResult, SeedWizard } from "./seed-wizard.js";

const MANAGE_REASON = "Only admins and owners create, delete and protect environments.";

export function EnvironmentsPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project" });
  const project = useProject(slug);
  const previews = usePreviews(slug);
  const previewIds = new Set(previews.data?.previews.map((e) => e.id));
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<SeedResult | null>(null);
  if (project.isPending) return <Spinner />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  const p = project.data;
  const manageReason = p.viewerCanManageEnvironments ? null : MANAGE_REASON;
  return (
    <div>
      <PageHeader
        title="Environments"
        subtitle="Default environments always exist; custom ones can be seeded from another and deleted; previews serve one branch."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)} disabledReason={manageReason}>
            New environment
          </Button>
        }
      />
      {created && <CreatedNotice result={created} onDismiss={() => setCreated(null)} />}
      {p.environments.length === 0 ? (
        <EmptyState title="No environments you can see">
          Service tokens see only the environments they are limited to.
        </EmptyState>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          {/* Narrow screens: each row wraps onto two lines (no header; the numbers say what they are). */}
          <table className="w-full text-left text-sm sm:min-w-[640px]">
            <thead className="hidden bg-zinc-50 text-xs text-zinc-500 uppercase sm:table-header-group dark:bg-zinc-900">
              <tr>
                <th className="px-3 py-2 font-medium">Name</th>
                <th className="px-3 py-2 font-medium">Kind</th>
                <th className="px-3 py-2 font-medium">Protected</th>
                <th className="px-3 py-2 text-right font-medium">Revision</th>
                <th className="px-3 py-2 text-right font-medium">Variables</th>
                <th className="px-3 py-2 text-right font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {p.environments.map((env) => (
                <EnvironmentRow
                  key={env.id}
                  project={p}
                  env={env}
                  isPreview={previewIds.has(env.id)}
                  manageReason={manageReason}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateEnvironment
          project={p}
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
          }}
        />
      )}
    </div>
  );
}

/** A cell: inline on narrow screens (the row wraps), a table cell from sm up. */
const cell = "sm:px-3 sm:py-2";

function EnvironmentRow({
  project,
  env,
  isPreview,
  manageReason,
}: {
  project: Project;
  env: Environment;
  isPreview: boolean;
  manageReason: string | null;
}) {
  const queryClient = useQueryClient();
  const protect = useMutation({
    mutationFn: async (isProtected: boolean) =>
      expect(
        (await api.updateEnvironment({ input: { project: project.slug, name: env.name, isProtected } }))
          .updateEnvironment,
        "EnvironmentPayload",
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.project(project.slug) }),
  });
  return (
    <tr className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 sm:table-row sm:p-0">
      <td className="w-full break-all sm:w-auto sm:px-3 sm:py-2">
        <Link
          to="/projects/$project/environments/$environment"
          params={{ project: project.slug, environment: env.name }}
          className="font-mono font-medium text-indigo-700 hover:underline dark:text-indigo-400"
        >
          {env.name}
        </Link>
      </td>
      <td className={cell}>
        {env.isDefault ? (
          <Badge>default</Badge>
        ) : isPreview ? (
          <Badge tone="amber">preview</Badge>
        ) : (
          <Badge tone="indigo">custom</Badge>
        )}
      </td>
      <td className={cell}>
        {env.isProtected ? (
          <Badge tone="amber">protected</Badge>
        ) : (
          <span className="hidden text-zinc-500 sm:inline">no</span>
        )}
      </td>
      <td
        className={cx(
          cell,
          "tabular-nums before:text-zinc-500 before:content-['revision_'] sm:text-right sm:before:content-none",
        )}
      >
        {env.revision}
      </td>
      <td
        className={cx(
          cell,
          "tabular-nums before:text-zinc-500 before:content-['variables_'] sm:text-right sm:before:content-none",
        )}
      >
        {env.viewerCanRead ? env.variableCount : <span title="You may not read this environment.">—</span>}
      </td>
      <td className="ml-auto sm:px-3 sm:py-2">
        <div className="flex flex-wrap items-center justify-end gap-1">
          {/* Previews are never protected: no Protect for them (Unprotect stays for an old protected one). */}
          {(env.isProtected || !env.name.startsWith("preview/")) && (
            <Button
              variant="ghost"
              aria-label={`${env.isProtected ? "Unprotect" : "Protect"} ${env.name}`}
              disabledReason={manageReason}
              disabled={protect.isPending}
              onClick={() => protect.mutate(!env.isProtected)}
            >
              {env.isProtected ? "Unprotect" : "Protect"}
            </Button>
          )}
          <DeleteEnvironment
            project={project}
            env={env}
            disabledReason={
              env.isDefault
                ? "Default environments (development, preview, production) always exist and cannot be deleted."
                : manageReason
            }
          />
        </div>
        {protect.error && <FormError error={protect.error} />}
      </td>
    </tr>
  );
}

function DeleteEnvironment({
  project,
  env,
  disabledReason,
}: {
  project: Project;
  env: Environment;
  disabledReason: string | null;
}) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const mapped = project.mapping.filter((m) => m.environment.name === env.name).map((m) => m.branch);
  const remove = useMutation({
    mutationFn: async () =>
      expect(
        (await api.deleteEnvironment({ input: { project: project.slug, name: env.name } })).deleteEnvironment,
        "DeleteEnvironmentPayload",
      ),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        onClick={() => setOpen(true)}
        disabledReason={disabledReason}
        aria-label={`Delete ${env.name}`}
      >
        Delete
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${env.name}?`}
        description={`Its ${variables(env.variableCount)}, secrets and branch overrides are deleted. This cannot be undone.`}
      >
        <div className="flex flex-col gap-3">
          {mapped.length > 0 && (
            <p className="text-sm">
              These mapping entries deploy with it and are removed:{" "}
              <span className="font-mono">{mapped.join(", ")}</span>. Those branches then follow the wildcard.
            </p>
          )}
          <FormError error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Delete environment
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}

/** The create dialog: name, protection and an optional source; a source opens the seeding wizard. */
function CreateEnvironment({
  project,
  onClose,
  onCreated,
}: {
  project: Project;
  onClose: () => void;
  onCreated: (result: SeedResult) => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [isProtected, setProtected] = useState(false);
  const [from, setFrom] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [reviewing, setReviewing] = useState(false);
  const create = useMutation({
    mutationFn: async () =>
      expect(
        (await api.createEnvironment({ input: { project: project.slug, name, isProtected } })).createEnvironment,
        "EnvironmentPayload",
      ),
    onSuccess: async (payload) => {
      await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
      onCreated({ name: payload.environment.name, seed: null });
    },
  });
  const failure = create.error instanceof ResultError ? create.error : null;
  const serverNameError =
    failure?.forField("name") ?? (failure?.result.__typename === "ConflictError" ? failure.message : undefined);
  const sources = project.environments.filter((e) => e.viewerCanRead);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problem = nameProblem(name, project);
    setNameError(problem);
    if (problem) return;
    if (from) setReviewing(true);
    else create.mutate();
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={reviewing ? `Seed ${name} from ${from}` : "New environment"}
      description={
        reviewing
          ? "Decide for each variable of the source. Secret values are never shown: re-enter them or skip them."
          : "A custom environment: its own variables, deployable by mapping a branch to it."
      }
      wide={reviewing}
    >
      {reviewing ? (
        <SeedWizard
          project={project}
          name={name}
          from={from}
          isProtected={isProtected}
          onBack={(error) => {
            setReviewing(false);
            if (error) setNameError(error);
          }}
          onDone={async (result) => {
            await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
            onCreated(result);
          }}
        />
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
          <Field
            label="Name"
            name="name"
            value={name}
            onChange={(e) => {
              setName(e.target.value.trim());
              setNameError(null);
              create.reset();
            }}
            placeholder="staging"
            autoComplete="off"
            autoFocus
            error={nameError ?? serverNameError}
            hint="Lower-case letters, digits, - and _ (e.g. staging)."
          />
          <div className="flex flex-col gap-1">
            <label htmlFor="seed-from" className="text-sm font-medium">
              Seed from
            </label>
            <select
              id="seed-from"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            >
              <option value="">Nothing (start empty)</option>
              {sources.map((e) => (
                <option key={e.id} value={e.name}>
                  {e.name} ({variables(e.variableCount)})
                </option>
              ))}
            </select>
            <p className="text-xs text-zinc-500">You review every variable of the source before anything is written.</p>
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={isProtected} onChange={(e) => setProtected(e.target.checked)} />
            Protected (only admins and owners change its variables)
          </label>
          <FormError error={create.error && !serverNameError ? create.error : null} />
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={create.isPending}>
              {from ? "Review variables" : "Create environment"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** The browser-side check of a new environment's name (the same rule the server applies). */
function nameProblem(name: string, project: Project): string | null {
  const parsed = environmentName.safeParse(name);
  if (!parsed.success) return parsed.error.issues[0].message;
  if (project.environments.some((e) => e.name === name))
    return `Environment "${name}" already exists in this project. Pick another name.`;
  return null;
}

function CreatedNotice({ result, onDismiss }: { result: SeedResult; onDismiss: () => void }) {
  const seed = result.seed;
  return (
    <div
      role="status"
      className="mb-4 flex flex-wrap items-start justify-between gap-2 rounded-lg border border-green-300 bg-green-50 p-3 text-sm dark:border-green-800 dark:bg-green-950"
    >
      <p>
        Created <span className="font-mono font-medium">{result.name}</span>
        {seed
          ? `: ${seed.copied.length} copied, ${seed.edited.length} with a new value, ${seed.skipped.length} skipped.`
          : "."}
      </p>
      <Button variant="ghost" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </Button>
    </div>
  );
}

/** "1 variable", "3 variables". */
function variables(count: number): string {
  return `${count} ${count === 1 ? "variable" : "variables"}`;
}
