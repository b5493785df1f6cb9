/**
 * npm run bench: envplane's real server process (bin/envplane-server.js, as `npm start` runs it)
 * beside the floor (bench/floor.ts: the least a server can do for the same requests), each
 * scenario run as interleaved pairs and printed as envplane ÷ floor (median of per-pair ratios)
 * with the target of issue 13. SQLite by default; PostgreSQL with
 * `bash scripts/with-postgres.sh npm run bench`. Both servers get the same client code (node:http,
 * keep-alive) and the same payloads. `npm run bench:detail` has per-request timings and SQL counts.
 * BENCH_ONLY=<substring> runs only the scenarios whose name contains it (idle memory always runs).
 * BENCH_CPU_PROF=<dir> writes envplane's CPU profile there. The dashboard's figures (bench/dashboard.ts) come first.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createTestDatabase } from "../test/support/database.js";
import { dashboardBench, printDashboardFigures } from "./dashboard.js";
import { makeVariables, quantile } from "./lib.js";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const only = process.env.BENCH_ONLY;
const wanted = (name: string) => !only || name.includes(only);

// ---- processes ---------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Spawns `args` and resolves once `ready` matches a line of its output (stdout and stderr are drained). */
async function launch(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  port: number,
): Promise<Proc & { lines: string[] }> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start:\n${lines.join("\n")}`)), 120_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (lines.length < 200) lines.push(line);
        if (ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code}):\n${lines.join("\n")}`)));
  });
  return {
    child,
    port,
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function startEnvplane(databaseUrl: string, rootKey: string, dataDir: string) {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: envplane's CPU profile (node --cpu-prof), written there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [];
  // BENCH_NODE_FLAGS="--flag …": node flags to try on envplane's server (e.g. V8 heap sizes); none by default.
  const flags = process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
  const proc = await launch(
    [...profile, ...flags, "bin/envplane-server.js"],
    {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      ENVPLANE_ROOT_KEY: rootKey,
      ENVPLANE_DATA_DIR: dataDir,
      ENVPLANE_RUNTIME_RESOLUTIONS_PER_MINUTE: "1000000",
      NODE_ENV: "production",
    },
    /envplane listening/,
    port,
  );
  await new Promise((r) => setTimeout(r, 200)); // the owner token line follows the listening line
  const token = proc.lines.map((l) => /^ENVPLANE_TOKEN=(\S+)/.exec(l)?.[1]).find(Boolean) ?? null;
  return { ...proc, token };
}

const floorKey = randomBytes(32).toString("base64");

async function startFloor(database: string, token: string) {
  const port = await freePort();
  return launch(
    ["--import", "tsx", "bench/floor.ts"],
    { FLOOR_DATABASE: database, FLOOR_TOKEN: token, FLOOR_KEY: floorKey, PORT: String(port) },
    /^listening/,
    port,
  );
}

/** Resident and peak memory of a process, MiB (Linux /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

// ---- HTTP ----------------------------------------------------------------------------------

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  port: number,
  method: string,
  pathname: string,
  token: string,
  body?: unknown,
  agent: http.Agent | false = keepAlive,
  // biome-ignore lint/suspicious/noExplicitAny: a JSON reply, checked by each caller
): Promise<any> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: pathname,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "x-envplane-client": "bench",
          ...(text ? { "content-type": "application/json", "content-length": Buffer.byteLength(text) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const out = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200)
            return reject(new Error(`${pathname}: HTTP ${res.statusCode}: ${out.slice(0, 300)}`));
          resolve(JSON.parse(out));
        });
        res.on("error", reject);
      },
    );
    // A kept-alive socket the server closed as idle: retry once on a new one (Node's documented pattern).
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && error.code === "ECONNRESET")
        request(port, method, pathname, token, body, agent).then(resolve, reject);
      else reject(error);
    });
    req.end(text);
  });
}

type Variable = { key: string; value: string; secret?: boolean };

/** The same two operations against either server. */
interface Target {
  name: "envplane" | "floor";
  port: number;
  prepare(environment: string): Promise<void>;
  push(
    environment: string,
    variables: Variable[],
    agent?: http.Agent | false,
  ): Promise<{ added: number; changed: number }>;
  pull(environment: string, agent?: http.Agent | false): Promise<number>;
}

const PROJECT = "bench";
const PULL = `query pull($project: String!, $environment: String!) { pullVariables(project: $project, environment: $environment) {
  __typename ... on PulledEnvironment { revision variables { key value } excludedSecrets } ... on Error { message } } }`;
const PUSH = `mutation push($input: BulkUpsertVariablesInput!) { bulkUpsertVariables(input: $input) {
  __typename ... on BulkUpsertVariablesPayload { revision added changed unchanged secretOverwritten } ... on Error { message } } }`;

function envplaneTarget(port: number, token: string): Target {
  const gql = async (query: string, variables: unknown, agent?: http.Agent | false) => {
    const r = await request(port, "POST", "/graphql", token, { query, variables }, agent);
    if (r.errors) throw new Error(JSON.stringify(r.errors).slice(0, 300));
    const data = Object.values(r.data)[0] as { __typename: string; message?: string };
    if (data.message) throw new Error(`${data.__typename}: ${data.message}`);
    // biome-ignore lint/suspicious/noExplicitAny: the payload's fields, checked by each caller
    return data as any;
  };
  return {
    name: "envplane",
    port,
    async prepare(environment) {
      await gql(
        `mutation env($input: CreateEnvironmentInput!) { createEnvironment(input: $input) { __typename ... on Error { message } } }`,
        { input: { project: PROJECT, name: environment } },
      );
    },
    async push(environment, variables, agent) {
      const r = await gql(PUSH, { input: { project: PROJECT, environment, variables } }, agent);
      return { added: r.added.length, changed: r.changed.length };
    },
    async pull(environment, agent) {
      return (await gql(PULL, { project: PROJECT, environment }, agent)).variables.length;
    },
  };
}

function floorTarget(port: number, token: string): Target {
  return {
    name: "floor",
    port,
    prepare: async () => {},
    async push(environment, variables, agent) {
      const r = await request(port, "POST", "/push", token, { environment, variables }, agent);
      return { added: r.added.length, changed: r.changed.length };
    },
    async pull(environment, agent) {
      return (
        await request(port, "GET", `/pull?environment=${encodeURIComponent(environment)}`, token, undefined, agent)
      ).variables.length;
    },
  };
}

// ---- scenarios ---------------------------------------------------------------------------

interface Row {
  name: string;
  envplane: string;
  floor: string;
  ratio: number;
  target: string;
  ok: boolean | null;
  note?: string;
}
const rows: Row[] = [];
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const fmt = (n: number, unit = "ms") => `${n.toFixed(n < 10 ? 2 : 1)} ${unit}`;

function print(row: Row) {
  rows.push(row);
  const verdict = row.ok === null ? "" : row.ok ? "ok" : "MISSED";
  console.log(
    [
      row.name.padEnd(44),
      row.envplane.padStart(12),
      row.floor.padStart(12),
      `${row.ratio.toFixed(2)}×`.padStart(8),
      `  ${row.target}`.padEnd(14),
      verdict.padEnd(7),
      row.note ?? "",
    ].join(" "),
  );
}

/**
 * Runs `pairs` pairs (envplane then floor, or floor then envplane, alternating) after one warm-up
 * pair; each measurement's setup is untimed. Prints the median of the per-pair ratios.
 */
async function paired(
  name: string,
  pairs: number,
  targets: [Target, Target],
  run: (t: Target, i: number) => Promise<void>,
  setup: (t: Target, i: number) => Promise<void> = async () => {},
  target?: { max: number; fixedMs?: number },
) {
  if (!wanted(name)) return;
  const e: number[] = [];
  const f: number[] = [];
  const ratios: number[] = [];
  for (let i = -1; i < pairs; i++) {
    const order = i % 2 === 0 ? targets : ([targets[1], targets[0]] as const);
    const times: Record<string, number> = {};
    for (const t of order) {
      await setup(t, i + 1);
      const start = performance.now();
      await run(t, i + 1);
      times[t.name] = performance.now() - start;
    }
    if (i < 0) continue;
    e.push(times.envplane);
    f.push(times.floor);
    ratios.push(times.envplane / times.floor);
  }
  const ratio = median(ratios);
  const fixed = median(e.map((x, i) => x - f[i]));
  const okRatio = target ? ratio <= target.max : null;
  const okFixed = target?.fixedMs === undefined ? true : fixed <= target.fixedMs;
  print({
    name,
    envplane: fmt(median(e)),
    floor: fmt(median(f)),
    ratio,
    target: target ? `≤ ${target.max}×${target.fixedMs !== undefined ? `, +${target.fixedMs} ms` : ""}` : "",
    ok: okRatio === null ? null : okRatio && okFixed,
    note: target?.fixedMs !== undefined ? `fixed cost +${fixed.toFixed(2)} ms per request` : undefined,
  });
}

/**
 * All CPUs' busy and total jiffies since boot (/proc/stat: user nice system idle iowait irq softirq steal; guest time
 * is already counted in user and nice, and steal is time this machine did not get). NaN where there is no /proc.
 */
function cpuTimes(): { busy: number; total: number } {
  if (!fs.existsSync("/proc/stat")) return { busy: Number.NaN, total: Number.NaN };
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs
    .readFileSync("/proc/stat", "utf8")
    .split("\n")[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait + (steal ?? 0) };
}

/** `run`'s result with the share of the whole machine that was busy meanwhile and this process's share of a CPU. */
async function measured<T>(run: () => Promise<T>) {
  const [cpu, machine, start] = [process.cpuUsage(), cpuTimes(), performance.now()];
  const result = await run();
  const used = process.cpuUsage(cpu);
  const after = cpuTimes();
  return {
    ...result,
    machineBusy: (after.busy - machine.busy) / (after.total - machine.total),
    clientShare: (used.user + used.system) / 1000 / (performance.now() - start),
  };
}

/**
 * `clients` keep-alive clients pull `environment` back to back for `ms`; meanwhile a newcomer opens
 * a new connection every 250 ms and pulls `small`. Returns pulls per second and latencies (ms).
 */
async function saturate(targets: Target[], environment: string, small: string, clients: number, ms: number) {
  const latencies: number[] = [];
  const newcomers: number[] = [];
  let done = 0;
  const until = performance.now() + ms;
  const loop = async (t: Target) => {
    while (performance.now() < until) {
      const start = performance.now();
      await t.pull(environment);
      latencies.push(performance.now() - start);
      done++;
    }
  };
  const arrive = async () => {
    let n = 0;
    while (performance.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      const t = targets[n++ % targets.length];
      const start = performance.now();
      await t.pull(small, false);
      newcomers.push(performance.now() - start);
    }
  };
  const started = performance.now();
  await Promise.all([...Array.from({ length: clients }, (_, i) => loop(targets[i % targets.length])), arrive()]);
  const seconds = (performance.now() - started) / 1000;
  const all = [...latencies, ...newcomers].sort((a, b) => a - b);
  newcomers.sort((a, b) => a - b);
  return {
    perSecond: done / seconds,
    p99: quantile(all, 0.99),
    newcomerP99: quantile(newcomers, 0.99),
    newcomerMax: Math.max(...newcomers),
  };
}

async function fill(t: Target, environment: string, total: number, tag: string) {
  await t.prepare(environment);
  for (let at = 0; at < total; at += 10_000) {
    const chunk = makeVariables(Math.min(10_000, total - at), tag).map((v, i) => ({
      key: `K${String(at + i).padStart(6, "0")}`,
      value: v.value,
    }));
    const r = await t.push(environment, chunk);
    if (r.added !== chunk.length) throw new Error(`${t.name}: expected ${chunk.length} added`);
  }
}

// ---- main ----------------------------------------------------------------------------------

// The dashboard's figures (issue 8): its own server and browser, before the servers below start.
const benchStart = performance.now();
if (wanted("dashboard") && !process.env.BENCH_DB) {
  console.log("dashboard (issue 8):");
  printDashboardFigures(await dashboardBench());
}

const envDb = await createTestDatabase();
const floorDb = await createTestDatabase();
const provider = envDb.provider;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-bench-"));
const rootKey = randomBytes(32).toString("base64");
const procs: Proc[] = [];
try {
  const ep = await startEnvplane(envDb.url, rootKey, dataDir);
  procs.push(ep);
  if (!ep.token) throw new Error("envplane did not print an owner token");
  const floorToken = `floor_${randomBytes(16).toString("hex")}`;
  const fp = await startFloor(envDb.provider === "sqlite" ? floorDb.file! : floorDb.url, floorToken);
  procs.push(fp);
  const E = envplaneTarget(ep.port, ep.token);
  const F = floorTarget(fp.port, floorToken);
  const both: [Target, Target] = [E, F];
  await request(ep.port, "POST", "/graphql", ep.token, {
    query: `mutation { createProject(input: { slug: "${PROJECT}" }) { __typename } }`,
  });

  const load = os.loadavg()[0].toFixed(2);
  console.log(
    `envplane ÷ floor on ${provider}, Node ${process.version}, ${os.cpus().length} CPUs, load average ${load}` +
      " (interleaved pairs, median of per-pair ratios; other work on the machine skews the figures)",
  );
  console.log(
    [
      "scenario".padEnd(44),
      "envplane".padStart(12),
      "floor".padStart(12),
      "ratio".padStart(8),
      "  target".padEnd(14),
      "",
    ].join(" "),
  );

  // Idle memory: both servers started and served a request.
  for (const t of both) {
    await t.prepare("idle");
    await t.push("idle", makeVariables(10, "idle"));
    await t.pull("idle");
  }
  await new Promise((r) => setTimeout(r, 1000));
  const idle = [memory(ep.child.pid!), memory(fp.child.pid!)];
  print({
    name: "server memory idle (RSS)",
    envplane: fmt(idle[0].rss, "MiB"),
    floor: fmt(idle[1].rss, "MiB"),
    ratio: idle[0].rss / idle[1].rss,
    target: "≤ 150 MiB",
    ok: idle[0].rss <= 150,
    note: "one process, no wrapper (bin/envplane-server.js)",
  });

  const thousand = makeVariables(1000, "base");
  const tenThousand = makeVariables(10_000, "base");
  const firstInsert = (label: string, vars: Variable[]) => ({
    setup: (t: Target, i: number) => t.prepare(`${label}-${i}`),
    run: async (t: Target, i: number) => {
      const r = await t.push(`${label}-${i}`, vars);
      if (r.added !== vars.length) throw new Error(`${t.name}: expected ${vars.length} added, got ${r.added}`);
    },
  });
  const k1 = firstInsert("k1", thousand);
  await paired("upsert 1,000 (first insert)", 11, both, k1.run, k1.setup, { max: 1.3 });
  const k10 = firstInsert("k10", tenThousand);
  await paired("upsert 10,000 (first insert)", 5, both, k10.run, k10.setup, { max: 1.3 });
  await paired(
    "upsert 1,000 (all changed)",
    11,
    both,
    async (t, i) => {
      const r = await t.push("k1-0", makeVariables(1000, `changed-${i}`));
      if (r.changed !== 1000) throw new Error(`${t.name}: expected 1000 changed`);
    },
    undefined,
    { max: 1.3 },
  );

  for (const t of both) {
    await fill(t, "read-1000", 1000, "read");
    await fill(t, "read-100", 100, "small");
  }
  const pulls = (environment: string, count: number) => async (t: Target) => {
    const n = await t.pull(environment);
    if (n !== count) throw new Error(`${t.name}: pulled ${n}, expected ${count}`);
  };
  await paired("pull 1,000", 21, both, pulls("read-1000", 1000), undefined, { max: 1.2 });
  await paired("request of 100 variables (pull)", 41, both, pulls("read-100", 100), undefined, {
    max: 2,
    fixedMs: 2,
  });

  // Fairness: small pulls (100 variables, one at a time) while a 10,000-value push runs.
  if (wanted("small pulls during a 10,000 push")) {
    const during = async (t: Target, i: number) => {
      await t.prepare(`busy-${i}`);
      const latencies: number[] = [];
      let pushing = true;
      const push = t.push(`busy-${i}`, tenThousand).finally(() => {
        pushing = false;
      });
      while (pushing) {
        const start = performance.now();
        await t.pull("read-100");
        latencies.push(performance.now() - start);
      }
      await push;
      return latencies.sort((a, b) => a - b);
    };
    const e: number[] = [];
    const f: number[] = [];
    for (let i = 0; i < 3; i++) {
      e.push(...(await during(E, i)));
      f.push(...(await during(F, i)));
    }
    e.sort((a, b) => a - b);
    f.sort((a, b) => a - b);
    print({
      name: "small pulls during a 10,000 push, p99",
      envplane: fmt(quantile(e, 0.99)),
      floor: fmt(quantile(f, 0.99)),
      ratio: quantile(e, 0.99) / quantile(f, 0.99),
      target: "",
      ok: null,
      note: `median ${fmt(quantile(e, 0.5))} (floor ${fmt(quantile(f, 0.5))}), max ${fmt(e[e.length - 1])} (floor ${fmt(f[f.length - 1])}); ${e.length} vs ${f.length} pulls`,
    });
  }

  if (wanted("concurrent")) {
    const e: Awaited<ReturnType<typeof saturate>>[] = [];
    const f: typeof e = [];
    for (let i = 0; i < 2; i++) {
      e.push(await saturate([E], "read-1000", "read-100", 20, 3000));
      f.push(await saturate([F], "read-1000", "read-100", 20, 3000));
    }
    const ratio = median(e.map((x, i) => x.perSecond / f[i].perSecond));
    const p99 = Math.max(...e.map((x) => x.p99));
    print({
      name: "20 concurrent clients, pulls of 1,000 / s",
      envplane: `${median(e.map((x) => x.perSecond)).toFixed(1)}/s`,
      floor: `${median(f.map((x) => x.perSecond)).toFixed(1)}/s`,
      ratio,
      target: "≥ 0.9×",
      ok: ratio >= 0.9,
      note: "throughput ratio",
    });
    print({
      name: "20 concurrent clients, p99 incl. newcomers",
      envplane: fmt(p99),
      floor: fmt(Math.max(...f.map((x) => x.p99))),
      ratio: p99 / Math.max(...f.map((x) => x.p99)),
      target: "≤ 1,500 ms",
      ok: p99 <= 1500,
      note:
        `newcomers (new connection every 250 ms): p99 ${fmt(Math.max(...e.map((x) => x.newcomerP99)))}, ` +
        `at most ${fmt(Math.max(...e.map((x) => x.newcomerMax)))} (floor ${fmt(Math.max(...f.map((x) => x.newcomerMax)))})`,
    });
    if (provider === "postgresql") {
      // Rounds of one server, then two on the same database, for envplane and for the floor (its own two processes,
      // one data key): the ratio is the median of the rounds' ratios. The client and PostgreSQL share the CPUs, so
      // the note says how much of the machine one server kept busy, and how the floor scales on the same machine.
      const second = await startEnvplane(envDb.url, rootKey, dataDir);
      const secondFloor = await startFloor(floorDb.url, floorToken);
      procs.push(second, secondFloor);
      const E2 = envplaneTarget(second.port, ep.token);
      const F2 = floorTarget(secondFloor.port, floorToken);
      await E2.pull("read-1000");
      await F2.pull("read-1000");
      type Saturated = Awaited<ReturnType<typeof saturate>> & { machineBusy: number; clientShare: number };
      type Round = { one: Saturated; two: Saturated };
      const round = async (one: Target[], two: Target[]): Promise<Round> => ({
        one: await measured(() => saturate(one, "read-1000", "read-100", 20, 3000)),
        two: await measured(() => saturate(two, "read-1000", "read-100", 20, 3000)),
      });
      // envplane's and the floor's rounds alternate, so a drift of the machine's speed reaches both.
      const er: Round[] = [];
      const fr: Round[] = [];
      for (let i = 0; i < 3; i++) {
        er.push(await round([E], [E, E2]));
        fr.push(await round([F], [F, F2]));
      }
      const summary = (rounds: Round[]) => ({
        ratio: median(rounds.map((r) => r.two.perSecond / r.one.perSecond)),
        one: median(rounds.map((r) => r.one.perSecond)),
        two: median(rounds.map((r) => r.two.perSecond)),
        busy: median(rounds.map((r) => r.one.machineBusy)),
        busyTwo: median(rounds.map((r) => r.two.machineBusy)),
        // CPU time of the whole machine per pull (ms): what one pull costs, one server against two.
        costOne: median(rounds.map((r) => (r.one.machineBusy * os.cpus().length * 1000) / r.one.perSecond)),
        costTwo: median(rounds.map((r) => (r.two.machineBusy * os.cpus().length * 1000) / r.two.perSecond)),
        client: median(rounds.map((r) => r.one.clientShare)),
      });
      const e = summary(er);
      const f = summary(fr);
      await second.stop();
      await secondFloor.stop();
      const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
      print({
        name: "two servers ÷ one server, pulls / s",
        envplane: `${e.two.toFixed(1)}/s`,
        floor: `${e.one.toFixed(1)}/s`,
        ratio: e.ratio,
        target: "≥ 1.6×",
        ok: e.ratio >= 1.6,
        note:
          `"floor" column: one envplane server; medians of 3 rounds (the ratio: of the rounds' ratios). ` +
          `One server kept ${pct(e.busy)} of the ${os.cpus().length} CPUs busy, two ${pct(e.busyTwo)} ` +
          `(bench client: ${pct(e.client)} of a CPU); the machine's CPU time per pull ${e.costOne.toFixed(1)} ms with ` +
          `one, ${e.costTwo.toFixed(1)} ms with two. Floor servers: ${f.one.toFixed(1)}/s → ${f.two.toFixed(1)}/s, ` +
          `${f.ratio.toFixed(2)}× (one kept ${pct(f.busy)} busy, two ${pct(f.busyTwo)}; ${f.costOne.toFixed(1)} → ` +
          `${f.costTwo.toFixed(1)} ms per pull); ` +
          `load average ${os.loadavg()[0].toFixed(1)}`,
      });
    }
  }

  // A 50,000-variable push (5 requests of 10,000, as the CLI sends it), then memory.
  const pushed = [];
  if (wanted("server memory after a 50,000 push (RSS)"))
    for (const t of both) {
      const start = performance.now();
      await fill(t, "fifty", 50_000, "fifty");
      pushed.push(performance.now() - start);
    }
  await new Promise((r) => setTimeout(r, 1000));
  const after = [memory(ep.child.pid!), memory(fp.child.pid!)];
  if (pushed.length)
    print({
      name: "server memory after a 50,000 push (RSS)",
      envplane: fmt(after[0].rss, "MiB"),
      floor: fmt(after[1].rss, "MiB"),
      ratio: after[0].rss / after[1].rss,
      target: "≤ 300 MiB",
      ok: after[0].rss <= 300,
      note: `peak ${fmt(after[0].peak, "MiB")} (floor ${fmt(after[1].peak, "MiB")}); push took ${fmt(pushed[0])} vs ${fmt(pushed[1])}`,
    });

  // The database grows to ~200,000 rows, then the writes again.
  if (wanted("200,000")) {
    for (const t of both) for (let i = 0; i < 14; i++) await fill(t, `bulk-${i}`, 10_000, `bulk-${i}`);
    const b1 = firstInsert("b1", thousand);
    await paired("upsert 1,000 (first insert, 200,000 stored)", 11, both, b1.run, b1.setup, { max: 1.3 });
    const b10 = firstInsert("b10", tenThousand);
    await paired("upsert 10,000 (first insert, 200,000 stored)", 5, both, b10.run, b10.setup, { max: 1.3 });
  }

  if (wanted("--help") && process.env.BENCH_DB !== "postgresql") {
    const time = (args: string[]) => {
      const start = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
      if (r.status !== 0) throw new Error(`${args.join(" ")} failed`);
      return performance.now() - start;
    };
    const ratios: number[] = [];
    const cliTimes: number[] = [];
    const nodeTimes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const c = time(["bin/envplane.js", "--help"]);
      const n = time(["-e", "0"]);
      if (i === 0) continue;
      cliTimes.push(c);
      nodeTimes.push(n);
      ratios.push(c / n);
    }
    print({
      name: "envplane --help ÷ node -e 0",
      envplane: fmt(median(cliTimes)),
      floor: fmt(median(nodeTimes)),
      ratio: median(ratios),
      target: "≤ 2×",
      ok: median(ratios) <= 2,
      note: "CLI start-up (the floor column is node -e 0)",
    });
  }
  const missed = rows.filter((r) => r.ok === false).length;
  console.log(
    `${missed ? `${missed} target(s) MISSED` : "every target ok"} on ${provider} ` +
      `(${((performance.now() - benchStart) / 1000).toFixed(0)} s)`,
  );
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows));
} finally {
  for (const p of procs.reverse()) await p.stop();
  await envDb.drop();
  await floorDb.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

// The same scenarios on PostgreSQL (a throwaway cluster, scripts/with-postgres.sh), then both side by side.
// BENCH_DB=sqlite runs SQLite alone; `bash scripts/with-postgres.sh npm run bench` runs PostgreSQL alone.
if (provider === "sqlite" && !process.env.BENCH_DB) {
  console.log("\nThe same on PostgreSQL:");
  const file = path.join(os.tmpdir(), `envplane-bench-pg-${process.pid}.json`);
  const child = spawnSync("bash", ["scripts/with-postgres.sh", process.execPath, "--import", "tsx", "bench/run.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, BENCH_DB: "postgresql", BENCH_JSON: file },
  });
  const pgRows: Row[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
  fs.rmSync(file, { force: true });
  if (child.status !== 0 || pgRows.length === 0) console.log(`PostgreSQL: not measured (exit ${child.status}).`);
  else {
    // Targets in MiB or ms are the envplane figure's; the others are ratios.
    const cell = (r: Row | undefined) =>
      r
        ? `${/MiB|ms/.test(r.target) ? r.envplane : `${r.ratio.toFixed(2)}×`} ${r.ok === null ? "" : r.ok ? "ok" : "MISSED"}`
        : "—";
    console.log(
      `\nenvplane ÷ floor, SQLite beside PostgreSQL (${((performance.now() - benchStart) / 1000).toFixed(0)} s in all):`,
    );
    console.log(`${"scenario".padEnd(44)} ${"target".padEnd(12)} ${"SQLite".padEnd(14)} PostgreSQL`);
    const names = [...new Set([...rows, ...pgRows].map((r) => r.name))];
    for (const name of names) {
      const [a, b] = [rows.find((r) => r.name === name), pgRows.find((r) => r.name === name)];
      console.log(`${name.padEnd(44)} ${(a ?? b)!.target.padEnd(12)} ${cell(a).padEnd(14)} ${cell(b)}`);
    }
  }
}
