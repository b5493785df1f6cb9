/**
 * The platform's config schema, as data, and the local resolution of envplane/config.json
 * for `envplane dev`: platform fields bind to canonical variables (ENVPLANE_<PATH>), user
 * variables come from env(NAME) references, and sensitive values never sit in the file
 * (it is committed to Git). Pure: callers read the files and the OS environment.
 */
import { variableKey } from "../server/domain/names.js";

export interface Layers {
  os: Record<string, string | undefined>;
  envLocal: Record<string, string>;
  env: Record<string, string>;
}

export type Source = "os" | ".env.local" | ".env" | "config";

export interface FeatureInfo {
  /** "auth.external.google" */
  path: string;
  /** "Google OAuth" */
  title: string;
  variables: {
    /** "auth.external.google.secret" */
    field: string;
    /** The variable to set: canonical, or the env() name when config overrides it. */
    name: string;
    sensitive: boolean;
    required: boolean;
  }[];
}

export interface Resolution {
  /**
   * Variables to give the process: every env() name config references that the layers
   * resolve, platform values under their canonical names, and functions.<name>.env entries
   * under their env-map keys.
   */
  variables: Record<string, string>;
  sources: Record<string, Source>;
  /** Fatal: sensitive fields hardcoded, malformed env() references, bad env-map keys. */
  errors: string[];
  /** Enabled features missing required variables; `variables` lists only the missing ones. */
  missing: FeatureInfo[];
  /** Non-fatal: env() references that resolve nowhere, settings that look like mistakes. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------
// Schema (data)

interface FieldSpec {
  name: string;
  required?: boolean;
  sensitive?: boolean;
  type?: "integer";
}

interface FeatureSpec {
  /** Config path; `<x>` segments are wildcards (see WILDCARDS). */
  pattern: string;
  /** Has an `enabled` switch (a config value, not a variable): `envplane config enable`. */
  switchable: boolean;
  /** `{x}` is replaced with the display name of wildcard x. */
  title: string;
  fields: FieldSpec[];
}

const WILDCARDS: Record<string, RegExp> = {
  provider: /^[a-z0-9_-]+$/,
  name: /^[A-Za-z0-9_-]+$/,
};

/** Display names for wildcard values; unknown values are capitalized. */
const DISPLAY_NAMES: Record<string, Record<string, string>> = {
  provider: {
    apple: "Apple", azure: "Azure", bitbucket: "Bitbucket", discord: "Discord", facebook: "Facebook", figma: "Figma",
    github: "GitHub", gitlab: "GitLab", google: "Google", kakao: "Kakao", keycloak: "Keycloak", linkedin: "LinkedIn",
    linkedin_oidc: "LinkedIn (OIDC)", notion: "Notion", slack: "Slack", slack_oidc: "Slack (OIDC)", spotify: "Spotify",
    twitch: "Twitch", twitter: "Twitter", workos: "WorkOS", zoom: "Zoom",
  },
};

const FEATURES: readonly FeatureSpec[] = [
  {
    pattern: "auth.external.<provider>",
    switchable: true,
    title: "{provider} OAuth",
    fields: [{ name: "client_id", required: true }, { name: "secret", required: true, sensitive: true }, { name: "redirect_uri" }],
  },
  {
    pattern: "db.pooler",
    switchable: false,
    title: "Connection pooler",
    fields: [{ name: "default_pool_size", type: "integer" }, { name: "max_client_conn", type: "integer" }],
  },
];

/** Maps of user variables: each key is given to the process, each value normally env(NAME). */
const USER_VARIABLE_MAPS = ["functions.<name>.env"];

/** Top-level config.json keys that are not platform config. */
const NOT_PLATFORM = new Set(["project", "environments", "$schema"]);

/** Name rule for any leaf, known or not (camelCase and - count as _: apiKey, api-key). */
const SENSITIVE_NAME = /secret|password|passwd|token|private_key|api_key|_key$|^key$/i;

const LOCAL_ENV = "development";

// ---------------------------------------------------------------------------------------
// Schema queries

