/**
 * Letting other requests in, fairly. Node runs one request's synchronous work to its end: a
 * 10,000-value push encrypting, checking and diffing in long blocks kept small pulls waiting for
 * seconds. And Node's libuv accepts one new connection per turn of the event loop: when one turn
 * runs the work of every request that arrived in it, a turn lasts hundreds of milliseconds under
 * load and a client connecting then waits seconds to be accepted (measured: 20 clients pulling
 * 1,000 values, connections accepted one per ~400 ms, p99 3.7 s).
 *
 * So work goes through one first-in-first-out line of turns: `nextTurn()` resolves after the
 * turns queued before it, one per turn of the event loop (setImmediate), so between two slices of
 * work Node accepts a connection and reads the sockets. Every HTTP request takes a turn before it
 * is handled (app.ts), and a long loop takes another once SLICE_MS of work ran
 * (`if (slice()) await nextTurn()`). A request waits behind at most the slices queued before it:
 * first come, first served, with long requests interleaved.
 */
import { performance } from "node:perf_hooks";

/** Milliseconds of synchronous work between two turns of the event loop. */
export const SLICE_MS = 10;

const line: (() => void)[] = [];
/** Work that holds the database's write lock (a large write's transaction): served before the line. */
const holding: (() => void)[] = [];
let pumping = false;

/** Releases the first waiter, then the next one on the next turn of the event loop. */
function pump(): void {
  const next = holding.shift() ?? line.shift();
  if (!next) {
    pumping = false;
    return;
  }
  next();
  setImmediate(pump);
}

/**
 * Resolves on a later turn of the event loop, after every turn asked for before this one. With `holdingLock`
 * (called inside a write transaction) it goes before the line: everything waiting for that lock (other writes,
 * audited reads) is served sooner when the transaction ends sooner.
 */
export function nextTurn(holdingLock = false): Promise<void> {
  return new Promise<void>((resolve) => {
    (holdingLock ? holding : line).push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}

/**
 * A clock of one loop: true once `budgetMs` of work ran since it started or since the turn it
 * last asked for came back (the caller awaits `nextTurn()` after every true). The clock restarts
 * at the first call after that turn: counting the wait as work made a loop that waited behind a
 * busy line yield after every item and finish last (a pull of 1,000 values took 3 s of turns).
 */
export function timeSlice(budgetMs = SLICE_MS): () => boolean {
  let since = performance.now();
  let yielded = false;
  return () => {
    const now = performance.now();
    if (yielded) {
      yielded = false;
      since = now;
      return false;
    }
    if (now - since < budgetMs) return false;
    yielded = true;
    return true;
  };
}

/** Turns waiting in the line now (work holding the write lock included). */
export function waitingTurns(): number {
  return line.length + holding.length;
}

/** Writes of at least this many values give the event loop a turn between their long phases. */
export const LARGE_WRITE = 1000;
