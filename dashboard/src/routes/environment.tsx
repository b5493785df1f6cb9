/**
 * An environment: its base variables, each with its branch overrides as sub-rows; add, edit, delete,
 * set and remove overrides; "view as branch" (what a project branch gets here); bulk edit (environment-bulk).
 * Secret values never reach the browser: the API returns null for them and the screen shows ••••.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type FormEvent, type ReactNode, useEffect, useMemo, useState } from "react";
import { resolveBranch } from "../../../core/mapping.js";
import { check, variableKey, variableValue } from "../../../core/names.js";
import { ManagedBadge, managedReason } from "../components/binding.js";
import { PreviewOrigin } from "../components/preview-info.js";
import { ResolvedHint } from "../components/reference.js";
import {
  Badge,
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  FormError,
  PageHeader,
  Spinner,
  TextArea,
} from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import {
  type EnvironmentWithVariables,
  type Override,
  SECRET_RULES,
  useEnvironmentVariables,
  usePulledForBranch,
  type Variable,
} from "../lib/environment.js";
import { useFullValue } from "../lib/full-value.js";
import { keys, type Project, useProject } from "../lib/queries.js";
import { BulkEdit } from "./environment-bulk.js";
import { EditNote, NoteText } from "./environment-note.js";

/** The API's mask for a secret (4 dots, as everywhere else): never split over two lines. */
const MASK = "••••";
const ROUTE = "/app/projects/$project/environments/$environment" as const;
const NO_OVERRIDES_ON_DEVELOPMENT =
  '"development" has no branch overrides: it is used for local runs and is not mapped to any project branch.';

/** Why the viewer may not change this environment; null when they may. */
function writeDenied(project: Project, env: EnvironmentWithVariables): string | null {
  if (env.viewerCanWrite) return null;
  if (project.viewerRole === "VIEWER") return "Viewers can read variables but not change them (your role: viewer).";
  if (env.isProtected) return `"${env.name}" is protected: only admins and owners of the project change it.`;
  return `You cannot change "${env.name}".`;
}

export function EnvironmentPage() {
  const { project: slug, environment: name } = useParams({ from: ROUTE });
  const search = useSearch({ from: ROUTE });
  const project = useProject(slug);
  const env = useEnvironmentVariables(slug, name);
  if (project.isPending || env.isPending) return <Spinner label="Loading variables…" />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  if (env.isError) return <ErrorState error={env.error} retry={() => env.refetch()} />;
  return <Environment project={project.data} env={env.data} branch={search.branch} highlight={search.key} />;
}

type Action =
  | { kind: "add" }
  | { kind: "edit"; variable: Variable }
  | { kind: "note"; variable: Variable }
  | { kind: "delete"; variable: Variable }
  | { kind: "override"; variable: Variable; branch?: string }
  | { kind: "unoverride"; variable: Variable; override: Override }
  | { kind: "bulk" };

