/**
 * Bulk edit, reviewed: a pasted or dropped .env file (core's reader: `# @secret` marks a new key secret), or the
 * environment as raw .env text (core's writer, as `envplane env pull` writes it: secrets listed as comments).
 * Every save first shows the server's own diff (bulkUpsertVariables with dryRun), then applies exactly that with
 * one bulkUpsertVariables carrying the revision the diff was computed at: a change made meanwhile by someone else
 * is refused (ConflictError) and said plainly, never overwritten.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type ReactNode, useMemo, useState } from "react";
import type { IncomingVariable } from "../../../core/diff.js";
import { type ParsedDotenv, parseDotenv, renderPulledEnv } from "../../../core/dotenv.js";
import { MAX_BULK_ITEMS } from "../../../core/limits.js";
import { check, variableKey, variableValue } from "../../../core/names.js";
import { isSensitiveName } from "../../../core/sensitive.js";
import { Badge, Button, cx, Dialog, FormError } from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import { type EnvironmentWithVariables, MASK, SECRET_RULES } from "../lib/environment.js";
import { keys, type Project } from "../lib/queries.js";

type Mode = "paste" | "raw";
type Payload = Extract<
  Awaited<ReturnType<typeof api.bulkUpsertVariables>>["bulkUpsertVariables"],
  { __typename: "BulkUpsertVariablesPayload" }
>;

interface Plan {
  parsed: ParsedDotenv;
  prune: boolean;
  keep: string[];
  diff: Payload;
}

/**
 * The heading of the secrets' list, worded for this screen (the CLI's file says to add them to .env.local). It still
 * starts with "Secrets excluded": parseDotenv reads the keys below it as listed (kept when removing keys not in the file).
 */
const SECRETS_HEADING =
  "# Secrets excluded (values never shown; each one listed here is kept, even when removing keys not in the file):";

