import { parse as dotenvParse } from "dotenv";
import fc from "fast-check";
import { expect, it } from "vitest";
import { parse } from "../../core/dotenv-parse.js";

// Lines built from the characters that matter to the format: quotes, escapes, comments, separators.
const piece = fc.constantFrom(
  "A",
  "b_1",
  ".",
  "-",
  "=",
  ":",
  " ",
  "\t",
  "#",
  "'",
  '"',
  "`",
  "\\",
  "\\n",
  "\n",
  "\r\n",
  "export ",
  "é",
  "x",
);
const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(""));

it("reads .env text exactly as the dotenv package does", () => {
  fc.assert(
    fc.property(text, (src) => {
      expect(parse(src)).toEqual(dotenvParse(src));
    }),
    { numRuns: 3000 },
  );
  const sample = "export A=1\nB=\"two\\nlines\"\nC='x # y' # note\nD: spaced\n#E=no\nF=`tick`\r\nG=";
  expect(parse(sample)).toEqual(dotenvParse(sample));
});
