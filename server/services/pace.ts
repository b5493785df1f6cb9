/**
 * Letting other requests in during a long write or read. Node runs one request's synchronous
 * work to its end: a 10,000-value push encrypting, checking and diffing in long blocks kept
 * small pulls waiting for seconds. In a long loop, `if (slice()) await nextTurn()` gives the event
 * loop a turn (setImmediate: pending I/O and the requests it brings run first) once SLICE_MS of
 * work ran since the last one.
 */
import { performance } from "node:perf_hooks";

/** Milliseconds of synchronous work between two turns of the event loop. */
export const SLICE_MS = 10;

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock of one loop: true (and restarted) once `budgetMs` passed since it started or last said true. */
export function timeSlice(budgetMs = SLICE_MS): () => boolean {
  let since = performance.now();
  return () => {
    const now = performance.now();
    if (now - since < budgetMs) return false;
    since = now;
    return true;
  };
}

/** Writes of at least this many values give the event loop a turn between their long phases. */
export const LARGE_WRITE = 1000;
