/**
 * The promote wizard: pick the source (optionally at a past revision) and the target, carry
 * everything as-is or review each changed key with the seeding review (keep / new value / skip;
 * a secret re-entered, skipped, or carried as-is on the server when you may write the source),
 * see the dry run side by side, then apply it as one write pinned to what was shown.
 *
 * Secret values never reach the browser: the API does not return them, carried secrets are copied
 * on the server, and values typed for secrets stay in password inputs and memory (see seed-wizard).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useParams, useSearch } from "@tanstack/react-router";
import { useRef, useState } from "react";
import { variableValue } from "../../../core/names.js";
import { ComparisonTable, EnvironmentPicker, StatusCounts, sideError } from "../components/comparison.js";
import { Button, ErrorState, Field, FormError, PageHeader, Spinner } from "../components/ui.js";
import { api, expect, type PromoteEnvironmentMutation, ResultError, type SeedDecisionInput } from "../lib/api.js";
import { type Environment, keys, useProject } from "../lib/queries.js";
import { type Choice, DecisionRow, decision, type Reviewed } from "./seed-wizard.js";

type Plan = Extract<PromoteEnvironmentMutation["promoteEnvironment"], { __typename: "PromoteEnvironmentPayload" }>;
interface Review {
  variables: Reviewed[];
  /** Keys the same in the target: decided without asking (kept; a secret skipped, which leaves the same value). */
  unchanged: Reviewed[];
  carrySecrets: boolean;
  fromRevision: number;
}

export function PromotePage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/promote" });
  const search = useSearch({ from: "/app/projects/$project/promote" });
  const project = useProject(slug);
  if (project.isPending) return <Spinner />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  const envs = project.data.environments;
  const has = (name?: string) => (name && envs.some((e) => e.name === name) ? name : undefined);
  const from = has(search.from) ?? has("preview") ?? envs[0].name;
  const to = has(search.to) ?? has("production") ?? envs.find((e) => e.name !== from)?.name ?? from;
  return <Wizard key={`${from}>${to}`} slug={slug} environments={envs} initialFrom={from} initialTo={to} />;
}