/** ENVPLANE_ + the path upper-cased, with . and - (any other non-alphanumeric too) as _. */
export function canonicalName(configPath: string): string {
  return "ENVPLANE_" + configPath.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/-/g, "_"));
}

/**
 * The feature a variable belongs to, for grouping `env pull` output ("auth.external.google"),
 * or null for user variables. Works from the canonical names of the schema; a wildcard
 * comes back lower-cased with - read as _ (the canonical name cannot tell them apart).
 * With `config`, env() overrides of platform fields count too.
 */
export function featureOfVariable(key: string, config?: unknown): string | null {
  if (config !== undefined)
    for (const spec of FEATURES)
      for (const instance of instancesOf(spec, config))
        for (const field of spec.fields) {
          const ref = exactRef(get(config, [...instance, field.name]));
          if (ref === key) return instance.join(".");
        }
  for (const spec of FEATURES) {
    const segs = spec.pattern.split(".");
    const prefix = segs.map((s) => (wildcardOf(s) ? "([A-Z0-9_]+?)" : canonicalName(s).slice("ENVPLANE_".length))).join("_");
    const fields = spec.fields.map((f) => canonicalName(f.name).slice("ENVPLANE_".length)).join("|");
    const m = new RegExp(`^ENVPLANE_${prefix}_(?:${fields})$`).exec(key);
    if (!m) continue;
    let i = 1;
    return segs.map((s) => (wildcardOf(s) ? m[i++].toLowerCase() : s)).join(".");
  }
  return null;
}

/** A feature that can be switched on with `envplane config enable <path>`; null when unknown. */
export function findFeature(path: string, config?: unknown): FeatureInfo | null {
  const segs = path.split(".");
  for (const spec of FEATURES) {
    if (!spec.switchable) continue;
    const vars = matchPattern(spec.pattern, segs);
    if (vars) return featureInfo(spec, segs, vars, config);
  }
  return null;
}

/** e.g. ["auth.external.<provider>"], for error messages. */
export function knownFeaturePatterns(): string[] {
  return FEATURES.filter((f) => f.switchable).map((f) => f.pattern);
}

/** Returns a copy of config with <path>.enabled = true (creating the objects on the way). */
export function enableFeature(config: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(config);
  let node: Record<string, unknown> = copy;
  for (const seg of path.split(".")) {
    const next = Object.hasOwn(node, seg) ? node[seg] : undefined;
    if (next === undefined || next === null) node[seg] = {};
    else if (!isObject(next)) throw new Error(`${path} cannot be enabled: "${seg}" in config.json is not an object.`);
    node = node[seg] as Record<string, unknown>;
  }
  node.enabled = true;
  return copy;
}

// ---------------------------------------------------------------------------------------
// Resolution

interface Found {
  value: string;
  source: Source;
}

/**
 * Resolves config.json against the local layers.
 *
 * Precedence for a platform field such as auth.external.google.secret (first match wins):
 *   1. its canonical variable (ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET) via OS → .env.local → .env;
 *   2. the env(NAME) reference written in config, NAME resolved the same way;
 *   3. a value hardcoded in config (non-sensitive fields only; numbers and booleans as text).
 * An empty string counts as unset at every step, so a scaffolded empty entry never hides a
 * value further down. An enabled feature whose required fields resolve nowhere is `missing`;
 * a disabled (or absent) one requires nothing.
 */
export function resolveConfig(config: unknown, layers: Layers): Resolution {
  const r = new Resolver(layers);
  const root = config ?? {};
  if (!isObject(root)) {
    r.errors.push("config.json must contain a JSON object.");
    return r.result();
  }
  for (const [key, value] of Object.entries(root)) if (!NOT_PLATFORM.has(key)) r.walk(value, [key], key);
  for (const spec of FEATURES) for (const instance of instancesOf(spec, root, r.warnings)) r.feature(spec, instance, root);
  for (const [key, path, value] of r.userVariables) r.userVariable(key, path, value);
  return r.result();
}

