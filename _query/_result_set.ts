// Copyright 2026 the psbase authors. MIT license.
// The array a query returns, with Buzhug's `sort_by`.

import type { SortSpec } from "../_types.ts";
import { parseOrder } from "./_order.ts";
import { show } from "../_show.ts";

/** Orders two record values: null first, dates by time, linked records by `__id__`. */
function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "object" && typeof b === "object") {
    return compare((a as { __id__: number }).__id__, (b as { __id__: number }).__id__);
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * The records a query returned: an `Array` with `sortBy`.
 *
 * @example
 * ```ts
 * import { Base } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * const db = await new Base(dir + "/people").create({ name: "string", age: "int" });
 * await db.insertMany([{ name: "Bo", age: 30 }, { name: "Al", age: 30 }, { name: "Cy", age: 9 }]);
 * const rows = (await db.select(["name", "age"])).sortBy("-age +name");
 * console.log(rows.map((r) => r.name)); // ["Al", "Bo", "Cy"]
 * await db.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class ResultSet<out T extends object = { [field: string]: unknown }> extends Array<T> {
  /** `map`, `filter`, `slice`... return plain arrays. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * Returns a new ResultSet sorted by fields: `"+name -age"` (or Buzhug's
   * `"+name-age"`) sorts by name ascending, then age descending. `null` sorts
   * first when ascending. Stable. Throws a TypeError for a malformed spec or a
   * field the records do not have.
   *
   * @example
   * ```ts
   * import { ResultSet } from "@psbase/psbase";
   * const rs = ResultSet.from([{ a: 2 }, { a: 1 }]) as ResultSet<{ a: number }>;
   * console.log(rs.sortBy("+a").map((r) => r.a)); // [1, 2]
   * ```
   */
  sortBy<const O extends string>(spec: SortSpec<O, keyof T & string>): ResultSet<T> {
    const keys = parseOrder(spec, "sort");
    for (const k of keys) {
      if (this.length && !(k.name in this[0])) {
        throw new TypeError(
          `Cannot sort: unknown field ${show(k.name)} in ${show(spec)} (not in these records)`,
        );
      }
    }
    const out = ResultSet.from(this) as ResultSet<T>;
    out.sort((a, b) => {
      for (const k of keys) {
        const c = compare(
          (a as { [f: string]: unknown })[k.name],
          (b as { [f: string]: unknown })[k.name],
        );
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
    return out;
  }
}
