/** Questions the CLI asks the config schema: which feature a variable belongs to, which can be enabled, and enabling one. */
import {
  canonicalName,
  exactRef,
  FEATURES,
  type FeatureInfo,
  featureInfo,
  get,
  instancesOf,
  isObject,
  knownValues,
  matchPattern,
  wildcardOf,
} from "./features.js";

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
    const prefix = segs
      .map((s) => (wildcardOf(s) ? "([A-Z0-9_]+?)" : canonicalName(s).slice("ENVPLANE_".length)))
      .join("_");
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

/**
 * For a path `findFeature` matched: the wildcard value that is not a known one (e.g. the
 * provider "goggle" in auth.external.goggle), with the known values; null when all are known.
 */
export function unknownWildcard(path: string): { wildcard: string; value: string; known: string[] } | null {
  const segs = path.split(".");
  for (const spec of FEATURES) {
    const vars = matchPattern(spec.pattern, segs);
    if (!vars) continue;
    for (const [wildcard, value] of Object.entries(vars)) {
      const known = knownValues(wildcard);
      if (known && !known.includes(value)) return { wildcard, value, known };
    }
    return null;
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
