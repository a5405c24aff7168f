// Copyright 2026 the psbase authors. MIT license.
// Testing compiled conditions (_query/_where.ts) straight on a data file's
// loaded columns: no row is decoded to be rejected.

import type { Cond } from "../_query/_where.ts";
import type { Column } from "./_data_file.ts";

const encoder = new TextEncoder();
let bytewise: TextDecoder | null | undefined;

/**
 * A decoder that maps every byte to one UTF-16 code unit (windows-1252), so
 * a native `indexOf` on the decoded text finds byte sequences; null where the
 * runtime lacks it.
 */
function byteDecoder(): TextDecoder | null {
  if (bytewise === undefined) {
    try {
      bytewise = new TextDecoder("windows-1252");
    } catch {
      bytewise = null;
    }
  }
  return bytewise;
}

const texts = new WeakMap<Uint8Array, string>();

/** Row positions whose string equals `want` (UTF-8 bytes), by native search. */
function findString(col: Column, want: Uint8Array, n: number): number[] | null {
  const dec = byteDecoder();
  if (!dec) return null;
  const blob = col.blob!;
  let hay = texts.get(blob);
  if (hay === undefined) texts.set(blob, hay = dec.decode(blob));
  const needle = dec.decode(want);
  const offs = col.offsets!;
  const out: number[] = [];
  let misses = 0;
  for (let p = hay.indexOf(needle); p >= 0; p = hay.indexOf(needle, p + 1)) {
    // The row starting at p, if any (offsets ascend).
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offs[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    // Empty strings share their offset with the next row: skip to the one of the right length.
    while (lo < n && offs[lo] === p && offs[lo + 1] - p !== want.length) lo++;
    if (lo < n && offs[lo] === p && col.u8[lo] === 0) out.push(lo);
    else if (++misses > 64) return null; // a needle found inside many strings: compare rows instead
  }
  return out;
}

/**
 * The row positions among `cand` (all `n` rows when null) whose value in the
 * loaded column `col` satisfies `cond`. One tight loop per condition form.
 */
export function columnFilter(cond: Cond, col: Column, n: number, cand: number[] | null): number[] {
  const out: number[] = [];
  const m = cand ? cand.length : n;
  const nulls = col.u8;
  if (cond.eqNull && col.enc !== "bool") {
    for (let j = 0; j < m; j++) {
      const i = cand ? cand[j] : j;
      if (nulls[i] === 1) out.push(i);
    }
    return out;
  }
  if (col.enc === "str" && typeof cond.eq === "string") {
    const want = encoder.encode(cond.eq);
    if (!cand && want.length > 0) {
      const found = findString(col, want, n);
      if (found) return found;
    }
    const offs = col.offsets!;
    const blob = col.blob!;
    const len = want.length;
    outer: for (let j = 0; j < m; j++) {
      const i = cand ? cand[j] : j;
      const s = offs[i];
      if (offs[i + 1] - s !== len || nulls[i] === 1) continue;
      for (let q = 0; q < len; q++) if (blob[s + q] !== want[q]) continue outer;
      out.push(i);
    }
    return out;
  }
  if (col.enc === "f64" && cond.range) {
    const vals = col.f64!;
    const lo = (cond.range[0] ?? -Infinity) as number;
    const hi = (cond.range[1] ?? Infinity) as number;
    for (let j = 0; j < m; j++) {
      const i = cand ? cand[j] : j;
      const v = vals[i];
      if (v >= lo && v <= hi && nulls[i] === 0) out.push(i);
    }
    return out;
  }
  if (col.enc === "f64" && typeof cond.eq === "number") {
    const vals = col.f64!;
    const want = cond.eq;
    for (let j = 0; j < m; j++) {
      const i = cand ? cand[j] : j;
      if (vals[i] === want && nulls[i] === 0) out.push(i);
    }
    return out;
  }
  return [];
}

/** Whether `columnFilter` has a loop for `cond` on a column of `enc` (else rows are tested one by one). */
export function hasColumnFilter(cond: Cond, enc: Column["enc"]): boolean {
  if (cond.eqNull) return enc !== "bool";
  if (enc === "str") return typeof cond.eq === "string";
  if (enc === "f64") return cond.range !== undefined || typeof cond.eq === "number";
  return false;
}
