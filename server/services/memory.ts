/**
 * Giving memory back after large bulk writes. A push of 10,000 values keeps its request, its
 * parsed and coerced input, its rows and ciphertexts alive long enough for V8 to move them to the
 * old generation, which then grows to ~2× what the writes held; V8 collects it only when it next
 * fills, and does not shrink it while the server is idle (no memory reducer ran within 10 s). A
 * 50,000-variable push left the process at ~340 MiB RSS, of which ~50 MiB was live.
 *
 * So once large writes stop (no other for LARGE_WRITE_QUIET_MS), one full collection runs: it
 * costs a few tens of milliseconds per burst of large writes, measured beside a 10,000-value
 * push of ~1 s, and V8 then returns the freed pages. Small writes never trigger it.
 */
import v8 from "node:v8";
import vm from "node:vm";

/** Values written by one request from which it counts as large. */
export const LARGE_WRITE_VALUES = 5000;
const LARGE_WRITE_QUIET_MS = 200;

let collect: (() => void) | null | undefined;
let timer: NodeJS.Timeout | null = null;

/** V8's full collection: `--expose-gc` set now installs `gc` in contexts created afterwards. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      collect = (vm.runInNewContext("gc") as (() => void) | undefined) ?? null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** A request wrote `count` values: when it is large, collect once large writes have stopped for a moment. */
export function wroteValues(count: number): void {
  if (count < LARGE_WRITE_VALUES) return;
  if (timer) {
    timer.refresh();
    return;
  }
  timer = setTimeout(() => {
    timer = null;
    collector()?.();
  }, LARGE_WRITE_QUIET_MS);
  timer.unref();
}
