/**
 * Time-ordered row ids (UUIDv7 layout: 48-bit milliseconds, a 12-bit sequence, 62 random bits)
 * for rows inserted in bulk. Ids made by one process sort in the order they were made, so the
 * primary-key index grows at its end instead of at random places: on SQLite, inserting 1,000
 * variables into a table of 200,000 rows cost several times more with random UUIDs. Ids are
 * text, like every other id; the format carries no meaning.
 */
import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(8 * 1024);
let poolAt = pool.length;
/** ms × 4096 + sequence of the last id: the next is at least one more (monotonic within a ms and across clock steps back). */
let last = 0;

export function timeOrderedId(): string {
  const next = Math.max(Date.now() * 4096, last + 1);
  last = next;
  const ms = Math.floor(next / 4096);
  const seq = next % 4096;
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const random = pool.subarray(poolAt, poolAt + 8);
  poolAt += 8;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  const time = hex(ms, 12);
  const variant = (0x8000 | ((random[0] & 0x3f) << 8) | random[1]).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-${hex(0x7000 | seq, 4)}-${variant}-${random.toString("hex", 2, 8)}`;
}
