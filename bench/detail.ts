/**
 * npm run bench:detail: prints timings of the heavy paths over a real HTTP port, through the SDK.
 * SQLite by default; PostgreSQL with `bash scripts/with-postgres.sh npm run bench:detail`.
 * BENCH_ONLY=<substring> runs only the scenarios whose name contains it; BENCH_PROFILE=<dir>
 * writes a CPU profile per scenario (see bench/lib.ts).
 */
import os from "node:os";
import { allPages, MAX_PAGE_SIZE, type VariableFieldsFragment } from "../sdk/index.js";
import { type CliResult, createSandbox } from "../test/support/cli.js";
import { expectType } from "../test/support/expect.js";
import { startTestServer } from "../test/support/server.js";
import { format, header, makeVariables, measure, type Scenario } from "./lib.js";

const server = await startTestServer({ listen: true, countQueries: true });
const sdk = server.owner;
const provider = server.database.provider;

async function createProject(slug: string) {
  expectType((await sdk.createProject({ input: { slug } })).createProject, "ProjectPayload");
}
async function freshEnvironment(project: string, name: string) {
  expectType((await sdk.createEnvironment({ input: { project, name } })).createEnvironment, "EnvironmentPayload");
  return name;
}
function push(project: string, environment: string, variables: { key: string; value: string; secret?: boolean }[]) {
  return sdk.bulkUpsertVariables({ input: { project, environment, variables } });
}
type PushResult = Awaited<ReturnType<typeof push>>;
const pushed = (expect: "added" | "changed" | "unchanged", count: number) => (r: unknown) => {
  const payload = expectType((r as PushResult).bulkUpsertVariables, "BulkUpsertVariablesPayload");
  if (payload[expect].length !== count) throw new Error(`expected ${count} ${expect}, got ${payload[expect].length}`);
};

// Write scenarios.
await createProject("bench-write");
const thousand = makeVariables(1000, "base");
const tenThousand = makeVariables(10_000, "base");
await freshEnvironment("bench-write", "repush");
pushed("added", 1000)(await push("bench-write", "repush", thousand));

// Read scenarios: preview with 1,000 variables (every 10th a secret), 100 overrides on feature-x.
await createProject("bench-read");
pushed(
  "added",
  1000,
)(
  await push(
    "bench-read",
    "preview",
    thousand.map((v, i) => ({ ...v, secret: i % 10 === 0 })),
  ),
);
expectType(
  (await sdk.createBranch({ input: { project: "bench-read", name: "feature-x" } })).createBranch,
  "CreateBranchPayload",
);
for (let i = 0; i < 100; i++) {
  const key = thousand[i * 10 + 1].key;
  expectType(
    (
      await sdk.setVariable({
        input: { project: "bench-read", environment: "preview", key, value: `override-${i}`, branch: "feature-x" },
      })
    ).setVariable,
    "SetVariablePayload",
  );
}
const token = expectType(
  (
    await sdk.createToken({
      input: { kind: "SERVICE", name: "bench-runtime", project: "bench-read", permissions: ["RUNTIME"] },
    })
  ).createToken,
  "CreateTokenPayload",
).plaintextToken;
const runtime = server.client(token);

// CLI scenarios: the real envplane process (start-up included) against the same server.
const cli = await createSandbox(server);
cli.write("envplane/config.json", JSON.stringify({ project: "bench-read" }));
const dotenv = (vars: { key: string; value: string }[]) => `${vars.map((v) => `${v.key}=${v.value}`).join("\n")}\n`;
await freshEnvironment("bench-read", "cli-push");
const succeeded = (r: unknown) => {
  if ((r as CliResult).code !== 0) throw new Error(`envplane failed: ${(r as CliResult).stderr}`);
};

