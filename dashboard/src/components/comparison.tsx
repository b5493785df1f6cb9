/**
 * A comparison side by side (compare screen, promote summary): per key a status badge and the
 * two values. Secrets are never sent by the API: they show as •••• with changed / unchanged, or
 * "not compared" when the viewer may not write both sides (telling equality would be an oracle).
 */
import type { ComparisonEntryFieldsFragment, ComparisonStatus } from "../lib/api.js";
import { Badge, cx } from "./ui.js";

const TONES: Record<ComparisonStatus, "indigo" | "red" | "amber" | "zinc"> = {
  ADDED: "indigo",
  REMOVED: "red",
  CHANGED: "amber",
  UNCHANGED: "zinc",
  SECRET_NOT_COMPARED: "zinc",
};
const LABELS: Record<ComparisonStatus, string> = {
  ADDED: "added",
  REMOVED: "removed",
  CHANGED: "changed",
  UNCHANGED: "unchanged",
  SECRET_NOT_COMPARED: "not compared",
};
export const NOT_COMPARED_REASON =
  "secret in both, not compared: only someone who may write both environments sees whether it differs";

export function StatusBadge({ status, reason = false }: { status: ComparisonStatus; reason?: boolean }) {
  if (status === "SECRET_NOT_COMPARED" && reason)
    return (
      <span title={NOT_COMPARED_REASON}>
        <Badge tone={TONES[status]}>{LABELS[status]}</Badge>
        <span className="sr-only"> ({NOT_COMPARED_REASON})</span>
      </span>
    );
  return <Badge tone={TONES[status]}>{LABELS[status]}</Badge>;
}

function Value({ entry, side }: { entry: ComparisonEntryFieldsFragment; side: "base" | "head" }) {
  const absent = side === "base" ? entry.status === "ADDED" : entry.status === "REMOVED";
  if (absent) return <span className="text-zinc-400">—</span>;
  if (entry.isSecret)
    return (
      <span className="text-zinc-500">
        <span aria-hidden="true">•••• </span>
        <span>secret{side === "head" && entry.status === "CHANGED" ? " (changed)" : ""}</span>
      </span>
    );
  const value = side === "base" ? entry.baseValue : entry.headValue;
  if (value == null) return <span className="text-zinc-500">(not readable)</span>;
  if (value === "") return <span className="text-zinc-500">(empty)</span>;
  return <span className="font-mono break-all">{value}</span>;
}

/** Counts by status, as a line of badges. */
export function StatusCounts({ entries }: { entries: readonly ComparisonEntryFieldsFragment[] }) {
  const statuses: ComparisonStatus[] = ["ADDED", "CHANGED", "REMOVED", "UNCHANGED"];
  if (entries.some((e) => e.status === "SECRET_NOT_COMPARED")) statuses.push("SECRET_NOT_COMPARED");
  return (
    <p className="flex flex-wrap gap-3 text-sm">
      {statuses.map((s) => (
        <span key={s} className="flex items-center gap-1">
          <span className="font-semibold tabular-nums">{entries.filter((e) => e.status === s).length}</span>
          <StatusBadge status={s} />
        </span>
      ))}
    </p>
  );
}

export function ComparisonTable({
  entries,
  baseLabel,
  headLabel,
  caption,
}: {
  entries: readonly ComparisonEntryFieldsFragment[];
  baseLabel: string;
  headLabel: string;
  caption: string;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-zinc-50 text-xs text-zinc-500 dark:bg-zinc-900">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              Key
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Status
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              {baseLabel}
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              {headLabel}
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {entries.map((e) => (
            <tr key={e.key} className={cx(e.status === "UNCHANGED" && "text-zinc-500")}>
              <th scope="row" className="px-3 py-2 font-mono font-medium break-all">
                {e.key}
              </th>
              <td className="px-3 py-2">
                <StatusBadge status={e.status} reason />
              </td>
              <td className="max-w-[20rem] px-3 py-2 align-top">
                <Value entry={e} side="base" />
              </td>
              <td className="max-w-[20rem] px-3 py-2 align-top">
                <Value entry={e} side="head" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const selectClass =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900 " +
  "aria-[invalid=true]:border-red-500";

/** An environment and, optionally, one of its past revisions (empty: its current state). */
export function EnvironmentPicker({
  id,
  label,
  environments,
  environment,
  revision,
  revisionError,
  onChange,
}: {
  id: string;
  label: string;
  environments: readonly { name: string; revision: number }[];
  environment: string;
  revision: string;
  revisionError?: string | null;
  onChange: (change: { environment?: string; revision?: string }) => void;
}) {
  const current = environments.find((e) => e.name === environment)?.revision;
  return (
    <fieldset className="flex min-w-0 flex-1 flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{label}</legend>
      <div className="flex gap-2">
        <div className="flex min-w-0 flex-1 flex-col gap-1">
          <label htmlFor={`${id}-env`} className="text-xs text-zinc-500">
            Environment
          </label>
          <select
            id={`${id}-env`}
            value={environment}
            onChange={(e) => onChange({ environment: e.target.value, revision: "" })}
            className={selectClass}
          >
            {environments.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <div className="flex w-28 flex-col gap-1">
          <label htmlFor={`${id}-rev`} className="text-xs text-zinc-500">
            Revision
          </label>
          <input
            id={`${id}-rev`}
            inputMode="numeric"
            placeholder={current !== undefined ? `${current} (now)` : "now"}
            value={revision}
            onChange={(e) => onChange({ revision: e.target.value.replace(/[^0-9]/g, "") })}
            aria-invalid={!!revisionError}
            aria-describedby={revisionError ? `${id}-rev-error` : undefined}
            className={selectClass}
          />
        </div>
      </div>
      {revisionError && (
        <p id={`${id}-rev-error`} role="alert" className="text-xs text-red-600 dark:text-red-400">
          {revisionError}
        </p>
      )}
    </fieldset>
  );
}

/** The message of a typed error whose field path starts with `side` (e.g. ["base", "revision"]). */
export function sideError(
  result: { fieldErrors?: readonly { path: readonly string[]; message: string }[] } | null | undefined,
  side: string,
): string | null {
  return result?.fieldErrors?.find((f) => f.path[0] === side)?.message ?? null;
}
