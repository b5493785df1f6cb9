/**
 * The .env format of the CLI, both ways. Values are read by dotenv's own `parse`, so a file
 * means to envplane exactly what it means to every tool that loads it with dotenv. The writer
 * picks a quoting that dotenv reads back to the same value byte for byte, and proves it by
 * parsing the line it wrote.
 */
import { parse } from "./dotenv-parse.js";
import { noteAbove, noteLines } from "./notes.js";

export interface DotenvEntry {
  key: string;
  value: string;
  /** preceded by a `# @secret` annotation */
  secret: boolean;
  /** 1-based line of the assignment */
  line: number;
}

export interface ParsedDotenv {
  /** In file order; a repeated key keeps its last value (dotenv's rule) and appears once, at its last position. */
  entries: DotenvEntry[];
  /** Keys listed in the header block written by renderPulledEnv under "Secrets excluded" */
  excludedSecrets: string[];
  /** Keys listed in that header under "Left out" (values no quoting could write): absent from the file, still on the platform */
  leftOut: string[];
  /** Human-readable problems that did not stop parsing, each starting with `line N:` when it has a line. */
  warnings: string[];
}

export interface PulledEnvFile {
  environment: string;
  /** project branch whose overrides were resolved, if any */
  branch: string | null;
  /** secret keys left out */
  excludedSecrets: string[];
  /** already ordered, e.g. [{title:"auth.external.google", …}, {title:"User variables", …}] */
  groups: {
    title: string;
    /** `note` is written as comment lines above the key, `blankLineBefore` as a blank line (see core/notes.ts). */
    variables: { key: string; value: string; note?: string | null; blankLineBefore?: boolean }[];
  }[];
}

/**
 * dotenv 17's LINE regex, copied with the `d` flag (and the separator captured): dotenv
 * returns only values, this tells where each assignment starts and ends, including values
 * that span lines. parseDotenv cross-checks its keys against dotenv's in case they drift.
 */
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

const SECRET_ANNOTATION = /^#\s*@secret$/;
const SECRETS_EXCLUDED = "# Secrets excluded (add to .env.local if needed):";
const UNREPRESENTABLE = "# Left out, no .env quoting reads back their exact value (set them in your shell instead):";
/** Only the first such block counts; its keys are the `# KEY` lines right below it. */
const SECRETS_HEADING = /^#\s*Secrets excluded\b/;
const LEFT_OUT_HEADING = /^#\s*Left out, no \.env quoting\b/;
const KEY_COMMENT = /^#\s*([\w.-]+)$/;
/** A garbage line is quoted in a warning only this far: it may be a piece of a broken secret. */

interface Assignment {
  key: string;
  /** line of `export` or the key */
  line: number;
  /** line where the value (or, with no value, the separator) ends */
  endLine: number;
}

