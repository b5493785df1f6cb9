/** The project's audit log: who did what, when and from where (never values), with filters, paging and "Verify". */
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useBranchStatus } from "../components/live-badge.js";
import { Badge, Button, EmptyState, ErrorState, Field, FormError, PageHeader, Spinner } from "../components/ui.js";
import { type AuditLogFilter, api, expect } from "../lib/api.js";
import { keys, useProject } from "../lib/queries.js";

const PAGE = 50;
const selectClass =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const ACTIONS = [
  "variables.",
  "variable.set",
  "variable.unset",
  "variables.pull",
  "variables.resolve",
  "variables.bulk_upsert",
  "environment.",
  "branch.",
  "mapping.set",
  "token.",
  "member.",
  "project.",
  "binding.",
];

interface Filters {
  environment: string;
  actor: string;
  action: string;
  since: string;
  until: string;
}
const EMPTY: Filters = { environment: "", actor: "", action: "", since: "", until: "" };

/** datetime-local (the viewer's time zone) → ISO-8601 UTC; "" → undefined. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function AuditPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project" });
  const project = useProject(slug);
  const status = useBranchStatus(slug);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const allowed = status.data?.viewerCanReadAuditLog;
  const filter: AuditLogFilter = {
    environment: applied.environment || undefined,
    actor: applied.actor.trim() || undefined,
    action: applied.action.trim() || undefined,
    since: toIso(applied.since),
    until: toIso(applied.until),
  };
  const log = useInfiniteQuery({
    queryKey: [...keys.project(slug), "audit", filter],
    enabled: allowed === true,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      (await api.auditLog({ project: slug, filter, first: PAGE, after: pageParam })).auditLog,
    getNextPageParam: (page) => (page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined),
  });
  const verify = useMutation({
    mutationFn: async () => expect((await api.verifyAuditLog({ project: slug })).verifyAuditLog, "AuditVerification"),
  });

  if (project.isPending || status.isPending) return <Spinner />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  if (status.isError) return <ErrorState error={status.error} retry={() => status.refetch()} />;
  if (!allowed)
    return (
      <EmptyState title="The audit log is for admins and owners">
        Ask an admin or owner of {slug} if you need to know who changed what.
      </EmptyState>
    );

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const since = toIso(draft.since);
    const until = toIso(draft.until);
    if (since && until && since > until) return setRangeError("“Until” must not be before “since”.");
    setRangeError(null);
    setApplied(draft);
  }
  const set = (field: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));
  const events = log.data?.pages.flatMap((p) => p.nodes) ?? [];
  const filtered = JSON.stringify(applied) !== JSON.stringify(EMPTY);

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Audit log"
        subtitle="Every write, and every read of values (pull, runtime), with the keys it touched: never values. Newest first."
        actions={
          <Button variant="primary" disabled={verify.isPending} onClick={() => verify.mutate()}>
            {verify.isPending ? "Verifying…" : "Verify"}
          </Button>
        }
      />
      <Verification result={verify.data} />
      <FormError error={verify.error} />

      <form
        onSubmit={apply}
        aria-label="Audit log filters"
        className="grid gap-3 rounded-lg border border-zinc-200 p-3 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] lg:items-end dark:border-zinc-800"
      >
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-env" className="text-sm font-medium">
            Environment
          </label>
          <select id="audit-env" value={draft.environment} onChange={set("environment")} className={selectClass}>
            <option value="">All environments</option>
            {project.data.environments.map((e) => (
              <option key={e.id} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <Field label="Actor" value={draft.actor} onChange={set("actor")} placeholder="e-mail, name or token" />
        <Field
          label="Action"
          value={draft.action}
          onChange={set("action")}
          placeholder="variables."
          list="audit-actions"
          autoComplete="off"
        />
        <datalist id="audit-actions">
          {ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <Field label="Since" type="datetime-local" value={draft.since} onChange={set("since")} />
        <Field label="Until" type="datetime-local" value={draft.until} onChange={set("until")} error={rangeError} />
        <div className="flex gap-2">
          <Button type="submit" variant="primary">
            Apply
          </Button>
          <Button
            disabledReason={filtered || JSON.stringify(draft) !== JSON.stringify(EMPTY) ? null : "No filters set."}
            onClick={() => {
              setDraft(EMPTY);
              setApplied(EMPTY);
              setRangeError(null);
            }}
          >
            Clear
          </Button>
        </div>
      </form>

      {log.isPending ? (
        <Spinner label="Loading the audit log…" />
      ) : log.isError ? (
        <ErrorState error={log.error} retry={() => log.refetch()} />
      ) : events.length === 0 ? (
        <EmptyState title={filtered ? "No events match these filters" : "No events yet"} />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full min-w-[860px] text-left text-sm" aria-label="Audit events">
            <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-900">
              <tr>
                <th className="px-3 py-2 font-medium">#</th>
                <th className="px-3 py-2 font-medium">Time</th>
                <th className="px-3 py-2 font-medium">Action</th>
                <th className="px-3 py-2 font-medium">Actor</th>
                <th className="px-3 py-2 font-medium">Environment</th>
                <th className="px-3 py-2 font-medium">Keys</th>
                <th className="px-3 py-2 font-medium">From</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {events.map((e) => (
                <tr key={e.id} className="align-top">
                  <td className="px-3 py-2 text-zinc-500 tabular-nums">{e.sequence}</td>
                  <td className="px-3 py-2 whitespace-nowrap tabular-nums">
                    <time dateTime={e.createdAt}>{new Date(e.createdAt).toLocaleString()}</time>
                  </td>
                  <td className="px-3 py-2 font-mono">{e.action}</td>
                  <td className="px-3 py-2">
                    {e.actor.name || e.actor.type.toLowerCase()}
                    {e.actor.type === "USER" && e.actor.tokenName && (
                      <div className="text-xs text-zinc-500">token {e.actor.tokenName}</div>
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {e.environment ? <span className="font-mono">{e.environment}</span> : "—"}
                    {e.branch && <span className="font-mono text-zinc-500"> @{e.branch}</span>}
                    {e.revision != null && <div className="text-xs text-zinc-500">revision {e.revision}</div>}
                  </td>
                  <td className="max-w-xs px-3 py-2 font-mono text-xs wrap-anywhere">
                    {e.keys.length ? (
                      e.keys.length > 6 ? (
                        <span title={e.keys.join(", ")}>
                          {e.keys.slice(0, 6).join(", ")} +{e.keys.length - 6} more
                        </span>
                      ) : (
                        e.keys.join(", ")
                      )
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-3 py-2 text-xs text-zinc-500">
                    <div>{e.clientAddress ?? "—"}</div>
                    {e.userAgent && (
                      <div className="max-w-[12rem] truncate" title={e.userAgent}>
                        {e.userAgent}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && (
        <div className="flex justify-center">
          <Button disabled={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
            {log.isFetchingNextPage ? "Loading…" : "Load older events"}
          </Button>
        </div>
      )}
      <p className="text-xs text-zinc-500">
        Each event is chained to the previous one by a SHA-256 hash. “Verify” detects events edited, deleted or
        reordered in the database; someone with write access to the database could still rewrite the whole chain, so
        keep exports (envplane audit --json) elsewhere.
      </p>
    </div>
  );
}

function Verification({
  result,
}: {
  result: { ok: boolean; checked: number; problems: { sequence: number; message: string }[] } | undefined;
}) {
  if (!result) return null;
  if (result.ok)
    return (
      <p
        role="status"
        className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-800 dark:border-green-800 dark:bg-green-950 dark:text-green-300"
      >
        The audit log is intact: {result.checked} {result.checked === 1 ? "event" : "events"} checked.
      </p>
    );
  return (
    <div
      role="status"
      className="rounded-md border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950"
    >
      <p className="font-medium text-red-800 dark:text-red-300">
        The audit log has {result.problems.length} {result.problems.length === 1 ? "problem" : "problems"} (
        {result.checked} events checked):
      </p>
      <ul className="mt-1 list-disc pl-5 text-red-700 dark:text-red-400">
        {result.problems.map((p) => (
          <li key={`${p.sequence}-${p.message}`}>
            <Badge tone="red">#{p.sequence}</Badge> {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
