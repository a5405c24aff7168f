// Copyright 2026 the psbase authors. MIT license.
// The one checksum of every file of a base: `sum32` (FORMAT.md, F0). It
// detects torn and damaged bytes, not malice.

const PRIME = 0x01000193;
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * sum32 of `bytes` with `seed` (FORMAT.md, F0): FNV-1a's constants over
 * little-endian 32-bit words, each step followed by `h ^= h >>> 15`, then the
 * trailing bytes one at a time. Plain JavaScript: in a short-lived process it
 * costs less than instantiating WebAssembly (measured; README, Performance).
 */
export function sum32(bytes: Uint8Array, seed = 0): number {
  const n = bytes.length;
  const m = n >>> 2;
  let h = Math.imul(0x811c9dc5 ^ n ^ seed, PRIME);
  if (bytes.byteOffset % 4 !== 0 && n < 256) {
    // Short and unaligned (log records): the words from the bytes, no copy.
    for (let i = 0; i < 4 * m; i += 4) {
      h = Math.imul(
        h ^ (bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | bytes[i + 3] << 24),
        PRIME,
      );
      h ^= h >>> 15;
    }
  } else if (LITTLE) {
    const w = bytes.byteOffset % 4 === 0
      ? new Uint32Array(bytes.buffer, bytes.byteOffset, m)
      : new Uint32Array(bytes.slice(0, 4 * m).buffer);
    for (let i = 0; i < m; i++) {
      h = Math.imul(h ^ w[i], PRIME);
      h ^= h >>> 15;
    }
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < m; i++) {
      h = Math.imul(h ^ dv.getUint32(4 * i, true), PRIME);
      h ^= h >>> 15;
    }
  }
  for (let i = 4 * m; i < n; i++) h = Math.imul(h ^ bytes[i], PRIME);
  return h >>> 0;
}
