/**
 * The seeding wizard: one decision per variable of the source (keep / new value / skip), a
 * summary, then one write (createEnvironment with `from` and `decisions`: the environment is
 * created and seeded in one transaction).
 *
 * Secrets: the API never returns their values, and the server refuses KEEP for a secret, so a
 * secret can only be re-entered or skipped; nothing of its old value passes through the browser.
 * Values typed for secrets live in uncontrolled password inputs and in memory, never in a DOM
 * attribute.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { variableValue } from "../../../core/names.js";
import { isSensitiveName } from "../../../core/sensitive.js";
import { Badge, Button, cx, ErrorState, FormError, Spinner } from "../components/ui.js";
import { type AllVariable, allVariablesKey, fetchAllVariables } from "../lib/all-variables.js";
import { api, expect, ResultError } from "../lib/api.js";
import type { Project } from "../lib/queries.js";

export type Action = "KEEP" | "EDIT" | "SKIP";
export interface Choice {
  action: Action;
  /** Store as secret (standard variables only; a secret stays a secret). */
  secret: boolean;
}
export interface SeedResult {
  name: string;
  seed: { copied: string[]; edited: string[]; skipped: string[] } | null;
}

export function SeedWizard({
  project,
  name,
  from,
  isProtected,
  onBack,
  onDone,
}: {
  project: Project;
  name: string;
  from: string;
  isProtected: boolean;
  onBack: (nameError?: string) => void;
  onDone: (result: SeedResult) => void;
}) {
  const source = useQuery({
    queryKey: allVariablesKey(project.slug, from),
    queryFn: () => fetchAllVariables(project.slug, from),
    staleTime: 0,
  });
  if (source.isPending) return <Spinner label={`Loading the variables of ${from}…`} />;
  if (source.isError) return <ErrorState error={source.error} retry={() => source.refetch()} />;
  return (
    <Review
      project={project}
      name={name}
      from={from}
      isProtected={isProtected}
      variables={source.data.variables}
      onBack={onBack}
      onDone={onDone}
    />
  );
}

