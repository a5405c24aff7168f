// Copyright 2026 the psbase authors. MIT license.
// The `hash` index kind: equality and `in` (FORMAT.md, F7).

import type { Stored } from "../../_field/_codec.ts";
import { sum32 } from "../_checksum.ts";
import type { IndexKind } from "./_types.ts";

const encoder = new TextEncoder();
const f64 = new Float64Array(1);
const f64bytes = new Uint8Array(f64.buffer);
const one = new Uint8Array(1);

/** The hash of a non-null stored value: sum32 of its key bytes (F7). */
export function hashKey(v: Stored): number {
  if (typeof v === "string") return sum32(encoder.encode(v));
  if (typeof v === "boolean") {
    one[0] = v ? 1 : 0;
    return sum32(one);
  }
  f64[0] = v === 0 ? 0 : v as number; // -0 hashes as 0: they are equal
  return sum32(f64bytes);
}

function bucketCount(rows: number): number {
  let b = 1;
  while (b * 4 < rows) b *= 2;
  return b;
}

/** Equality and `in` lookups by hash buckets. */
export const hash: IndexKind = {
  name: "hash",
  // Nulls are not in the index: an `in` list holding null is left to the column scan.
  answers: (c) => c.eq !== undefined || (c.in !== undefined && !c.in.includes(null)),
  build(values) {
    const b = bucketCount(values.length);
    const counts = new Uint32Array(b + 1);
    const buckets = new Int32Array(values.length).fill(-1);
    values.forEach((v, i) => {
      if (v === null) return;
      buckets[i] = hashKey(v) & (b - 1);
      counts[buckets[i] + 1]++;
    });
    for (let j = 1; j <= b; j++) counts[j] += counts[j - 1];
    const n = counts[b];
    const out = new Uint32Array(b + 1 + n);
    out.set(counts);
    const next = counts.slice(0, b);
    for (let i = 0; i < values.length; i++) {
      if (buckets[i] >= 0) out[b + 1 + next[buckets[i]]++] = i;
    }
    return { bytes: new Uint8Array(out.buffer), buckets: b };
  },
  // Nulls are left out, so anything from no entries to one a row; the bucket
  // count must be a power of two (no valid length otherwise).
  size: (rows, b) =>
    b !== undefined && b > 0 && (b & (b - 1)) === 0 ? [4 * (b + 1), 4 * (b + 1 + rows)] : [1, 0],
  lookup(cond, { section, value, buckets }) {
    const b = buckets!;
    const out: number[] = [];
    const wanted = new Set(cond.in ?? [cond.eq!]);
    for (const want of wanted) {
      if (want === null) continue;
      const j = hashKey(want) & (b - 1);
      const [from, to] = section.u32s(j, j + 2);
      for (const row of section.u32s(b + 1 + from, b + 1 + to)) {
        if (value(row) === want) out.push(row);
      }
    }
    return wanted.size > 1 ? out.sort((x, y) => x - y) : out;
  },
};
