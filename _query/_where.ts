// Copyright 2026 the psbase authors. MIT license.
// Compiling a `where` object into conditions on stored values, the same for
// every storage: the file store tests them on columns and indexes, the
// PostgreSQL store turns them into SQL.

import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import { show } from "../_show.ts";

/** One compiled condition on row position `k` (0 `__id__`, 1 `__version__`, 2+ fields). */
export interface Cond {
  k: number;
  field: Field;
  /** The test on a stored value; every form below has one. */
  test: (v: Stored) => boolean;
  /** Equality with a non-null value. */
  eq?: Stored;
  /** Equality with null. */
  eqNull?: boolean;
  /** Any of these values (null among them matches nulls). */
  in?: Stored[];
  /** An inclusive range; a null bound is open. Never matches null. */
  range?: [Stored, Stored];
  /** A RegExp on a string field (flags g and y dropped). */
  re?: RegExp;
}

/** `__id__` and `__version__` as fields, for conditions on them. */
export const ID_FIELD: Field = { name: "__id__", type: "int", default: null };
export const VERSION_FIELD: Field = { name: "__version__", type: "int", default: null };

const isPlain = (v: unknown): v is { [k: string]: unknown } =>
  typeof v === "object" && v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** Where the condition's field sits in a row, or -1. */
export function fieldPosition(name: string, fields: readonly Field[]): [number, Field] | undefined {
  if (name === "__id__") return [0, ID_FIELD];
  if (name === "__version__") return [1, VERSION_FIELD];
  const j = fields.findIndex((f) => f.name === name);
  return j < 0 ? undefined : [j + 2, fields[j]];
}

/**
 * Compiles a `where` object (not a predicate); throws a TypeError or
 * RangeError naming the field and the value when it is malformed, and
 * `method`, the call it was given to ("Cannot find: ...").
 */
export function compileWhere(
  where: unknown,
  fields: readonly Field[],
  method = "select",
): Cond[] {
  if (where === undefined || where === null) return [];
  if (!isPlain(where)) {
    throw new TypeError(
      `Cannot ${method}: where must be an object of field conditions or a predicate function, got ${
        show(where)
      }`,
    );
  }
  const conds: Cond[] = [];
  for (const [name, value] of Object.entries(where)) {
    const at = fieldPosition(name, fields);
    if (!at) {
      throw new TypeError(
        `Cannot ${method}: unknown field ${show(name)} in where (fields: ${
          fields.map((f) => f.name).join(", ")
        })`,
      );
    }
    conds.push(compileOne(at[1], at[0], value, method));
  }
  return conds;
}

function encodeValue(field: Field, value: unknown, what: string, method: string): Stored {
  if (value === null) return null;
  const codec = codecOf(field.type)!;
  const stored = value === undefined ? undefined : codec.encode(value);
  if (stored === undefined) {
    throw new TypeError(
      `Cannot ${method}: ${what} for field ${show(field.name)} must be ${codec.expects}, got ${
        show(value)
      }`,
    );
  }
  return stored;
}

function compileOne(field: Field, k: number, value: unknown, method: string): Cond {
  const name = show(field.name);
  const codec = codecOf(field.type)!;
  if (value === undefined) {
    throw new TypeError(
      `Cannot ${method}: field ${name} is undefined in where (use null to match nulls, or leave the field out)`,
    );
  }
  if (value instanceof RegExp) {
    if (field.type !== "string") {
      throw new TypeError(
        `Cannot ${method}: field ${name} is ${field.type}; a RegExp needs a string field`,
      );
    }
    const re = new RegExp(value.source, value.flags.replace(/[gy]/g, ""));
    return { k, field, re, test: (v) => v !== null && re.test(v as string) };
  }
  if (Array.isArray(value)) {
    if (value.length !== 2 || !codec.ordered) {
      throw new TypeError(
        `Cannot ${method}: field ${name} (${field.type}) got ${show(value)}; ` +
          `a range is [min, max] on an int, float, date, datetime or string field ` +
          `(for any of several values use { in: [...] })`,
      );
    }
    const lo = encodeValue(field, value[0], "a range bound", method);
    const hi = encodeValue(field, value[1], "a range bound", method);
    if (lo !== null && hi !== null && lo > hi) {
      throw new RangeError(`Cannot ${method}: range ${show(value)} on field ${name} has min > max`);
    }
    return {
      k,
      field,
      range: [lo, hi],
      test: (v) => v !== null && (lo === null || v >= lo) && (hi === null || v <= hi),
    };
  }
  if (isPlain(value) && !("__id__" in value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== "in" || !Array.isArray(value.in)) {
      throw new TypeError(
        `Cannot ${method}: field ${name} got ${
          show(value)
        }; an object in where is { in: [values] } (or a linked record)`,
      );
    }
    const list = value.in.map((v) => encodeValue(field, v, "a value in `in`", method));
    const set = new Set(list);
    return { k, field, in: list, test: (v) => set.has(v) };
  }
  const want = encodeValue(field, value, "the value", method);
  if (want === null) return { k, field, eqNull: true, test: (v) => v === null };
  return { k, field, eq: want, test: (v) => v === want };
}

/** Tests a row against every condition. */
export function rowMatches(conds: readonly Cond[], row: readonly Stored[]): boolean {
  for (const c of conds) if (!c.test(row[c.k])) return false;
  return true;
}