/** The missing-variables message for one feature; callers prefix "Warning: ". */
export function formatMissingFeature(feature: FeatureInfo, envName: string): string {
  const one = feature.variables.length === 1;
  return [
    `${feature.path} is enabled but missing ${one ? "a required variable" : "required variables"}:`,
    ...feature.variables.map((v) => v.name),
    "",
    `Set ${one ? "it" : "them"} with:`,
    ...feature.variables.map((v) => `envplane env set ${v.name} "your-value" --env ${envName}${v.sensitive ? " --secret" : ""}`),
    "",
    `Or add ${one ? "it" : "them"} to envplane/.env.local for local development.`,
  ].join("\n");
}

/** The spec's missing-variables message for `envplane dev`: one block per feature, blank line between. */
export function formatMissing(missing: FeatureInfo[], envName: string): string {
  return missing.map((f) => formatMissingFeature(f, envName)).join("\n\n");
}

/** What a config value holds once read; `unset` lists env() names that resolve nowhere. */
interface Read {
  kind: "absent" | "invalid" | "ref" | "value";
  ref?: string;
  found?: Found;
  unset: string[];
}

class Resolver {
  variables: Record<string, string> = {};
  sources: Record<string, Source> = {};
  errors: string[] = [];
  missing: FeatureInfo[] = [];
  warnings: string[] = [];
  /** env-map entries, applied last so they win over a same-named env() reference. */
  userVariables: [key: string, path: string, value: unknown][] = [];

  constructor(private layers: Layers) {}

  result(): Resolution {
    return { variables: this.variables, sources: this.sources, errors: this.errors, missing: this.missing, warnings: this.warnings };
  }

  /** OS → .env.local → .env; empty strings are skipped. */
  lookup(name: string): Found | undefined {
    const order: [Record<string, string | undefined>, Source][] = [[this.layers.os, "os"], [this.layers.envLocal, ".env.local"], [this.layers.env, ".env"]];
    for (const [bag, source] of order) {
      const value = Object.hasOwn(bag, name) ? bag[name] : undefined;
      if (value !== undefined && value !== "") return { value, source };
    }
    return undefined;
  }

  set(name: string, found: Found): void {
    this.variables[name] = found.value;
    this.sources[name] = found.source;
  }

  warnUnset(names: string[], path: string): void {
    for (const name of names)
      this.warnings.push(`env(${name}) is referenced in config.json (${path}) but is not set in the OS environment, envplane/.env.local or envplane/.env.`);
  }

  /** Visits config that is not a known platform field: sensitive-name check and env() references. */
  walk(value: unknown, segs: string[], name: string): void {
    const path = segs.join(".");
    const place = classify(segs);
    if (place.kind === "field") return; // resolved per feature instance
    if (place.kind === "switch") {
      if (value !== undefined && value !== null && typeof value !== "boolean") this.warnings.push(`${path} should be true or false; the feature is treated as disabled.`);
      return;
    }
    if (place.kind === "userVariable") {
      this.userVariables.push([name, path, value]);
      return;
    }
    if (place.unknownIn) this.warnings.push(`${path} is not a known setting of ${place.unknownIn} (known: ${place.known.join(", ")}).`);
    if (isObject(value)) for (const [key, child] of Object.entries(value)) this.walk(child, [...segs, key], key);
    else if (Array.isArray(value)) value.forEach((child, i) => this.walk(child, [...segs, String(i)], name));
    else {
      const read = this.read(path, value, isSensitiveName(name), canonicalName(path), name);
      this.warnUnset(read.unset, path);
    }
  }

