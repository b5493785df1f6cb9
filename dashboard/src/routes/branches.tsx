/** Branches and mapping: project branches, the branch → environment mapping with a live preview, and per-branch overrides. */
import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type FormEvent, type ReactElement, useId, useRef, useState } from "react";
import { type MappingRule, resolveBranch, validateMapping } from "../../../core/mapping.js";
import { branchName, WILDCARD } from "../../../core/names.js";
import { LiveBadge } from "../components/live-badge.js";
import { Badge, Button, cx, Dialog, EmptyState, ErrorState, Field, FormError, Spinner } from "../components/ui.js";
import { allVariablesKey, fetchAllVariables } from "../lib/all-variables.js";
import { api, expect, ResultError } from "../lib/api.js";
import { keys, type Project, useProject } from "../lib/queries.js";

const selectClass =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900 " +
  "aria-[invalid=true]:border-red-500";
const section = "rounded-lg border border-zinc-200 p-4 dark:border-zinc-800";

export function BranchesPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project" });
  const project = useProject(slug);
  const [selected, setSelected] = useState<string | null>(null);
  if (project.isPending) return <Spinner />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  const p = project.data;
  const current = selected && p.branches.some((b) => b.name === selected) ? selected : null;
  return (
    <div className="flex flex-col gap-6">
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Branches project={p} selected={current} onSelect={setSelected} />
        <MappingEditor project={p} />
      </div>
      {current && <Overrides project={p} branch={current} onClose={() => setSelected(null)} />}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Branches

function Branches({
  project,
  selected,
  onSelect,
}: {
  project: Project;
  selected: string | null;
  onSelect: (name: string | null) => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async (branch: string) =>
      expect(
        (await api.createBranch({ input: { project: project.slug, name: branch } })).createBranch,
        "CreateBranchPayload",
      ),
    onSuccess: async () => {
      setName("");
      await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
    },
  });
  const failure = create.error instanceof ResultError ? create.error : null;
  const serverError =
    failure?.forField("name") ?? (failure?.result.__typename === "ConflictError" ? failure.message : undefined);

  // Creating a branch is allowed to admins, and to whoever may write the environment it would deploy with.
  const target = name ? resolveBranch(savedRules(project), name).environment : null;
  const targetEnv = project.environments.find((e) => e.name === target);
  const createReason =
    project.viewerCanManageBranches || targetEnv?.viewerCanWrite
      ? null
      : target
        ? `"${name}" would deploy with ${target}, which you may not change. Ask an admin.`
        : "Only admins and owners, or those who may write the environment a branch deploys with, create branches.";

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = branchName.safeParse(name);
    if (!parsed.success) return setNameError(parsed.error.issues[0].message);
    if (project.branches.some((b) => b.name === name))
      return setNameError(`Project branch "${name}" already exists. Pick another name.`);
    create.mutate(name);
  }

  return (
    <section aria-labelledby="branches-heading" className={section}>
      <h2 id="branches-heading" className="text-lg font-semibold">
        Project branches
      </h2>
      <p className="mb-3 text-sm text-zinc-500">
        A project branch is a deployment of the project, usually named after its Git branch: the mapping below picks the
        environment it deploys with, and it can override some of that environment's values.
      </p>
      {project.branches.length === 0 ? (
        <EmptyState title="No branches" />
      ) : (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {project.branches.map((b) => {
            const env = resolveBranch(savedRules(project), b.name);
            return (
              <li key={b.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <div className="min-w-0">
                  <span className="font-mono text-sm font-medium break-all">{b.name}</span>
                  <span className="ml-2 text-xs text-zinc-500">→ {env.environment}</span>
                  <div className="mt-0.5">
                    <LiveBadge slug={project.slug} branch={b.name} />
                  </div>
                </div>
                <div className="flex gap-1">
                  <Button
                    variant="ghost"
                    aria-pressed={selected === b.name}
                    aria-label={`Overrides of ${b.name}`}
                    onClick={() => onSelect(selected === b.name ? null : b.name)}
                  >
                    Overrides
                  </Button>
                  <DeleteBranch
                    project={project}
                    name={b.name}
                    disabledReason={
                      b.name === "main"
                        ? "main is the production branch and cannot be deleted."
                        : project.viewerCanManageBranches
                          ? null
                          : "Only admins and owners delete branches."
                    }
                  />
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <form onSubmit={submit} noValidate className="mt-3 flex flex-wrap items-start gap-2">
        <div className="min-w-0 flex-1">
          <Field
            label="New branch"
            value={name}
            onChange={(e) => {
              setName(e.target.value.trim());
              setNameError(null);
              create.reset();
            }}
            placeholder="feature-x"
            autoComplete="off"
            error={nameError ?? serverError}
          />
        </div>
        <Button
          type="submit"
          variant="primary"
          className="mt-6"
          disabledReason={createReason}
          disabled={create.isPending}
        >
          Create branch
        </Button>
      </form>
      <FormError error={create.error && !serverError ? create.error : null} />
    </section>
  );
}

function DeleteBranch({
  project,
  name,
  disabledReason,
}: {
  project: Project;
  name: string;
  disabledReason: string | null;
}) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const mapped = project.mapping.some((m) => m.branch === name);
  const remove = useMutation({
    mutationFn: async () =>
      expect((await api.deleteBranch({ input: { project: project.slug, name } })).deleteBranch, "DeleteBranchPayload"),
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
        aria-label={`Delete branch ${name}`}
      >
        Delete
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title={`Delete branch ${name}?`}>
        <div className="flex flex-col gap-3 text-sm">
          <p>Its overrides in every environment are deleted. This cannot be undone.</p>
          {mapped && <p>The mapping entry naming it stays (like a line of config.json); remove it in the mapping.</p>}
          <FormError error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Delete branch
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Mapping

function savedRules(project: Project): MappingRule[] {
  return project.mapping.map((m) => ({ branch: m.branch, environment: m.environment.name }));
}

interface Row {
  id: number;
  branch: string;
  environment: string;
}

function MappingEditor({ project }: { project: Project }) {
  const queryClient = useQueryClient();
  const nextId = useRef(0);
  const saved = savedRules(project);
  const [rows, setRows] = useState<Row[]>(() =>
    saved.filter((r) => r.branch !== WILDCARD).map((r) => ({ ...r, id: nextId.current++ })),
  );
  const [wildcard, setWildcard] = useState<string | null>(
    () => saved.find((r) => r.branch === WILDCARD)?.environment ?? null,
  );
  const [probe, setProbe] = useState("");
  const [serverErrors, setServerErrors] = useState<{ path: string[]; message: string }[]>([]);

  const rules: MappingRule[] = [
    ...rows.map(({ branch, environment }) => ({ branch, environment })),
    ...(wildcard !== null ? [{ branch: WILDCARD, environment: wildcard }] : []),
  ];
  const envNames = project.environments.map((e) => e.name);
  const { errors } = validateMapping(rules, envNames);
  const dirty = JSON.stringify(rules) !== JSON.stringify(saved);
  const problem = (i: number, field: "branch" | "environment") =>
    [...errors, ...serverErrors].find((e) => e.path.at(-2) === String(i) && e.path.at(-1) === field)?.message;

  const save = useMutation({
    mutationFn: async () =>
      expect(
        (await api.updateBranchMapping({ input: { project: project.slug, entries: rules } })).updateBranchMapping,
        "UpdateBranchMappingPayload",
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.project(project.slug) }),
    onError: (error) => {
      if (error instanceof ResultError) setServerErrors(error.result.fieldErrors ?? []);
    },
  });

  function edit(change: () => void) {
    change();
    setServerErrors([]);
    save.reset();
  }
  function move(i: number, by: number) {
    edit(() =>
      setRows((r) => {
        const next = [...r];
        [next[i], next[i + by]] = [next[i + by], next[i]];
        return next;
      }),
    );
  }
  const update = (i: number, change: Partial<Row>) =>
    edit(() => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...change } : row))));

  const mappingReason = project.viewerCanManageMapping ? null : "Only admins and owners change the mapping.";
  const saveReason =
    mappingReason ??
    (errors.length ? "Fix the problems shown in the mapping first." : !dirty ? "No unsaved changes." : null);

  const preview = probe ? resolveBranch(rules, probe) : null;
  const previewEntry = preview
    ? preview.matchedBy === "explicit"
      ? `entry ${rules.findIndex((r) => r.branch === probe) + 1} (${probe})`
      : preview.matchedBy === "wildcard"
        ? `the wildcard entry (*)`
        : "the fallback: no wildcard entry, so preview"
    : null;
  const probeProblem =
    probe && !branchName.safeParse(probe).success ? branchName.safeParse(probe).error?.issues[0].message : null;

  return (
    <section aria-labelledby="mapping-heading" className={section}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id="mapping-heading" className="text-lg font-semibold">
            Branch mapping
          </h2>
          <p className="text-sm text-zinc-500">
            Which environment a branch deploys with: its own entry first, then the wildcard (always last), else preview.
          </p>
        </div>
        {dirty && <Badge tone="amber">Unsaved changes</Badge>}
      </div>
      <datalist id="project-branches">
        {project.branches.map((b) => (
          <option key={b.id} value={b.name} />
        ))}
      </datalist>
      <ol className="mt-3 flex flex-col gap-2" aria-label="Mapping entries">
        {rows.map((row, i) => (
          <li key={row.id} className="rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
            <div className="flex flex-wrap items-start gap-2">
              <span className="mt-1.5 w-6 text-right text-xs text-zinc-500 tabular-nums">{i + 1}.</span>
              <EntryInput
                label={`Branch of entry ${i + 1}`}
                error={problem(i, "branch")}
                input={(props) => (
                  <input
                    {...props}
                    list="project-branches"
                    value={row.branch}
                    onChange={(e) => update(i, { branch: e.target.value.trim() })}
                    className={cx(selectClass, "font-mono")}
                    placeholder="feature-x"
                  />
                )}
              />
              <span className="mt-1.5 text-zinc-500" aria-hidden>
                →
              </span>
              <EntryInput
                label={`Environment of entry ${i + 1}`}
                error={problem(i, "environment")}
                input={(props) => (
                  <EnvironmentSelect
                    {...props}
                    names={envNames}
                    value={row.environment}
                    onChange={(environment) => update(i, { environment })}
                  />
                )}
              />
              <div className="flex gap-1">
                <Button
                  variant="ghost"
                  aria-label={`Move entry ${i + 1} (${row.branch || "empty"}) up`}
                  disabledReason={i === 0 ? "Already first." : mappingReason}
                  onClick={() => move(i, -1)}
                >
                  ↑
                </Button>
                <Button
                  variant="ghost"
                  aria-label={`Move entry ${i + 1} (${row.branch || "empty"}) down`}
                  disabledReason={
                    i === rows.length - 1
                      ? wildcard !== null
                        ? "The wildcard entry is always last."
                        : "Already last."
                      : mappingReason
                  }
                  onClick={() => move(i, 1)}
                >
                  ↓
                </Button>
                <Button
                  variant="ghost"
                  aria-label={`Remove entry ${i + 1} (${row.branch || "empty"})`}
                  disabledReason={mappingReason}
                  onClick={() => edit(() => setRows((r) => r.filter((_, j) => j !== i)))}
                >
                  ✕
                </Button>
              </div>
            </div>
          </li>
        ))}
        {wildcard !== null && (
          <li className="rounded-md border border-dashed border-zinc-300 p-2 dark:border-zinc-700">
            <div className="flex flex-wrap items-start gap-2">
              <span className="mt-1.5 w-6 text-right text-xs text-zinc-500 tabular-nums">{rows.length + 1}.</span>
              <span className="mt-1.5 font-mono text-sm" title="Every other branch">
                * <span className="font-sans text-xs text-zinc-500">(every other branch, always last)</span>
              </span>
              <span className="mt-1.5 text-zinc-500" aria-hidden>
                →
              </span>
              <EntryInput
                label="Environment of the wildcard entry"
                error={problem(rows.length, "environment") ?? problem(rows.length, "branch")}
                input={(props) => (
                  <EnvironmentSelect
                    {...props}
                    names={envNames}
                    value={wildcard}
                    onChange={(env) => edit(() => setWildcard(env))}
                  />
                )}
              />
              <Button
                variant="ghost"
                aria-label="Remove the wildcard entry"
                disabledReason={mappingReason}
                onClick={() => edit(() => setWildcard(null))}
              >
                ✕
              </Button>
            </div>
          </li>
        )}
      </ol>
      <div className="mt-2 flex flex-wrap gap-2">
        <Button
          disabledReason={mappingReason}
          onClick={() =>
            edit(() =>
              setRows((r) => [
                ...r,
                { id: nextId.current++, branch: "", environment: envNames.includes("preview") ? "preview" : "" },
              ]),
            )
          }
        >
          Add entry
        </Button>
        {wildcard === null && (
          <Button disabledReason={mappingReason} onClick={() => edit(() => setWildcard("preview"))}>
            Add wildcard entry
          </Button>
        )}
      </div>

      <div className="mt-4 rounded-md bg-zinc-50 p-3 dark:bg-zinc-900">
        <Field
          label="Preview: branch name"
          value={probe}
          onChange={(e) => setProbe(e.target.value.trim())}
          placeholder="feature/login"
          autoComplete="off"
          error={probeProblem}
          hint="Computed from the entries above, saved or not."
        />
        <p role="status" aria-label="Preview result" className="mt-2 text-sm">
          {preview && errors.length ? (
            <span className="text-red-700 dark:text-red-400">
              The mapping is invalid, so no preview: {errors[0].message}
            </span>
          ) : preview ? (
            <>
              <span className="font-mono">{probe}</span> → <strong className="font-mono">{preview.environment}</strong>{" "}
              <span className="text-zinc-500">by {previewEntry}</span>
            </>
          ) : (
            <span className="text-zinc-500">Type a branch name to see where it deploys.</span>
          )}
        </p>
      </div>

      <FormError
        error={
          save.error && !(save.error instanceof ResultError && save.error.result.fieldErrors?.length)
            ? save.error
            : null
        }
      />
      {save.isSuccess && !dirty && (
        <p role="status" className="mt-2 text-sm text-green-700 dark:text-green-400">
          Mapping saved.
        </p>
      )}
      <div className="mt-3 flex flex-wrap justify-end gap-2">
        <Button
          disabled={!dirty}
          onClick={() =>
            edit(() => {
              setRows(saved.filter((r) => r.branch !== WILDCARD).map((r) => ({ ...r, id: nextId.current++ })));
              setWildcard(saved.find((r) => r.branch === WILDCARD)?.environment ?? null);
            })
          }
        >
          Discard changes
        </Button>
        <Button variant="primary" disabledReason={saveReason} disabled={save.isPending} onClick={() => save.mutate()}>
          Save mapping
        </Button>
      </div>
    </section>
  );
}

interface ControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby"?: string;
}

/** One labelled control of a mapping entry (label for screen readers) with its problem underneath. */
function EntryInput({
  label,
  error,
  input,
}: {
  label: string;
  error?: string;
  input: (props: ControlProps) => ReactElement;
}) {
  const id = useId();
  return (
    <div className="flex min-w-[8rem] flex-1 flex-col gap-1">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      {input({ id, "aria-invalid": !!error, "aria-describedby": error ? `${id}-error` : undefined })}
      {error && (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

function EnvironmentSelect({
  names,
  value,
  onChange,
  ...props
}: {
  names: string[];
  value: string;
  onChange: (value: string) => void;
} & ControlProps) {
  return (
    <select {...props} value={value} onChange={(e) => onChange(e.target.value)} className={selectClass}>
      {!names.includes(value) && <option value={value}>{value || "Pick an environment"}</option>}
      {names.map((n) => (
        <option key={n} value={n}>
          {n === "development" ? "development (local only)" : n}
        </option>
      ))}
    </select>
  );
}

// ---------------------------------------------------------------------------------------------
// Overrides of one branch

function Overrides({ project, branch, onClose }: { project: Project; branch: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const environments = project.environments.filter((e) => e.name !== "development" && e.viewerCanRead);
  const results = useQueries({
    queries: environments.map((e) => ({
      queryKey: allVariablesKey(project.slug, e.name),
      queryFn: () => fetchAllVariables(project.slug, e.name),
    })),
  });
  const unset = useMutation({
    mutationFn: async (input: { environment: string; key: string }) =>
      expect(
        (await api.unsetVariable({ input: { project: project.slug, branch, ...input } })).unsetVariable,
        "UnsetVariablePayload",
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.project(project.slug) }),
  });

  const failed = results.find((r) => r.isError);
  const overrides = environments.flatMap((env, i) =>
    (results[i].data?.variables ?? []).flatMap((v) =>
      v.overrides
        .filter((o) => o.branch.name === branch)
        .map((o) => ({ env, key: v.key, isSecret: v.isSecret, value: o.value })),
    ),
  );
  return (
    <section aria-labelledby="overrides-heading" className={section}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id="overrides-heading" className="text-lg font-semibold">
            Overrides of <span className="font-mono">{branch}</span>
          </h2>
          <p className="text-sm text-zinc-500">
            Values that replace an environment's base value for this branch (not on development).
          </p>
        </div>
        <Button variant="ghost" onClick={onClose} aria-label="Close overrides">
          ✕
        </Button>
      </div>
      {failed ? (
        <ErrorState error={failed.error} retry={() => failed.refetch()} />
      ) : results.some((r) => r.isPending) ? (
        <Spinner label="Loading overrides…" />
      ) : overrides.length === 0 ? (
        <p className="mt-3 text-sm text-zinc-500">
          <span className="font-mono">{branch}</span> has no overrides.
        </p>
      ) : (
        <div className="relative mt-3 overflow-x-auto">
          <table className="w-full min-w-[480px] text-left text-sm" aria-label={`Overrides of ${branch}`}>
            <thead className="text-xs text-zinc-500 uppercase">
              <tr>
                <th className="py-1 pr-3 font-medium">Environment</th>
                <th className="py-1 pr-3 font-medium">Key</th>
                <th className="py-1 pr-3 font-medium">Value</th>
                <th className="py-1 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {overrides.map((o) => (
                <tr key={`${o.env.name}/${o.key}`}>
                  <td className="py-1.5 pr-3 font-mono">{o.env.name}</td>
                  <td className="py-1.5 pr-3 font-mono">{o.key}</td>
                  <td className="max-w-xs truncate py-1.5 pr-3 font-mono">
                    {o.isSecret ? (
                      <span title="Secret: the value is never shown">
                        ••••<span className="sr-only"> (secret, hidden)</span>
                      </span>
                    ) : (
                      o.value
                    )}
                  </td>
                  <td className="py-1.5 text-right">
                    <Button
                      variant="ghost"
                      aria-label={`Remove override ${o.key} in ${o.env.name}`}
                      disabledReason={o.env.viewerCanWrite ? null : `You may not change ${o.env.name}.`}
                      disabled={unset.isPending}
                      onClick={() => unset.mutate({ environment: o.env.name, key: o.key })}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormError error={unset.error} />
      {!results.some((r) => r.isPending) && (
        <SetOverride
          project={project}
          branch={branch}
          environments={environments.map((env, i) => ({ env, variables: results[i].data?.variables ?? [] }))}
        />
      )}
    </section>
  );
}

function SetOverride({
  project,
  branch,
  environments,
}: {
  project: Project;
  branch: string;
  environments: {
    env: Project["environments"][number];
    variables: Awaited<ReturnType<typeof fetchAllVariables>>["variables"];
  }[];
}) {
  const queryClient = useQueryClient();
  const writable = environments.filter((e) => e.env.viewerCanWrite);
  const [environment, setEnvironment] = useState(
    () => (writable.find((e) => e.variables.length > 0) ?? writable[0])?.env.name ?? "",
  );
  const [key, setKey] = useState("");
  const valueRef = useRef<HTMLInputElement>(null);
  const chosen = writable.find((e) => e.env.name === environment);
  const variable = chosen?.variables.find((v) => v.key === key);
  const set = useMutation({
    mutationFn: async (value: string) =>
      expect(
        (await api.setVariable({ input: { project: project.slug, environment, key, value, branch } })).setVariable,
        "SetVariablePayload",
      ),
    onSuccess: async () => {
      if (valueRef.current) valueRef.current.value = "";
      await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
    },
  });
  const failure = set.error instanceof ResultError ? set.error : null;
  const valueError = failure?.forField("value");
  const keyError = failure?.forField("key") ?? failure?.forField("branch");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    set.mutate(valueRef.current?.value ?? "");
  }
  if (writable.length === 0)
    return <p className="mt-4 text-sm text-zinc-500">You may not change any environment a branch override lives in.</p>;
  return (
    <form onSubmit={submit} noValidate className="mt-4 grid gap-2 sm:grid-cols-[1fr_1fr_2fr_auto] sm:items-end">
      <div className="flex flex-col gap-1">
        <label htmlFor="override-env" className="text-sm font-medium">
          Environment
        </label>
        <select
          id="override-env"
          value={environment}
          onChange={(e) => {
            setEnvironment(e.target.value);
            setKey("");
            set.reset();
          }}
          className={selectClass}
        >
          {writable.map((e) => (
            <option key={e.env.id} value={e.env.name}>
              {e.env.name}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="override-key" className="text-sm font-medium">
          Variable
        </label>
        <select
          id="override-key"
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
            set.reset();
          }}
          className={selectClass}
          aria-invalid={!!keyError}
        >
          <option value="">{chosen?.variables.length ? "Pick a variable" : "No base variables"}</option>
          {chosen?.variables.map((v) => (
            <option key={v.key} value={v.key}>
              {v.key}
              {v.isSecret ? " (secret)" : ""}
            </option>
          ))}
        </select>
        {keyError && (
          <p role="alert" className="text-xs text-red-600 dark:text-red-400">
            {keyError}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="override-value" className="text-sm font-medium">
          Override value{variable?.isSecret ? " (secret, write-only)" : ""}
        </label>
        <input
          id="override-value"
          ref={valueRef}
          type={variable?.isSecret ? "password" : "text"}
          autoComplete="off"
          className={cx(selectClass, "font-mono")}
          aria-invalid={!!valueError}
          aria-describedby={valueError ? "override-value-error" : undefined}
        />
        {valueError && (
          <p id="override-value-error" role="alert" className="text-xs text-red-600 dark:text-red-400">
            {valueError}
          </p>
        )}
      </div>
      <Button
        type="submit"
        variant="primary"
        disabled={set.isPending}
        disabledReason={key ? null : "Pick a variable first."}
      >
        Set override
      </Button>
      <div className="sm:col-span-4">
        <FormError error={set.error && !valueError && !keyError ? set.error : null} />
      </div>
    </form>
  );
}