const scenarios: Scenario[] = [
  {
    name: "upsert 1,000 (first insert)",
    iterations: 11,
    warmups: 2,
    targetMs: 45,
    setup: (i) => freshEnvironment("bench-write", `k1-${i}`),
    run: (env) => push("bench-write", env as string, thousand),
    check: pushed("added", 1000),
  },
  {
    name: "upsert 1,000 (all unchanged)",
    iterations: 11,
    warmups: 2,
    run: () => push("bench-write", "repush", thousand),
    check: pushed("unchanged", 1000),
  },
  {
    name: "upsert 1,000 (all changed)",
    iterations: 11,
    warmups: 2,
    run: (_p, i) => push("bench-write", "repush", makeVariables(1000, `changed-${i}`)),
    check: pushed("changed", 1000),
  },
  {
    name: "upsert 10,000 (first insert)",
    iterations: 7,
    warmups: 1,
    targetMs: 600,
    setup: (i) => freshEnvironment("bench-write", `k10-${i}`),
    run: (env) => push("bench-write", env as string, tenThousand),
    check: pushed("added", 10_000),
  },
  {
    name: "pullVariables 1,000 (100 overrides)",
    iterations: 15,
    warmups: 2,
    targetMs: 25,
    run: () => sdk.pullVariables({ project: "bench-read", environment: "preview", branch: "feature-x" }),
    check: (r) => {
      const p = expectType((r as Awaited<ReturnType<typeof sdk.pullVariables>>).pullVariables, "PulledEnvironment");
      if (p.variables.length !== 900 || p.variables.filter((v) => v.fromOverride).length !== 100)
        throw new Error("unexpected pull result");
    },
  },
  {
    name: "Environment.variables + overrides (1,000: 2 pages of 500)",
    iterations: 15,
    warmups: 2,
    run: () =>
      allPages(
        async (after) =>
          (
            await sdk.environmentVariables({
              project: "bench-read",
              environment: "preview",
              first: MAX_PAGE_SIZE,
              after,
            })
          ).project!.environment!.variables,
      ),
    check: (r) => {
      const vars = r as VariableFieldsFragment[];
      if (vars.length !== 1000 || vars.reduce((n, v) => n + v.overrides.length, 0) !== 100)
        throw new Error("unexpected variable listing");
    },
  },
  {
    name: "runtimeVariables 1,000 (RUNTIME token)",
    iterations: 15,
    warmups: 2,
    run: () => runtime.runtimeVariables({ project: "bench-read", branch: "feature-x" }),
    check: (r) => {
      const e = expectType(
        (r as Awaited<ReturnType<typeof runtime.runtimeVariables>>).runtimeVariables,
        "RuntimeEnvironment",
      );
      if (e.variables.length !== 1000 || e.environmentName !== "preview") throw new Error("unexpected runtime result");
    },
  },
  {
    name: "envplane --help (CLI start-up)",
    iterations: 7,
    warmups: 1,
    run: () => cli.run(["--help"]),
    check: succeeded,
  },
  {
    name: "envplane env pull 1,000 (100 overrides)",
    iterations: 7,
    warmups: 1,
    run: () => cli.run(["env", "pull", "--env", "preview", "--branch", "feature-x"]),
    check: (r) => {
      succeeded(r);
      if (!cli.read("envplane/.env").includes("override-99")) throw new Error("pull did not write the overrides");
    },
  },
  {
    name: "envplane env push 1,000 (all changed, --yes)",
    iterations: 7,
    warmups: 1,
    setup: (i) => Promise.resolve(cli.write("envplane/.env", dotenv(makeVariables(1000, `cli-${i}`)))),
    run: () => cli.run(["env", "push", "--env", "cli-push", "--yes"]),
    check: succeeded,
  },
  {
    name: "envplane env push 1,000 (unchanged)",
    iterations: 7,
    warmups: 1,
    run: () => cli.run(["env", "push", "--env", "cli-push", "--yes"]),
    check: (r) => {
      succeeded(r);
      if (!(r as CliResult).stdout.includes("Nothing to push")) throw new Error("expected nothing to push");
    },
  },
];

const only = process.env.BENCH_ONLY;
const load = os.loadavg()[0].toFixed(2);
console.log(
  `envplane bench on ${provider} (${server.url}), Node ${process.version}, ${os.cpus().length} CPUs, load average ${load} (other work on the machine skews the figures)`,
);
console.log(header());
try {
  for (const scenario of scenarios) {
    if (only && !scenario.name.includes(only)) continue;
    console.log(format(await measure(scenario, server.queries), provider));
  }
} finally {
  await server.close();
}
