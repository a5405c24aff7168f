// Copyright 2026 the psbase authors. MIT license.
// The one checksum of every file of a base: `sum32` (FORMAT.md, F0). It
// detects torn and damaged bytes, not malice.

const PRIME = 0x01000193;

/** sum32 in JavaScript: the definition, and the fallback where WebAssembly is missing. */
export function sum32js(bytes: Uint8Array, seed = 0): number {
  const n = bytes.length;
  let h = Math.imul(0x811c9dc5 ^ n ^ seed, PRIME);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h = Math.imul(h ^ dv.getUint32(i, true), PRIME);
    h ^= h >>> 15;
  }
  for (; i < n; i++) h = Math.imul(h ^ bytes[i], PRIME);
  return h >>> 0;
}

// The same function as 170 bytes of WebAssembly (exports memory `m` and
// `s(ptr, len, seed)`). Compiled on first use: it runs at native speed from
// its first call, where a cold JavaScript loop would run interpreted and then
// cost a short-lived process its optimisation on background threads.
const WASM =
  "AGFzbQEAAAABCAFgA39/fwF/AwIBAAUDAQABBwkCAW0CAAFzAAAKgQEBfwEDfyABQcW78oh4cyACc0GTg4AIbCEDIAAgAWohBSAAIAFBfHFqIQQCQANAIAAgBE8NASADIAAoAgBzQZODgAhsIgMgA0EPdnMhAyAAQQRqIQAMAAsLAkADQCAAIAVPDQEgAyAALQAAc0GTg4AIbCEDIABBAWohAAwACwsgAws=";

interface Native {
  memory: WebAssembly.Memory;
  sum: (ptr: number, len: number, seed: number) => number;
}

let native: Native | null | undefined;

function load(): Native | null {
  try {
    const bin = atob(WASM);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    return {
      memory: exports.m as WebAssembly.Memory,
      sum: exports.s as Native["sum"],
    };
  } catch {
    return null;
  }
}

/**
 * sum32 of `bytes` with `seed` (FORMAT.md, F0): FNV-1a's constants over
 * little-endian 32-bit words, each step followed by `h ^= h >>> 15`, then the
 * trailing bytes one at a time.
 */
export function sum32(bytes: Uint8Array, seed = 0): number {
  const w = native === undefined ? (native = load()) : native;
  if (w === null || bytes.length < 16) return sum32js(bytes, seed);
  const need = bytes.length - w.memory.buffer.byteLength;
  if (need > 0) w.memory.grow(Math.ceil(need / 65536));
  new Uint8Array(w.memory.buffer, 0, bytes.length).set(bytes);
  return w.sum(0, bytes.length, seed >>> 0) >>> 0;
}
