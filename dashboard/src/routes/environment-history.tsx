/**
 * An environment's history: its revisions newest first (who, when, why, how much), each one
 * expandable to its changes (a secret's change is shown without values: they never reach the
 * browser), and "Restore this revision" with the server's dry-run diff before applying it.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useState } from "react";
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
import { api, expect, ResultError, type RevisionSummaryFragment } from "../lib/api.js";
import { keys } from "../lib/queries.js";

const ROUTE = "/app/projects/$project/environments/$environment/history" as const;
const PAGE = 50;

const historyKey = (slug: string, env: string) => ["project", slug, "environment", env, "history"] as const;

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Revision actions in words. */
const ACTIONS: Record<string, string> = {
  "variable.set": "set a variable",
  "variable.unset": "removed a variable",
  "variables.set": "set variables",
  "variables.unset": "removed variables",
  "variables.bulk_upsert": "pushed",
  "variable.note_set": "changed a note",
  "environment.seed": "seeded",
  "environment.create": "created from another environment",
  "environment.update": "changed protection",
  "environment.restore": "restored",
  "environment.promote": "promoted from another environment",
  "branch.delete": "deleted a branch",
  "preview.create": "created as a preview",
  "git.push": "GitHub push deleted a branch",
  "git.delete": "GitHub deleted a branch",
  "binding.credential_set": "set a binding's credential",
  "binding.credential_remove": "removed a binding's credential",
  "history.baseline": "history began",
};

export function EnvironmentHistoryPage() {
  const { project: slug, environment: name } = useParams({ from: ROUTE });
  const history = useInfiniteQuery({
    queryKey: historyKey(slug, name),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => {
      const env = (await api.environmentHistory({ project: slug, environment: name, first: PAGE, after: pageParam }))
        .project?.environment;
      if (!env) throw new Error(`No environment "${name}" in project "${slug}", or you cannot see it.`);
      return env;
    },
    getNextPageParam: (last) => (last.revisions.pageInfo.hasNextPage ? last.revisions.pageInfo.endCursor : null),
  });
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  if (history.isPending) return <Spinner label="Loading history…" />;
  if (history.isError) return <ErrorState error={history.error} retry={() => history.refetch()} />;
  const env = history.data.pages[0];
  const revisions = history.data.pages.flatMap((p) => p.revisions.nodes);
  const writeDenied = env.viewerCanWrite ? null : `You cannot change "${env.name}", so you cannot restore it.`;
  return (
    <div>
      <div className="mb-1 text-sm text-zinc-500">
        <Link to="/projects/$project/environments" params={{ project: slug }} className="hover:underline">
          Environments
        </Link>{" "}
        /{" "}
        <Link
          to="/projects/$project/environments/$environment"
          params={{ project: slug, environment: name }}
          className="font-mono hover:underline"
        >
          {env.name}
        </Link>{" "}
        / History
      </div>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            History of <span className="font-mono">{env.name}</span>
            <Badge tone="indigo">Revision {env.revision}</Badge>
          </span>
        }
        subtitle={
          env.historySince > 0
            ? `Recorded since revision ${env.historySince}; earlier revisions were made before envplane kept history.`
            : "Every change, newest first. Expand a revision to see what it changed."
        }
      />
      {notice && (
        <p
          role="status"
          className="mb-3 flex items-center justify-between gap-2 rounded-md bg-green-50 px-3 py-2 text-sm text-green-900 dark:bg-green-950 dark:text-green-200"
        >
          {notice}
          <Button variant="ghost" onClick={() => setNotice(null)} aria-label="Dismiss">
            ×
          </Button>
        </p>
      )}
      {revisions.length === 0 ? (
        <EmptyState title="No revisions yet">Changes to this environment's variables will be listed here.</EmptyState>
      ) : (
        <ol className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {revisions.map((r) => (
            <RevisionItem
              key={r.number}
              slug={slug}
              environment={name}
              revision={r}
              current={r.number === env.revision}
              restoreDenied={writeDenied}
              onRestore={() => setRestoring(r.number)}
            />
          ))}
        </ol>
      )}
      {history.hasNextPage && (
        <Button className="mt-3" onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
          {history.isFetchingNextPage ? "Loading…" : "Load older revisions"}
        </Button>
      )}
      {restoring !== null && (
        <RestoreDialog
          slug={slug}
          environment={name}
          revision={restoring}
          onClose={() => setRestoring(null)}
          onDone={(text) => {
            setRestoring(null);
            setNotice(text);
          }}
        />
      )}
    </div>
  );
}