/** Where dotenv sees assignments in `src` (already LF-only). */
function scanAssignments(src: string): Assignment[] {
  const lineStarts = [0];
  for (let i = src.indexOf("\n"); i !== -1; i = src.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return [...src.matchAll(LINE)].map((m) => {
    const start = m.index + m[0].length - m[0].trimStart().length;
    const end = (m.indices![3] ?? m.indices![2])[1];
    return { key: m[1], line: lineOf(start), endLine: lineOf(Math.max(start, end - 1)) };
  });
}

/**
 * Reads a .env file as dotenv does, plus what dotenv ignores: `# @secret` annotations (a
 * `# @secret` comment marks the next assignment; blank lines may come between, any other line
 * cancels it with a warning), the "Secrets excluded" header of a pulled file, and warnings for
 * lines dotenv skips and keys set twice. Lines inside a multi-line quoted value are value, never
 * comments or garbage. A repeated key is secret if any of its assignments was annotated, so an
 * annotation is never lost to an override.
 */
export function parseDotenv(text: string): ParsedDotenv {
  const src = text.replace(/\r\n?/g, "\n");
  const values = parse(src);
  const lines = src.split("\n");
  const startingAt = new Map<number, Assignment[]>();
  const covered = new Set<number>();
  for (const a of scanAssignments(src)) {
    startingAt.set(a.line, [...(startingAt.get(a.line) ?? []), a]);
    for (let l = a.line; l <= a.endLine; l++) covered.add(l);
  }

  const warnings: { line: number; text: string }[] = [];
  const occurrences = new Map<string, { lines: number[]; secret: boolean }>();
  const excludedSecrets: string[] = [];
  const leftOut: string[] = [];
  let header: "before" | "in" | "after" = "before";
  /** The header list being read (secrets, then possibly left-out values); each is read once. */
  let list: string[] = excludedSecrets;
  let pendingSecret: number | null = null;
  const dropAnnotation = () => {
    if (pendingSecret !== null) {
      warnings.push({
        line: pendingSecret,
        text: `line ${pendingSecret}: "# @secret" is not followed by a variable (only blank lines may come between); it was ignored.`,
      });
    }
    pendingSecret = null;
  };

  for (let n = 1; n <= lines.length; n++) {
    const assignments = startingAt.get(n);
    if (assignments) {
      for (const a of assignments) {
        const seen = occurrences.get(a.key) ?? { lines: [], secret: false };
        seen.lines.push(a.line);
        seen.secret ||= pendingSecret !== null;
        occurrences.delete(a.key); // re-inserted so the map keeps the last position
        occurrences.set(a.key, seen);
        pendingSecret = null;
      }
      header = header === "in" ? "after" : header;
      continue;
    }
    if (covered.has(n)) continue;
    const trimmed = lines[n - 1].trim();
    if (trimmed === "") {
      if (header === "in") header = "after";
      continue;
    }
    if (trimmed.startsWith("#")) {
      const listed = header === "in" ? KEY_COMMENT.exec(trimmed)?.[1] : undefined;
      if (listed !== undefined) list.push(listed);
      else if (header !== "after" && list !== leftOut && LEFT_OUT_HEADING.test(trimmed))
        [header, list] = ["in", leftOut];
      else if (header === "in") header = "after";
      else if (header === "before" && SECRETS_HEADING.test(trimmed)) header = "in";
      if (SECRET_ANNOTATION.test(trimmed)) pendingSecret ??= n;
      else dropAnnotation();
      continue;
    }
    // The line is not quoted: it may be half of a secret.
    warnings.push({ line: n, text: `line ${n} is not KEY=value; it was ignored.` });
    if (header === "in") header = "after";
    dropAnnotation();
  }
  dropAnnotation();

  const entries: DotenvEntry[] = [];
  for (const [key, { lines: at, secret }] of occurrences) {
    const last = at[at.length - 1];
    for (const l of at.slice(1)) {
      warnings.push({
        line: l,
        text: `line ${l}: ${key} is set again (first on line ${at[0]}); the last value (line ${last}) wins.`,
      });
    }
    if (Object.hasOwn(values, key)) {
      entries.push({ key, value: values[key], secret, line: last });
      const open = unclosedQuote(lines[last - 1], key, values[key]);
      if (open)
        warnings.push({
          line: last,
          text: `line ${last}: the value of ${key} opens a ${open} quote that is never closed, so it was read as written, quote included. Close the quote, or remove it.`,
        });
    } else warnings.push({ line: last, text: `line ${last}: dotenv does not read ${key}; it was ignored.` });
  }
  for (const key of Object.keys(values)) {
    if (!occurrences.has(key))
      warnings.push({ line: 0, text: `dotenv reads ${key} where envplane found no assignment; it was ignored.` });
  }
  warnings.sort((a, b) => a.line - b.line);
  return { entries, excludedSecrets, leftOut, warnings: warnings.map((w) => w.text) };
}

/** The quote a value's text opens without closing it (dotenv then keeps it as text), or null. */
function unclosedQuote(line: string, key: string, value: string): string | null {
  const text = line
    .replace(/^\s*(export\s+)?/, "")
    .slice(key.length)
    .replace(/^\s*[=:]\s*/, "");
  const quote = text[0];
  return quote && "\"'`".includes(quote) && !text.includes(quote, 1) && value.startsWith(quote) ? quote : null;
}

/**
 * One line per quote kind: a value whose quote is left open would run into them, so a line
 * that reads back right before them reads back right before anything.
 */
const OPEN_QUOTE_PROBE = "\n'\n\"\n`\n";

function readsBack(line: string, key: string, value: string): boolean {
  return [line, line + OPEN_QUOTE_PROBE].every((src) => {
    const got = parse(src);
    return Object.keys(got).length === 1 && Object.hasOwn(got, key) && got[key] === value;
  });
}

/** Spellings of a value, most readable first; readsBack decides which ones are exact. */
function candidates(value: string): string[] {
  const cr = value.replace(/\r/g, "\\r");
  const quoted = [`'${value}'`, `"${cr.replace(/\n/g, "\\n")}"`, `\`${value}\``, `"${cr}"`];
  // Quotes the value does not contain read better (`"it's"`, not `'it's'`); stable sort keeps the order otherwise.
  quoted.sort((a, b) => Number(value.includes(a[0])) - Number(value.includes(b[0])));
  // A trailing backslash lets dotenv read the closing quote as escaped and run on into later
  // lines; a bare quote of the same kind in a comment right after stops it there.
  const guarded = value.endsWith("\\") ? quoted.map((q) => `${q} # ${q[0]}ends with a backslash${q[0]}`) : [];
  return [value, ...quoted, ...guarded];
}

/**
 * One `KEY=value` line (possibly spanning several lines when quoted) that dotenv parses back to
 * exactly `value`, whatever lines come after it; null when no quoting can represent it exactly.
 *
 * Returns null only when the value cannot be written bare (it has a #, a line break, leading
 * or trailing whitespace, or starts with a quote) and every quote kind is blocked: single quotes
 * and backticks by a carriage return (dotenv turns it into \n) or a quote of that kind not
 * preceded by a backslash, double quotes by a " not preceded by a backslash or by a literal
 * backslash-n or backslash-r (dotenv expands those inside double quotes and has no escape for
 * a backslash).
 */
export function formatAssignment(key: string, value: string): string | null {
  if (value === "") return readsBack(`${key}=`, key, value) ? `${key}=` : null;
  for (const body of candidates(value)) {
    const line = `${key}=${body}`;
    if (readsBack(line, key, value)) return line;
  }
  return null;
}

/** Comment text stays on its comment line: a line break in it would start a line dotenv reads. */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, " ");

