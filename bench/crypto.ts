/**
 * npm run bench:crypto: the cost of sealing and opening one value (µs), with @noble's
 * xchacha20poly1305 alone and with the native path (HChaCha20 from @noble + Node's
 * chacha20-poly1305), through server/crypto's seal/open with a real value AAD. Value sizes:
 * 32 bytes (a typical variable), 200 bytes (a URL or a key) and 4 KiB (a certificate).
 */
import { performance } from "node:perf_hooks";
import { nativeXchacha, nobleXchacha, type Xchacha } from "../server/crypto/aead.js";
import { newDataKey, utf8, valueAad } from "../server/crypto/index.js";

const key = newDataKey();
const ROUNDS = Number(process.env.BENCH_CRYPTO_ROUNDS ?? 20_000);

/** seal/open as server/crypto/aead.ts does them, with the implementation given. */
function sealWith(impl: Xchacha, plaintext: Uint8Array, aad: Uint8Array) {
  const nonce = crypto.getRandomValues(new Uint8Array(24));
  const prefix = Uint8Array.of(1, 0, 0, 0, 1);
  const full = new Uint8Array(5 + aad.length);
  full.set(prefix);
  full.set(aad, 5);
  const sealed = impl.encrypt(key, nonce, full, plaintext);
  return { nonce, full, sealed };
}

function timer(impl: Xchacha, size: number) {
  const values = Array.from({ length: 64 }, (_, i) => utf8.encode(String(i).padEnd(size, "v")));
  const aads = values.map((_, i) =>
    valueAad({ projectId: "cmproject", environmentId: "cmenv", branchId: null, key: `KEY_${i}`, valueVersion: 1 }),
  );
  const run = (rounds: number) => {
    const t0 = performance.now();
    const sealed = [];
    for (let i = 0; i < rounds; i++) sealed.push(sealWith(impl, values[i % 64]!, aads[i % 64]!));
    const t1 = performance.now();
    for (const s of sealed) impl.decrypt(key, s.nonce, s.full, s.sealed);
    const t2 = performance.now();
    return { seal: ((t1 - t0) * 1000) / rounds, open: ((t2 - t1) * 1000) / rounds };
  };
  return run;
}

/** Both implementations in alternation (5 rounds each after a warm-up): the best round of each. */
function compare(size: number) {
  const runs = [timer(nobleXchacha, size), timer(nativeXchacha, size)];
  for (const run of runs) run(Math.min(ROUNDS, 2000));
  const best = runs.map(() => ({ seal: Infinity, open: Infinity }));
  for (let round = 0; round < 5; round++)
    runs.forEach((run, i) => {
      const r = run(ROUNDS);
      best[i]!.seal = Math.min(best[i]!.seal, r.seal);
      best[i]!.open = Math.min(best[i]!.open, r.open);
    });
  return { noble: best[0]!, native: best[1]! };
}

console.log(`per value, µs (best of 5 alternating rounds × ${ROUNDS}); Node ${process.version}`);
console.log(
  `${"size".padEnd(8)}${"noble seal".padStart(12)}${"native seal".padStart(13)}${"noble open".padStart(12)}` +
    `${"native open".padStart(13)}${"seal ÷".padStart(8)}${"open ÷".padStart(8)}`,
);
for (const size of [32, 200, 4096]) {
  const { noble, native } = compare(size);
  console.log(
    `${`${size} B`.padEnd(8)}${noble.seal.toFixed(2).padStart(12)}${native.seal.toFixed(2).padStart(13)}` +
      `${noble.open.toFixed(2).padStart(12)}${native.open.toFixed(2).padStart(13)}` +
      `${(noble.seal / native.seal).toFixed(2).padStart(7)}×${(noble.open / native.open).toFixed(2).padStart(7)}×`,
  );
}