/** The environment as `envplane env pull` writes it (standard values; secrets named in the header). */
function currentText(env: EnvironmentWithVariables): string {
  const { text } = renderPulledEnv({
    environment: env.name,
    branch: null,
    excludedSecrets: env.variables.filter((v) => v.isSecret).map((v) => v.key),
    groups: [
      {
        title: "User variables",
        variables: env.variables.filter((v) => !v.isSecret).map((v) => ({ key: v.key, value: v.value ?? "" })),
      },
    ],
  });
  return text.replace(/^# Secrets excluded\b.*$/m, SECRETS_HEADING);
}

/** Problems the server would refuse, found before sending (each with its line). */
function problemsOf(parsed: ParsedDotenv): string[] {
  if (parsed.entries.length > MAX_BULK_ITEMS)
    return [`The file has ${parsed.entries.length} variables; one save takes at most ${MAX_BULK_ITEMS}.`];
  return parsed.entries.flatMap((e) =>
    [...check(variableKey, e.key, []), ...check(variableValue, e.value, [])].map(
      (p) => `line ${e.line}: ${e.key.slice(0, 80)}: ${p.message}`,
    ),
  );
}

const preview = (value: string) => (value.length > 60 ? `${value.slice(0, 57)}…` : value);

export function BulkEdit({
  project,
  env,
  onClose,
  onDone,
}: {
  project: Project;
  env: EnvironmentWithVariables;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>("paste");
  const [pasted, setPasted] = useState("");
  const initialRaw = useMemo(() => currentText(env), [env]);
  const [raw, setRaw] = useState(initialRaw);
  const [prune, setPrune] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [secretChoice, setSecretChoice] = useState<Record<string, boolean>>({});
  const [conflict, setConflict] = useState<string | null>(null);
  const text = mode === "paste" ? pasted : raw;
  const byKey = useMemo(() => new Map(env.variables.map((v) => [v.key, v])), [env.variables]);

  /** The variables sent: `# @secret` states a type; a new key gets the type chosen in the review. */
  function variables(parsed: ParsedDotenv, added: Set<string>): IncomingVariable[] {
    return parsed.entries.map((e) => ({
      key: e.key,
      value: e.value,
      secret: added.has(e.key) ? (secretChoice[e.key] ?? e.secret) : e.secret || null,
    }));
  }

  const review = useMutation({
    mutationFn: async () => {
      const parsed = parseDotenv(text);
      const found = problemsOf(parsed);
      setProblems(found);
      if (found.length) return null;
      // Keys a pulled file names as left out (secrets, values no quoting could write) are not "missing".
      const keep = prune ? [...parsed.excludedSecrets, ...parsed.leftOut] : [];
      const r = await api.bulkUpsertVariables({
        input: {
          project: project.slug,
          environment: env.name,
          variables: parsed.entries.map((e) => ({ key: e.key, value: e.value, secret: e.secret || null })),
          prune,
          keep,
          dryRun: true,
        },
      });
      return { parsed, prune, keep, diff: expect(r.bulkUpsertVariables, "BulkUpsertVariablesPayload") };
    },
    onSuccess: (next) => {
      setConflict(null);
      if (!next) return;
      setPlan(next);
      setSecretChoice(
        Object.fromEntries(
          next.parsed.entries
            .filter((e) => next.diff.added.includes(e.key))
            .map((e) => [e.key, e.secret || isSensitiveName(e.key)]),
        ),
      );
    },
  });

  const apply = useMutation({
    mutationFn: async (p: Plan) => {
      const r = await api.bulkUpsertVariables({
        input: {
          project: project.slug,
          environment: env.name,
          variables: variables(p.parsed, new Set(p.diff.added)),
          prune: p.prune,
          keep: p.keep,
          expectedRevision: p.diff.revision,
        },
      });
      const result = r.bulkUpsertVariables;
      if (result.__typename === "ConflictError") {
        setConflict(
          `Someone else changed "${env.name}" after this diff was computed (it was at revision ${p.diff.revision}, ` +
            `it is now at ${result.currentRevision ?? "a newer revision"}). Nothing was saved. ` +
            "Look at the fresh diff before applying.",
        );
        await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
        return null;
      }
      return expect(result, "BulkUpsertVariablesPayload");
    },
    onSuccess: async (applied) => {
      if (!applied) return;
      await queryClient.invalidateQueries({ queryKey: keys.project(project.slug) });
      const overwritten = applied.secretOverwritten.length;
      onDone(
        applied.applied
          ? `Applied to ${env.name}: ${applied.added.length} added, ${applied.changed.length + overwritten} changed` +
              `${overwritten ? ` (${overwritten} secret overwritten)` : ""}, ${applied.removed.length} removed ` +
              `(revision ${applied.revision}).`
          : `Nothing changed in ${env.name}.`,
      );
    },
  });

  function back() {
    setPlan(null);
    setConflict(null);
    apply.reset();
  }

  async function drop(event: DragEvent) {
    event.preventDefault();
    const file = event.dataTransfer.files[0];
    if (file) {
      setMode("paste");
      setPasted(await file.text());
    }
  }

  const reviewFailure = review.error instanceof ResultError ? review.error : null;
  const fieldProblems =
    reviewFailure?.result.fieldErrors?.map((f) => {
      const entry = f.path[0] === "variables" ? plan?.parsed.entries[Number(f.path[1])] : undefined;
      const parsedEntry = entry ?? parseDotenv(text).entries[Number(f.path[1])];
      return parsedEntry ? `line ${parsedEntry.line}: ${parsedEntry.key}: ${f.message}` : f.message;
    }) ?? [];

  return (
    <Dialog
      open
      wide
      onOpenChange={(o) => !o && onClose()}
      title={`Bulk edit ${env.name}`}
      description="Nothing is saved until you have seen the server's diff and applied it."
    >
      {plan ? (
        <Review
          plan={plan}
          env={env}
          byKey={byKey}
          secretChoice={secretChoice}
          setSecretChoice={(key, secret) => setSecretChoice((c) => ({ ...c, [key]: secret }))}
          conflict={conflict}
          applyError={apply.error ?? review.error}
          pending={apply.isPending || review.isPending}
          onBack={back}
          onApply={() => apply.mutate(plan)}
          onFresh={() => review.mutate()}
        />
      ) : (
        <div className="flex flex-col gap-3">
          <div role="tablist" aria-label="Source" className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
            {(
              [
                ["paste", "Paste or drop a .env file"],
                ["raw", "Edit as .env text"],
              ] as const
            ).map(([m, label]) => (
              <button
                key={m}
                type="button"
                role="tab"
                aria-selected={mode === m}
                onClick={() => setMode(m)}
                className={cx(
                  "-mb-px border-b-2 px-3 py-1.5 text-sm",
                  mode === m ? "border-indigo-600 font-medium" : "border-transparent text-zinc-500",
                )}
              >
                {label}
              </button>
            ))}
          </div>
          {mode === "paste" ? (
            // biome-ignore lint/a11y/noStaticElementInteractions: the drop zone; the textarea and file input are the keyboard ways in
            <div onDragOver={(e) => e.preventDefault()} onDrop={drop} className="flex flex-col gap-2">
              <label htmlFor="bulk-paste" className="text-sm font-medium">
                .env content
              </label>
              <textarea
                id="bulk-paste"
                rows={12}
                value={pasted}
                onChange={(e) => setPasted(e.target.value)}
                placeholder={"API_URL=https://example.com\n# @secret\nSTRIPE_KEY=sk_live_…"}
                spellCheck={false}
                autoComplete="off"
                wrap="off"
                className="w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
              />
              <p className="text-xs text-zinc-500">
                Paste the file here, drop it on this box, or{" "}
                <label className="cursor-pointer text-indigo-700 underline dark:text-indigo-400">
                  choose a file
                  <input
                    type="file"
                    accept=".env,text/plain,*"
                    className="sr-only"
                    onChange={async (e) => {
                      const file = e.target.files?.[0];
                      if (file) setPasted(await file.text());
                    }}
                  />
                </label>
                . A <code># @secret</code> line above a new key makes it a secret.
              </p>
            </div>
          ) : (
            <div className="flex flex-col gap-2">
              <label htmlFor="bulk-raw" className="text-sm font-medium">
                {env.name} as .env
              </label>
              <textarea
                id="bulk-raw"
                rows={14}
                value={raw}
                onChange={(e) => setRaw(e.target.value)}
                spellCheck={false}
                autoComplete="off"
                wrap="off"
                className="w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
              />
              <p className="text-xs text-zinc-500">
                Standard values, as <code>envplane env pull</code> writes them. Secrets are listed as comments and stay
                as they are; to overwrite one, add <code>KEY=new value</code>.
                {initialRaw !== raw && (
                  <Button variant="ghost" className="ml-2 text-xs" onClick={() => setRaw(initialRaw)}>
                    Reset the text
                  </Button>
                )}
              </p>
            </div>
          )}
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} className="mt-1" />
            <span>
              Also remove keys not in the file
              <span className="block text-xs text-zinc-500">
                Deletes every variable of {env.name} (with its branch overrides) the text does not set, except the
                secrets and values it lists as left out. Without this, such variables are left alone.
              </span>
            </span>
          </label>
          <Warnings parsed={text ? parseDotenv(text) : null} />
          {(problems.length > 0 || fieldProblems.length > 0) && (
            <div role="alert" className="text-sm text-red-600 dark:text-red-400">
              <p className="font-medium">Fix these lines; nothing was sent:</p>
              <ul className="list-inside list-disc">
                {[...problems, ...fieldProblems].map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </div>
          )}
          <FormError error={review.error && !fieldProblems.length ? review.error : null} />
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="primary" disabled={review.isPending} onClick={() => review.mutate()}>
              Review changes
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

function Warnings({ parsed }: { parsed: ParsedDotenv | null }) {
  if (!parsed?.warnings.length) return null;
  return (
    <div className="rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      <p className="font-medium">Notes on the text:</p>
      <ul className="list-inside list-disc">
        {parsed.warnings.slice(0, 20).map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

function Review({
  plan,
  env,
  byKey,
  secretChoice,
  setSecretChoice,
  conflict,
  applyError,
  pending,
  onBack,
  onApply,
  onFresh,
}: {
  plan: Plan;
  env: EnvironmentWithVariables;
  byKey: Map<string, EnvironmentWithVariables["variables"][number]>;
  secretChoice: Record<string, boolean>;
  setSecretChoice: (key: string, secret: boolean) => void;
  conflict: string | null;
  applyError: unknown;
  pending: boolean;
  onBack: () => void;
  onApply: () => void;
  onFresh: () => void;
}) {
  const { diff, parsed } = plan;
  const incoming = new Map(parsed.entries.map((e) => [e.key, e]));
  const sent = new Set(parsed.entries.map((e) => e.key));
  const listed = new Set([...parsed.excludedSecrets, ...parsed.leftOut]);
  const leftAlone = plan.prune ? [] : [...byKey.keys()].filter((k) => !sent.has(k) && !listed.has(k));
  const changes = diff.added.length + diff.changed.length + diff.secretOverwritten.length + diff.removed.length;
  const counts: [number, string][] = [
    [diff.added.length, "added"],
    [diff.changed.length, "changed"],
    [diff.unchanged.length, "unchanged"],
    [diff.secretOverwritten.length, diff.secretOverwritten.length === 1 ? "secret overwritten" : "secrets overwritten"],
    [diff.removed.length, "removed"],
  ];
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        The server's diff of the text against <span className="font-mono">{env.name}</span> at{" "}
        <strong>revision {diff.revision}</strong>:
      </p>
      <ul aria-label="Diff summary" className="flex flex-wrap gap-2">
        {counts.map(([n, label]) => (
          <li
            key={label}
            className="rounded-md border border-zinc-200 px-2 py-1 text-sm dark:border-zinc-700"
          >{`${n} ${label}`}</li>
        ))}
      </ul>
      <div className="max-h-[45vh] overflow-auto rounded-md border border-zinc-200 dark:border-zinc-800">
        {/* Narrow screens: no minimum width, values wrap: the whole diff is readable without scrolling sideways. */}
        <table className="w-full text-sm sm:min-w-[520px]">
          <caption className="sr-only">Changes</caption>
          <tbody>
            {diff.added.map((key) => {
              const e = incoming.get(key)!;
              const secret = secretChoice[key] ?? e.secret;
              return (
                <DiffRow key={key} sign="+" label="add" tone="emerald" variableKey={key}>
                  <span className="flex flex-wrap items-center gap-3">
                    {secret ? <span className="font-mono text-zinc-400">{MASK}</span> : <Preview value={e.value} />}
                    <label className="flex items-center gap-1.5 text-xs">
                      <input
                        type="checkbox"
                        checked={secret}
                        onChange={(ev) => setSecretChoice(key, ev.target.checked)}
                        aria-label={`Store ${key} as a secret`}
                        title={SECRET_RULES}
                      />
                      secret{e.secret ? " (# @secret)" : ""}
                    </label>
                  </span>
                </DiffRow>
              );
            })}
            {diff.changed.map((key) => (
              <DiffRow key={key} sign="~" label="change" tone="indigo" variableKey={key}>
                <span className="flex flex-wrap items-center gap-1.5">
                  <span className="text-zinc-500 line-through">
                    <Preview value={byKey.get(key)?.value ?? ""} />
                  </span>
                  <span aria-hidden="true">→</span>
                  <span className="sr-only">becomes</span>
                  <Preview value={incoming.get(key)?.value ?? ""} />
                </span>
              </DiffRow>
            ))}
            {diff.secretOverwritten.map((key) => (
              <DiffRow key={key} sign="~" label="secret, overwritten" tone="amber" variableKey={key}>
                <span className="text-xs text-zinc-500">A secret can't be compared: its value is replaced.</span>
              </DiffRow>
            ))}
            {diff.removed.map((key) => (
              <DiffRow key={key} sign="−" label="remove" tone="red" variableKey={key}>
                <span className="text-xs text-zinc-500">{deletedWith(byKey.get(key)?.overrides.length ?? 0)}</span>
              </DiffRow>
            ))}
          </tbody>
        </table>
        {changes === 0 && <p className="p-3 text-sm text-zinc-500">Nothing to change: every value already matches.</p>}
      </div>
      {diff.unchanged.length > 0 && (
        <details className="text-sm text-zinc-500">
          <summary>Unchanged ({diff.unchanged.length})</summary>
          <p className="mt-1 font-mono text-xs break-all">{diff.unchanged.join(", ")}</p>
        </details>
      )}
      {diff.typeKept.length > 0 && (
        <p className="text-sm text-amber-700 dark:text-amber-400">
          {diff.typeKept.join(", ")} keep their type: the secret flag is set at creation and never changes.
        </p>
      )}
      {plan.keep.length > 0 && (
        <p className="text-xs text-zinc-500">
          Kept although not set in the text (listed as left out): {plan.keep.join(", ")}
        </p>
      )}
      {leftAlone.length > 0 && (
        <p className="text-xs text-zinc-500">
          {leftAlone.length} {leftAlone.length === 1 ? "variable" : "variables"} of {env.name} not in the text{" "}
          {leftAlone.length === 1 ? "is" : "are"} left alone ("also remove keys not in the file" deletes them).
        </p>
      )}
      {conflict ? (
        <div
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-300"
        >
          <p>{conflict}</p>
          <Button className="mt-2" onClick={onFresh} disabled={pending}>
            Show the fresh diff
          </Button>
        </div>
      ) : (
        <FormError error={applyError} />
      )}
      <div className="flex justify-end gap-2">
        <Button onClick={onBack}>Back to the text</Button>
        <Button
          variant="primary"
          onClick={onApply}
          disabled={pending || changes === 0}
          disabledReason={conflict ? "The environment changed since this diff: look at the fresh diff first." : null}
        >
          Apply {changes} {changes === 1 ? "change" : "changes"}
        </Button>
      </div>
    </div>
  );
}

function Preview({ value }: { value: string }) {
  if (value === "") return <span className="text-zinc-400 italic">(empty)</span>;
  return (
    <span className="font-mono break-all" title={value.length > 60 ? value : undefined}>
      {preview(value)}
    </span>
  );
}

function DiffRow({
  sign,
  label,
  tone,
  variableKey: key,
  children,
}: {
  sign: string;
  label: string;
  tone: "emerald" | "indigo" | "amber" | "red";
  variableKey: string;
  children: ReactNode;
}) {
  const colors = {
    emerald: "text-emerald-700 dark:text-emerald-400",
    indigo: "text-indigo-700 dark:text-indigo-400",
    amber: "text-amber-700 dark:text-amber-400",
    red: "text-red-700 dark:text-red-400",
  };
  const badge = <Badge tone={tone === "emerald" ? "zinc" : tone === "red" ? "red" : tone}>{label}</Badge>;
  return (
    <tr aria-label={`${key}: ${label}`} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
      <td className={cx("w-6 px-2 py-1.5 text-center font-mono font-bold", colors[tone])} aria-hidden="true">
        {sign}
      </td>
      <td className="min-w-24 px-2 py-1.5 font-mono font-medium break-all sm:min-w-32">
        {key}
        {/* Narrow screens: the label goes under the key, leaving the room to the values. */}
        <span className="mt-1 block font-sans sm:hidden">{badge}</span>
      </td>
      <td className="hidden px-2 py-1.5 sm:table-cell">{badge}</td>
      <td className="min-w-0 px-2 py-1.5 break-words">{children}</td>
    </tr>
  );
}

function deletedWith(overrides: number): string {
  if (overrides === 0) return "Deleted.";
  return `Deleted with its ${overrides === 1 ? "branch override" : `${overrides} branch overrides`}.`;
}
