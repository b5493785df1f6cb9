/**
 * Notes and layout of variables: a variable's note is the `# comment` block directly above its
 * key in a .env file; the layout is the order of the keys and the blank lines that group them.
 * Pure functions shared by the server (validation, merging a pushed layout) and the CLI
 * (reading and writing .env files).
 */
import type { FieldError } from "./names.js";

export const MAX_NOTE_LENGTH = 2000;

/** Section titles `env pull` writes above a group (`# User variables`, `# auth.external.google`): not notes. */
const SECTION_TITLE = /^#\s*(User variables|[a-z][a-z0-9_]*(\.[a-z0-9_-]+)+)$/;
/** Lines of the header block `env pull` writes: a block holding one is the header, never a note. */
const HEADER_LINE = /^#\s*(Pulled from "|Secrets excluded\b|Left out, no \.env quoting\b)/;
const SECRET_ANNOTATION = /^#\s*@secret$/;

/** Problems of a note ("" clears it): length, and characters a .env comment cannot hold. */
export function noteErrors(note: string, path: string[]): FieldError[] {
  if (note.length > MAX_NOTE_LENGTH)
    return [{ path, message: `The note has ${note.length} characters; at most ${MAX_NOTE_LENGTH}. Shorten it.` }];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters a comment line cannot carry
  if (/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/.test(note))
    return [{ path, message: "A note is plain text on one or more lines: no carriage returns or control characters." }];
  if (note.split("\n").some((l) => l.trim() === "@secret"))
    return [{ path, message: 'A note line cannot be "@secret": in a .env file that line marks the key as secret.' }];
  return [];
}

/** A note as .env comment lines (`# line`; an empty line is `#`). */
export function noteLines(note: string | null | undefined): string[] {
  if (!note) return [];
  return note.split("\n").map((l) => (l === "" ? "#" : `# ${l}`));
}

/**
 * The note and blank-line grouping of the assignment starting at line `at` (1-based) of `lines`.
 * `plain(n)` tells whether line n is outside every assignment (comments and blank lines only
 * count there). The note is the comment block directly above (no blank line between), without
 * `# @secret` annotations and pull's section title; null when there is none. `blankLineBefore`:
 * a blank line separates the block from the last other line above it (a key, a title, a free
 * comment; or the start of the file).
 */
export function noteAbove(
  lines: readonly string[],
  at: number,
  plain: (n: number) => boolean,
): { note: string | null; blankLineBefore: boolean } {
  let start = at;
  while (start > 1 && plain(start - 1) && lines[start - 2].trim().startsWith("#")) start--;
  let block = lines.slice(start - 1, at - 1).map((l) => l.trim());
  let blankLineBefore = false;
  for (let n = start - 1; n >= 1; n--) {
    if (plain(n) && lines[n - 1].trim() === "") blankLineBefore = true;
    else break;
  }
  if (block.some((l) => HEADER_LINE.test(l))) return { note: null, blankLineBefore };
  // A title right above the note (or the key) is pull's: the blank line that matters is below it.
  if (block.length > 0 && SECTION_TITLE.test(block[0]) && (start === 1 || lines[start - 2].trim() === "")) {
    block = block.slice(1);
    blankLineBefore = false;
  }
  block = block.filter((l) => !SECRET_ANNOTATION.test(l));
  if (block.length === 0) return { note: null, blankLineBefore };
  const text = block.map((l) => l.replace(/^#/, "").replace(/^ /, "")).join("\n");
  return { note: text, blankLineBefore };
}

export interface StoredLayout {
  key: string;
  position: number | null;
  blankLineBefore: boolean;
}

/** Stored order: placed keys by position, then the others by key. */
export function effectiveOrder<T extends StoredLayout>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => {
    if (a.position !== null && b.position !== null && a.position !== b.position) return a.position - b.position;
    if (a.position === null && b.position !== null) return 1;
    if (a.position !== null && b.position === null) return -1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/**
 * The layout after a push that sends `incoming` in file order. Named keys take the file's order
 * and blank lines; a key the push does not name stays right after the key it followed (e.g. a
 * secret pull left out), keeping its blank line. `changed` compares keys that were there before
 * and stay (additions and removals are changes of their own), once the environment has a layout.
 * The first key has no blank line.
 */
export function mergeLayout(
  stored: readonly StoredLayout[],
  incoming: readonly { key: string; blankLineBefore: boolean }[],
  removed: ReadonlySet<string>,
): { rows: { key: string; position: number; blankLineBefore: boolean }[]; changed: boolean } {
  const before = effectiveOrder(stored).filter((r) => !removed.has(r.key));
  const named = new Map(incoming.map((r) => [r.key, r.blankLineBefore]));
  const following = new Map<string | null, StoredLayout[]>();
  let anchor: string | null = null;
  for (const r of before) {
    if (named.has(r.key)) anchor = r.key;
    else following.set(anchor, [...(following.get(anchor) ?? []), r]);
  }
  const order: { key: string; blankLineBefore: boolean }[] = [...(following.get(null) ?? [])];
  for (const r of incoming) order.push(r, ...(following.get(r.key) ?? []));
  const rows = order.map((r, i) => ({
    key: r.key,
    position: i,
    blankLineBefore: i === 0 ? false : named.has(r.key) ? named.get(r.key)! : r.blankLineBefore,
  }));
  const old = new Map(before.map((r) => [r.key, r]));
  const survivors = rows.filter((r) => old.has(r.key));
  // An environment that never had a layout (no key placed) gets its first one without that counting as a
  // change: it is stored with the next write, and a push that changes nothing else has nothing to push.
  const placed = before.some((r) => r.position !== null);
  const changed =
    placed &&
    (survivors.some((r, i) => r.key !== before[i].key) ||
      survivors.some((r) => r.blankLineBefore !== old.get(r.key)!.blankLineBefore));
  return { rows, changed };
}
