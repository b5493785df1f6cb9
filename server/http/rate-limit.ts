/**
 * Fixed-window rate limits: failed authentications per client address, runtime resolutions
 * per token. Windows are aligned to the clock (a minute starts at :00), so every server
 * counts into the same window. With SQLite (one process) the counters live in memory; with
 * PostgreSQL they live in the database and hold across all servers sharing it.
 */
import type { Database } from "../db/client.js";
import { deleteWindowsBefore, incrementWindow } from "../db/rate-limits.js";

export interface Hit {
  /** Whether this event is within the limit. */
  allowed: boolean;
  /** Events counted for the key in the current window, this one included. */
  count: number;
  /** Seconds until the current window ends (for Retry-After). */
  retryAfter: number;
}

export interface RateLimiter {
  readonly limit: number;
  /** Counts one event for `key`. */
  hit(key: string): Promise<Hit>;
  /** The count of `key` in the current window as this process last saw it (no query). */
  known(key: string): number;
}

type Clock = () => number;

function window(now: number, windowMs: number) {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, retryAfter: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

/** Counters of this process only. */
export class MemoryRateLimiter implements RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: Clock = Date.now,
  ) {}

  async hit(key: string): Promise<Hit> {
    const { start, retryAfter } = window(this.now(), this.windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size >= 10_000) for (const [k, v] of this.windows) if (v.start !== start) this.windows.delete(k);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= this.limit, count: w.count, retryAfter };
  }

  /** Records `count` as the key's count in the window starting at `start` (what a shared counter answered). */
  set(key: string, start: number, count: number): void {
    const w = this.windows.get(key);
    if (w && w.start === start) w.count = Math.max(w.count, count);
    else this.windows.set(key, { start, count });
  }

  known(key: string): number {
    const w = this.windows.get(key);
    return w && w.start === window(this.now(), this.windowMs).start ? w.count : 0;
  }
}

/** Counters in PostgreSQL, shared by every server on the database. Keys are prefixed with `scope`. */
export class PostgresRateLimiter implements RateLimiter {
  private lastCleanup = 0;
  /** Counts the database answered, for `known`. */
  private readonly seen: MemoryRateLimiter;

  constructor(
    private readonly database: Database,
    private readonly scope: string,
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: Clock = Date.now,
  ) {
    this.seen = new MemoryRateLimiter(limit, windowMs, now);
  }

  async hit(key: string): Promise<Hit> {
    const now = this.now();
    const { start, retryAfter } = window(now, this.windowMs);
    const count = await incrementWindow(this.database.writer, `${this.scope}:${key}`, start);
    this.seen.set(key, start, count);
    if (now - this.lastCleanup >= this.windowMs) {
      // Old windows are never read again; any server may delete them (once per window per server).
      this.lastCleanup = now;
      await deleteWindowsBefore(this.database.writer, start - this.windowMs);
    }
    return { allowed: count <= this.limit, count, retryAfter };
  }

  known(key: string): number {
    return this.seen.known(key);
  }
}

export function createRateLimiter(database: Database, scope: string, limit: number, windowMs = 60_000): RateLimiter {
  return database.provider === "postgresql"
    ? new PostgresRateLimiter(database, scope, limit, windowMs)
    : new MemoryRateLimiter(limit, windowMs);
}
