/**
 * Validation of names and values, shared by the server and the CLI. Messages say what is
 * wrong and how to fix it, and never quote a value.
 */
import { z } from "zod";

export const MAX_KEY_LENGTH = 256;
export const MAX_VALUE_BYTES = 64 * 1024;
export const DEFAULT_ENVIRONMENTS = ["development", "preview", "production"] as const;
export const DEFAULT_BRANCHES = ["main", "dev"] as const;
export const WILDCARD = "*";

const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const variableKey = z
  .string()
  .min(1, "Variable key is empty. Keys look like DATABASE_URL: letters, digits and _, not starting with a digit.")
  .max(MAX_KEY_LENGTH, `Variable key is longer than ${MAX_KEY_LENGTH} characters. Use a shorter key.`)
  .regex(
    KEY_PATTERN,
    "Variable key may contain only letters, digits and _, and must not start with a digit (e.g. DATABASE_URL).",
  );

/** Whether `variableKey` accepts `key`, without building a result (bulk checks of 10,000 keys). */
export function isVariableKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key);
}

/** Whether `variableValue` accepts `value`: a UTF-16 unit is at most 3 bytes of UTF-8, so short values skip encoding. */
export function isVariableValue(value: string): boolean {
  return value.length * 3 <= MAX_VALUE_BYTES || utf8Bytes(value) <= MAX_VALUE_BYTES;
}

const utf8 = new TextEncoder();

/** The UTF-8 size of `text` in bytes (a lone surrogate counts as U+FFFD, 3 bytes, as it is stored). */
export function utf8Bytes(text: string): number {
  return utf8.encode(text).length;
}

export const variableValue = z.string().refine((v) => utf8Bytes(v) <= MAX_VALUE_BYTES, {
  message:
    `Value is larger than ${MAX_VALUE_BYTES / 1024} KiB (${MAX_VALUE_BYTES} bytes of UTF-8). ` +
    `Store large files elsewhere and keep a reference here.`,
});

export const environmentName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "Environment names use lower-case letters, digits, - and _ (at most 63 characters, e.g. staging).",
  );

/** The one form of environment name with a "/": `preview/<name>`, made by envplane preview create. */
export const PREVIEW_PREFIX = "preview/";

export const previewEnvironmentName = z
  .string()
  .regex(
    /^preview\/[a-z0-9][a-z0-9_-]{0,62}$/,
    'Preview environment names are "preview/" and a name of lower-case letters, digits, - and _ (e.g. preview/feature-x).',
  );

/**
 * The preview environment name for a project branch, before collisions: lower-cased, every run of
 * other characters (/, ., …) turned into one "-", trimmed to a letter or digit at each end, at most
 * 58 characters (room for a "-2" suffix). feature/Login_X -> preview/feature-login_x.
 */
export function previewNameFor(branch: string): string {
  const base = branch
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .slice(0, 58)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return PREVIEW_PREFIX + (base || "branch");
}

export const branchName = z
  .string()
  .min(1, "Branch name is empty.")
  .max(200, "Branch name is longer than 200 characters.")
  .regex(/^[A-Za-z0-9._/-]+$/, "Branch names use letters, digits, ., _, - and / (e.g. feature-x).")
  .refine((v) => !v.startsWith("-") && !v.startsWith("/") && !v.endsWith("/") && !v.includes(".."), {
    message: 'Branch names must not start with - or /, end with /, or contain "..".',
  });

export const projectSlug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,62}$/,
    "Project slugs use lower-case letters, digits and - (2 to 63 characters, e.g. shop).",
  );

export const displayName = z.string().trim().min(1, "Name is empty.").max(200, "Name is longer than 200 characters.");

export function isDefaultEnvironment(name: string): boolean {
  return (DEFAULT_ENVIRONMENTS as readonly string[]).includes(name);
}

export interface FieldError {
  path: string[];
  message: string;
}

/** Checks `value` against `schema`; returns the problems found, each with `path` prefixed. */
export function check<T>(schema: z.ZodType<T>, value: unknown, path: string[]): FieldError[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: [...path, ...issue.path.map(String)], message: issue.message }));
}
