/**
 * Preview environments of a project: the list (branch, environment, source, URL), creating one
 * (a server-side clone of the environment the branch deploys with, plus KEY=VALUE lines where
 * ${PREVIEW_URL} becomes the URL) and deleting one. Admins and owners manage them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { type FormEvent, useId, useState } from "react";
import { formatDate, selectClass, TableBox, TableHead, tableClass, tdClass } from "../components/tokens.js";
import {
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  FormError,
  PageHeader,
  Spinner,
  TextArea,
} from "../components/ui.js";
import { api, expect, type PreviewFieldsFragment, ResultError } from "../lib/api.js";
import { keys, useProject } from "../lib/queries.js";

const previewKeys = { list: (slug: string) => ["project", slug, "previews"] as const };

export function PreviewsPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/previews" });
  const previews = useQuery({
    queryKey: previewKeys.list(slug),
    queryFn: async () => {
      const project = (await api.previews({ slug })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return project;
    },
  });
  const [creating, setCreating] = useState(false);
  const canManage = previews.data?.viewerCanManageEnvironments === true && previews.data.viewerCanManageMapping;
  return (
    <div>
      <PageHeader
        title="Previews"
        subtitle="One environment per project branch, cloned from the one it deploys with (secrets included)."
        actions={
          <Button
            variant="primary"
            onClick={() => setCreating(true)}
            disabled={!previews.data}
            disabledReason={
              previews.data && !canManage ? "Only admins and owners of this project create previews." : null
            }
          >
            New preview
          </Button>
        }
      />
      {previews.isPending ? (
        <Spinner />
      ) : previews.isError ? (
        <ErrorState error={previews.error} retry={() => previews.refetch()} />
      ) : previews.data.previews.length === 0 ? (
        <EmptyState title="No preview environments">
          Create one for a branch's deployment: it gets its own copy of the variables, and the branch deploys with it.
          From the CLI: <code>envplane preview create &lt;branch&gt; --url &lt;url&gt;</code>.
        </EmptyState>
      ) : (
        <TableBox label="Preview environments">
          <table className={tableClass}>
            <TableHead columns={["Branch", "Environment", "Cloned from", "URL", "Variables", "Created"]} actions />
            <tbody>
              {previews.data.previews.map((p) => (
                <tr key={p.id}>
                  <td className={cx(tdClass, "whitespace-nowrap font-mono text-xs")}>{p.previewBranch?.name ?? "—"}</td>
                  <td className={cx(tdClass, "whitespace-nowrap")}>
                    <Link
                      to="/projects/$project/environments/$environment"
                      params={{ project: slug, environment: p.name }}
                      className="font-mono text-xs text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {p.name}
                    </Link>
                  </td>
                  <td className={cx(tdClass, "font-mono text-xs")}>{p.previewOf?.name ?? "(deleted)"}</td>
                  <td className={cx(tdClass, "whitespace-nowrap text-xs")}>
                    {p.url ? (
                      <a
                        href={p.url}
                        target="_blank"
                        rel="noopener noreferrer"
                        className="text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {p.url}
                      </a>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className={tdClass}>{p.variableCount}</td>
                  <td className={cx(tdClass, "whitespace-nowrap")}>{formatDate(p.createdAt)}</td>
                  <td className={cx(tdClass, "text-right")}>
                    <DeletePreview slug={slug} preview={p} canManage={canManage} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <CreatePreview slug={slug} open={creating} onOpenChange={setCreating} />
    </div>
  );
}

function DeletePreview({
  slug,
  preview,
  canManage,
}: {
  slug: string;
  preview: PreviewFieldsFragment;
  canManage: boolean;
}) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const branch = preview.previewBranch?.name ?? "";
  const remove = useMutation({
    mutationFn: async () =>
      expect((await api.deletePreview({ input: { project: slug, branch } })).deletePreview, "DeletePreviewPayload"),
    onSuccess: async () => {
      setOpen(false);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: previewKeys.list(slug) }),
        queryClient.invalidateQueries({ queryKey: keys.project(slug), exact: true }),
      ]);
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        aria-label={`Delete preview ${preview.name}`}
        disabledReason={canManage ? null : "Only admins and owners of this project delete previews."}
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
      >
        Delete
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${preview.name}?`}
        description={
          <>
            Its variables and history are deleted. Project branch <span className="font-mono">{branch}</span> stays and
            deploys with the environment the mapping gives it.
          </>
        }
      >
        <div className="flex flex-col gap-3">
          <FormError error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Delete preview
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}

/** KEY=VALUE lines (blank lines and # comments skipped); a line without "=" is an error naming it. */
function parseLines(text: string): { overrides: { key: string; value: string }[]; error: string | null } {
  const overrides: { key: string; value: string }[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/\r$/, "");
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at <= 0) return { overrides, error: `Line ${i + 1} is not KEY=VALUE.` };
    overrides.push({ key: line.slice(0, at).trim(), value: line.slice(at + 1) });
  }
  return { overrides, error: null };
}

/** The server's message about the overrides (path overrides.<i>.…), said with the key it concerns. */
function overridesError(error: unknown, overrides: { key: string }[]): string | undefined {
  if (!(error instanceof ResultError)) return undefined;
  const found = error.result.fieldErrors?.find((e) => e.path[0] === "overrides");
  if (!found) return undefined;
  const key = overrides[Number(found.path[1])]?.key;
  return key ? `${key}: ${found.message}` : found.message;
}

