/**
 * Branch -> environment mapping: ordered entries, first explicit match wins, the wildcard
 * last, no wildcard -> preview. development is never a target.
 */

import type { FieldError } from "./names.js";
import { branchName, WILDCARD } from "./names.js";

export interface MappingRule {
  environment: string;
  branch: string;
}

export const FALLBACK_ENVIRONMENT = "preview";

export const DEFAULT_MAPPING: MappingRule[] = [
  { environment: "production", branch: "main" },
  { environment: "preview", branch: WILDCARD },
];

/** Rules in evaluation order: explicit entries as given, the wildcard last. */
export function orderRules(rules: readonly MappingRule[]): MappingRule[] {
  return [...rules.filter((r) => r.branch !== WILDCARD), ...rules.filter((r) => r.branch === WILDCARD)];
}

/** The environment a project branch deploys with. */
export function resolveBranch(
  rules: readonly MappingRule[],
  branch: string,
): { environment: string; matchedBy: "explicit" | "wildcard" | "fallback" } {
  const explicit = rules.find((r) => r.branch === branch);
  if (explicit) return { environment: explicit.environment, matchedBy: "explicit" };
  const wildcard = rules.find((r) => r.branch === WILDCARD);
  if (wildcard) return { environment: wildcard.environment, matchedBy: "wildcard" };
  return { environment: FALLBACK_ENVIRONMENT, matchedBy: "fallback" };
}

/**
 * Validates a whole mapping and returns it in evaluation order (explicit entries in the
 * given order, the wildcard last).
 */
export function validateMapping(
  rules: readonly MappingRule[],
  environments: readonly string[],
): { rules: MappingRule[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const path = ["entries", String(i)];
    if (rule.environment === "development")
      errors.push({
        path: [...path, "environment"],
        message:
          "development is for local execution only and cannot be mapped to a branch. " +
          "Map the branch to preview, production or a custom environment.",
      });
    else if (!environments.includes(rule.environment))
      errors.push({
        path: [...path, "environment"],
        message: `Environment "${rule.environment}" does not exist. Create it first or pick one of: ${environments.join(", ")}.`,
      });
    if (rule.branch !== WILDCARD) {
      const parsed = branchName.safeParse(rule.branch);
      if (!parsed.success) errors.push({ path: [...path, "branch"], message: parsed.error.issues[0].message });
    }
    const previous = seen.get(rule.branch);
    if (previous !== undefined)
      errors.push({
        path: [...path, "branch"],
        message:
          rule.branch === WILDCARD
            ? 'Only one wildcard ("*") entry is allowed.'
            : `Branch "${rule.branch}" is mapped twice (entries ${previous} and ${i}); a branch maps to exactly one environment.`,
      });
    else seen.set(rule.branch, i);
  });
  return { rules: orderRules(rules), errors };
}
