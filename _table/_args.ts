// Copyright 2026 the psbase authors. MIT license.
// Checking the arguments of the public methods, before anything is read or
// written. Every message reads "Cannot <method>: <why>", values shown by
// `show`.

import { isPlainObject } from "../_options.ts";
import type { Field } from "../_field/_codec.ts";
import { parseOrder } from "../_query/_order.ts";
import { fieldPosition } from "../_query/_where.ts";
import { show } from "../_show.ts";
import type { SortKey } from "../_storage/_types.ts";

/** Throws unless `id` is an integer. */
export function checkId(method: string, id: unknown): number {
  if (!Number.isSafeInteger(id)) {
    throw new TypeError(`Cannot ${method}: an __id__ is an integer, got ${show(id)}`);
  }
  return id as number;
}

/** The ids of `delete`'s target: a record, an id, or an array of them. */
export function targetIds(target: unknown): number[] {
  return (Array.isArray(target) ? target : [target]).map((t) => {
    const id = isPlainObject(t) ? t.__id__ : t;
    if (!Number.isSafeInteger(id)) {
      throw new TypeError(
        `Cannot delete: expected a record, an __id__ or an array of them, got ${show(t)}`,
      );
    }
    return id as number;
  });
}

/** Splits `select`'s arguments: `(fields, where, options)` or `(where)`. */
export function selectArgs(a: unknown, b: unknown, c: unknown): [string[], unknown, unknown] {
  if (Array.isArray(a)) {
    for (const n of a) {
      if (typeof n !== "string") {
        throw new TypeError(`Cannot select: field names must be strings, got ${show(n)}`);
      }
    }
    return [a, b, c];
  }
  if (typeof a === "string") {
    throw new TypeError(
      `Cannot select: fields are an array of names, like ["${a}"]; got ${show(a)}`,
    );
  }
  if (b !== undefined || c !== undefined) {
    throw new TypeError(
      `Cannot select: expected (fields, where, options) or (where), got ${show(a)} and then ${
        show(b ?? c)
      } (use find(where, options) for options without a field list)`,
    );
  }
  return [[], a, undefined];
}

/** The row positions of a field list (all fields when empty), checked. */
export function wantOf(method: string, names: string[], fields: readonly Field[]): number[] {
  if (!names.length) return [1, ...fields.map((_, j) => j + 2)];
  const want = [1];
  for (const n of names) {
    const at = fieldPosition(n, fields);
    if (!at) {
      throw new TypeError(
        `Cannot ${method}: unknown field ${show(n)} (fields: ${
          fields.map((f) => f.name).join(", ")
        })`,
      );
    }
    if (at[0] > 1 && !want.includes(at[0])) want.push(at[0]);
  }
  return want;
}

/** `select`'s and `find`'s options, checked. */
export { checkArity, checkOptions, isPlainObject } from "../_options.ts";
import { checkOptions } from "../_options.ts";

export function queryOptions(
  method: string,
  options: unknown,
  fields: readonly Field[],
): { order: SortKey[]; offset: number; limit?: number } {
  checkOptions(method, options, ["orderBy", "offset", "limit"]);
  const o = (options ?? {}) as { orderBy?: unknown; offset?: unknown; limit?: unknown };
  const count = (name: string, v: unknown) => {
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v) || (v as number) < 0) {
      throw new RangeError(`Cannot ${method}: ${name} must be an integer >= 0, got ${show(v)}`);
    }
    return v as number;
  };
  const order: SortKey[] = [];
  if (o.orderBy !== undefined) {
    for (const key of parseOrder(o.orderBy, method)) {
      const at = fieldPosition(key.name, fields);
      if (!at) {
        throw new TypeError(
          `Cannot ${method}: unknown field ${show(key.name)} in orderBy (fields: ${
            fields.map((f) => f.name).join(", ")
          })`,
        );
      }
      order.push({ k: at[0], desc: key.desc });
    }
  }
  return { order, offset: count("offset", o.offset) ?? 0, limit: count("limit", o.limit) };
}