/**
 * The file `envplane env pull` writes. `unrepresentable` lists keys left out because no quoting
 * represents their value exactly (the file names them in a comment too). Groups with nothing
 * written are left out; the text ends with a single newline.
 */
export function renderPulledEnv(file: PulledEnvFile): { text: string; unrepresentable: string[] } {
  const unrepresentable: string[] = [];
  const sections: string[] = [];
  for (const group of file.groups) {
    const lines: string[] = [];
    for (const { key, value, note, blankLineBefore } of group.variables) {
      const line = formatAssignment(key, value);
      if (line === null) unrepresentable.push(key);
      else lines.push(...(blankLineBefore ? [""] : []), ...noteLines(note), line);
    }
    if (lines.length > 0) sections.push([`# ${oneLine(group.title)}`, ...lines].join("\n"));
  }
  const branch = file.branch === null ? "" : ` (project branch ${oneLine(file.branch)})`;
  const header = [`# Pulled from "${oneLine(file.environment)}" environment${branch}`];
  const keyList = (title: string, keys: string[]) =>
    keys.length > 0 ? ["#", title, ...keys.map((k) => `# ${oneLine(k)}`)] : [];
  header.push(...keyList(SECRETS_EXCLUDED, file.excludedSecrets), ...keyList(UNREPRESENTABLE, unrepresentable));
  return { text: `${[header.join("\n"), ...sections].join("\n\n")}\n`, unrepresentable };
}

/**
 * Appends entries to an existing .env text (used when scaffolding empty variables), `# @secret`
 * above secret ones, keeping the text's line endings. Throws when a value cannot be written
 * exactly, or when the existing text would read differently afterwards (an unclosed quote in
 * it could swallow the new lines).
 */
export function appendEntries(text: string, entries: { key: string; value: string; secret: boolean }[]): string {
  if (entries.length === 0) return text;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = entries.flatMap(({ key, value, secret }) => {
    const line = formatAssignment(key, value);
    if (line === null)
      throw new Error(`The value of ${key} cannot be written to a .env file exactly. Set it in your shell instead.`);
    return secret ? ["# @secret", line] : [line];
  });
  const separator = text === "" || text.endsWith("\n") ? "" : eol;
  const result = text + separator + lines.join(eol) + eol;

  const expected = new Map(Object.entries(parse(text)));
  for (const { key, value } of entries) expected.set(key, value);
  const got = parse(result);
  const same =
    Object.keys(got).length === expected.size && [...expected].every(([k, v]) => Object.hasOwn(got, k) && got[k] === v);
  if (!same)
    throw new Error(
      "Appending to this .env file would change how it reads (it may have an unclosed quote). Fix the file and try again.",
    );
  return result;
}

/**
 * The notes and blank-line grouping of a .env file's keys, in file order (the last assignment of a
 * repeated key counts, as in parseDotenv): see noteAbove in core/notes.ts. Comments that are not
 * directly above a key ("free" comments) belong to no key and are not kept.
 */
export function dotenvLayout(text: string): Map<string, { note: string | null; blankLineBefore: boolean }> {
  const src = text.replace(/\r\n?/g, "\n");
  const lines = src.split("\n");
  const assignments = scanAssignments(src);
  const covered = new Set<number>();
  for (const a of assignments) for (let l = a.line; l <= a.endLine; l++) covered.add(l);
  const layout = new Map<string, { note: string | null; blankLineBefore: boolean }>();
  for (const a of assignments) {
    layout.delete(a.key);
    layout.set(
      a.key,
      noteAbove(lines, a.line, (n) => !covered.has(n)),
    );
  }
  return layout;
}