  feature(spec: FeatureSpec, instance: string[], root: Record<string, unknown>): void {
    const featurePath = instance.join(".");
    const enabled = spec.switchable && get(root, [...instance, "enabled"]) === true;
    const info = featureInfo(spec, instance, matchPattern(spec.pattern, instance)!, root);
    const missing: FeatureInfo["variables"] = [];
    spec.fields.forEach((field, i) => {
      const fieldPath = `${featurePath}.${field.name}`;
      const canonical = canonicalName(fieldPath);
      const read = this.read(fieldPath, get(root, [...instance, field.name]), info.variables[i].sensitive, canonical);
      const fromCanonical = this.lookup(canonical);
      const found = fromCanonical ?? read.found;
      if (found) {
        this.set(canonical, found);
        if (field.type === "integer" && !/^-?\d+$/.test(found.value.trim()))
          this.warnings.push(`${fieldPath} should be a whole number; the value from ${describeSource(found.source, fromCanonical ? canonical : read.ref)} is not.`);
      } else if (read.kind !== "invalid") {
        if (enabled && field.required) missing.push(info.variables[i]);
        else if (enabled || !spec.switchable) this.warnUnset(read.unset, fieldPath);
      }
    });
    if (missing.length > 0) this.missing.push({ ...info, variables: missing });
  }

  userVariable(key: string, path: string, value: unknown): void {
    if (!variableKey.safeParse(key).success) {
      this.errors.push(`${path}: "${key}" is not a valid variable name. Use letters, digits and _, not starting with a digit (e.g. OPENAI_API_KEY).`);
      return;
    }
    const read = this.read(path, value, isSensitiveName(key), key, key);
    if (read.found) this.set(key, read.found);
    this.warnUnset(read.unset, path);
  }

  /**
   * Reads one config value. A sensitive value must be exactly env(NAME); anything else there
   * is an error naming `setName`, the variable to set instead (`refKey`: the key to write
   * env(...) under, for values the platform does not bind implicitly). Booleans are never
   * secrets. No message quotes the value.
   */
  read(path: string, value: unknown, sensitive: boolean, setName: string, refKey?: string): Read {
    if (value === undefined || value === null || value === "") return { kind: "absent", unset: [] };
    if (typeof value === "boolean") return { kind: "value", found: { value: String(value), source: "config" }, unset: [] };
    if (typeof value !== "string" && typeof value !== "number") {
      this.warnings.push(`${path} should be a string, a number or env(NAME); it is ignored.`);
      return { kind: "invalid", unset: [] };
    }
    const refs = typeof value === "string" ? parseRefs(value) : [];
    if (refs === null) {
      this.errors.push(`${path} has a malformed env() reference. Write env(NAME), NAME made of letters, digits and _ (e.g. env(OPENAI_API_KEY)).`);
      return { kind: "invalid", unset: [] };
    }
    const ref = exactRef(value);
    if (sensitive && ref === null) {
      this.errors.push(hardcodedMessage(path, setName, refKey));
      return { kind: "invalid", unset: [] };
    }
    const resolved = new Map<string, Found>();
    const unset: string[] = [];
    for (const name of refs) {
      const found = this.lookup(name);
      if (found) {
        resolved.set(name, found);
        this.set(name, found);
      } else unset.push(name);
    }
    if (ref !== null) return { kind: "ref", ref, found: resolved.get(ref), unset };
    if (unset.length > 0) return { kind: "value", unset };
    const text = String(value).replace(/\benv\(([^)]*)\)/g, (_, name: string) => resolved.get(name)!.value);
    return { kind: "value", found: { value: text, source: "config" }, unset };
  }
}

function hardcodedMessage(path: string, name: string, refKey?: string): string {
  const lines = [
    `${path} is a sensitive field and cannot be hardcoded in config.json.`,
    "",
    "Set it with:",
    `envplane env set ${name} "your-value" --env ${LOCAL_ENV} --secret`,
    "",
    "Or add it to envplane/.env for local development:",
    `${name}=your-value`,
  ];
  if (refKey !== undefined) lines.push("", `Then reference it in config.json: "${refKey}": "env(${name})"`);
  return lines.join("\n");
}

function describeSource(source: Source, name?: string): string {
  if (source === "config" || name === undefined) return "config.json";
  return `${name} in ${source === "os" ? "the OS environment" : `envplane/${source}`}`;
}

// ---------------------------------------------------------------------------------------
// Helpers

type Place =
  | { kind: "field" }
  | { kind: "switch" }
  | { kind: "userVariable" }
  | { kind: "other"; unknownIn?: string; known: string[] };

