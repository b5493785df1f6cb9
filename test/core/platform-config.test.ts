import { describe, expect, it } from "vitest";
import {
  canonicalName,
  enableFeature,
  featureOfVariable,
  findFeature,
  formatMissing,
  knownFeaturePatterns,
  type Layers,
  resolveConfig,
} from "../../core/platform-config/index.js";
import { isSensitiveName } from "../../core/sensitive.js";

const CLIENT_ID = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID";
const SECRET = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET";
const google = (fields: Record<string, unknown> = {}) => ({
  auth: { external: { google: { enabled: true, ...fields } } },
});

function layers(partial: Partial<Layers> = {}): Layers {
  return { os: {}, envLocal: {}, env: {}, ...partial };
}

/** Every message a resolution produces, to check that no value leaks into one. */
function allMessages(r: ReturnType<typeof resolveConfig>): string {
  return [...r.errors, ...r.warnings, formatMissing(r.missing, "development")].join("\n");
}

describe("canonicalName", () => {
  it("is ENVPLANE_ + the path upper-cased with . and - as _", () => {
    expect(canonicalName("auth.external.google.client_id")).toBe(CLIENT_ID);
    expect(canonicalName("auth.external.google.secret")).toBe(SECRET);
    expect(canonicalName("db.pooler.default_pool_size")).toBe("ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE");
    expect(canonicalName("auth.external.my-idp.client_id")).toBe("ENVPLANE_AUTH_EXTERNAL_MY_IDP_CLIENT_ID");
  });
});

describe("featureOfVariable", () => {
  it("finds the feature of canonical names, any provider included", () => {
    expect(featureOfVariable(CLIENT_ID)).toBe("auth.external.google");
    expect(featureOfVariable(SECRET)).toBe("auth.external.google");
    expect(featureOfVariable("ENVPLANE_AUTH_EXTERNAL_GITHUB_REDIRECT_URI")).toBe("auth.external.github");
    expect(featureOfVariable("ENVPLANE_AUTH_EXTERNAL_ACME_SSO_SECRET")).toBe("auth.external.acme_sso");
    expect(featureOfVariable("ENVPLANE_DB_POOLER_MAX_CLIENT_CONN")).toBe("db.pooler");
  });

  it("returns null for user variables and unknown or partial platform names", () => {
    expect(featureOfVariable("OPENAI_API_KEY")).toBeNull();
    expect(featureOfVariable("FEATURE_FLAG_V2")).toBeNull();
    expect(featureOfVariable("ENVPLANE_AUTH_EXTERNAL_GOOGLE_ENABLED")).toBeNull();
    expect(featureOfVariable("ENVPLANE_AUTH_EXTERNAL__SECRET")).toBeNull();
    expect(featureOfVariable("ENVPLANE_DB_POOLER_UNKNOWN")).toBeNull();
  });

  it("with config, groups env() override names under their feature", () => {
    const config = google({ secret: "env(MY_GOOGLE_SECRET)" });
    expect(featureOfVariable("MY_GOOGLE_SECRET", config)).toBe("auth.external.google");
    expect(featureOfVariable("MY_GOOGLE_SECRET")).toBeNull();
  });
});

describe("findFeature / knownFeaturePatterns", () => {
  it("describes a provider with its title and variables", () => {
    expect(findFeature("auth.external.google")).toEqual({
      path: "auth.external.google",
      title: "Google OAuth",
      variables: [
        { field: "auth.external.google.client_id", name: CLIENT_ID, sensitive: false, required: true },
        { field: "auth.external.google.secret", name: SECRET, sensitive: true, required: true },
        {
          field: "auth.external.google.redirect_uri",
          name: "ENVPLANE_AUTH_EXTERNAL_GOOGLE_REDIRECT_URI",
          sensitive: false,
          required: false,
        },
      ],
    });
    expect(findFeature("auth.external.github")?.title).toBe("GitHub OAuth");
    expect(findFeature("auth.external.acme")?.title).toBe("Acme OAuth");
  });

  it("uses env() overrides from config for the variable names", () => {
    const f = findFeature("auth.external.google", google({ client_id: "env(MY_GOOGLE_ID)" }));
    expect(f?.variables.map((v) => v.name)).toEqual([
      "MY_GOOGLE_ID",
      SECRET,
      "ENVPLANE_AUTH_EXTERNAL_GOOGLE_REDIRECT_URI",
    ]);
  });

  it("returns null for unknown paths", () => {
    for (const path of [
      "auth.external",
      "auth.external.Google",
      "auth.external.google.secret",
      "storage.s3",
      "db.pooler",
      "",
      "auth.external.constructor.x",
    ])
      expect(findFeature(path)).toBeNull();
    expect(knownFeaturePatterns()).toEqual(["auth.external.<provider>"]);
  });
});

