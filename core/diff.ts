/**
 * The diff a bulk upsert applies: what the incoming full set adds, changes, leaves alone
 * and (with prune) removes. Existing variables keep their type; a secret's current value
 * cannot be compared, so an incoming secret is always overwritten.
 */
import { parseReferences } from "./references.js";

export interface ExistingVariable {
  key: string;
  isSecret: boolean;
  /** Decrypted value for standard variables; null for secrets (never compared). */
  value: string | null;
  /** The value with its ${{project.KEY}} references resolved, when it has any: sending it back is no change. */
  resolved?: string | null;
  /** The note (null: none); undefined when not read, so a note sent for it counts as changed. */
  note?: string | null;
}

export interface IncomingVariable {
  key: string;
  value: string;
  secret?: boolean | null;
  /** The key's note: null/absent keeps the stored one, "" clears it. */
  note?: string | null;
  /** A blank line above the key in the .env file (used when the push sends its layout). */
  blankLineBefore?: boolean | null;
}

export interface BulkDiff {
  added: IncomingVariable[];
  changed: IncomingVariable[];
  unchanged: string[];
  secretOverwritten: IncomingVariable[];
  removed: string[];
  /** Keys whose incoming secret flag differs from the stored type (the stored type is kept). */
  typeKept: string[];
  /** Existing keys whose note the push changes (set, edited or cleared), whatever happens to their value. */
  notesChanged: string[];
  /** Changed keys whose stored value has ${{project.KEY}} references that the incoming literal value replaces. */
  referencesReplaced: string[];
}

/** With `prune`, existing keys missing from `incoming` are removed, except those in `keep`. */
export function computeBulkDiff(
  existing: readonly ExistingVariable[],
  incoming: readonly IncomingVariable[],
  prune: boolean,
  keep: readonly string[] = [],
): BulkDiff {
  const byKey = new Map(existing.map((v) => [v.key, v]));
  const diff: BulkDiff = {
    added: [],
    changed: [],
    unchanged: [],
    secretOverwritten: [],
    removed: [],
    typeKept: [],
    notesChanged: [],
    referencesReplaced: [],
  };
  const incomingKeys = new Set<string>();
  for (const item of incoming) {
    incomingKeys.add(item.key);
    const current = byKey.get(item.key);
    if (!current) {
      diff.added.push(item);
      continue;
    }
    if (item.secret != null && item.secret !== current.isSecret) diff.typeKept.push(item.key);
    if (item.note != null && (current.note === undefined || (current.note ?? "") !== item.note))
      diff.notesChanged.push(item.key);
    if (current.isSecret) diff.secretOverwritten.push(item);
    else if (current.value === item.value || (current.resolved != null && current.resolved === item.value))
      diff.unchanged.push(item.key);
    else {
      diff.changed.push(item);
      if (current.value !== null && parseReferences(current.value).keys.length) diff.referencesReplaced.push(item.key);
    }
  }
  const kept = new Set(keep);
  if (prune) for (const v of existing) if (!incomingKeys.has(v.key) && !kept.has(v.key)) diff.removed.push(v.key);
  return diff;
}

export function diffIsEmpty(d: BulkDiff): boolean {
  return (
    d.added.length + d.changed.length + d.secretOverwritten.length + d.removed.length + d.notesChanged.length === 0
  );
}