/** Where a config path sits in the schema. */
function classify(segs: string[]): Place {
  const parent = segs.slice(0, -1);
  const last = segs[segs.length - 1];
  for (const pattern of USER_VARIABLE_MAPS) if (matchPattern(pattern, parent)) return { kind: "userVariable" };
  for (const spec of FEATURES) {
    if (!matchPattern(spec.pattern, parent)) continue;
    if (spec.fields.some((f) => f.name === last)) return { kind: "field" };
    if (spec.switchable && last === "enabled") return { kind: "switch" };
    const known = [...(spec.switchable ? ["enabled"] : []), ...spec.fields.map((f) => f.name)];
    return { kind: "other", unknownIn: parent.join("."), known };
  }
  return { kind: "other", known: [] };
}

function wildcardOf(seg: string): string | null {
  const m = /^<(\w+)>$/.exec(seg);
  return m ? m[1] : null;
}

/** The wildcard values when `segs` matches `pattern`, else null. */
function matchPattern(pattern: string, segs: string[]): Record<string, string> | null {
  const parts = pattern.split(".");
  if (parts.length !== segs.length) return null;
  const vars: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const w = wildcardOf(parts[i]);
    if (w === null ? parts[i] !== segs[i] : !WILDCARDS[w].test(segs[i])) return null;
    if (w !== null) vars[w] = segs[i];
  }
  return vars;
}

/**
 * The instances of a feature: a fixed path always (implicit binding works without any
 * config), a wildcard path for each object config has there. Bad names are reported.
 */
function instancesOf(spec: FeatureSpec, config: unknown, warnings?: string[]): string[][] {
  let found: string[][] = [[]];
  for (const part of spec.pattern.split(".")) {
    const w = wildcardOf(part);
    if (w === null) {
      found = found.map((segs) => [...segs, part]);
      continue;
    }
    const next: string[][] = [];
    for (const segs of found) {
      const node = get(config, segs);
      if (!isObject(node)) continue;
      for (const [key, value] of Object.entries(node)) {
        const path = [...segs, key].join(".");
        if (!WILDCARDS[w].test(key)) warnings?.push(`${path} is not a valid ${w} name (use lower-case letters, digits, - and _); it is not read as ${spec.pattern}.`);
        else if (!isObject(value)) warnings?.push(`${path} should be an object such as { "enabled": true }; it is ignored.`);
        else next.push([...segs, key]);
      }
    }
    found = next;
  }
  return found;
}

function featureInfo(spec: FeatureSpec, segs: string[], vars: Record<string, string>, config: unknown): FeatureInfo {
  const path = segs.join(".");
  const title = spec.title.replace(/\{(\w+)\}/g, (_, w: string) => displayName(w, vars[w]));
  const variables = spec.fields.map((f) => {
    const field = `${path}.${f.name}`;
    const ref = config === undefined ? null : exactRef(get(config, [...segs, f.name]));
    return { field, name: ref ?? canonicalName(field), sensitive: f.sensitive === true || isSensitiveName(f.name), required: f.required === true };
  });
  return { path, title, variables };
}

/** The names referenced by env(...) in `text`; null when one is malformed. */
function parseRefs(text: string): string[] | null {
  const names: string[] = [];
  for (const m of text.matchAll(/\benv\(([^)]*)(\)?)/g)) {
    if (m[2] !== ")" || !variableKey.safeParse(m[1]).success) return null;
    names.push(m[1]);
  }
  return names;
}

/** NAME when `value` is exactly env(NAME). */
function exactRef(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(value);
  return m ? m[1] : null;
}

function get(root: unknown, segs: string[]): unknown {
  let node = root;
  for (const seg of segs) {
    if (!isObject(node) || !Object.hasOwn(node, seg)) return undefined;
    node = node[seg];
  }
  return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function displayName(wildcard: string, value: string): string {
  const names = DISPLAY_NAMES[wildcard] ?? {};
  return Object.hasOwn(names, value) ? names[value] : value.charAt(0).toUpperCase() + value.slice(1);
}
