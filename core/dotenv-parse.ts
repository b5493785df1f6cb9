/**
 * dotenv's `parse` (dotenv 17, lib/main.js; BSD-2-Clause, Copyright (c) 2015, Scott Motte),
 * carried here so core/ reads .env text the way the dotenv package does without its Node
 * imports (the dashboard parses in the browser). test/core/dotenv-parse.test.ts checks it
 * against the package on generated input.
 */
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export function parse(src: string): Record<string, string> {
  const obj: Record<string, string> = {};
  const lines = src.replace(/\r\n?/gm, "\n");
  LINE.lastIndex = 0;
  let match: RegExpExecArray | null = LINE.exec(lines);
  while (match != null) {
    const key = match[1];
    let value = (match[2] || "").trim();
    const maybeQuote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, "$2");
    if (maybeQuote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    obj[key] = value;
    match = LINE.exec(lines);
  }
  return obj;
}
