// Copyright 2026 the psbase authors. MIT license.
// Checksums that detect torn and damaged data in the log and data files
// (FORMAT.md, F3, F4 and F6).

/**
 * FNV-1a (32 bit) of `bytes[start, end)`: the checksum of headers and log
 * records. Needs no table, so a short-lived process pays nothing to set it up.
 */
export function fnv1a(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * A fast 32-bit checksum of a whole column (FORMAT.md, F4): reads four bytes
 * at a time, so it costs a quarter of `fnv1a`. Detects torn and damaged
 * columns, not malice.
 */
export function sum32(bytes: Uint8Array): number {
  const words = bytes.byteOffset % 4 === 0
    ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2)
    : new Uint32Array(bytes.slice(0, bytes.length & ~3).buffer);
  let h = 0x811c9dc5 ^ bytes.length;
  for (let i = 0; i < words.length; i++) {
    h = Math.imul(h ^ words[i], 0x01000193);
    h ^= h >>> 15;
  }
  for (let i = bytes.length & ~3; i < bytes.length; i++) {
    h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return h >>> 0;
}
