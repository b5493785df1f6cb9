/** How values and tables look on the terminal. */

/** A value as a quoted string, escapes shown ("a\nb"). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** The first `max` characters of a value, quoted, with … when cut. */
export function preview(value: string, max = 40): string {
  const chars = [...value];
  return chars.length <= max ? quote(value) : `${JSON.stringify(chars.slice(0, max).join("")).slice(0, -1)}…"`;
}

/** Left-aligned columns; the header row first. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