function Environment({
  project,
  env,
  branch,
  highlight,
}: {
  project: Project;
  env: EnvironmentWithVariables;
  branch?: string;
  highlight?: string;
}) {
  const navigate = useNavigate({ from: "/projects/$project/environments/$environment" });
  const [action, setAction] = useState<Action | null>(null);
  /** The last action's outcome, for the view (branch) it was done in: another view drops it. */
  const [notice, setNotice] = useState<{ text: string; branch?: string } | null>(null);
  if (notice && notice.branch !== branch) setNotice(null);
  const [filter, setFilter] = useState("");
  const denied = writeDenied(project, env);
  const isDevelopment = env.name === "development";
  const close = () => setAction(null);
  const done = (message: string) => {
    setNotice({ text: message, branch });
    setAction(null);
  };
  const shown = filter
    ? env.variables.filter((v) => v.key.toLowerCase().includes(filter.trim().toLowerCase()))
    : env.variables;

  return (
    <div>
      <div className="mb-1 text-sm text-zinc-500">
        <Link to="/projects/$project/environments" params={{ project: project.slug }} className="hover:underline">
          Environments
        </Link>{" "}
        / <span className="font-mono">{env.name}</span>
      </div>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono">{env.name}</span>
            <Badge tone="indigo">Revision {env.revision}</Badge>
            {env.isProtected && <Badge tone="amber">protected</Badge>}
            {env.isDefault && <Badge>default</Badge>}
          </span>
        }
        subtitle={`${env.variables.length} ${env.variables.length === 1 ? "variable" : "variables"}`}
        actions={
          <>
            <Button variant="primary" onClick={() => setAction({ kind: "add" })} disabledReason={denied}>
              Add variable
            </Button>
            <Button onClick={() => setAction({ kind: "bulk" })} disabledReason={denied}>
              Bulk edit (.env)
            </Button>
            <Link
              to="/projects/$project/environments/$environment/history"
              params={{ project: project.slug, environment: env.name }}
              className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
            >
              History
            </Link>
          </>
        }
      />
      <PreviewOrigin slug={project.slug} envId={env.id} />
      {denied && (
        <p className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Read-only: {denied}
        </p>
      )}
      <div className="mb-3 flex flex-wrap items-end gap-3">
        {/* development has no branch overrides: a branch view would show nothing more. */}
        {!isDevelopment && (
          <label className="flex flex-col gap-1 text-sm font-medium">
            View as branch
            <select
              className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              value={branch ?? ""}
              onChange={(e) => navigate({ search: (s) => ({ ...s, branch: e.target.value || undefined }) })}
            >
              <option value="">No branch (base values and overrides)</option>
              {project.branches.map((b) => (
                <option key={b.id} value={b.name}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {(!branch || isDevelopment) && (
          <label className="flex flex-col gap-1 text-sm font-medium">
            Filter keys
            <input
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="e.g. DATABASE"
              className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            />
          </label>
        )}
        {isDevelopment && <p className="pb-1.5 text-xs text-zinc-500">{NO_OVERRIDES_ON_DEVELOPMENT}</p>}
      </div>
      {notice && (
        <p role="status" className="mb-3 text-sm text-emerald-700 dark:text-emerald-400">
          {notice.text}
        </p>
      )}
      {!env.viewerCanRead ? (
        <EmptyState title="You cannot read this environment" />
      ) : branch && !isDevelopment ? (
        <ResolvedView project={project} env={env} branch={branch} />
      ) : env.variables.length === 0 ? (
        <EmptyState title="No variables yet">
          Add one here, paste a .env file with Bulk edit, or run <code>envplane env push --env {env.name}</code>.
        </EmptyState>
      ) : (
        <VariableTable
          slug={project.slug}
          env={env}
          variables={shown}
          denied={denied}
          overrideDenied={isDevelopment ? NO_OVERRIDES_ON_DEVELOPMENT : denied}
          highlight={highlight}
          onAction={setAction}
        />
      )}
      {highlight && !env.variables.some((v) => v.key === highlight) && (
        <p className="mt-2 text-sm text-zinc-500">
          There is no variable <code>{highlight}</code> in {env.name}.
        </p>
      )}

      {action?.kind === "add" && <AddVariable project={project} env={env} onClose={close} onDone={done} />}
      {action?.kind === "edit" && (
        <EditValue project={project} env={env} variable={action.variable} onClose={close} onDone={done} />
      )}
      {action?.kind === "note" && (
        <EditNote project={project} env={env} variable={action.variable} onClose={close} onDone={done} />
      )}
      {action?.kind === "delete" && (
        <DeleteVariable project={project} env={env} variable={action.variable} onClose={close} onDone={done} />
      )}
      {action?.kind === "override" && (
        <SetOverride
          project={project}
          env={env}
          variable={action.variable}
          branch={action.branch}
          onClose={close}
          onDone={done}
        />
      )}
      {action?.kind === "unoverride" && (
        <RemoveOverride
          project={project}
          env={env}
          variable={action.variable}
          override={action.override}
          onClose={close}
          onDone={done}
        />
      )}
      {action?.kind === "bulk" && <BulkEdit project={project} env={env} onClose={close} onDone={done} />}
    </div>
  );
}

/**
 * A listed value: its preview (first 12 characters and …); the full value only when the viewer asks for it
 * (the button), read then from the server. Secrets: the mask, always.
 */
function ListedValue({
  project,
  env,
  variableKey,
  branch,
  preview,
  secret,
}: {
  project: string;
  env: string;
  variableKey: string;
  branch?: string;
  preview: string | null | undefined;
  secret: boolean;
}) {
  const [shown, setShown] = useState(false);
  const truncated = !secret && !!preview?.endsWith("…");
  if (!truncated) return <Value value={preview} secret={secret} short />;
  const label = `${shown ? "Hide" : "Show"} the full value of ${variableKey}${branch ? ` for ${branch}` : ""}`;
  return (
    <span className="flex flex-wrap items-baseline gap-1.5">
      {shown ? (
        <FullValue project={project} env={env} variableKey={variableKey} branch={branch} />
      ) : (
        <Value value={preview} secret={false} short />
      )}
      <button
        type="button"
        aria-label={label}
        aria-expanded={shown}
        onClick={() => setShown(!shown)}
        className="rounded px-1 text-xs text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
      >
        {shown ? "hide" : "show"}
      </button>
    </span>
  );
}

function FullValue({
  project,
  env,
  variableKey,
  branch,
}: {
  project: string;
  env: string;
  variableKey: string;
  branch?: string;
}) {
  const full = useFullValue(project, env, variableKey);
  if (full.isPending) return <span className="text-xs text-zinc-500">Loading…</span>;
  if (full.isError)
    return (
      <span role="alert" className="text-xs text-red-600 dark:text-red-400">
        {full.error.message}
      </span>
    );
  const value = branch ? full.data.overrides.find((o) => o.branch.name === branch)?.value : full.data.value;
  return <Value value={value ?? ""} secret={false} />;
}

/** `short`: a preview (at most 12 characters and …), kept on one line rather than split mid-word. */
function Value({ value, secret, short }: { value: string | null | undefined; secret: boolean; short?: boolean }) {
  if (secret || value == null)
    return (
      <span className="font-mono text-zinc-400" title="Secret: write-only, never shown">
        <span aria-hidden="true" className="whitespace-nowrap">
          {MASK}
        </span>
        <span className="sr-only">secret value hidden</span>
      </span>
    );
  if (value === "") return <span className="text-zinc-400 italic">(empty)</span>;
  return <span className={cx("font-mono", short ? "whitespace-pre" : "break-all whitespace-pre-wrap")}>{value}</span>;
}

/** A key that wraps only after an underscore (DATABASE_/URL), never inside a word. */
function KeyName({ name }: { name: string }) {
  const parts = name.split("_");
  return (
    <span className="break-normal" title={name}>
      {parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
        <span key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              _<wbr />
            </>
          )}
        </span>
      ))}
    </span>
  );
}