function Review({
  project,
  name,
  from,
  isProtected,
  variables,
  onBack,
  onDone,
}: {
  project: Project;
  name: string;
  from: string;
  isProtected: boolean;
  variables: AllVariable[];
  onBack: (nameError?: string) => void;
  onDone: (result: SeedResult) => void;
}) {
  const [choices, setChoices] = useState<Record<string, Choice>>(() =>
    Object.fromEntries(
      variables.map((v) => [v.key, { action: v.isSecret ? "SKIP" : "KEEP", secret: false } satisfies Choice]),
    ),
  );
  /** New values by key, kept out of React state (and of the DOM) so secrets never become attributes. */
  const values = useRef(new Map<string, string>());
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [step, setStep] = useState<"review" | "summary">("review");

  const apply = useMutation({
    mutationFn: async () => {
      const decisions = variables.map((v) => decision(v, choices[v.key], values.current.get(v.key)));
      return expect(
        (await api.createEnvironment({ input: { project: project.slug, name, isProtected, from, decisions } }))
          .createEnvironment,
        "EnvironmentPayload",
      );
    },
    onSuccess: (payload) => {
      values.current.clear();
      onDone({ name: payload.environment.name, seed: payload.seed ?? null });
    },
    onError: (error) => {
      if (!(error instanceof ResultError)) return;
      if (error.result.__typename === "ConflictError" || error.forField("name")) {
        onBack(error.forField("name") ?? error.message);
        return;
      }
      const errors: Record<string, string> = {};
      for (const fe of error.result.fieldErrors ?? []) {
        const i = fe.path.indexOf("decisions");
        const index = Number(fe.path[i + 1]);
        if (i >= 0 && Number.isInteger(index) && variables[index]) errors[variables[index].key] = fe.message;
      }
      if (Object.keys(errors).length) {
        setRowErrors(errors);
        setStep("review");
      }
    },
  });

  function set(key: string, change: Partial<Choice>) {
    setChoices((c) => ({ ...c, [key]: { ...c[key], ...change } }));
    setRowErrors(({ [key]: _, ...rest }) => rest);
  }

  function toSummary() {
    const errors: Record<string, string> = {};
    for (const v of variables) {
      const choice = choices[v.key];
      if (choice.action !== "EDIT") continue;
      const value = values.current.get(v.key) ?? (v.isSecret ? "" : (v.value ?? ""));
      if (v.isSecret && value === "") errors[v.key] = "Enter the new value of this secret, or skip it.";
      const parsed = variableValue.safeParse(value);
      if (!parsed.success) errors[v.key] = parsed.error.issues[0].message;
    }
    setRowErrors(errors);
    if (Object.keys(errors).length === 0) setStep("summary");
  }

  const keysWhere = (test: (v: AllVariable, choice: Choice) => boolean) =>
    variables.filter((v) => test(v, choices[v.key])).map((v) => v.key);
  // Disjoint except "Marked secret", which lists standard variables (kept or edited) stored as secrets.
  const summary = {
    kept: keysWhere((_, c) => c.action === "KEEP"),
    edited: keysWhere((v, c) => !v.isSecret && c.action === "EDIT"),
    skipped: keysWhere((_, c) => c.action === "SKIP"),
    markedSecret: keysWhere((v, c) => !v.isSecret && c.action !== "SKIP" && c.secret),
    secretsReentered: keysWhere((v, c) => v.isSecret && c.action === "EDIT"),
  };
  const apiFailure = apply.error && !(apply.error instanceof ResultError && Object.keys(rowErrors).length);

  if (step === "summary")
    return (
      <div className="flex flex-col gap-4">
        <h3 className="font-medium">Summary</h3>
        <dl aria-label="Seed summary" className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-5">
          <Count label="Kept" keys={summary.kept} />
          <Count label="New value" keys={summary.edited} />
          <Count label="Skipped" keys={summary.skipped} />
          <Count label="Marked secret" keys={summary.markedSecret} />
          <Count label="Secrets re-entered" keys={summary.secretsReentered} />
        </dl>
        <p className="text-sm text-zinc-500">
          One write: <span className="font-mono">{name}</span> is created
          {isProtected ? " (protected)" : ""} and filled from <span className="font-mono">{from}</span> in one
          transaction. If the source changed since this review, nothing is written and you review again.
        </p>
        <FormError error={apiFailure ? apply.error : null} />
        <div className="flex flex-wrap justify-end gap-2">
          <Button onClick={() => setStep("review")} disabled={apply.isPending}>
            Back to the review
          </Button>
          <Button variant="primary" onClick={() => apply.mutate()} disabled={apply.isPending}>
            Create and seed {name}
          </Button>
        </div>
      </div>
    );

  return (
    <div className="flex flex-col gap-4">
      {variables.length === 0 ? (
        <p className="text-sm text-zinc-500">
          <span className="font-mono">{from}</span> has no variables: {name} starts empty.
        </p>
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {variables.map((v) => (
            <DecisionRow
              key={v.key}
              variable={v}
              choice={choices[v.key]}
              error={rowErrors[v.key]}
              values={values.current}
              onChange={(change) => set(v.key, change)}
            />
          ))}
        </ul>
      )}
      <div className="flex flex-wrap justify-end gap-2">
        <Button onClick={() => onBack()}>Back</Button>
        <Button variant="primary" onClick={toSummary}>
          Review the summary
        </Button>
      </div>
    </div>
  );
}

/** What a review row needs of a variable (a secret has no value). */
export type Reviewed = Pick<AllVariable, "key" | "isSecret"> & { value?: string | null };

/**
 * What the server gets for one variable. A standard variable kept but marked secret is sent as EDIT with its
 * (readable) value; a secret is re-entered, or carried as-is (KEEP: promote, on the server) where offered.
 */
export function decision(v: Reviewed, choice: Choice, entered: string | undefined) {
  if (choice.action === "SKIP") return { key: v.key, action: "SKIP" as const };
  if (v.isSecret && choice.action === "KEEP") return { key: v.key, action: "KEEP" as const };
  if (v.isSecret) return { key: v.key, action: "EDIT" as const, value: entered ?? "", secret: true };
  if (choice.action === "KEEP" && !choice.secret) return { key: v.key, action: "KEEP" as const };
  const value = choice.action === "KEEP" ? (v.value ?? "") : (entered ?? v.value ?? "");
  return { key: v.key, action: "EDIT" as const, value, secret: choice.secret };
}

