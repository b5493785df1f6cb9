/**
 * The local resolution of envplane/config.json for `envplane dev`: platform fields bind to
 * canonical variables (ENVPLANE_<PATH>), user variables come from env(NAME) references, and
 * sensitive values must be references. Pure: the caller reads the files and the OS environment
 * and passes them in as layers.
 */
import { variableKey } from "../names.js";
import { isSensitiveName } from "../sensitive.js";
import {
  canonicalName,
  classify,
  exactRef,
  FEATURES,
  type FeatureInfo,
  type FeatureSpec,
  featureInfo,
  get,
  instancesOf,
  isObject,
  matchPattern,
  NOT_PLATFORM,
} from "./features.js";

export interface Layers {
  os: Record<string, string | undefined>;
  envLocal: Record<string, string>;
  env: Record<string, string>;
}

export type Source = "os" | ".env.local" | ".env" | "config";

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

const LOCAL_ENV = "development";

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
export function resolveConfig(config: unknown, layers: Layers, options: { linked?: boolean } = {}): Resolution {
  const r = new Resolver(layers, options.linked ?? true);
  const root = config ?? {};
  if (!isObject(root)) {
    r.errors.push("config.json must contain a JSON object.");
    return r.result();
  }
  for (const [key, value] of Object.entries(root)) if (!NOT_PLATFORM.has(key)) r.walk(value, [key], key);
  for (const spec of FEATURES)
    for (const instance of instancesOf(spec, root, r.warnings)) r.feature(spec, instance, root);
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
    ...feature.variables.map(
      (v) => `envplane env set ${v.name} "your-value" --env ${envName}${v.sensitive ? " --secret" : ""}`,
    ),
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

  /** `linked`: messages may suggest envplane env set (it needs a linked project). */
  constructor(
    private layers: Layers,
    private linked: boolean,
  ) {}

  result(): Resolution {
    return {
      variables: this.variables,
      sources: this.sources,
      errors: this.errors,
      missing: this.missing,
      warnings: this.warnings,
    };
  }

  /** OS → .env.local → .env; empty strings are skipped. */
  lookup(name: string): Found | undefined {
    const order: [Record<string, string | undefined>, Source][] = [
      [this.layers.os, "os"],
      [this.layers.envLocal, ".env.local"],
      [this.layers.env, ".env"],
    ];
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
      this.warnings.push(
        `env(${name}) is referenced in config.json (${path}) but is not set in the OS environment, envplane/.env.local or envplane/.env.`,
      );
  }

  /** Visits config that is not a known platform field: sensitive-name check and env() references. */
  walk(value: unknown, segs: string[], name: string): void {
    const path = segs.join(".");
    const place = classify(segs);
    if (place.kind === "field") return; // resolved per feature instance
    if (place.kind === "switch") {
      if (value !== undefined && value !== null && typeof value !== "boolean")
        this.warnings.push(`${path} should be true or false; the feature is treated as disabled.`);
      return;
    }
    if (place.kind === "userVariable") {
      this.userVariables.push([name, path, value]);
      return;
    }
    if (place.unknownIn)
      this.warnings.push(`${path} is not a known setting of ${place.unknownIn} (known: ${place.known.join(", ")}).`);
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) this.walk(child, [...segs, key], key);
    } else if (Array.isArray(value)) {
      for (const [i, child] of value.entries()) this.walk(child, [...segs, String(i)], name);
    } else {
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
          this.warnings.push(
            `${fieldPath} should be a whole number; ` +
              `the value from ${describeSource(found.source, fromCanonical ? canonical : read.ref)} is not.`,
          );
      } else if (read.kind !== "invalid") {
        if (enabled && field.required) missing.push(info.variables[i]);
        else if (enabled || !spec.switchable) this.warnUnset(read.unset, fieldPath);
      }
    });
    if (missing.length > 0) this.missing.push({ ...info, variables: missing });
  }

  userVariable(key: string, path: string, value: unknown): void {
    if (!variableKey.safeParse(key).success) {
      this.errors.push(
        `${path}: "${key}" is not a valid variable name. Use letters, digits and _, not starting with a digit (e.g. OPENAI_API_KEY).`,
      );
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
    if (typeof value === "boolean")
      return { kind: "value", found: { value: String(value), source: "config" }, unset: [] };
    if (typeof value !== "string" && typeof value !== "number") {
      this.warnings.push(`${path} should be a string, a number or env(NAME); it is ignored.`);
      return { kind: "invalid", unset: [] };
    }
    const refs = typeof value === "string" ? parseRefs(value) : [];
    if (refs === null) {
      this.errors.push(
        `${path} has a malformed env() reference. Write env(NAME), NAME made of letters, digits and _ (e.g. env(OPENAI_API_KEY)).`,
      );
      return { kind: "invalid", unset: [] };
    }
    const ref = exactRef(value);
    if (sensitive && ref === null) {
      this.errors.push(hardcodedMessage(path, setName, refKey, this.linked));
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

function hardcodedMessage(path: string, name: string, refKey: string | undefined, linked: boolean): string {
  const lines = [
    `${path} is a sensitive field and cannot be hardcoded in config.json.`,
    "",
    ...(linked
      ? [
          "Set it with:",
          `envplane env set ${name} "your-value" --env ${LOCAL_ENV} --secret`,
          "",
          "Or add it to envplane/.env for local development:",
        ]
      : ["Add it to envplane/.env for local development:"]),
    `${name}=your-value`,
  ];
  if (refKey !== undefined) lines.push("", `Then reference it in config.json: "${refKey}": "env(${name})"`);
  return lines.join("\n");
}

function describeSource(source: Source, name?: string): string {
  if (source === "config" || name === undefined) return "config.json";
  return `${name} in ${source === "os" ? "the OS environment" : `envplane/${source}`}`;
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