/** The type, and "secret via reference" for a standard value that references a secret project variable. */
const typeBadge = (v: { isSecret: boolean; resolvesAsSecret: boolean }) =>
  v.isSecret ? (
    <Badge tone="amber">secret</Badge>
  ) : v.resolvesAsSecret ? (
    <Badge tone="amber">secret via reference</Badge>
  ) : (
    <Badge>standard</Badge>
  );
/** A row's buttons: one under the other on narrow screens, side by side from sm up. */
const rowActions = "flex flex-col items-end sm:flex-row sm:justify-end";
const th = "px-3 py-2 text-left text-xs font-medium tracking-wide text-zinc-500 uppercase";
const td = "px-3 py-1.5 align-middle";

function VariableTable({
  slug,
  env,
  variables,
  denied,
  overrideDenied,
  highlight,
  onAction,
}: {
  slug: string;
  env: EnvironmentWithVariables;
  variables: Variable[];
  denied: string | null;
  overrideDenied: string | null;
  highlight?: string;
  onAction: (action: Action) => void;
}) {
  useEffect(() => {
    if (!highlight) return;
    document.getElementById(rowId(highlight))?.scrollIntoView({ block: "center" });
  }, [highlight]);
  if (variables.length === 0) return <EmptyState title="No key matches the filter" />;
  return (
    <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      {/* Narrow screens: no Type column (the type goes under the key), actions stacked: every row fits. */}
      <table className="w-full text-sm sm:min-w-[640px]">
        <caption className="sr-only">Variables of {env.name}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900">
          <tr>
            <th className={th}>Key</th>
            <th className={th}>Value</th>
            <th className={cx(th, "hidden sm:table-cell")}>Type</th>
            <th className={cx(th, "text-right")}>Actions</th>
          </tr>
        </thead>
        {variables.map((v) => (
          <tbody key={v.id} className="border-b border-zinc-200 last:border-0 dark:border-zinc-800">
            <tr
              id={rowId(v.key)}
              aria-label={v.key}
              aria-current={highlight === v.key ? "true" : undefined}
              className={cx(
                highlight === v.key && "bg-indigo-50 outline-2 -outline-offset-2 outline-indigo-500 dark:bg-indigo-950",
              )}
            >
              <td className={cx(td, "font-mono font-medium")}>
                <KeyName name={v.key} />
                <NoteText note={v.note} />
                <span className="mt-1 flex flex-wrap gap-1 font-sans sm:hidden">
                  {typeBadge(v)}
                  <ManagedBadge variable={v} />
                </span>
              </td>
              <td className={td}>
                <ListedValue
                  project={slug}
                  env={env.name}
                  variableKey={v.key}
                  preview={v.preview}
                  secret={v.isSecret}
                />
                <div className="resolved-hint">
                  <ResolvedHint item={v} />
                </div>
              </td>
              <td className={cx(td, "hidden sm:table-cell")}>
                <span className="flex flex-wrap gap-1">
                  {typeBadge(v)}
                  <ManagedBadge variable={v} />
                </span>
              </td>
              <td className={cx(td, "text-right whitespace-nowrap")}>
                <div className={rowActions}>
                  <Button
                    variant="ghost"
                    aria-label={v.isSecret ? `Overwrite ${v.key}` : `Edit ${v.key}`}
                    disabledReason={managedReason(v, env.name) ?? denied}
                    onClick={() => onAction({ kind: "edit", variable: v })}
                  >
                    {v.isSecret ? "Overwrite" : "Edit"}
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={v.note ? `Edit the note of ${v.key}` : `Add a note to ${v.key}`}
                    disabledReason={denied}
                    onClick={() => onAction({ kind: "note", variable: v })}
                  >
                    Note
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={`Override ${v.key} for a branch`}
                    disabledReason={managedReason(v, env.name) ?? overrideDenied}
                    onClick={() => onAction({ kind: "override", variable: v })}
                  >
                    Override
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={`Delete ${v.key}`}
                    disabledReason={managedReason(v, env.name) ?? denied}
                    onClick={() => onAction({ kind: "delete", variable: v })}
                  >
                    Delete
                  </Button>
                </div>
              </td>
            </tr>
            {v.overrides.map((o) => (
              <tr
                key={o.id}
                aria-label={`${v.key} override for ${o.branch.name}`}
                className="bg-zinc-50/70 dark:bg-zinc-900/60"
              >
                <td className={cx(td, "pl-8")}>
                  <span className="flex flex-wrap items-center gap-1.5">
                    <span aria-hidden="true" className="text-zinc-400">
                      ↳
                    </span>
                    <Badge tone="indigo">{o.branch.name}</Badge>
                    <span className="text-xs text-zinc-500">override</span>
                  </span>
                </td>
                <td className={td}>
                  <ListedValue
                    project={slug}
                    env={env.name}
                    variableKey={v.key}
                    branch={o.branch.name}
                    preview={o.preview}
                    secret={v.isSecret}
                  />
                  <div className="resolved-hint">
                    <ResolvedHint item={o} />
                  </div>
                </td>
                <td className={cx(td, "hidden sm:table-cell")} />
                <td className={cx(td, "text-right whitespace-nowrap")}>
                  <div className={rowActions}>
                    <Button
                      variant="ghost"
                      aria-label={`Edit ${v.key} override for ${o.branch.name}`}
                      disabledReason={overrideDenied}
                      onClick={() => onAction({ kind: "override", variable: v, branch: o.branch.name })}
                    >
                      {v.isSecret ? "Overwrite" : "Edit"}
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Remove ${v.key} override for ${o.branch.name}`}
                      disabledReason={overrideDenied}
                      onClick={() => onAction({ kind: "unoverride", variable: v, override: o })}
                    >
                      Remove
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

const rowId = (key: string) => `variable-${key}`;

/** What `branch` gets here: the server's resolution for standard values; secrets by key, marked by their source. */
function ResolvedView({ project, env, branch }: { project: Project; env: EnvironmentWithVariables; branch: string }) {
  const pulled = usePulledForBranch(project.slug, env.name, branch);
  const rows = useMemo(() => {
    if (!pulled.data) return [];
    const secretFromOverride = new Map(
      env.variables.filter((v) => v.isSecret).map((v) => [v.key, v.overrides.some((o) => o.branch.name === branch)]),
    );
    return [
      ...pulled.data.variables.map((v) => ({
        key: v.key,
        value: v.value,
        secret: false,
        fromOverride: v.fromOverride,
      })),
      ...pulled.data.excludedSecrets.map((key) => ({
        key,
        value: null,
        secret: true,
        fromOverride: secretFromOverride.get(key) ?? false,
      })),
    ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }, [pulled.data, env.variables, branch]);
  const deploysHere = resolveBranch(
    project.mapping.map((m) => ({ branch: m.branch, environment: m.environment.name })),
    branch,
  ).environment;
  if (pulled.isPending) return <Spinner label={`Resolving for ${branch}…`} />;
  if (pulled.isError) return <ErrorState error={pulled.error} retry={() => pulled.refetch()} />;
  const overridden = rows.filter((r) => r.fromOverride).length;
  return (
    <section aria-label={`Resolved for branch ${branch}`}>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
        What project branch <Badge tone="indigo">{branch}</Badge> gets in <span className="font-mono">{env.name}</span>:
        the base values, with its {overridden} {overridden === 1 ? "override" : "overrides"} in their place (revision{" "}
        {pulled.data.revision}).
        {deploysHere !== env.name && (
          <>
            {" "}
            Note: the branch mapping deploys {branch} with "{deploysHere}", not with this environment.
          </>
        )}
      </p>
      {rows.length === 0 ? (
        <EmptyState title="No variables" />
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full min-w-[560px] text-sm">
            <caption className="sr-only">
              Variables of {env.name} resolved for branch {branch}
            </caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900">
              <tr>
                <th className={th}>Key</th>
                <th className={th}>Value</th>
                <th className={th}>From</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={r.key}
                  aria-label={r.key}
                  className="border-b border-zinc-200 last:border-0 dark:border-zinc-800"
                >
                  <td className={cx(td, "font-mono font-medium break-all")}>{r.key}</td>
                  <td className={td}>
                    <Value value={r.value} secret={r.secret} />
                  </td>
                  <td className={td}>
                    <span className="flex flex-wrap gap-1.5">
                      {r.fromOverride ? <Badge tone="indigo">override · {branch}</Badge> : <Badge>base</Badge>}
                      {r.secret && <Badge tone="amber">secret</Badge>}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Dialogs

interface DialogProps {
  project: Project;
  env: EnvironmentWithVariables;
  onClose: () => void;
  onDone: (message: string) => void;
}

/** A mutation whose success refreshes the project's queries (this environment, its revision elsewhere). */
function useWrite<I, R>(slug: string, run: (input: I) => Promise<R>, onSuccess: (result: R) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: keys.project(slug) });
      onSuccess(result);
    },
  });
}

function firstError(errors: { message: string }[]): string | null {
  return errors[0]?.message ?? null;
}

/** The server's error for `field`, else the browser's; plus a form-level error for anything else. */
function errorsOf(error: unknown, fields: string[]) {
  const result = error instanceof ResultError ? error : null;
  const forField = (f: string) => result?.forField(f) ?? null;
  const named = result && fields.some((f) => forField(f));
  return { forField, form: error && !named ? error : null };
}

function Actions({
  onClose,
  submit,
  pending,
  danger,
}: {
  onClose: () => void;
  submit: ReactNode;
  pending: boolean;
  danger?: boolean;
}) {
  return (
    <div className="flex justify-end gap-2">
      <Button onClick={onClose}>Cancel</Button>
      <Button type="submit" variant={danger ? "danger" : "primary"} disabled={pending}>
        {submit}
      </Button>
    </div>
  );
}

function SecretCheckbox({
  checked,
  onChange,
  error,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | null;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label className="flex items-center gap-2 text-sm font-medium">
        <input
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby="secret-rules"
          aria-invalid={!!error}
        />
        Secret (write-only, can't be undone)
      </label>
      <p id="secret-rules" className="text-xs text-zinc-500">
        {SECRET_RULES}
      </p>
      {error && (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

function AddVariable({ project, env, onClose, onDone }: DialogProps) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [secret, setSecret] = useState(false);
  const [local, setLocal] = useState<{ key?: string | null; value?: string | null }>({});
  const write = useWrite(
    project.slug,
    async () =>
      expect(
        (await api.setVariable({ input: { project: project.slug, environment: env.name, key, value, secret } }))
          .setVariable,
        "SetVariablePayload",
      ),
    (r) => onDone(`Added ${r.isSecret ? "secret " : ""}${r.key} (revision ${r.revision}).`),
  );
  const server = errorsOf(write.error, ["key", "value", "secret"]);
  function submit(event: FormEvent) {
    event.preventDefault();
    const keyError = env.variables.some((v) => v.key === key)
      ? `${key} already exists in ${env.name}. Use Edit on its row to change its value.`
      : firstError(check(variableKey, key, []));
    const valueError = firstError(check(variableValue, value, []));
    setLocal({ key: keyError, value: valueError });
    write.reset();
    if (!keyError && !valueError) write.mutate(undefined);
  }
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Add a variable to ${env.name}`}>
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <KeyField value={key} onChange={setKey} error={local.key ?? server.forField("key")} />
        <TextArea
          label="Value"
          rows={3}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={local.value ?? server.forField("value")}
          autoComplete="off"
          spellCheck={false}
        />
        <SecretCheckbox checked={secret} onChange={setSecret} error={server.forField("secret")} />
        <FormError error={server.form} />
        <Actions onClose={onClose} submit="Add variable" pending={write.isPending} />
      </form>
    </Dialog>
  );
}

function KeyField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string | null }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor="variable-key" className="text-sm font-medium">
        Key
      </label>
      <input
        id="variable-key"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="DATABASE_URL"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={!!error}
        aria-describedby={error ? "variable-key-error" : undefined}
        className={cx(
          "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 font-mono text-sm",
          "aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900",
        )}
      />
      {error && (
        <p id="variable-key-error" role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

function EditValue({ project, env, variable, onClose, onDone }: DialogProps & { variable: Variable }) {
  const [value, setValue] = useState(variable.isSecret ? "" : (variable.value ?? ""));
  const [local, setLocal] = useState<string | null>(null);
  const write = useWrite(
    project.slug,
    async () =>
      expect(
        (await api.setVariable({ input: { project: project.slug, environment: env.name, key: variable.key, value } }))
          .setVariable,
        "SetVariablePayload",
      ),
    (r) =>
      onDone(
        r.changed
          ? `${r.isSecret ? "Overwrote secret" : "Saved"} ${r.key} (revision ${r.revision}).`
          : `${r.key} already had that value; nothing changed.`,
      ),
  );
  const server = errorsOf(write.error, ["value"]);
  function submit(event: FormEvent) {
    event.preventDefault();
    const error = firstError(check(variableValue, value, []));
    setLocal(error);
    write.reset();
    if (!error) write.mutate(undefined);
  }
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={variable.isSecret ? `Overwrite secret ${variable.key}` : `Edit ${variable.key}`}
      description={
        variable.isSecret
          ? "The current value can't be shown: a secret is write-only. Enter the new value to replace it."
          : `The base value in ${env.name}; branch overrides keep theirs.`
      }
    >
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <TextArea
          label={variable.isSecret ? "New value" : "Value"}
          rows={4}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={local ?? server.forField("value")}
          autoComplete="off"
          spellCheck={false}
          autoFocus
        />
        <FormError error={server.form} />
        <Actions onClose={onClose} submit={variable.isSecret ? "Overwrite secret" : "Save"} pending={write.isPending} />
      </form>
    </Dialog>
  );
}

function DeleteVariable({ project, env, variable, onClose, onDone }: DialogProps & { variable: Variable }) {
  const write = useWrite(
    project.slug,
    async () =>
      expect(
        (await api.unsetVariable({ input: { project: project.slug, environment: env.name, key: variable.key } }))
          .unsetVariable,
        "UnsetVariablePayload",
      ),
    (r) =>
      onDone(
        r.removed
          ? `Deleted ${r.key}${r.overridesRemoved ? ` and its ${r.overridesRemoved} overrides` : ""} (revision ${r.revision}).`
          : `${r.key} was already gone.`,
      ),
  );
  const count = variable.overrides.length;
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Delete ${variable.key}?`}
      description={
        `It is removed from ${env.name}` +
        (count ? ` with its ${count} branch ${count === 1 ? "override" : "overrides"}` : "") +
        ". This cannot be undone."
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          write.mutate(undefined);
        }}
        className="flex flex-col gap-3"
      >
        <FormError error={write.error} />
        <Actions onClose={onClose} submit="Delete variable" pending={write.isPending} danger />
      </form>
    </Dialog>
  );
}

function SetOverride({
  project,
  env,
  variable,
  branch: initialBranch,
  onClose,
  onDone,
}: DialogProps & { variable: Variable; branch?: string }) {
  const existing = new Map(variable.overrides.map((o) => [o.branch.name, o]));
  const [branch, setBranch] = useState(
    initialBranch ?? (project.branches.find((b) => !existing.has(b.name)) ?? project.branches[0])?.name ?? "",
  );
  const current = existing.get(branch);
  const [value, setValue] = useState(variable.isSecret ? "" : (current?.value ?? variable.value ?? ""));
  const [local, setLocal] = useState<string | null>(null);
  const write = useWrite(
    project.slug,
    async () =>
      expect(
        (
          await api.setVariable({
            input: { project: project.slug, environment: env.name, key: variable.key, value, branch },
          })
        ).setVariable,
        "SetVariablePayload",
      ),
    (r) =>
      onDone(`${r.created ? "Set" : "Updated"} the override of ${r.key} for ${r.branch} (revision ${r.revision}).`),
  );
  const server = errorsOf(write.error, ["value", "branch"]);
  function submit(event: FormEvent) {
    event.preventDefault();
    const error = firstError(check(variableValue, value, []));
    setLocal(error);
    write.reset();
    if (!error && branch) write.mutate(undefined);
  }
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Override ${variable.key} for a branch`}
      description={
        `The branch gets this value in ${env.name} instead of the base value.` +
        (variable.isSecret ? " The variable is a secret, so the override is secret too: write-only." : "")
      }
    >
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        {project.branches.length === 0 ? (
          <p className="text-sm text-zinc-500">The project has no branches. Create one on the Branches tab first.</p>
        ) : (
          <div className="flex flex-col gap-1">
            <label htmlFor="override-branch" className="text-sm font-medium">
              Project branch
            </label>
            <select
              id="override-branch"
              value={branch}
              onChange={(e) => {
                setBranch(e.target.value);
                if (!variable.isSecret) setValue(existing.get(e.target.value)?.value ?? variable.value ?? "");
              }}
              aria-invalid={!!server.forField("branch")}
              className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            >
              {project.branches.map((b) => (
                <option key={b.id} value={b.name}>
                  {b.name}
                  {existing.has(b.name) ? " (has an override: replace it)" : ""}
                </option>
              ))}
            </select>
            {server.forField("branch") && (
              <p role="alert" className="text-xs text-red-600 dark:text-red-400">
                {server.forField("branch")}
              </p>
            )}
          </div>
        )}
        <TextArea
          label={variable.isSecret && current ? "New override value" : "Override value"}
          rows={3}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={local ?? server.forField("value")}
          autoComplete="off"
          spellCheck={false}
        />
        <FormError error={server.form} />
        <Actions onClose={onClose} submit="Save override" pending={write.isPending || !branch} />
      </form>
    </Dialog>
  );
}

function RemoveOverride({
  project,
  env,
  variable,
  override,
  onClose,
  onDone,
}: DialogProps & { variable: Variable; override: Override }) {
  const branch = override.branch.name;
  const write = useWrite(
    project.slug,
    async () =>
      expect(
        (
          await api.unsetVariable({
            input: { project: project.slug, environment: env.name, key: variable.key, branch },
          })
        ).unsetVariable,
        "UnsetVariablePayload",
      ),
    (r) =>
      onDone(
        r.removed
          ? `Removed the override of ${r.key} for ${branch} (revision ${r.revision}).`
          : `The override of ${r.key} for ${branch} was already gone.`,
      ),
  );
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Remove the override of ${variable.key} for ${branch}?`}
      description={`Branch ${branch} gets the base value of ${variable.key} in ${env.name} again.`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          write.mutate(undefined);
        }}
        className="flex flex-col gap-3"
      >
        <FormError error={write.error} />
        <Actions onClose={onClose} submit="Remove override" pending={write.isPending} danger />
      </form>
    </Dialog>
  );
}