export function Count({ label, keys }: { label: string; keys: string[] }) {
  return (
    <div className="min-w-0 rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{keys.length}</dd>
      {keys.length > 0 && (
        <dd>
          <ul aria-label={`${label}: keys`} className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">
            {keys.map((key) => (
              <li key={key}>{key}</li>
            ))}
          </ul>
        </dd>
      )}
    </div>
  );
}

/** One variable's decision. `carrySecret`: a secret may also be carried as-is, on the server (promote). */
export function DecisionRow({
  variable: v,
  choice,
  error,
  values,
  onChange,
  carrySecret = false,
}: {
  variable: Reviewed;
  choice: Choice;
  error?: string;
  values: Map<string, string>;
  onChange: (change: Partial<Choice>) => void;
  carrySecret?: boolean;
}) {
  const options: [Action, string][] = v.isSecret
    ? [...(carrySecret ? [["KEEP", "Carry as-is"] as [Action, string]] : []), ["EDIT", "Re-enter"], ["SKIP", "Skip"]]
    : [
        ["KEEP", "Keep"],
        ["EDIT", "Edit"],
        ["SKIP", "Skip"],
      ];
  const suggest = !v.isSecret && isSensitiveName(v.key) && choice.action !== "SKIP";
  const errorId = `seed-${v.key}-error`;
  return (
    <li className="p-3">
      <fieldset className="min-w-0" aria-label={v.key} aria-describedby={error ? errorId : undefined}>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <span className="flex items-center gap-2 font-mono text-sm font-medium">
            {v.key}
            {v.isSecret && <Badge tone="amber">secret</Badge>}
          </span>
          <div className="flex gap-3 text-sm">
            {options.map(([action, label]) => (
              <label key={action} className="flex items-center gap-1">
                <input
                  type="radio"
                  name={`seed-${v.key}`}
                  checked={choice.action === action}
                  onChange={() => onChange({ action })}
                />
                {label}
              </label>
            ))}
          </div>
        </div>
        <div className="mt-1 text-sm">
          {v.isSecret ? (
            choice.action === "EDIT" ? (
              <input
                type="password"
                aria-label={`New value for ${v.key}`}
                autoComplete="new-password"
                className={inputClass}
                aria-invalid={!!error}
                ref={(el) => {
                  // Set the property, not the attribute: the value never appears in the page's HTML.
                  if (el && !el.value && values.has(v.key)) el.value = values.get(v.key) ?? "";
                }}
                onChange={(e) => values.set(v.key, e.target.value)}
              />
            ) : (
              <p className="text-zinc-500">
                •••• (value hidden; {choice.action === "KEEP" ? "carried on the server" : "skipped"})
              </p>
            )
          ) : choice.action === "EDIT" ? (
            <input
              aria-label={`New value for ${v.key}`}
              className={cx(inputClass, "font-mono")}
              aria-invalid={!!error}
              defaultValue={values.get(v.key) ?? v.value ?? ""}
              onChange={(e) => values.set(v.key, e.target.value)}
            />
          ) : (
            <p className={cx("truncate font-mono", choice.action === "SKIP" && "text-zinc-400 line-through")}>
              {v.value === "" ? <span className="text-zinc-500">(empty)</span> : v.value}
            </p>
          )}
        </div>
        {!v.isSecret && choice.action !== "SKIP" && (
          <div className="mt-1 flex flex-wrap items-center gap-2 text-sm">
            <label className="flex items-center gap-1">
              <input type="checkbox" checked={choice.secret} onChange={(e) => onChange({ secret: e.target.checked })} />
              Store {v.key} as secret
            </label>
            {suggest && !choice.secret && <Badge tone="amber">Suggested: the name looks sensitive</Badge>}
          </div>
        )}
        {error && (
          <p id={errorId} role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
      </fieldset>
    </li>
  );
}

const inputClass =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900 " +
  "aria-[invalid=true]:border-red-500";
