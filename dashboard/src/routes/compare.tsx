/**
 * Compare two environments, each now or at a past revision, side by side: a status badge per
 * key and both values. Secrets are compared on the server: shown as •••• changed / unchanged, or "not compared"
 * when the viewer may not write both sides.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { ComparisonTable, EnvironmentPicker, StatusCounts, sideError } from "../components/comparison.js";
import { EmptyState, ErrorState, PageHeader, Spinner } from "../components/ui.js";
import { api } from "../lib/api.js";
import { useProject } from "../lib/queries.js";

const revisionOf = (text: string) => (text === "" ? undefined : Number(text));

export function ComparePage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/compare" });
  const project = useProject(slug);
  if (project.isPending) return <Spinner />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  const environments = project.data.environments;
  const names = environments.map((e) => e.name);
  return (
    <Compare
      slug={slug}
      environments={environments}
      initialBase={names.includes("preview") ? "preview" : names[0]}
      initialHead={names.includes("production") ? "production" : (names[1] ?? names[0])}
    />
  );
}

function Compare({
  slug,
  environments,
  initialBase,
  initialHead,
}: {
  slug: string;
  environments: readonly { name: string; revision: number; viewerCanRead: boolean }[];
  initialBase: string;
  initialHead: string;
}) {
  const [base, setBase] = useState({ environment: initialBase, revision: "" });
  const [head, setHead] = useState({ environment: initialHead, revision: "" });
  const [showUnchanged, setShowUnchanged] = useState(false);
  const args = {
    project: slug,
    base: { environment: base.environment, revision: revisionOf(base.revision) },
    head: { environment: head.environment, revision: revisionOf(head.revision) },
  };
  const comparison = useQuery({
    queryKey: ["project", slug, "compare", args],
    queryFn: async () => (await api.compareEnvironments(args)).compareEnvironments,
    staleTime: 0,
  });
  const result = comparison.data;
  const failed = result && result.__typename !== "EnvironmentComparison" ? result : null;
  const fieldResult = failed && "fieldErrors" in failed ? failed : null;
  const baseError = sideError(fieldResult, "base");
  const headError = sideError(fieldResult, "head");
  const label = (side: { environment: string; revision: string }, revision?: number) =>
    `${side.environment} @ ${revision ?? side.revision}`;
  return (
    <div>
      <PageHeader
        title="Compare"
        subtitle="Any two environments, each now or at a past revision. Secrets are never shown; whether they differ is shown only to someone who may write both sides."
        actions={
          base.environment !== head.environment && (
            <Link
              to="/projects/$project/promote"
              params={{ project: slug }}
              search={{ from: base.environment, to: head.environment }}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Promote {base.environment} → {head.environment}
            </Link>
          )
        }
      />
      <div className="mb-4 flex flex-col gap-4 sm:flex-row">
        <EnvironmentPicker
          id="base"
          label="Base"
          environments={environments}
          environment={base.environment}
          revision={base.revision}
          revisionError={baseError}
          onChange={(c) => setBase((b) => ({ ...b, ...c }))}
        />
        <EnvironmentPicker
          id="head"
          label="Head"
          environments={environments}
          environment={head.environment}
          revision={head.revision}
          revisionError={headError}
          onChange={(c) => setHead((h) => ({ ...h, ...c }))}
        />
      </div>
      {comparison.isPending ? (
        <Spinner label="Comparing…" />
      ) : comparison.isError ? (
        <ErrorState error={comparison.error} retry={() => comparison.refetch()} />
      ) : failed ? (
        baseError || headError ? null : (
          <div
            role="alert"
            className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-700 dark:border-red-800 dark:bg-red-950 dark:text-red-300"
          >
            {failed.message}
          </div>
        )
      ) : result?.__typename === "EnvironmentComparison" ? (
        <div className="flex flex-col gap-3">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <StatusCounts entries={result.entries} />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={showUnchanged} onChange={(e) => setShowUnchanged(e.target.checked)} />
              Show unchanged keys
            </label>
          </div>
          {result.entries.length === 0 ? (
            <EmptyState title="Both sides are empty">Neither environment has variables at these revisions.</EmptyState>
          ) : (
            (() => {
              const shown = showUnchanged ? result.entries : result.entries.filter((e) => e.status !== "UNCHANGED");
              return shown.length === 0 ? (
                <EmptyState title="No differences">
                  {label(base, result.base.revision)} and {label(head, result.head.revision)} hold the same variables.
                </EmptyState>
              ) : (
                <ComparisonTable
                  entries={shown}
                  caption={`${label(base, result.base.revision)} compared with ${label(head, result.head.revision)}`}
                  baseLabel={`${result.base.environment.name} @ ${result.base.revision}`}
                  headLabel={`${result.head.environment.name} @ ${result.head.revision}`}
                />
              );
            })()
          )}
        </div>
      ) : null}
    </div>
  );
}
