/** Fixed-window counters (per process): failed authentications per client, runtime resolutions per token. */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(readonly limit: number, readonly windowMs: number, private readonly now = () => Date.now()) {}

  /** Whether `key` is over its limit, without counting. */
  blocked(key: string): boolean {
    const w = this.current(key);
    return w.count >= this.limit;
  }

  /** Counts one event; returns false when this one is over the limit. */
  hit(key: string): boolean {
    const w = this.current(key);
    w.count++;
    return w.count <= this.limit;
  }

  retryAfterSeconds(key: string): number {
    const w = this.current(key);
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000));
  }

  private current(key: string) {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) for (const [k, v] of this.windows) if (now - v.start >= this.windowMs) this.windows.delete(k);
    }
    return w;
  }
}
