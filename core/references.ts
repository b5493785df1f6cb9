/**
 * References to project-shared variables inside a value: `${{project.KEY}}`, as the whole value or
 * inside a string (`postgres://${{project.DB_USER}}@db/app`). Every `${{` must start a well-formed
 * reference: anything else (`${{project.}}`, `${{other.X}}`, `${{ project.X }}`, no closing `}}`)
 * is refused, so a typo never silently becomes a literal. Messages never quote the value.
 */

const REFERENCE = /\$\{\{project\.([A-Za-z_][A-Za-z0-9_]*)\}\}/g;
const REFERENCE_AT = /\$\{\{project\.([A-Za-z_][A-Za-z0-9_]*)\}\}/y;
const OPENING = "${{";

export interface ReferenceParse {
  /** The referenced keys, sorted, each once. */
  keys: string[];
  /** Why the value is malformed (never quoting it); null when it is fine. */
  error: string | null;
}

export function parseReferences(value: string): ReferenceParse {
  if (!value.includes(OPENING)) return { keys: [], error: null };
  const keys = new Set<string>();
  let at = value.indexOf(OPENING);
  while (at !== -1) {
    REFERENCE_AT.lastIndex = at;
    const match = REFERENCE_AT.exec(value);
    if (!match)
      return {
        keys: [],
        error:
          `has a "\${{" at character ${at + 1} that is not a project reference. ` +
          "References are written ${{project.KEY}} (no spaces; KEY uses letters, digits and _).",
      };
    keys.add(match[1]);
    at = value.indexOf(OPENING, at + match[0].length);
  }
  return { keys: [...keys].sort(), error: null };
}

/** The keys of the well-formed references in `value` (sorted, each once), ignoring anything malformed. */
export function wellFormedReferences(value: string): string[] {
  if (!value.includes(OPENING)) return [];
  return [...new Set(Array.from(value.matchAll(REFERENCE), (m) => m[1]))].sort();
}

/** The keys as stored in the `references` column (a JSON array, sorted). */
export function referencesColumn(value: string): string {
  return JSON.stringify(parseReferences(value).keys);
}

export function readReferencesColumn(column: string | null | undefined): string[] {
  if (!column) return [];
  try {
    const parsed = JSON.parse(column);
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

/**
 * `value` with every reference replaced by the project variable's value. `missing` collects keys
 * that are not in `shared` (their reference is left as written).
 */
export function substituteReferences(value: string, shared: ReadonlyMap<string, string>, missing?: Set<string>) {
  if (!value.includes(OPENING)) return value;
  return value.replace(REFERENCE, (whole, key: string) => {
    const v = shared.get(key);
    if (v === undefined) {
      missing?.add(key);
      return whole;
    }
    return v;
  });
}
