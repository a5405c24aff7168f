// Copyright 2026 the psbase authors. MIT license.
// Compiling a `Where` object into conditions on stored values, and testing
// them straight on loaded columns (no row is decoded to be rejected).

import { type Column, columnValue } from "../_file/_data_file.ts";
import { encode } from "../_table/_schema.ts";
import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import { show } from "../_show.ts";

/** One compiled condition on row position `k` (0 `__id__`, 1 `__version__`, 2+ fields). */
export interface Cond {
  k: number;
  name: string;
  test: (v: Stored) => boolean;
  /** Set for equality with a string: the UTF-8 bytes compared in place. */
  eqBytes?: Uint8Array;
  /** Set for equality with null. */
  eqNull?: boolean;
  /** Set for equality with a non-null value. */
  eq?: Stored;
  /** Set for a numeric range: the bounds (null: open). */
  range?: [number | null, number | null];
}

const ID_FIELD: Field = { name: "__id__", type: "int", default: null };
const VERSION_FIELD: Field = { name: "__version__", type: "int", default: null };
const encoder = new TextEncoder();

/** Compiles a `Where` object; throws a TypeError naming the field and value when malformed. */
export function compileWhere(where: unknown, fields: Field[]): Cond[] {
  if (where === undefined || where === null) return [];
  if (typeof where !== "object" || Array.isArray(where) || where instanceof RegExp) {
    throw new TypeError(
      `Malformed where ${show(where)}: use an object of field conditions or a predicate function`,
    );
  }
  const conds: Cond[] = [];
  for (const [name, value] of Object.entries(where)) {
    let k = fields.findIndex((f) => f.name === name);
    let field = fields[k];
    k += 2;
    if (name === "__id__") [k, field] = [0, ID_FIELD];
    else if (name === "__version__") [k, field] = [1, VERSION_FIELD];
    else if (!field) {
      throw new TypeError(
        `Malformed where: unknown field ${show(name)} (fields: ${
          fields.map((f) => f.name).join(", ")
        })`,
      );
    }
    conds.push(compileOne(field, k, value));
  }
  return conds;
}

function compileOne(field: Field, k: number, value: unknown): Cond {
  const name = field.name;
  if (value instanceof RegExp) {
    if (field.type !== "string") {
      throw new TypeError(
        `Malformed where: field ${show(name)} is ${field.type}; a RegExp needs a string field`,
      );
    }
    const re = new RegExp(value.source, value.flags.replace(/[gy]/g, ""));
    return { k, name, test: (v) => v !== null && re.test(v as string) };
  }
  if (Array.isArray(value)) {
    if (value.length !== 2 || !codecOf(field.type)!.ordered) {
      throw new TypeError(
        `Malformed where: field ${show(name)} (${field.type}) got ${show(value)}; ` +
          `a range is [min, max] on an int, float, date, datetime or string field`,
      );
    }
    const wrap = (b: unknown) => {
      try {
        return encode(field, b);
      } catch (e) {
        throw new TypeError(`Malformed where: range bound ${show(b)}: ${(e as Error).message}`);
      }
    };
    const lo = wrap(value[0]);
    const hi = wrap(value[1]);
    if (lo !== null && hi !== null && lo > hi) {
      throw new RangeError(
        `Malformed where: range ${show(value)} on field ${show(name)} has min > max`,
      );
    }
    const cond: Cond = {
      k,
      name,
      test: (v) => v !== null && (lo === null || v >= lo) && (hi === null || v <= hi),
    };
    if (typeof lo !== "string" && typeof hi !== "string") {
      cond.range = [lo as number | null, hi as number | null];
    }
    return cond;
  }
  if (value === undefined) {
    throw new TypeError(
      `Malformed where: field ${
        show(name)
      } is undefined (use null to match nulls, or leave the field out)`,
    );
  }
  let want: Stored;
  try {
    want = encode(field, value);
  } catch (e) {
    throw new TypeError(`Malformed where: ${(e as Error).message}`);
  }
  if (want === null) return { k, name, test: (v) => v === null, eqNull: true };
  const cond: Cond = { k, name, test: (v) => v === want, eq: want };
  if (typeof want === "string") cond.eqBytes = encoder.encode(want);
  return cond;
}

/** Tests a decoded row against every condition. */
export function rowMatches(conds: Cond[], row: Stored[]): boolean {
  for (const c of conds) if (!c.test(row[c.k])) return false;
  return true;
}

/**
 * The row indexes among `cand` (all `n` rows when null) whose value in the
 * loaded column `col` satisfies `cond`. One tight loop per condition kind.
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
  if (col.enc === "str" && cond.eqBytes) {
    const want = cond.eqBytes;
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
    const lo = cond.range[0] ?? -Infinity;
    const hi = cond.range[1] ?? Infinity;
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
  for (let j = 0; j < m; j++) {
    const i = cand ? cand[j] : j;
    if (cond.test(columnValue(col, i))) out.push(i);
  }
  return out;
}
