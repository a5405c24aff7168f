// Copyright 2026 the psbase authors. MIT license.
// Compiling a `Where` object into conditions on stored values, and testing
// them straight on loaded columns (no row is decoded to be rejected).

import { type Column, columnValue } from "./_data_file.ts";
import { encode, type Field, show, type Stored } from "./_schema.ts";

/** One compiled condition on row position `k` (0 `__id__`, 1 `__version__`, 2+ fields). */
export interface Cond {
  k: number;
  name: string;
  test: (v: Stored) => boolean;
  /** Set for equality with a string: the UTF-8 bytes compared in place. */
  eqBytes?: Uint8Array;
  /** Set for equality with null. */
  eqNull?: boolean;
}

const ID_FIELD: Field = { name: "__id__", type: "int", default: null };
const VERSION_FIELD: Field = { name: "__version__", type: "int", default: null };
const RANGED = new Set(["int", "float", "date", "datetime", "string"]);
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
    if (value.length !== 2 || !RANGED.has(field.type)) {
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
    return {
      k,
      name,
      test: (v) => v !== null && (lo === null || v >= lo) && (hi === null || v <= hi),
    };
  }
  let want: Stored;
  try {
    want = encode(field, value);
  } catch (e) {
    throw new TypeError(`Malformed where: ${(e as Error).message}`);
  }
  if (want === null) return { k, name, test: (v) => v === null, eqNull: true };
  const cond: Cond = { k, name, test: (v) => v === want };
  if (typeof want === "string") cond.eqBytes = encoder.encode(want);
  return cond;
}

/** Tests a decoded row against every condition. */
export function rowMatches(conds: Cond[], row: Stored[]): boolean {
  for (const c of conds) if (!c.test(row[c.k])) return false;
  return true;
}

/** A test of row index `i` against one condition, reading the loaded column. */
export function columnTest(cond: Cond, col: Column): (i: number) => boolean {
  if (col.enc === "str" && (cond.eqBytes || cond.eqNull)) {
    const nulls = col.u8;
    if (cond.eqNull) return (i) => nulls[i] === 1;
    const want = cond.eqBytes!;
    const offs = col.offsets!;
    const blob = col.blob!;
    const len = want.length;
    return (i) => {
      const s = offs[i];
      if (offs[i + 1] - s !== len || nulls[i] === 1) return false;
      for (let j = 0; j < len; j++) if (blob[s + j] !== want[j]) return false;
      return true;
    };
  }
  if (col.enc === "f64") {
    const vals = col.f64!;
    const nulls = col.u8;
    const test = cond.test;
    return (i) => test(nulls[i] === 1 ? null : vals[i]);
  }
  return (i) => cond.test(columnValue(col, i));
}
