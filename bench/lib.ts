/**
 * Tiny benchmark helpers: run a scenario after warm-ups, time each iteration, count the
 * SQL statements of the measured request, and print one line with its target.
 */
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";

export interface Figure {
  name: string;
  median: number;
  p90: number;
  min: number;
  max: number;
  /** SQL statements of one measured request (median over iterations). */
  statements: number;
  targetMs: number | null;
}

export interface Scenario {
  name: string;
  iterations: number;
  warmups: number;
  targetMs?: number;
  /** Prepares one iteration (not timed), e.g. creates a fresh environment; its result goes to `run`. */
  setup?: (i: number) => Promise<unknown>;
  /** The measured request. */
  run: (prepared: unknown, i: number) => Promise<unknown>;
  /** Checks the response (not timed), so a failing request never passes for a fast one. */
  check?: (result: unknown) => void;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

/** Runs `scenario`; `queries` is the server's statement log (its length is read around each request). */
export async function measure(scenario: Scenario, queries: string[]): Promise<Figure> {
  const times: number[] = [];
  const counts: number[] = [];
  const profiler = await startProfiler();
  for (let i = 0; i < scenario.warmups + scenario.iterations; i++) {
    const prepared = scenario.setup ? await scenario.setup(i) : undefined;
    const before = queries.length;
    const start = performance.now();
    const result = await scenario.run(prepared, i);
    const elapsed = performance.now() - start;
    const statements = queries.length - before;
    scenario.check?.(result);
    if (i < scenario.warmups) continue;
    times.push(elapsed);
    counts.push(statements);
  }
  await profiler?.stop(scenario.name);
  const sorted = [...times].sort((a, b) => a - b);
  const sortedCounts = [...counts].sort((a, b) => a - b);
  return {
    name: scenario.name,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    statements: quantile(sortedCounts, 0.5),
    targetMs: scenario.targetMs ?? null,
  };
}

/**
 * With BENCH_PROFILE=<dir>, records a CPU profile of each scenario (setup included) into
 * <dir>/<scenario>.cpuprofile; open it in Chrome DevTools or speedscope.
 */
async function startProfiler() {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop(name: string) {
      const { profile } = await session.post("Profiler.stop");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name.replace(/[^A-Za-z0-9]+/g, "-")}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export function header(): string {
  return [
    "scenario".padEnd(46),
    "median".padStart(10),
    "p90".padStart(10),
    "min-max".padStart(19),
    "SQL".padStart(5),
    "  target",
  ].join(" ");
}

export function format(f: Figure, provider: string): string {
  const target =
    f.targetMs == null
      ? ""
      : provider === "sqlite"
        ? `≤ ${f.targetMs} ms ${f.median <= f.targetMs ? "ok" : "MISSED"}`
        : `(SQLite target ≤ ${f.targetMs} ms)`;
  return [
    f.name.padEnd(46),
    ms(f.median).padStart(10),
    ms(f.p90).padStart(10),
    `${f.min.toFixed(1)}-${f.max.toFixed(1)} ms`.padStart(19),
    String(f.statements).padStart(5),
    `  ${target}`,
  ].join(" ");
}

/** `count` variables KEY_00000.. with a value derived from `tag` (different tags: every value changes). */
export function makeVariables(count: number, tag: string): { key: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `KEY_${String(i).padStart(5, "0")}`;
    return { key, value: `${tag}-value-${i}-postgres://user:pass@db.example.com:5432/app_${i}?sslmode=require` };
  });
}
