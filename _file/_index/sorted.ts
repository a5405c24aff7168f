// Copyright 2026 the psbase authors. MIT license.
// The `sorted` index kind: equality, `in` and `[min, max]` (FORMAT.md, F7).

import { compareStored, type IndexKind } from "./_types.ts";

/** Row positions in value order; lookups by binary search. */
export const sorted: IndexKind = {
  name: "sorted",
  // `lookup` finds no nulls: an `in` list holding null is left to the column scan.
  answers: (c) =>
    c.eq !== undefined || (c.in !== undefined && !c.in.includes(null)) || c.range !== undefined,
  build(values) {
    const order = Array.from(values.keys());
    order.sort((a, b) => compareStored(values[a], values[b]) || a - b);
    return { bytes: new Uint8Array(Uint32Array.from(order).buffer) };
  },
  size: (rows) => [4 * rows, 4 * rows],
  lookup(cond, { section, value, rows }) {
    const at = (i: number) => value(section.u32(i));
    /** The first position whose value is >= v (or > v when `after`). */
    const bound = (v: NonNullable<typeof cond.eq>, after: boolean) => {
      let lo = 0;
      let hi = rows;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = compareStored(at(mid), v);
        if (c < 0 || (after && c === 0)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const spans: Array<[number, number]> = [];
    if (cond.range) {
      const [lo, hi] = cond.range;
      // No lower bound: start after the nulls, which sort first.
      const start = lo === null ? firstNonNull(at, rows) : bound(lo, false);
      spans.push([start, hi === null ? rows : bound(hi, true)]);
    } else {
      for (const v of new Set(cond.in ?? [cond.eq!])) {
        if (v !== null) spans.push([bound(v, false), bound(v, true)]);
      }
    }
    const out: number[] = [];
    for (const [from, to] of spans) {
      if (to > from) out.push(...section.u32s(from, to));
    }
    return out.sort((x, y) => x - y);
  },
};

function firstNonNull(at: (i: number) => unknown, rows: number): number {
  let lo = 0;
  let hi = rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) === null) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