describe("enableFeature", () => {
  it("sets <path>.enabled, creating objects, keeping other keys, without mutating the input", () => {
    const input = {
      project: "shop",
      auth: { site_url: "http://localhost:3000", external: { github: { enabled: false } } },
    };
    const snapshot = structuredClone(input);
    const out = enableFeature(input, "auth.external.google");
    expect(input).toEqual(snapshot);
    expect(out).toEqual({
      project: "shop",
      auth: { site_url: "http://localhost:3000", external: { github: { enabled: false }, google: { enabled: true } } },
    });
    const again = enableFeature(out, "auth.external.github");
    type Auth = { external: Record<string, unknown> };
    expect((again.auth as Auth).external.github).toEqual({ enabled: true });
    expect((out.auth as Auth).external.github).toEqual({ enabled: false });
  });

  it("keeps fields already there and refuses to replace a non-object", () => {
    const out = enableFeature({ auth: { external: { google: { client_id: "env(X)" } } } }, "auth.external.google");
    expect(out).toEqual({ auth: { external: { google: { client_id: "env(X)", enabled: true } } } });
    expect(() => enableFeature({ auth: { external: true } }, "auth.external.google")).toThrow(/not an object/);
  });
});

describe("resolveConfig: precedence", () => {
  it("resolves a canonical name OS > .env.local > .env", () => {
    const config = google({});
    const all = layers({
      os: { [CLIENT_ID]: "os" },
      envLocal: { [CLIENT_ID]: "local", [SECRET]: "s-local" },
      env: { [CLIENT_ID]: "file", [SECRET]: "s-file" },
    });
    let r = resolveConfig(config, all);
    expect(r.variables[CLIENT_ID]).toBe("os");
    expect(r.sources[CLIENT_ID]).toBe("os");
    expect(r.variables[SECRET]).toBe("s-local");
    expect(r.sources[SECRET]).toBe(".env.local");
    r = resolveConfig(config, layers({ env: { [CLIENT_ID]: "file", [SECRET]: "s-file" } }));
    expect(r.variables).toEqual({ [CLIENT_ID]: "file", [SECRET]: "s-file" });
    expect(r.sources[CLIENT_ID]).toBe(".env");
    expect(r.missing).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it("resolves env() names OS > .env.local > .env, under both the name and the canonical name", () => {
    const config = google({ client_id: "env(MY_ID)", secret: "env(MY_SECRET)" });
    const r = resolveConfig(
      config,
      layers({
        os: { MY_ID: "os-id" },
        envLocal: { MY_ID: "local-id", MY_SECRET: "local-s" },
        env: { MY_SECRET: "file-s" },
      }),
    );
    expect(r.variables).toEqual({ MY_ID: "os-id", MY_SECRET: "local-s", [CLIENT_ID]: "os-id", [SECRET]: "local-s" });
    expect(r.sources).toEqual({ MY_ID: "os", MY_SECRET: ".env.local", [CLIENT_ID]: "os", [SECRET]: ".env.local" });
    expect(r.missing).toEqual([]);
  });

  it("canonical beats the env() reference, which beats a hardcoded value", () => {
    const config = google({ client_id: "env(MY_ID)", redirect_uri: "http://localhost/cb", secret: "env(MY_SECRET)" });
    const redirect = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_REDIRECT_URI";
    let r = resolveConfig(config, layers({ env: { [CLIENT_ID]: "canonical", MY_ID: "ref", MY_SECRET: "s" } }));
    expect(r.variables[CLIENT_ID]).toBe("canonical");
    expect(r.variables[redirect]).toBe("http://localhost/cb");
    expect(r.sources[redirect]).toBe("config");

    r = resolveConfig(google({ redirect_uri: "env(MY_REDIRECT)" }), layers({ env: { MY_REDIRECT: "from-ref" } }));
    expect(r.variables[redirect]).toBe("from-ref");
    r = resolveConfig(google({ redirect_uri: "http://hardcoded" }), layers({ os: { [redirect]: "from-canonical" } }));
    expect(r.variables[redirect]).toBe("from-canonical");
    expect(r.sources[redirect]).toBe("os");
  });

  it("uses hardcoded non-sensitive values, numbers stringified, and canonical names without any config", () => {
    let r = resolveConfig({ db: { pooler: { default_pool_size: 10 } } }, layers());
    expect(r.variables).toEqual({ ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "10" });
    expect(r.sources).toEqual({ ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "config" });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);

    r = resolveConfig({}, layers({ env: { ENVPLANE_DB_POOLER_MAX_CLIENT_CONN: "200", UNRELATED: "x" } }));
    expect(r.variables).toEqual({ ENVPLANE_DB_POOLER_MAX_CLIENT_CONN: "200" });
  });

  it("warns when an integer field resolves to something else, without quoting it", () => {
    const r = resolveConfig({}, layers({ env: { ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "lots" } }));
    expect(r.warnings).toEqual([
      "db.pooler.default_pool_size should be a whole number; the value from ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE in envplane/.env is not.",
    ]);
  });

  it("skips project, environments and $schema", () => {
    const r = resolveConfig(
      { $schema: "x", project: { api_key: "not-checked" }, environments: { production: "main", preview: "*" } },
      layers(),
    );
    expect(r).toEqual({ variables: {}, sources: {}, errors: [], missing: [], warnings: [] });
  });
});

describe("resolveConfig: missing variables", () => {
  it("reports an enabled feature's required variables, canonical names by default", () => {
    const r = resolveConfig(google(), layers());
    expect(r.missing).toEqual([
      {
        path: "auth.external.google",
        title: "Google OAuth",
        variables: [
          { field: "auth.external.google.client_id", name: CLIENT_ID, sensitive: false, required: true },
          { field: "auth.external.google.secret", name: SECRET, sensitive: true, required: true },
        ],
      },
    ]);
    expect(formatMissing(r.missing, "development")).toBe(
      [
        "auth.external.google is enabled but missing required variables:",
        CLIENT_ID,
        SECRET,
        "",
        "Set them with:",
        `envplane env set ${CLIENT_ID} "your-value" --env development`,
        `envplane env set ${SECRET} "your-value" --env development --secret`,
        "",
        "Or add them to envplane/.env.local for local development.",
      ].join("\n"),
    );
  });

  it("names the env() override as the variable to set", () => {
    const r = resolveConfig(google({ secret: "env(MY_GOOGLE_SECRET)" }), layers({ env: { [CLIENT_ID]: "id" } }));
    expect(r.missing.map((f) => f.variables.map((v) => v.name))).toEqual([["MY_GOOGLE_SECRET"]]);
    expect(formatMissing(r.missing, "development")).toBe(
      [
        "auth.external.google is enabled but missing a required variable:",
        "MY_GOOGLE_SECRET",
        "",
        "Set it with:",
        'envplane env set MY_GOOGLE_SECRET "your-value" --env development --secret',
        "",
        "Or add it to envplane/.env.local for local development.",
      ].join("\n"),
    );
    expect(r.warnings).toEqual([]); // the missing block already says it
  });

  it("counts an empty string as missing, and falls through it to the next layer", () => {
    let r = resolveConfig(google(), layers({ env: { [CLIENT_ID]: "", [SECRET]: "s" } }));
    expect(r.missing[0].variables.map((v) => v.name)).toEqual([CLIENT_ID]);
    expect(r.variables[CLIENT_ID]).toBeUndefined();
    r = resolveConfig(
      google({ client_id: "" }),
      layers({ os: { [CLIENT_ID]: "" }, env: { [CLIENT_ID]: "id", [SECRET]: "s" } }),
    );
    expect(r.variables[CLIENT_ID]).toBe("id");
    expect(r.missing).toEqual([]);
  });

  it("a disabled or absent switch requires nothing", () => {
    expect(resolveConfig({ auth: { external: { google: { enabled: false } } } }, layers()).missing).toEqual([]);
    expect(resolveConfig({ auth: { external: { google: {} } } }, layers()).missing).toEqual([]);
    expect(
      resolveConfig({ auth: { external: { google: { enabled: false, secret: "env(NOPE)" } } } }, layers()).warnings,
    ).toEqual([]);
    const r = resolveConfig({ auth: { external: { google: { enabled: "yes" } } } }, layers());
    expect(r.missing).toEqual([]);
    expect(r.warnings).toEqual([
      "auth.external.google.enabled should be true or false; the feature is treated as disabled.",
    ]);
  });

  it("reports each enabled provider separately", () => {
    const config = { auth: { external: { google: { enabled: true }, "my-idp": { enabled: true } } } };
    const r = resolveConfig(
      config,
      layers({ env: { [CLIENT_ID]: "id", [SECRET]: "s", ENVPLANE_AUTH_EXTERNAL_MY_IDP_CLIENT_ID: "id" } }),
    );
    expect(r.missing).toEqual([
      {
        path: "auth.external.my-idp",
        title: "My-idp OAuth",
        variables: [
          {
            field: "auth.external.my-idp.secret",
            name: "ENVPLANE_AUTH_EXTERNAL_MY_IDP_SECRET",
            sensitive: true,
            required: true,
          },
        ],
      },
    ]);
  });
});

describe("resolveConfig: sensitive fields", () => {
  it("rejects a hardcoded secret with the spec's message, never quoting the value", () => {
    const r = resolveConfig(google({ secret: "GOCSPX-supersecret" }), layers({ env: { [CLIENT_ID]: "id" } }));
    expect(r.errors).toEqual([
      [
        "auth.external.google.secret is a sensitive field and cannot be hardcoded in config.json.",
        "",
        "Set it with:",
        `envplane env set ${SECRET} "your-value" --env development --secret`,
        "",
        "Or add it to envplane/.env for local development:",
        `${SECRET}=your-value`,
      ].join("\n"),
    ]);
    expect(r.variables[SECRET]).toBeUndefined();
    expect(r.missing).toEqual([]); // the error already says what to set
    expect(allMessages(r)).not.toContain("supersecret");
  });

  it("rejects a hardcoded secret even when the feature is off or the canonical variable is set", () => {
    expect(
      resolveConfig({ auth: { external: { google: { enabled: false, secret: "abc123" } } } }, layers()).errors,
    ).toHaveLength(1);
    const r = resolveConfig(google({ secret: 12345 }), layers({ env: { [CLIENT_ID]: "id", [SECRET]: "s" } }));
    expect(r.errors).toHaveLength(1);
    expect(allMessages(r)).not.toContain("12345");
  });

  it("rejects a hardcoded sensitive key in a function's env map, naming that key", () => {
    const config = {
      functions: { "my-function": { env: { OPENAI_API_KEY: "sk-live-abcdef", FEATURE_FLAG_V2: "true" } } },
    };
    const r = resolveConfig(config, layers());
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /^functions\.my-function\.env\.OPENAI_API_KEY is a sensitive field and cannot be hardcoded in config\.json\.\n/,
    );
    expect(r.errors[0]).toContain('envplane env set OPENAI_API_KEY "your-value" --env development --secret');
    expect(r.errors[0]).toContain("\nOPENAI_API_KEY=your-value");
    expect(r.errors[0]).toContain('"OPENAI_API_KEY": "env(OPENAI_API_KEY)"');
    expect(allMessages(r)).not.toContain("sk-live-abcdef");
    expect(r.variables).toEqual({ FEATURE_FLAG_V2: "true" });
  });

  it("applies the name rule to any leaf, known or not", () => {
    for (const name of [
      "secret",
      "client_secret",
      "DB_PASSWORD",
      "passwd",
      "refresh_token",
      "private_key",
      "openai_api_key",
      "access_key",
      "KEY",
      "apiKey",
      "signing-key",
    ])
      expect(isSensitiveName(name), name).toBe(true);
    for (const name of ["client_id", "redirect_uri", "keyboard", "monkey", "keys", "enabled", "site_url"])
      expect(isSensitiveName(name), name).toBe(false);

    const config = {
      storage: { s3: { access_key: "AKIAXXXX", region: "eu-west-1", list: [{ auth_token: "t0ps3cret" }] } },
      analytics: { apiKey: "env(ANALYTICS_KEY)", enabled: true },
    };
    const r = resolveConfig(config, layers({ env: { ANALYTICS_KEY: "a" } }));
    expect(r.errors.map((e) => e.split("\n")[0])).toEqual([
      "storage.s3.access_key is a sensitive field and cannot be hardcoded in config.json.",
      "storage.s3.list.0.auth_token is a sensitive field and cannot be hardcoded in config.json.",
    ]);
    expect(r.errors[0]).toContain("envplane env set ENVPLANE_STORAGE_S3_ACCESS_KEY");
    expect(r.variables).toEqual({ ANALYTICS_KEY: "a" });
    expect(allMessages(r)).not.toMatch(/AKIAXXXX|t0ps3cret/);
  });

  it("does not treat booleans as hardcoded secrets", () => {
    expect(
      resolveConfig({ auth: { secure_password_change: false, enable_refresh_token_rotation: true } }, layers()).errors,
    ).toEqual([]);
  });
});