function Counts({ r }: { r: Pick<RevisionSummaryFragment, "added" | "changed" | "removed"> }) {
  return (
    <span className="flex gap-1 font-mono text-xs">
      <span className="sr-only">{`${r.added} added, ${r.changed} changed, ${r.removed} removed`}</span>
      <span aria-hidden="true" className="text-green-700 dark:text-green-400">
        +{r.added}
      </span>
      <span aria-hidden="true" className="text-amber-700 dark:text-amber-400">
        ~{r.changed}
      </span>
      <span aria-hidden="true" className="text-red-700 dark:text-red-400">
        -{r.removed}
      </span>
    </span>
  );
}

function RevisionItem({
  slug,
  environment,
  revision: r,
  current,
  restoreDenied,
  onRestore,
}: {
  slug: string;
  environment: string;
  revision: RevisionSummaryFragment;
  current: boolean;
  restoreDenied: string | null;
  onRestore: () => void;
}) {
  const [open, setOpen] = useState(false);
  const panel = `revision-${r.number}-changes`;
  return (
    <li className="p-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <button
          type="button"
          className="flex items-center gap-1 rounded font-medium hover:underline"
          aria-expanded={open}
          aria-controls={panel}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true" className={cx("inline-block transition-transform", open && "rotate-90")}>
            ▸
          </span>
          Revision {r.number}
        </button>
        {current && <Badge tone="indigo">current</Badge>}
        <Counts r={r} />
        <span className="text-sm text-zinc-500">
          <time dateTime={r.createdAt}>{time(r.createdAt)}</time> · {r.actor.name} · {ACTIONS[r.action] ?? r.action}
        </span>
        <span className="ml-auto">
          {!current && (
            <Button onClick={onRestore} disabledReason={restoreDenied}>
              Restore this revision
            </Button>
          )}
        </span>
      </div>
      {r.message && <p className="mt-1 text-sm break-words">“{r.message}”</p>}
      {open && (
        <div id={panel} className="mt-2">
          <Changes slug={slug} environment={environment} number={r.number} />
        </div>
      )}
    </li>
  );
}

const KIND_TONE = { ADDED: "indigo", CHANGED: "amber", REMOVED: "red" } as const;

