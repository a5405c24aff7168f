// Copyright 2026 the psbase authors. MIT license.
// The public type of the object `transaction(fn)` hands to `fn`, re-exported
// by mod.ts (the implementation is _table/_transaction.ts).

import type { ResultSet } from "./_query/_result_set.ts";
import type {
  FieldName,
  QueryOptions,
  RecordOf,
  Schema,
  Selected,
  SortSpec,
  Target,
  ValuesOf,
  Versioned,
  Where,
} from "./_types.ts";

/**
 * The reading and writing methods of a base, as `transaction(fn)` hands them
 * to `fn`: everything written through `tx` commits together when `fn`
 * returns, or not at all if it throws. `tx` reads the base plus its own
 * writes; use it, not the base, inside `fn`.
 *
 * @example
 * ```ts
 * import { Base } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * const db = await new Base(dir + "/counters").create({ name: "string", n: "int" });
 * await db.insert({ name: "hits", n: 0 });
 * await db.transaction(async (tx) => {
 *   const [c] = await tx.find({ name: "hits" });
 *   await tx.update(c, { n: c.n! + 1 });
 * });
 * await db.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Transaction<S extends Schema = Schema> {
  /** The record with `id`, or `undefined`. */
  get(id: number): Promise<RecordOf<S> | undefined>;
  /** Whether a live record has `id`. */
  has(id: number): Promise<boolean>;
  /** How many records match `where` (all when omitted). */
  count(where?: Where<S>): Promise<number>;
  /** Like the base's `select`. */
  select<const F extends readonly string[], const O extends string = string>(
    fields: F & readonly FieldName<S>[],
    where?: Where<S>,
    options?: QueryOptions<SortSpec<O, FieldName<S>>>,
  ): Promise<ResultSet<Selected<S, F>>>;
  /** Like the base's `select(where)`. */
  select(where?: Where<S>): Promise<ResultSet<RecordOf<S>>>;
  /** Like the base's `find`. */
  find<const O extends string = string>(
    where?: Where<S>,
    options?: QueryOptions<SortSpec<O, FieldName<S>>>,
  ): Promise<ResultSet<RecordOf<S>>>;
  /** Like the base's `insert`. */
  insert(values: ValuesOf<S>): Promise<number>;
  /** Like the base's `insertMany`. */
  insertMany(rows: ReadonlyArray<ValuesOf<S>>): Promise<number[]>;
  /** Like the base's `update`; the caller's records get the new values when the transaction commits. */
  update(records: Versioned | ReadonlyArray<Versioned>, changes: ValuesOf<S>): Promise<void>;
  /** Like the base's `delete`. */
  delete(target: Target): Promise<number>;
}
