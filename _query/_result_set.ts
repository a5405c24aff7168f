// Copyright 2026 the psbase authors. MIT license.

import type { Record } from "../_types.ts";

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "object" && typeof b === "object") {
    return compare((a as Record).__id__, (b as Record).__id__);
  }
  return a < b ? -1 : a > b ? 1 : 0;
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
export class ResultSet<T extends Record = Record> extends Array<T> {
  /** `map`, `filter`, `slice`... return plain arrays. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * Returns a new ResultSet sorted by fields: `"+name -age"` sorts by name
   * ascending, then age descending. `null` sorts first when ascending. Stable.
   * Throws a TypeError for a malformed spec or a field no record has.
   */
  sortBy(spec: string): ResultSet<T> {
    if (typeof spec !== "string" || spec.trim() === "") {
      throw new TypeError(`sortBy: expected a spec like "+name -age", got ${JSON.stringify(spec)}`);
    }
    const keys = spec.trim().split(/\s+/).map((word) => {
      const m = /^([+-]?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
      if (!m) {
        throw new TypeError(
          `sortBy: malformed key ${JSON.stringify(word)} in ${JSON.stringify(spec)}`,
        );
      }
      if (this.length && !(m[2] in this[0])) {
        throw new TypeError(`sortBy: unknown field ${JSON.stringify(m[2])} (not in these records)`);
      }
      return { name: m[2], dir: m[1] === "-" ? -1 : 1 };
    });
    const out = ResultSet.from(this) as ResultSet<T>;
    out.sort((a, b) => {
      for (const k of keys) {
        const c = compare(a[k.name], b[k.name]);
        if (c !== 0) return c * k.dir;
      }
      return 0;
    });
    return out;
  }
}