function Wizard({
  slug,
  environments,
  initialFrom,
  initialTo,
}: {
  slug: string;
  environments: readonly Environment[];
  initialFrom: string;
  initialTo: string;
}) {
  const queryClient = useQueryClient();
  const [source, setSource] = useState({ environment: initialFrom, revision: "" });
  const [to, setTo] = useState(initialTo);
  const [prune, setPrune] = useState(false);
  const [message, setMessage] = useState("");
  const [mode, setMode] = useState<"as-is" | "review">("as-is");
  const [step, setStep] = useState<"choose" | "review" | "summary" | "done">("choose");
  const [review, setReview] = useState<Review | null>(null);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const values = useRef(new Map<string, string>());
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState<Plan | null>(null);
  const [done, setDone] = useState<Plan | null>(null);
  const target = environments.find((e) => e.name === to);

  const decisions = (): SeedDecisionInput[] | undefined =>
    review
      ? [
          ...review.variables.map((v) => decision(v, choices[v.key], values.current.get(v.key))),
          ...review.unchanged.map((v) => ({ key: v.key, action: v.isSecret ? ("SKIP" as const) : ("KEEP" as const) })),
        ]
      : undefined;
  const input = () => ({
    project: slug,
    from: source.environment,
    to,
    prune,
    message: message.trim() || undefined,
    decisions: decisions(),
  });

  /** The source's keys against the target (compare), for the review. */
  const startReview = useMutation({
    mutationFn: async () => {
      const result = expect(
        (
          await api.compareEnvironments({
            project: slug,
            base: { environment: to },
            head: { environment: source.environment, revision: source.revision ? Number(source.revision) : undefined },
          })
        ).compareEnvironments,
        "EnvironmentComparison",
      );
      const inSource = result.entries.filter((e) => e.status !== "REMOVED");
      const asVariable = (e: (typeof inSource)[number]): Reviewed => ({
        key: e.key,
        isSecret: e.isSecret,
        value: e.headValue,
      });
      return {
        variables: inSource.filter((e) => e.status !== "UNCHANGED").map(asVariable),
        unchanged: inSource.filter((e) => e.status === "UNCHANGED").map(asVariable),
        carrySecrets: result.head.environment.viewerCanWrite,
        fromRevision: result.head.revision,
      } satisfies Review;
    },
    onSuccess: (r) => {
      values.current.clear();
      setReview(r);
      setChoices(
        Object.fromEntries(
          r.variables.map((v) => [
            v.key,
            { action: v.isSecret && !r.carrySecrets ? "SKIP" : "KEEP", secret: false } satisfies Choice,
          ]),
        ),
      );
      setRowErrors({});
      setStep("review");
    },
  });

  const preview = useMutation({
    mutationFn: async () => {
      const fromRevision = review?.fromRevision ?? (source.revision ? Number(source.revision) : undefined);
      return expect(
        (await api.promoteEnvironment({ input: { ...input(), fromRevision, dryRun: true } })).promoteEnvironment,
        "PromoteEnvironmentPayload",
      );
    },
    onSuccess: (p) => {
      setPlan(p);
      setStep("summary");
    },
    onError: (error) => {
      if (!(error instanceof ResultError) || !review) return;
      const errors: Record<string, string> = {};
      const order = [...review.variables, ...review.unchanged];
      for (const fe of error.result.fieldErrors ?? []) {
        const i = fe.path.indexOf("decisions");
        const key = order[Number(fe.path[i + 1])]?.key;
        if (i >= 0 && key) errors[key] = fe.message;
      }
      setRowErrors(errors);
    },
  });

  const apply = useMutation({
    mutationFn: async () =>
      expect(
        (
          await api.promoteEnvironment({
            input: { ...input(), fromRevision: plan!.fromRevision, expectedRevision: plan!.revision },
          })
        ).promoteEnvironment,
        "PromoteEnvironmentPayload",
      ),
    onSuccess: (p) => {
      values.current.clear();
      setDone(p);
      setStep("done");
      queryClient.invalidateQueries({ queryKey: keys.project(slug) });
    },
  });

  function toPreview() {
    if (review) {
      const errors: Record<string, string> = {};
      for (const v of review.variables) {
        if (choices[v.key].action !== "EDIT") continue;
        const value = values.current.get(v.key) ?? (v.isSecret ? "" : (v.value ?? ""));
        if (v.isSecret && value === "") errors[v.key] = "Enter the new value of this secret, or skip it.";
        const parsed = variableValue.safeParse(value);
        if (!parsed.success) errors[v.key] = parsed.error.issues[0].message;
      }
      setRowErrors(errors);
      if (Object.keys(errors).length) return;
    }
    preview.mutate();
  }

  const previewError = preview.error instanceof ResultError ? preview.error : null;
  const revisionError =
    sideError(
      previewError?.result.fieldErrors ? { fieldErrors: previewError.result.fieldErrors } : null,
      "fromRevision",
    ) ?? (startReview.error instanceof ResultError ? sideError(startReview.error.result, "head") : null);
  const messageError = previewError?.forField("message") ?? null;
  const conflict = apply.error instanceof ResultError && apply.error.result.__typename === "ConflictError";
  const writeReason = target?.viewerCanWrite
    ? null
    : `You may not write ${to}${target?.isProtected ? " (protected: admins and owners)" : ""}.`;

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Promote"
        subtitle="Apply one environment's variables to another in one write: as they are, or reviewed key by key."
      />
      {step === "choose" && (
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            setReview(null);
            if (mode === "review") startReview.mutate();
            else toPreview();
          }}
        >
          <div className="flex flex-col gap-4 sm:flex-row">
            <EnvironmentPicker
              id="from"
              label="From"
              environments={environments}
              environment={source.environment}
              revision={source.revision}
              revisionError={revisionError}
              onChange={(c) => setSource((s) => ({ ...s, ...c }))}
            />
            <div className="flex min-w-0 flex-1 flex-col gap-1">
              <span className="mb-1 text-sm font-medium">To</span>
              <label htmlFor="promote-to" className="text-xs text-zinc-500">
                Environment
              </label>
              <select
                id="promote-to"
                value={to}
                onChange={(e) => setTo(e.target.value)}
                className="w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              >
                {environments.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name}
                    {e.isProtected ? " (protected)" : ""}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <fieldset className="flex flex-col gap-1 text-sm">
            <legend className="mb-1 font-medium">How</legend>
            <label className="flex items-center gap-2">
              <input type="radio" name="mode" checked={mode === "as-is"} onChange={() => setMode("as-is")} />
              Carry every key as it is (secrets too, when you may write {source.environment})
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="mode" checked={mode === "review"} onChange={() => setMode("review")} />
              Review each changed key: keep, give a new value, or skip
            </label>
          </fieldset>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} />
            Remove keys of {to} that {source.environment} does not have
          </label>
          <Field
            label="Message (optional)"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            placeholder="release 1.4"
            maxLength={500}
            error={messageError}
            hint="Kept with the new revision of the target."
          />
          <FormError
            error={
              source.environment === to
                ? null
                : ((startReview.error && !revisionError ? startReview.error : null) ??
                  (preview.error && !revisionError && !messageError ? preview.error : null))
            }
          />
          <div className="flex justify-end">
            <Button
              type="submit"
              variant="primary"
              disabled={startReview.isPending || preview.isPending}
              disabledReason={source.environment === to ? "Pick two different environments." : writeReason}
            >
              {mode === "review" ? "Review the keys" : "Preview"}
            </Button>
          </div>
        </form>
      )}

      {step === "review" && review && (
        <div className="flex flex-col gap-4">
          <p className="text-sm text-zinc-500">
            {source.environment} @ {review.fromRevision} → {to}: {review.variables.length} changed key
            {review.variables.length === 1 ? "" : "s"} to review; {review.unchanged.length} unchanged kept as they are.
          </p>
          {review.variables.length > 0 && (
            <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
              {review.variables.map((v) => (
                <DecisionRow
                  key={v.key}
                  variable={v}
                  choice={choices[v.key]}
                  error={rowErrors[v.key]}
                  values={values.current}
                  carrySecret={review.carrySecrets}
                  onChange={(change) => {
                    setChoices((c) => ({ ...c, [v.key]: { ...c[v.key], ...change } }));
                    setRowErrors(({ [v.key]: _, ...rest }) => rest);
                  }}
                />
              ))}
            </ul>
          )}
          <FormError error={preview.error && !Object.keys(rowErrors).length ? preview.error : null} />
          <div className="flex flex-wrap justify-end gap-2">
            <Button onClick={() => setStep("choose")}>Back</Button>
            <Button variant="primary" onClick={toPreview} disabled={preview.isPending}>
              Preview
            </Button>
          </div>
        </div>
      )}

      {step === "summary" && plan && (
        <section aria-label="Dry run" className="flex flex-col gap-3">
          <h2 className="font-medium">
            Dry run: {source.environment} @ {plan.fromRevision} → {to} (now at revision {plan.revision})
          </h2>
          <StatusCounts entries={plan.entries} />
          {plan.skippedSecrets.length > 0 && (
            <p
              role="status"
              className="rounded-md bg-amber-50 p-2 text-sm text-amber-800 dark:bg-amber-950 dark:text-amber-300"
            >
              Not carried (secrets of {source.environment}, which you may read but not write):{" "}
              <span className="font-mono">{plan.skippedSecrets.join(", ")}</span>. Set them in {to} yourself.
            </p>
          )}
          <ComparisonTable
            entries={plan.entries}
            caption={`What promoting changes in ${to}`}
            baseLabel={`${to} now`}
            headLabel={`${to} after`}
          />
          <FormError error={apply.error && !conflict ? apply.error : null} />
          {conflict && (
            <p role="alert" className="text-sm text-red-600 dark:text-red-400">
              {to} changed since this preview; nothing was written. Preview again to see the new plan.
            </p>
          )}
          <div className="flex flex-wrap justify-end gap-2">
            <Button onClick={() => setStep(review ? "review" : "choose")} disabled={apply.isPending}>
              Back
            </Button>
            {conflict ? (
              <Button
                variant="primary"
                onClick={() => {
                  apply.reset();
                  preview.mutate();
                }}
              >
                Preview again
              </Button>
            ) : (
              <Button
                variant="primary"
                onClick={() => apply.mutate()}
                disabled={apply.isPending}
                disabledReason={
                  writeReason ??
                  (plan.entries.some((e) => e.status !== "UNCHANGED")
                    ? null
                    : `${to} already matches: nothing to apply.`)
                }
              >
                Promote to {to}
              </Button>
            )}
          </div>
        </section>
      )}

      {step === "done" && done && (
        <div role="status" className="flex flex-col gap-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
          <p className="font-medium">
            Promoted {source.environment} @ {done.fromRevision} to {to}: now at revision {done.revision}.
          </p>
          <StatusCounts entries={done.entries} />
          <div className="flex flex-wrap gap-3 text-sm">
            <Link
              to="/projects/$project/environments/$environment"
              params={{ project: slug, environment: to }}
              className="text-indigo-600 hover:underline dark:text-indigo-400"
            >
              Open {to}
            </Link>
            <Link
              to="/projects/$project/compare"
              params={{ project: slug }}
              className="text-indigo-600 hover:underline dark:text-indigo-400"
            >
              Compare environments
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