describe("resolveConfig: user variables", () => {
  const config = {
    functions: {
      "my-function": {
        env: {
          OPENAI_API_KEY: "env(OPENAI_API_KEY)",
          ANALYTICS_KEY: "env(ANALYTICS_KEY)",
          STRIPE: "env(MY_STRIPE)",
          MODE: "fast",
          RETRIES: 3,
        },
      },
    },
  };

  it("gives each env-map key its resolved value and warns about references set nowhere", () => {
    const r = resolveConfig(
      config,
      layers({ os: { OPENAI_API_KEY: "sk-os" }, env: { OPENAI_API_KEY: "sk-file", MY_STRIPE: "st" } }),
    );
    expect(r.variables).toEqual({ OPENAI_API_KEY: "sk-os", MY_STRIPE: "st", STRIPE: "st", MODE: "fast", RETRIES: "3" });
    expect(r.sources).toEqual({
      OPENAI_API_KEY: "os",
      MY_STRIPE: ".env",
      STRIPE: ".env",
      MODE: "config",
      RETRIES: "config",
    });
    expect(r.warnings).toEqual([
      "env(ANALYTICS_KEY) is referenced in config.json (functions.my-function.env.ANALYTICS_KEY) " +
        "but is not set in the OS environment, envplane/.env.local or envplane/.env.",
    ]);
    expect(r.errors).toEqual([]);
    expect(r.missing).toEqual([]);
  });

  it("composes several env() references in one value", () => {
    const c = { functions: { api: { env: { DATABASE_URL: "postgres://env(DB_USER):env(DB_PASS)@localhost/app" } } } };
    let r = resolveConfig(c, layers({ env: { DB_USER: "u", DB_PASS: "p" } }));
    expect(r.variables.DATABASE_URL).toBe("postgres://u:p@localhost/app");
    r = resolveConfig(c, layers({ env: { DB_USER: "u" } }));
    expect(r.variables.DATABASE_URL).toBeUndefined();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^env\(DB_PASS\) is referenced/);
  });

  it("rejects malformed env() references, naming the path", () => {
    const c = {
      functions: { f: { env: { A: "env(lower case)", B: "env()", C: "env(UNCLOSED" } } },
      db: { pooler: { default_pool_size: "env(1BAD)" } },
    };
    const r = resolveConfig(c, layers());
    expect(r.errors.map((e) => e.split(" ")[0]).sort()).toEqual([
      "db.pooler.default_pool_size",
      "functions.f.env.A",
      "functions.f.env.B",
      "functions.f.env.C",
    ]);
    for (const e of r.errors) expect(e).toContain("malformed env() reference");
    expect(r.variables).toEqual({});
  });

  it("rejects env-map keys that are not variable names", () => {
    const r = resolveConfig({ functions: { f: { env: { "BAD-KEY": "x" } } } }, layers());
    expect(r.errors).toEqual([
      'functions.f.env.BAD-KEY: "BAD-KEY" is not a valid variable name. ' +
        "Use letters, digits and _, not starting with a digit (e.g. OPENAI_API_KEY).",
    ]);
  });
});

describe("resolveConfig: mistakes", () => {
  it("warns about unknown settings of a known feature and bad provider names", () => {
    const r = resolveConfig(
      { auth: { external: { google: { enabled: false, clientid: "x" }, Google: { enabled: true }, github: true } } },
      layers(),
    );
    expect(r.warnings).toEqual([
      "auth.external.google.clientid is not a known setting of auth.external.google (known: enabled, client_id, secret, redirect_uri).",
      "auth.external.Google is not a valid provider name (use lower-case letters, digits, - and _); " +
        "it is not read as auth.external.<provider>.",
      'auth.external.github should be an object such as { "enabled": true }; it is ignored.',
    ]);
    expect(r.missing).toEqual([]);
  });

  it("rejects a config that is not an object, and treats no config as empty", () => {
    expect(resolveConfig([], layers()).errors).toEqual(["config.json must contain a JSON object."]);
    expect(resolveConfig(undefined, layers({ os: { ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "5" } })).variables).toEqual({
      ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "5",
    });
  });

  it("reads only own properties of the layers", () => {
    const r = resolveConfig({ functions: { f: { env: { X: "env(constructor)" } } } }, layers());
    expect(r.variables).toEqual({});
    expect(r.warnings).toHaveLength(1);
  });
});
