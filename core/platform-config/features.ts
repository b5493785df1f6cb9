/**
 * The platform's config schema, as data: the features of envplane/config.json, their fields,
 * and how a config path matches them. Platform fields bind to canonical variables
 * (ENVPLANE_<PATH>); user variables come from env(NAME) references.
 */
import { isSensitiveName } from "../sensitive.js";

export interface FieldSpec {
  name: string;
  required?: boolean;
  sensitive?: boolean;
  type?: "integer";
}

export interface FeatureSpec {
  /** Config path; `<x>` segments are wildcards (see WILDCARDS). */
  pattern: string;
  /** Has an `enabled` switch (a config value, not a variable): `envplane config enable`. */
  switchable: boolean;
  /** `{x}` is replaced with the display name of wildcard x. */
  title: string;
  fields: FieldSpec[];
}

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

export const WILDCARDS: Record<string, RegExp> = {
  provider: /^[a-z0-9_-]+$/,
  name: /^[A-Za-z0-9_-]+$/,
};

/** The values `config enable` accepts for a wildcard (e.g. the auth providers), or null when any valid name is. */
export function knownValues(wildcard: string): string[] | null {
  const names = DISPLAY_NAMES[wildcard];
  return names ? Object.keys(names).sort() : null;
}

/** Display names for wildcard values (also the known values); unknown values are capitalized. */
const DISPLAY_NAMES: Record<string, Record<string, string>> = {
  provider: {
    apple: "Apple",
    azure: "Azure",
    bitbucket: "Bitbucket",
    discord: "Discord",
    facebook: "Facebook",
    figma: "Figma",
    github: "GitHub",
    gitlab: "GitLab",
    google: "Google",
    kakao: "Kakao",
    keycloak: "Keycloak",
    linkedin: "LinkedIn",
    linkedin_oidc: "LinkedIn (OIDC)",
    notion: "Notion",
    slack: "Slack",
    slack_oidc: "Slack (OIDC)",
    spotify: "Spotify",
    twitch: "Twitch",
    twitter: "Twitter",
    workos: "WorkOS",
    zoom: "Zoom",
  },
};

export const FEATURES: readonly FeatureSpec[] = [
  {
    pattern: "auth.external.<provider>",
    switchable: true,
    title: "{provider} OAuth",
    fields: [
      { name: "client_id", required: true },
      { name: "secret", required: true, sensitive: true },
      { name: "redirect_uri" },
    ],
  },
  {
    pattern: "db.pooler",
    switchable: false,
    title: "Connection pooler",
    fields: [
      { name: "default_pool_size", type: "integer" },
      { name: "max_client_conn", type: "integer" },
    ],
  },
];

/** Maps of user variables: each key is given to the process, each value normally env(NAME). */
export const USER_VARIABLE_MAPS = ["functions.<name>.env"];

/** Top-level config.json keys that are not platform config. */
export const NOT_PLATFORM = new Set(["project", "environments", "$schema"]);

/** ENVPLANE_ + the path upper-cased, with . and - (any other non-alphanumeric too) as _. */
export function canonicalName(configPath: string): string {
  return `ENVPLANE_${configPath.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export type Place =
  | { kind: "field" }
  | { kind: "switch" }
  | { kind: "userVariable" }
  | { kind: "other"; unknownIn?: string; known: string[] };

/** Where a config path sits in the schema. */
export function classify(segs: string[]): Place {
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

export function wildcardOf(seg: string): string | null {
  const m = /^<(\w+)>$/.exec(seg);
  return m ? m[1] : null;
}

/** The wildcard values when `segs` matches `pattern`, else null. */
export function matchPattern(pattern: string, segs: string[]): Record<string, string> | null {
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
export function instancesOf(spec: FeatureSpec, config: unknown, warnings?: string[]): string[][] {
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
        if (!WILDCARDS[w].test(key))
          warnings?.push(
            `${path} is not a valid ${w} name (use lower-case letters, digits, - and _); it is not read as ${spec.pattern}.`,
          );
        else if (!isObject(value))
          warnings?.push(`${path} should be an object such as { "enabled": true }; it is ignored.`);
        else next.push([...segs, key]);
      }
    }
    found = next;
  }
  return found;
}

export function featureInfo(
  spec: FeatureSpec,
  segs: string[],
  vars: Record<string, string>,
  config: unknown,
): FeatureInfo {
  const path = segs.join(".");
  const title = spec.title.replace(/\{(\w+)\}/g, (_, w: string) => displayName(w, vars[w]));
  const variables = spec.fields.map((f) => {
    const field = `${path}.${f.name}`;
    const ref = config === undefined ? null : exactRef(get(config, [...segs, f.name]));
    return {
      field,
      name: ref ?? canonicalName(field),
      sensitive: f.sensitive === true || isSensitiveName(f.name),
      required: f.required === true,
    };
  });
  return { path, title, variables };
}

/** NAME when `value` is exactly env(NAME). */
export function exactRef(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(value);
  return m ? m[1] : null;
}

export function get(root: unknown, segs: string[]): unknown {
  let node = root;
  for (const seg of segs) {
    if (!isObject(node) || !Object.hasOwn(node, seg)) return undefined;
    node = node[seg];
  }
  return node;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function displayName(wildcard: string, value: string): string {
  const names = DISPLAY_NAMES[wildcard] ?? {};
  return Object.hasOwn(names, value) ? names[value] : value.charAt(0).toUpperCase() + value.slice(1);
}
