import { parse } from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendEntries,
  formatAssignment,
  type PulledEnvFile,
  parseDotenv,
  renderPulledEnv,
} from "../../core/dotenv.js";

/** Renders the values as one pulled file and reads it back. */
function roundTrip(values: string[]) {
  const variables = values.map((value, i) => ({ key: `V${i}`, value }));
  const { text, unrepresentable } = renderPulledEnv({
    environment: "development",
    branch: null,
    excludedSecrets: [],
    groups: [{ title: "User variables", variables }],
  });
  return { text, unrepresentable, parsed: parseDotenv(text), variables };
}

/**
 * What formatAssignment's doc comment promises about null: the value cannot be written bare,
 * and every quote kind is blocked (', ` by a CR or a quote of that kind not after a backslash;
 * " by such a " or a literal backslash-n / backslash-r).
 */
function mustBeUnrepresentable(v: string): boolean {
  const bare = (q: string) => new RegExp(`(^|[^\\\\])${q}`).test(v);
  const plain = v === v.trim() && !/[#\r\n\u2028\u2029]/.test(v) && !/^['"`]/.test(v);
  const cr = v.includes("\r");
  return !plain && (cr || bare("'")) && (cr || bare("`")) && (/\\[nr]/.test(v) || bare('"'));
}

const hardValues: [string, string][] = [
  ["plain", "postgres://localhost:5432/app"],
  ["query string", "https://x.test/?a=b&c=d"],
  ["LF", "line1\nline2"],
  ["CRLF", "line1\r\nline2"],
  ["lone CR", "line1\rline2"],
  ["trailing newline", "value\n"],
  ["only a newline", "\n"],
  ["only CRLF", "\r\n"],
  ["PEM", "-----BEGIN KEY-----\nMIIB+abc/def==\n-----END KEY-----\n"],
  ["single quote", "it's"],
  ["double quote", 'say "hi"'],
  ["backtick", "run `ls`"],
  ["all three quotes", `it's "a" \`b\``],
  ["all three quotes and a newline", `it's\n"a" \`b\``],
  ["all three quotes and surrounding spaces", ` '"\` `],
  ["only quotes ''", "''"],
  ['only quotes ""', '""'],
  ["only quotes ``", "``"],
  ["lone '", "'"],
  ['lone "', '"'],
  ["lone `", "`"],
  ["opening quote only", "'abc"],
  ["quoted inside", "'a'b'"],
  ["hash", "a#b"],
  ["space hash", "a #b"],
  ["looks like a comment", "# not a comment"],
  ["lone hash", "#"],
  ["dollar", "$HOME"],
  ["expansion syntax", "${X}"],
  ["escaped expansion", "\\${X}"],
  ["equals", "a=b"],
  ["lone equals", "="],
  ["leading equals", "==x"],
  ["colon", "a: b"],
  ["backslash", "\\"],
  ["two backslashes", "\\\\"],
  ["literal \\n", "\\n"],
  ["literal \\r and \\n in text", "a\\nb\\rc"],
  ["literal \\n and a real newline", "\\n\n"],
  ["windows path", "C:\\dir\\"],
  ["trailing backslash with a newline", "a\nb\\"],
  ["trailing backslash with a hash", "a#b\\"],
  ["trailing backslash with spaces", " x \\"],
  ["escaped quotes", `\\" \\' \\\``],
  ["leading space", " a"],
  ["trailing space", "a "],
  ["tabs", "\ta\t"],
  ["only a space", " "],
  ["only a tab", "\t"],
  ["accents", "héllo wörld"],
  ["emoji", "🔑😀"],
  ["no-break spaces", "\u00a0x\u00a0"],
  ["line separator", "a\u2028'b'"],
  ["byte order mark", "\ufeff"],
  ["empty", ""],
  ["annotation", "# @secret"],
  ["annotation between newlines", "\n# @secret\n"],
  ["an assignment", "a\nB=2"],
  ["export line", "export X=1"],
];

describe("round trip through renderPulledEnv and parseDotenv", () => {
  it.each(hardValues)("keeps %s exactly", (_what, value) => {
    const { parsed, unrepresentable } = roundTrip([value, "after", value]);
    expect(unrepresentable).toEqual([]);
    expect(parsed.entries.map((e) => [e.key, e.value])).toEqual([
      ["V0", value],
      ["V1", "after"],
      ["V2", value],
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it("keeps all the hard values together in one file", () => {
    const values = hardValues.map(([, v]) => v);
    const { parsed, unrepresentable, variables } = roundTrip(values);
    expect(unrepresentable).toEqual([]);
    expect(parsed.entries.map(({ key, value }) => ({ key, value }))).toEqual(variables);
    expect(parsed.entries.every((e) => !e.secret)).toBe(true);
    expect(parsed.warnings).toEqual([]);
  });

  it("a trailing backslash cannot swallow the lines after it", () => {
    // Without care, 'a#b\' reads its closing quote as escaped and runs on to the next line's quote.
    const { parsed } = roundTrip(["a#b\\", "x'"]);
    expect(parsed.entries.map((e) => e.value)).toEqual(["a#b\\", "x'"]);
    expect(parse(`A='a#b\\'\nB=x'\n`).A).not.toBe("a#b\\"); // the trap being avoided
  });

  const hard = fc.constantFrom(
    "'",
    '"',
    "`",
    "\\",
    "n",
    "r",
    "\n",
    "\r",
    " ",
    "\t",
    "#",
    "$",
    "{",
    "=",
    ":",
    "@",
    "a",
    "é",
    "😀",
    "\u2028",
    "\u00a0",
  );
  const weighted = fc.string({
    unit: fc.oneof(
      { arbitrary: hard, weight: 5 },
      { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 1 },
    ),
    maxLength: 12,
  });

  function checkFile(values: string[], excludedSecrets: string[]) {
    const variables = values.map((value, i) => ({ key: `K${i}`, value }));
    const file: PulledEnvFile = {
      environment: "preview",
      branch: "feature-x",
      excludedSecrets,
      groups: [
        { title: "auth.external.google", variables: variables.slice(0, 2) },
        { title: "User variables", variables: variables.slice(2) },
      ],
    };
    const { text, unrepresentable } = renderPulledEnv(file);
    const parsed = parseDotenv(text);
    for (const key of unrepresentable)
      expect(mustBeUnrepresentable(variables.find((v) => v.key === key)!.value)).toBe(true);
    expect(parsed.entries.map(({ key, value }) => ({ key, value }))).toEqual(
      variables.filter((v) => !unrepresentable.includes(v.key)),
    );
    expect(parsed.excludedSecrets).toEqual(excludedSecrets);
    expect(parsed.warnings).toEqual([]);
    for (const key of unrepresentable) expect(text).toContain(`\n# ${key}\n`);
  }

  it("property: every value comes back exactly, or is reported and really needs leaving out", () => {
    const secrets = fc.uniqueArray(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), { maxLength: 3 });
    fc.assert(fc.property(fc.array(weighted, { minLength: 1, maxLength: 6 }), secrets, checkFile), { numRuns: 1500 });
  });

  it("property: the same for arbitrary code points", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 20 }), { minLength: 1, maxLength: 4 }), (values) =>
        checkFile(values, []),
      ),
      { numRuns: 300 },
    );
  });
});

