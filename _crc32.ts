// Copyright 2026 the psbase authors. MIT license.
// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), used to detect torn
// and damaged data in the log and data files (FORMAT.md, F4 and F6).

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes[start, end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A fast 32-bit checksum of a whole column (FORMAT.md, F4): reads four bytes
 * at a time, so it costs a quarter of `crc32`. Detects torn and damaged
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