function Changes({ slug, environment, number }: { slug: string; environment: string; number: number }) {
  const changes = useQuery({
    queryKey: [...historyKey(slug, environment), number],
    queryFn: async () => {
      const r = (await api.environmentRevision({ project: slug, environment, number })).project?.environment
        ?.revisionByNumber;
      if (!r) throw new Error(`Revision ${number} is not in the history.`);
      return r.changes;
    },
  });
  if (changes.isPending) return <Spinner label="Loading changes…" />;
  if (changes.isError) return <ErrorState error={changes.error} retry={() => changes.refetch()} />;
  if (!changes.data.length)
    return <p className="text-sm text-zinc-500">No variable changed (e.g. the environment's protection changed).</p>;
  return (
    <div className="overflow-x-auto rounded-md border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Changes of revision {number}</caption>
        <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-900">
          <tr>
            <th className="px-3 py-1.5 font-medium">Key</th>
            <th className="px-3 py-1.5 font-medium">Change</th>
            <th className="px-3 py-1.5 font-medium">Value</th>
          </tr>
        </thead>
        <tbody>
          {changes.data.map((c) => (
            <tr key={`${c.key}@${c.branch ?? ""}`} className="border-t border-zinc-100 align-top dark:border-zinc-800">
              <td className="px-3 py-1.5 font-mono break-all">
                {c.key}
                {c.branch && <span className="ml-1 text-xs text-zinc-500">override for {c.branch}</span>}
              </td>
              <td className="px-3 py-1.5">
                <Badge tone={KIND_TONE[c.kind]}>{c.kind.toLowerCase()}</Badge>
                {c.isSecret && <span className="ml-1 text-xs text-zinc-500">secret</span>}
              </td>
              <td className="px-3 py-1.5 font-mono text-xs break-all">
                <ValueChange isSecret={c.isSecret} kind={c.kind} before={c.before} after={c.after} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ValueChange({
  isSecret,
  kind,
  before,
  after,
}: {
  isSecret: boolean;
  kind: string;
  before?: string | null;
  after?: string | null;
}) {
  if (isSecret)
    return <span className="text-zinc-500">•••• {kind === "REMOVED" ? "removed" : "set (value not shown)"}</span>;
  if (before == null && after == null) return <span className="text-zinc-500">(values not readable)</span>;
  return (
    <span>
      {before != null && <del className="text-red-700 dark:text-red-400">{JSON.stringify(before)}</del>}
      {before != null && after != null && " → "}
      {after != null && <ins className="text-green-700 no-underline dark:text-green-400">{JSON.stringify(after)}</ins>}
    </span>
  );
}

function RestoreDialog({
  slug,
  environment,
  revision,
  onClose,
  onDone,
}: {
  slug: string;
  environment: string;
  revision: number;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  const plan = useQuery({
    queryKey: [...historyKey(slug, environment), "restore-plan", revision],
    gcTime: 0,
    queryFn: async () =>
      expect(
        (await api.restoreEnvironment({ input: { project: slug, environment, revision, dryRun: true } }))
          .restoreEnvironment,
        "RestoreEnvironmentPayload",
      ),
  });
  const apply = useMutation({
    mutationFn: async () =>
      expect(
        (
          await api.restoreEnvironment({
            input: {
              project: slug,
              environment,
              revision,
              expectedRevision: plan.data!.revision,
              message: message.trim() || null,
            },
          })
        ).restoreEnvironment,
        "RestoreEnvironmentPayload",
      ),
    onSuccess: async (r) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: historyKey(slug, environment) }),
        queryClient.invalidateQueries({ queryKey: keys.environment(slug, environment) }),
        queryClient.invalidateQueries({ queryKey: keys.project(slug), exact: true }),
      ]);
      onDone(
        r.applied
          ? `Restored revision ${revision} as revision ${r.revision}.`
          : `Nothing to restore: "${environment}" already had the state of revision ${revision}.`,
      );
    },
  });
  const messageError = apply.error instanceof ResultError ? apply.error.forField("message") : undefined;
  const p = plan.data;
  const nothing = p && !p.entries.length && p.overridesRestored === 0;
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      wide
      title={`Restore revision ${revision} of ${environment}?`}
      description="A new revision is made with the state of that revision: values, secrets and branch overrides. It can itself be undone."
    >
      {plan.isPending && <Spinner label="Comparing with the current state…" />}
      {plan.isError && <ErrorState error={plan.error} retry={() => plan.refetch()} />}
      {p && (
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            apply.mutate();
          }}
        >
          {nothing ? (
            <p className="text-sm">
              "{environment}" already has the state of revision {revision}: nothing would change.
            </p>
          ) : (
            <>
              <p className="text-sm">
                {p.entries.length} {p.entries.length === 1 ? "variable" : "variables"} and {p.overridesRestored} branch{" "}
                {p.overridesRestored === 1 ? "override" : "overrides"} change (now at revision {p.revision}).
              </p>
              {p.entries.length + p.overrideEntries.length > 0 && (
                <div className="max-h-72 overflow-auto rounded-md border border-zinc-200 dark:border-zinc-800">
                  <table className="w-full text-left text-sm">
                    <caption className="sr-only">What restoring changes</caption>
                    <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-900">
                      <tr>
                        <th className="px-3 py-1.5 font-medium">Key</th>
                        <th className="px-3 py-1.5 font-medium">Restoring</th>
                        <th className="px-3 py-1.5 font-medium">Now → after restoring</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...p.entries.map((e) => ({ ...e, branch: null as string | null })), ...p.overrideEntries].map(
                        (e) => (
                          <tr
                            key={`${e.key}\u0000${e.branch ?? ""}`}
                            className="border-t border-zinc-100 align-top dark:border-zinc-800"
                          >
                            <td className="px-3 py-1.5 font-mono break-all">
                              {e.key}
                              {e.branch !== null && (
                                <span className="block font-sans text-xs break-normal text-zinc-500">
                                  on branch {e.branch}
                                </span>
                              )}
                            </td>
                            <td className="px-3 py-1.5">
                              <Badge tone={e.status === "ADDED" ? "indigo" : e.status === "REMOVED" ? "red" : "amber"}>
                                {e.status === "ADDED" ? "adds" : e.status === "REMOVED" ? "removes" : "changes"}
                              </Badge>
                            </td>
                            <td className="px-3 py-1.5 font-mono text-xs break-all">
                              {e.isSecret ? (
                                <span className="text-zinc-500">•••• secret (value not shown)</span>
                              ) : (
                                <ValueChange
                                  isSecret={false}
                                  kind={e.status}
                                  before={e.baseValue}
                                  after={e.headValue}
                                />
                              )}
                            </td>
                          </tr>
                        ),
                      )}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
          {p.skippedBranches.length > 0 && (
            <p className="text-sm text-amber-800 dark:text-amber-300">
              Overrides of deleted branches are not restored: {p.skippedBranches.join(", ")}.
            </p>
          )}
          {!nothing && (
            <Field
              label="Message (optional)"
              value={message}
              maxLength={500}
              onChange={(e) => setMessage(e.target.value)}
              placeholder="Why you restore it"
              error={messageError}
            />
          )}
          {!messageError && <FormError error={apply.error} />}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>{nothing ? "Close" : "Cancel"}</Button>
            {!nothing && (
              <Button type="submit" variant="primary" disabled={apply.isPending}>
                {apply.isPending ? "Restoring…" : `Restore revision ${revision}`}
              </Button>
            )}
          </div>
        </form>
      )}
    </Dialog>
  );
}