describe("formatAssignment", () => {
  it.each([
    ["plain", "value", "KEY=value"],
    ["empty", "", "KEY="],
    ["newline: literal lines in single quotes", "a\nb", "KEY='a\nb'"],
    ["single quote and hash: double quotes", "it's #1", `KEY="it's #1"`],
    ["hash: single quotes", "a #b", "KEY='a #b'"],
    ["carriage return: escaped in double quotes", "a\r\nb", 'KEY="a\\r\\nb"'],
    ["both ' and \": backticks", `'"`, "KEY=`'\"`"],
  ])("%s", (_what, value, line) => {
    expect(formatAssignment("KEY", value)).toBe(line);
  });

  it("returns null when no quoting reads back exactly", () => {
    for (const value of [`it's "a" \`b\` # c`, `'"\`\n\\n`, `'"\`\r\\n`]) {
      expect(mustBeUnrepresentable(value)).toBe(true);
      expect(formatAssignment("KEY", value)).toBeNull();
    }
  });
});

describe("renderPulledEnv", () => {
  const spec: PulledEnvFile = {
    environment: "development",
    branch: null,
    excludedSecrets: ["ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET", "STRIPE_KEY"],
    groups: [
      {
        title: "auth.external.google",
        variables: [{ key: "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID", value: "1234567890.apps.googleusercontent.com" }],
      },
      { title: "Empty", variables: [] },
      {
        title: "User variables",
        variables: [
          { key: "DATABASE_URL", value: "postgres://localhost:5432/app" },
          { key: "API_URL", value: "http://localhost:3000" },
        ],
      },
    ],
  };
  const specText = `# Pulled from "development" environment
#
# Secrets excluded (add to .env.local if needed):
# ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET
# STRIPE_KEY

# auth.external.google
ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID=1234567890.apps.googleusercontent.com

# User variables
DATABASE_URL=postgres://localhost:5432/app
API_URL=http://localhost:3000
`;

  it("writes the spec's format exactly, leaving out empty groups", () => {
    expect(renderPulledEnv(spec)).toEqual({ text: specText, unrepresentable: [] });
  });

  it("reads back the excluded secrets and exactly the variables", () => {
    const parsed = parseDotenv(specText);
    expect(parsed.excludedSecrets).toEqual(["ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET", "STRIPE_KEY"]);
    expect(parsed.entries).toEqual([
      {
        key: "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID",
        value: "1234567890.apps.googleusercontent.com",
        secret: false,
        line: 8,
      },
      { key: "DATABASE_URL", value: "postgres://localhost:5432/app", secret: false, line: 11 },
      { key: "API_URL", value: "http://localhost:3000", secret: false, line: 12 },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it("names the branch, and leaves out the secrets block when there are none", () => {
    const { text } = renderPulledEnv({ ...spec, environment: "preview", branch: "feature-x", excludedSecrets: [] });
    expect(text.split("\n").slice(0, 3)).toEqual([
      '# Pulled from "preview" environment (project branch feature-x)',
      "",
      "# auth.external.google",
    ]);
    expect(parseDotenv(text).excludedSecrets).toEqual([]);
  });

  it("a file with no groups is the header and a single newline", () => {
    expect(renderPulledEnv({ environment: "qa", branch: null, excludedSecrets: [], groups: [] }).text).toBe(
      '# Pulled from "qa" environment\n',
    );
  });

  it("leaves out an unrepresentable value, says so in the file, and keeps the rest", () => {
    const bad = `it's "a" \`b\` # c`;
    const { text, unrepresentable } = renderPulledEnv({
      ...spec,
      groups: [
        {
          title: "User variables",
          variables: [
            { key: "A", value: "1" },
            { key: "BAD", value: bad },
            { key: "C", value: "3" },
          ],
        },
        { title: "Only bad", variables: [{ key: "BAD2", value: bad }] },
      ],
    });
    expect(unrepresentable).toEqual(["BAD", "BAD2"]);
    expect(text).toMatch(
      /\n#\n# Left out, no \.env quoting reads back their exact value[^\n]*\n# BAD\n# BAD2\n\n# User variables\n/,
    );
    expect(text).not.toContain("Only bad");
    const parsed = parseDotenv(text);
    expect(parsed.entries.map((e) => e.key)).toEqual(["A", "C"]);
    expect(parsed.excludedSecrets).toEqual(spec.excludedSecrets);
  });

  it("keeps titles on their comment line", () => {
    const { text } = renderPulledEnv({
      environment: "development",
      branch: null,
      excludedSecrets: [],
      groups: [{ title: "evil\nINJECTED=1", variables: [{ key: "A", value: "1" }] }],
    });
    expect(parseDotenv(text).entries.map((e) => e.key)).toEqual(["A"]);
  });
});

describe("parseDotenv: # @secret annotations", () => {
  const keysAndSecret = (text: string) => parseDotenv(text).entries.map((e) => [e.key, e.secret]);

  it("marks the next assignment, and only it", () => {
    expect(keysAndSecret("A=1\n# @secret\nB=2\nC=3\n")).toEqual([
      ["A", false],
      ["B", true],
      ["C", false],
    ]);
  });

  it("allows blank lines between, tolerates whitespace, and is case-sensitive", () => {
    expect(keysAndSecret("# @secret\n\n\nA=1\n   #   @secret   \nB=2\n#@secret\nC=3\n# @SECRET\nD=4\n")).toEqual([
      ["A", true],
      ["B", true],
      ["C", true],
      ["D", false],
    ]);
  });

  it("another comment or a garbage line in between cancels it, with a warning", () => {
    const parsed = parseDotenv("# @secret\n# Stripe\nSTRIPE_KEY=x\n# @secret\nnot an assignment\nB=2\n");
    expect(parsed.entries.map((e) => [e.key, e.secret])).toEqual([
      ["STRIPE_KEY", false],
      ["B", false],
    ]);
    expect(parsed.warnings).toEqual([
      'line 1: "# @secret" is not followed by a variable (only blank lines may come between); it was ignored.',
      'line 4: "# @secret" is not followed by a variable (only blank lines may come between); it was ignored.',
      "line 5 is not KEY=value; it was ignored.",
    ]);
  });

  it("at the end of the file it marks nothing", () => {
    const parsed = parseDotenv("A=1\n# @secret\n\n");
    expect(parsed.entries).toEqual([{ key: "A", value: "1", secret: false, line: 1 }]);
    expect(parsed.warnings).toEqual([
      'line 2: "# @secret" is not followed by a variable (only blank lines may come between); it was ignored.',
    ]);
  });

  it("works with the export form", () => {
    expect(parseDotenv("# @secret\nexport TOKEN=abc\nexport PLAIN=\n").entries).toEqual([
      { key: "TOKEN", value: "abc", secret: true, line: 2 },
      { key: "PLAIN", value: "", secret: false, line: 3 },
    ]);
  });

  it("a # @secret line inside a multi-line value is value, not an annotation", () => {
    const parsed = parseDotenv("A='x\n# @secret\n'\nB=2\n");
    expect(parsed.entries).toEqual([
      { key: "A", value: "x\n# @secret\n", secret: false, line: 1 },
      { key: "B", value: "2", secret: false, line: 4 },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it("an annotation right after a closing quote still counts", () => {
    expect(keysAndSecret('A="x\ny"\n# @secret\nB=2\n')).toEqual([
      ["A", false],
      ["B", true],
    ]);
  });

  it("a repeated key stays secret if any of its assignments was annotated", () => {
    expect(keysAndSecret("# @secret\nA=1\nA=2\n")).toEqual([["A", true]]);
  });
});

describe("parseDotenv: values, lines and warnings", () => {
  it("takes values from dotenv: quotes, escapes, comments, CRLF", () => {
    const text = `A="a\\nb"\r\nB='a\\nb'\r\nC=\`x\`\r\nD=plain # comment\r\nE=\r\nF= spaced  \r\n`;
    const parsed = parseDotenv(text);
    expect(Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]))).toEqual({
      A: "a\nb",
      B: "a\\nb",
      C: "x",
      D: "plain",
      E: "",
      F: "spaced",
    });
    expect(parsed.entries.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("warns about a garbage line and ignores it", () => {
    const parsed = parseDotenv("A=1\n\nFOO bar\nB=2\n");
    expect(parsed.entries.map((e) => e.key)).toEqual(["A", "B"]);
    expect(parsed.warnings).toEqual(["line 3 is not KEY=value; it was ignored."]);
  });

  it("warns about a quote opened and never closed (dotenv keeps it as text), without quoting the value", () => {
    const parsed = parseDotenv('A="unterminated\nexport B = `open\nC=\'"closed"\'\nD="multi\nline"\nE=plain"x\n');
    expect(parsed.entries.map((e) => [e.key, e.value])).toEqual([
      ["A", '"unterminated'],
      ["B", "`open"],
      ["C", '"closed"'],
      ["D", "multi\nline"],
      ["E", 'plain"x'],
    ]);
    expect(parsed.warnings).toEqual([
      'line 1: the value of A opens a " quote that is never closed, so it was read as written, quote included. Close the quote, or remove it.',
      "line 2: the value of B opens a ` quote that is never closed, so it was read as written, quote included. Close the quote, or remove it.",
    ]);
    expect(parsed.warnings.join()).not.toContain("unterminated");
  });

  it("never quotes a garbage line: it may be half of a secret", () => {
    const [warning] = parseDotenv("STRIPE_KEY sk_live_abc123\n").warnings;
    expect(warning).toBe("line 1 is not KEY=value; it was ignored.");
  });

  it("a repeated key keeps its last value, once, at its last position, with a warning", () => {
    const parsed = parseDotenv("DATABASE_URL=a\nB=b\nDATABASE_URL=c\nC=d\nDATABASE_URL=e\n");
    expect(parsed.entries).toEqual([
      { key: "B", value: "b", secret: false, line: 2 },
      { key: "C", value: "d", secret: false, line: 4 },
      { key: "DATABASE_URL", value: "e", secret: false, line: 5 },
    ]);
    expect(parsed.warnings).toEqual([
      "line 3: DATABASE_URL is set again (first on line 1); the last value (line 5) wins.",
      "line 5: DATABASE_URL is set again (first on line 1); the last value (line 5) wins.",
    ]);
  });

  it("lines inside a multi-line quoted value are never garbage", () => {
    const parsed = parseDotenv(
      'KEY="-----BEGIN KEY-----\nthis is not KEY=value at all\n  !!! \n-----END KEY-----"\nNEXT=1\n',
    );
    expect(parsed.warnings).toEqual([]);
    expect(parsed.entries.map((e) => [e.key, e.line])).toEqual([
      ["KEY", 1],
      ["NEXT", 5],
    ]);
  });

  it("a hand-written file has no excluded secrets, and the block's keys end at the first other line", () => {
    expect(parseDotenv("# my settings\nA=1\n").excludedSecrets).toEqual([]);
    expect(parseDotenv("# Secrets excluded:\n# S1\n# S2 is a note\n# S3\n").excludedSecrets).toEqual(["S1"]);
    expect(parseDotenv("A='\n# Secrets excluded:\n# S1\n'\n").excludedSecrets).toEqual([]);
  });

  it("warns when dotenv does not read a key the scan found", () => {
    const parsed = parseDotenv("__proto__=x\nA=1\n");
    expect(parsed.entries.map((e) => e.key)).toEqual(["A"]);
    expect(parsed.warnings).toEqual(["line 1: dotenv does not read __proto__; it was ignored."]);
  });

  it("property: entries always hold exactly what dotenv reads, for any text", () => {
    const piece = fc.constantFrom(
      "A",
      "B_1",
      "export ",
      "=",
      ": ",
      "'",
      '"',
      "`",
      "\\",
      "n",
      "#",
      " @secret",
      " ",
      "\n",
      "\r\n",
      "\r",
      "x",
      "$",
      "\u2028",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        const parsed = parseDotenv(text);
        expect(Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]))).toEqual(parse(text));
        expect(parsed.warnings.filter((w) => w.includes("dotenv"))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("appendEntries", () => {
  it("adds a newline first when the text lacks one, and # @secret above secrets", () => {
    expect(
      appendEntries("A=1", [
        { key: "B", value: "", secret: false },
        { key: "C", value: "", secret: true },
      ]),
    ).toBe("A=1\nB=\n# @secret\nC=\n");
  });

  it("appends to an empty text and to a text ending in a newline", () => {
    expect(appendEntries("", [{ key: "A", value: "", secret: false }])).toBe("A=\n");
    expect(appendEntries("A=1\n", [{ key: "B", value: "", secret: false }])).toBe("A=1\nB=\n");
    expect(appendEntries("A=1", [])).toBe("A=1");
  });

  it("keeps CRLF line endings", () => {
    expect(appendEntries("A=1\r\n", [{ key: "B", value: "", secret: true }])).toBe("A=1\r\n# @secret\r\nB=\r\n");
  });

  it("round-trips values and secret marks, leaving existing entries as they were", () => {
    const added = hardValues.map(([, value], i) => ({ key: `N${i}`, value, secret: i % 2 === 0 }));
    const existing = "# existing\nA='multi\nline'\nB=2";
    const parsed = parseDotenv(appendEntries(existing, added));
    expect(parsed.entries.map(({ key, value, secret }) => ({ key, value, secret }))).toEqual([
      { key: "A", value: "multi\nline", secret: false },
      { key: "B", value: "2", secret: false },
      ...added,
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it("refuses when an unclosed quote in the text would swallow the new lines", () => {
    expect(() => appendEntries("X='abc\n", [{ key: "K", value: "a'", secret: false }])).toThrow(/change how it reads/);
  });

  it("refuses a value no quoting can hold", () => {
    expect(() => appendEntries("", [{ key: "K", value: `it's "a" \`b\` # c`, secret: false }])).toThrow(
      /K cannot be written/,
    );
  });
});
