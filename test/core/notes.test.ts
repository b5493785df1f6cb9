import { describe, expect, it } from "vitest";
import { dotenvLayout, parseDotenv, renderPulledEnv } from "../../core/dotenv.js";
import { mergeLayout, noteErrors } from "../../core/notes.js";

const layout = (text: string) => Object.fromEntries(dotenvLayout(text));

describe("dotenvLayout", () => {
  it("a comment block directly above a key is its note; a blank line detaches it (a free comment, not kept)", () => {
    expect(layout("# free\n\n# Line one\n#\n#  indented\nA=1\nB=2\n\n# note b\n# @secret\nC=3\n")).toEqual({
      A: { note: "Line one\n\n indented", blankLineBefore: true },
      B: { note: null, blankLineBefore: false },
      C: { note: "note b", blankLineBefore: true },
    });
  });

  it("pull's header block and section titles are not notes; a comment inside a quoted value is value", () => {
    const text =
      '# Pulled from "dev" environment\n#\n# Secrets excluded (add to .env.local if needed):\n# S\n\n' +
      "# User variables\n# the note\nA=1\nM='x\n# not a comment\n'\n\n# auth.external.google\nG=1\n";
    expect(layout(text)).toEqual({
      A: { note: "the note", blankLineBefore: false },
      M: { note: null, blankLineBefore: false },
      G: { note: null, blankLineBefore: false },
    });
    expect(parseDotenv(text).excludedSecrets).toEqual(["S"]);
  });

  it("never fails on odd input", () => {
    expect(layout("#\n#\nA=1\n# trailing comment")).toEqual({ A: { note: "\n", blankLineBefore: false } });
    expect(layout("")).toEqual({});
  });
});

describe("render and read back", () => {
  it("notes and blank lines written by pull read back the same", () => {
    const variables = [
      { key: "A", value: "1", note: "first\n\n  spaced", blankLineBefore: false },
      { key: "B", value: "two words", note: null, blankLineBefore: false },
      { key: "C", value: "3", note: "c", blankLineBefore: true },
      { key: "D", value: "4", note: null, blankLineBefore: true },
    ];
    const { text } = renderPulledEnv({
      environment: "dev",
      branch: null,
      excludedSecrets: ["S"],
      groups: [
        { title: "auth.external.github", variables: [{ key: "G", value: "g", note: "gh", blankLineBefore: true }] },
        { title: "User variables", variables },
      ],
    });
    expect(layout(text)).toEqual({
      G: { note: "gh", blankLineBefore: true },
      ...Object.fromEntries(variables.map((v) => [v.key, { note: v.note, blankLineBefore: v.blankLineBefore }])),
    });
    expect(parseDotenv(text).entries.map((e) => [e.key, e.value])).toEqual([
      ["G", "g"],
      ["A", "1"],
      ["B", "two words"],
      ["C", "3"],
      ["D", "4"],
    ]);
  });
});

describe("mergeLayout", () => {
  const stored = [
    { key: "A", position: 0, blankLineBefore: false },
    { key: "SECRET", position: 1, blankLineBefore: false },
    { key: "B", position: 2, blankLineBefore: true },
    { key: "LATE", position: null, blankLineBefore: false },
  ];
  it("keys not named stay after the key they followed; the same order is no change", () => {
    const same = mergeLayout(
      stored,
      [
        { key: "A", blankLineBefore: false },
        { key: "B", blankLineBefore: true },
        { key: "LATE", blankLineBefore: false },
      ],
      new Set(),
    );
    expect(same.changed).toBe(false);
    expect(same.rows.map((r) => r.key)).toEqual(["A", "SECRET", "B", "LATE"]);
    const swapped = mergeLayout(
      stored,
      [
        { key: "B", blankLineBefore: false },
        { key: "A", blankLineBefore: true },
      ],
      new Set(),
    );
    expect(swapped.changed).toBe(true);
    expect(swapped.rows).toEqual([
      { key: "B", position: 0, blankLineBefore: false },
      { key: "LATE", position: 1, blankLineBefore: false },
      { key: "A", position: 2, blankLineBefore: true },
      { key: "SECRET", position: 3, blankLineBefore: false },
    ]);
    const blank = mergeLayout(stored, [{ key: "B", blankLineBefore: false }], new Set());
    expect(blank.changed).toBe(true);
  });
  it("an environment without a layout (no key placed) gets its first one without a change", () => {
    const unplaced = stored.map((r) => ({ ...r, position: null }));
    const r = mergeLayout(
      unplaced,
      [
        { key: "B", blankLineBefore: false },
        { key: "A", blankLineBefore: true },
      ],
      new Set(),
    );
    expect(r.changed).toBe(false);
    expect(r.rows.map((x) => x.key)).toEqual(["B", "LATE", "SECRET", "A"]);
  });
  it("additions and removals are not layout changes", () => {
    const r = mergeLayout(
      stored,
      [
        { key: "A", blankLineBefore: false },
        { key: "NEW", blankLineBefore: false },
      ],
      new Set(["LATE"]),
    );
    expect(r.changed).toBe(false);
    expect(r.rows.map((x) => x.key)).toEqual(["A", "SECRET", "B", "NEW"]);
  });
});

describe("noteErrors", () => {
  it("limits length and characters", () => {
    expect(noteErrors("ok\nfine\ttabs", ["note"])).toEqual([]);
    expect(noteErrors("x".repeat(2001), ["note"])[0].message).toMatch(/2001 characters; at most 2000/);
    expect(noteErrors("a\rb", ["note"])[0].message).toMatch(/no carriage returns/);
    expect(noteErrors(" @secret ", ["note"])[0].message).toMatch(/@secret/);
  });
});