function CreatePreview({
  slug,
  open,
  onOpenChange,
}: {
  slug: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const project = useProject(slug);
  const fromId = useId();
  const [from, setFrom] = useState("");
  const bindingList = useQuery({
    queryKey: [...previewKeys.list(slug), "bindings"],
    queryFn: async () => (await api.bindings({ slug })).project?.bindings ?? [],
    enabled: open,
  });
  const [sent, setSent] = useState<{ key: string }[]>([]);
  const [lineError, setLineError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async (input: {
      branch: string;
      url: string;
      from?: string;
      overrides: { key: string; value: string }[];
      bindings: { binding: string; share?: boolean; value?: string }[];
    }) =>
      expect((await api.createPreview({ input: { project: slug, ...input } })).createPreview, "CreatePreviewPayload"),
    onSuccess: async () => {
      onOpenChange(false);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: previewKeys.list(slug) }),
        queryClient.invalidateQueries({ queryKey: keys.project(slug), exact: true }),
      ]);
    },
  });
  const error = (field: string) => (create.error instanceof ResultError ? create.error.forField(field) : undefined);
  const valuesError = lineError ?? overridesError(create.error, sent);
  const shownElsewhere =
    create.error instanceof ResultError &&
    (["branch", "url", "from"].some((f) => create.error instanceof ResultError && create.error.forField(f)) ||
      !!overridesError(create.error, sent));
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const { overrides, error: bad } = parseLines(String(form.get("values") ?? ""));
    setLineError(bad);
    if (bad) return;
    setSent(overrides);
    // Per binding with a credential: share the source's, or the preview's own (a hidden input); "skip" sends nothing.
    const bindings = (bindingList.data ?? []).flatMap((b): { binding: string; share?: boolean; value?: string }[] => {
      const choice = String(form.get(`binding-${b.name}`) ?? "skip");
      if (choice === "share") return [{ binding: b.name, share: true }];
      if (choice === "own") return [{ binding: b.name, value: String(form.get(`binding-value-${b.name}`) ?? "") }];
      return [];
    });
    create.mutate({
      bindings,
      branch: String(form.get("branch") ?? "").trim(),
      url: String(form.get("url") ?? "").trim(),
      from: String(form.get("from") ?? "") || undefined,
      overrides,
    });
  }
  const environments = (project.data?.environments ?? []).filter((e) => !e.name.startsWith("preview/"));
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) {
          create.reset();
          setLineError(null);
        }
        onOpenChange(next);
      }}
      title="New preview environment"
      description="Cloned on the server, secrets included; the branch then deploys with it. Values never reach this page."
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <Field
          label="Project branch"
          name="branch"
          required
          placeholder="feature/login"
          autoComplete="off"
          error={error("branch")}
          hint="Created when it does not exist. Its environment is preview/<branch>, e.g. preview/feature-login."
        />
        <Field
          label="Deployment URL"
          name="url"
          type="url"
          required
          placeholder="https://pr-42.example.com"
          autoComplete="off"
          error={error("url")}
        />
        <div className="flex flex-col gap-1">
          <label htmlFor={fromId} className="text-sm font-medium">
            Clone from
          </label>
          <select
            id={fromId}
            name="from"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            className={selectClass}
            aria-invalid={!!error("from")}
            aria-describedby={error("from") ? `${fromId}-error` : undefined}
          >
            <option value="">The environment the branch deploys with now</option>
            {environments.map((e) => (
              <option key={e.id} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
          {error("from") && (
            <p id={`${fromId}-error`} role="alert" className="text-xs text-red-600 dark:text-red-400">
              {error("from")}
            </p>
          )}
        </div>
        {(bindingList.data ?? []).map((b) => (
          <BindingChoice key={`${b.name}:${from}`} binding={b} from={from} />
        ))}
        <TextArea
          label="Values to set (optional, KEY=VALUE per line)"
          name="values"
          rows={4}
          placeholder={"APP_URL=${PREVIEW_URL}\nLOG_LEVEL=debug"}
          spellCheck={false}
          error={valuesError}
        />
        <p className="-mt-3 text-xs text-zinc-500">
          <code>{"${PREVIEW_URL}"}</code> in a value becomes the deployment URL.
        </p>
        <FormError error={shownElsewhere ? null : create.error} />
        <div className="flex justify-end gap-2">
          <Button type="button" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create preview
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A service binding's credential for the new preview: the source's (shared), its own value, or none. */
function BindingChoice({
  binding,
  from,
}: {
  binding: { name: string; variable: string; environments: string[] };
  from: string;
}) {
  const id = useId();
  const inSource = from ? binding.environments.includes(from) : binding.environments.length > 0;
  const [choice, setChoice] = useState(inSource ? "share" : "skip");
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        Binding {binding.name} ({binding.variable})
      </label>
      <select
        id={id}
        name={`binding-${binding.name}`}
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
        className={selectClass}
      >
        <option value="share">Share the source's credential</option>
        <option value="own">Its own credential</option>
        <option value="skip">No credential (the source has none)</option>
      </select>
      {choice === "own" && (
        <input
          type="password"
          name={`binding-value-${binding.name}`}
          aria-label={`Credential of ${binding.name}`}
          autoComplete="off"
          required
          className={selectClass}
        />
      )}
    </div>
  );
}
