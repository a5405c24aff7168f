// Copyright 2026 the psbase authors. MIT license.
// The object `transaction(fn)` hands to `fn`.

import type { Row } from "../_field/_codec.ts";
import type { ResultSet } from "../_query/_result_set.ts";
import type { Record, Where } from "../_types.ts";
import { checkId, checkTargets, selectArgs } from "./_args.ts";
import { filterRecords } from "./_records.ts";
import { ANY_FIELDS, type Work } from "./_work.ts";

/**
 * Reading and writing methods inside `transaction()`: everything they write
 * commits together when the callback returns, or not at all if it throws.
 *
 * @example
 * ```ts
 * import { Base } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * const db = await new Base(dir + "/counters").create({ name: "string", n: "int" });
 * await db.insert({ name: "hits", n: 0 });
 * await db.transaction(async (tx) => {
 *   const [c] = await tx.find({ name: "hits" });
 *   await tx.update(c, { n: (c.n as number) + 1 });
 * });
 * await db.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Transaction {
  #work: Work;
  #records: (rows: Row[], want: number[]) => Promise<ResultSet>;
  #done = false;

  /** @ignore Made by `transaction()`. */
  constructor(work: Work, records: (rows: Row[], want: number[]) => Promise<ResultSet>) {
    this.#work = work;
    this.#records = records;
  }

  #w(): Work {
    if (this.#done) throw new Error("This transaction has ended; use the base's own methods");
    return this.#work;
  }

  /** @ignore */
  end(): void {
    this.#done = true;
  }

  /** The record with `id`, or `undefined`. */
  async get(id: number): Promise<Record | undefined> {
    checkId(id, "get");
    const w = this.#w();
    const row = w.store.get(id);
    return row ? (await this.#records([row], w.want(ANY_FIELDS)))[0] : undefined;
  }

  /** Whether a live record has `id`. */
  has(id: number): Promise<boolean> {
    checkId(id, "has");
    return Promise.resolve(this.#w().store.get(id) !== undefined);
  }

  /** The number of live records. */
  count(): Promise<number> {
    return Promise.resolve(this.#w().store.count);
  }

  /** Like `Base.select`. */
  select(fields?: string[] | Where, where?: Where): Promise<ResultSet> {
    const w = this.#w();
    const [names, cond] = selectArgs(fields, where);
    const { rows, want } = w.select(names, cond);
    return filterRecords(this.#records(rows, want), names, cond);
  }

  /** Like `Base.find`. */
  find(where?: Where): Promise<ResultSet> {
    return this.select([], where);
  }

  /** Like `Base.insert`. */
  insert(values: { [field: string]: unknown }): Promise<number> {
    return Promise.resolve(this.#w().insertMany([values])[0]);
  }

  /** Like `Base.insertMany`. */
  insertMany(rows: Array<{ [field: string]: unknown }>): Promise<number[]> {
    return Promise.resolve(this.#w().insertMany(rows));
  }

  /** Like `Base.update`; the caller's records are updated when the transaction commits. */
  update(records: Record | Record[], changes: { [field: string]: unknown }): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    const rows = this.#w().update(list, changes);
    pending.set(this, [...(pending.get(this) ?? []), { list, rows, changes }]);
    return Promise.resolve();
  }

  /** Like `Base.delete`. */
  delete(target: unknown): Promise<number> {
    return Promise.resolve(this.#w().delete(checkTargets(target)));
  }
}

/** Updates to callers' records, applied only once their transaction commits. */
export const pending = new WeakMap<
  Transaction,
  Array<{ list: Record[]; rows: Row[]; changes: { [field: string]: unknown } }>
>();

export function applyToCallers(
  list: Record[],
  rows: Row[],
  changes: { [field: string]: unknown },
): void {
  list.forEach((rec, i) => {
    try {
      for (const [k, v] of Object.entries(changes)) rec[k] = v ?? null;
      rec.__version__ = rows[i][1] as number;
    } catch {
      // A frozen record stays as it was; the base holds the new values.
    }
  });
}
