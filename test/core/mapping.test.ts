import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAPPING,
  FALLBACK_ENVIRONMENT,
  type MappingRule,
  resolveBranch,
  validateMapping,
} from "../../core/mapping.js";

const ENVS = ["development", "preview", "production", "staging", "qa"];

describe("resolveBranch", () => {
  it("resolves the default mapping: main → production, anything else → preview via the wildcard", () => {
    expect(resolveBranch(DEFAULT_MAPPING, "main")).toEqual({ environment: "production", matchedBy: "explicit" });
    expect(resolveBranch(DEFAULT_MAPPING, "dev")).toEqual({ environment: "preview", matchedBy: "wildcard" });
    expect(resolveBranch(DEFAULT_MAPPING, "feature-x")).toEqual({ environment: "preview", matchedBy: "wildcard" });
  });

  it("takes the first explicit match, top to bottom", () => {
    const rules: MappingRule[] = [
      { environment: "staging", branch: "release" },
      { environment: "qa", branch: "release" },
      { environment: "production", branch: "main" },
    ];
    expect(resolveBranch(rules, "release")).toEqual({ environment: "staging", matchedBy: "explicit" });
  });

  it("evaluates the wildcard last even when it is listed first", () => {
    const rules: MappingRule[] = [
      { environment: "qa", branch: "*" },
      { environment: "production", branch: "main" },
      { environment: "staging", branch: "staging" },
    ];
    expect(resolveBranch(rules, "main")).toEqual({ environment: "production", matchedBy: "explicit" });
    expect(resolveBranch(rules, "staging")).toEqual({ environment: "staging", matchedBy: "explicit" });
    expect(resolveBranch(rules, "other")).toEqual({ environment: "qa", matchedBy: "wildcard" });
  });

  it("falls back to preview when there is no wildcard", () => {
    expect(FALLBACK_ENVIRONMENT).toBe("preview");
    const rules: MappingRule[] = [{ environment: "production", branch: "main" }];
    expect(resolveBranch(rules, "feature-y")).toEqual({ environment: "preview", matchedBy: "fallback" });
    expect(resolveBranch([], "main")).toEqual({ environment: "preview", matchedBy: "fallback" });
  });

  it("matches branch names exactly (no prefix or case folding)", () => {
    const rules: MappingRule[] = [{ environment: "production", branch: "main" }];
    expect(resolveBranch(rules, "Main").matchedBy).toBe("fallback");
    expect(resolveBranch(rules, "main2").matchedBy).toBe("fallback");
  });
});

describe("validateMapping", () => {
  it("accepts the default mapping unchanged", () => {
    expect(validateMapping(DEFAULT_MAPPING, ENVS)).toEqual({ rules: DEFAULT_MAPPING, errors: [] });
  });

  it("rejects development as a target with a message that says why", () => {
    const { errors } = validateMapping([{ environment: "development", branch: "dev" }], ENVS);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toEqual(["entries", "0", "environment"]);
    expect(errors[0].message).toMatch(/development/);
    expect(errors[0].message).toMatch(/local/);
  });

  it("rejects an unknown environment, naming it and the ones that exist", () => {
    const { errors } = validateMapping(
      [
        { environment: "production", branch: "main" },
        { environment: "stagin", branch: "staging" },
      ],
      ENVS,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toEqual(["entries", "1", "environment"]);
    expect(errors[0].message).toContain('"stagin"');
    expect(errors[0].message).toContain("staging");
  });

  it("rejects a branch mapped twice, naming both entries", () => {
    const { errors } = validateMapping(
      [
        { environment: "production", branch: "main" },
        { environment: "staging", branch: "main" },
      ],
      ENVS,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toEqual(["entries", "1", "branch"]);
    expect(errors[0].message).toContain('"main"');
    expect(errors[0].message).toMatch(/0 and 1/);
  });

  it("rejects two wildcards", () => {
    const { errors } = validateMapping(
      [
        { environment: "preview", branch: "*" },
        { environment: "qa", branch: "*" },
      ],
      ENVS,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toEqual(["entries", "1", "branch"]);
    expect(errors[0].message).toMatch(/wildcard/i);
  });

  it("rejects an invalid branch name", () => {
    const { errors } = validateMapping([{ environment: "qa", branch: "bad branch" }], ENVS);
    expect(errors.map((e) => e.path)).toEqual([["entries", "0", "branch"]]);
  });

  it("reports every problem at once", () => {
    const { errors } = validateMapping(
      [
        { environment: "development", branch: "dev" },
        { environment: "nope", branch: "x" },
        { environment: "qa", branch: "x" },
      ],
      ENVS,
    );
    expect(errors.map((e) => e.path.join("."))).toEqual([
      "entries.0.environment",
      "entries.1.environment",
      "entries.2.branch",
    ]);
  });

  it("moves the wildcard last and keeps the explicit entries in their given order", () => {
    const { rules, errors } = validateMapping(
      [
        { environment: "preview", branch: "*" },
        { environment: "staging", branch: "staging" },
        { environment: "production", branch: "main" },
      ],
      ENVS,
    );
    expect(errors).toEqual([]);
    expect(rules).toEqual([
      { environment: "staging", branch: "staging" },
      { environment: "production", branch: "main" },
      { environment: "preview", branch: "*" },
    ]);
  });

  it("allows no wildcard and several branches on one environment", () => {
    const input: MappingRule[] = [
      { environment: "qa", branch: "qa-1" },
      { environment: "qa", branch: "qa-2" },
    ];
    expect(validateMapping(input, ENVS)).toEqual({ rules: input, errors: [] });
  });
});
