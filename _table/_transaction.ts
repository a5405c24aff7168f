// Copyright 2026 the psbase authors. MIT license.
// The object `transaction(fn)` hands to `fn`: the base's reading and writing
// methods over one write set (FORMAT.md, R5).

import type { ResultSet } from "../_query/_result_set.ts";
import type { WriteSet } from "../_storage/_types.ts";
import type {
  FieldName,
  QueryOptions,
  RecordOf,
  Schema,
  SortSpec,
  ValuesOf,
  Where,
} from "../_types.ts";
import { checkArity } from "./_args.ts";
import {
  countRecords,
  deleteTargets,
  getRecord,
  hasRecord,
  insertRows,
  type Rec,
  selectRecords,
  type ToRecords,
  updateRecords,
} from "./_work.ts";
import type { Row } from "../_field/_codec.ts";

/** A record (or what a field list selected of one): at least its `__id__` and `__version__`. */
export type Versioned = { readonly __id__: number; readonly __version__: number };

/** What `delete` takes: a record, an id, or an array of them. */
export type Target =
  | number
  | { readonly __id__: number }
  | ReadonlyArray<number | { readonly __id__: number }>;

/** The records `select(fields)` returns: those fields, plus `__id__` and `__version__`. */
export type Selected<S extends Schema, F extends readonly string[]> = string extends keyof S
  ? RecordOf<S>
  : {
    [K in keyof RecordOf<S> as K extends F[number] | "__id__" | "__version__" ? K : never]:
      RecordOf<S>[K];
  };

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

/** Updates to callers' records, applied once the transaction commits. */
export interface PendingUpdate {
  records: unknown;
  rows: Row[];
  changes: unknown;
}

/** The `tx` of one transaction. */
export class TransactionImpl {
  #ws: WriteSet;
  #toRecords: ToRecords;
  #done = false;
  /** Caller records to update on commit. */
  readonly updates: PendingUpdate[] = [];

  constructor(ws: WriteSet, toRecords: ToRecords) {
    this.#ws = ws;
    this.#toRecords = toRecords;
  }

  #w(method: string): WriteSet {
    if (this.#done) {
      throw new Error(`Cannot ${method} through tx: its transaction has ended; use the base`);
    }
    return this.#ws;
  }

  /** Ends the transaction: `tx` refuses every call from now on. */
  end(): void {
    this.#done = true;
  }

  async get(id: number): Promise<Rec | undefined> {
    checkArity("get", arguments.length, ["id"]);
    return await getRecord(this.#w("get"), id, this.#toRecords);
  }
  async has(id: number): Promise<boolean> {
    checkArity("has", arguments.length, ["id"]);
    return await hasRecord(this.#w("has"), id);
  }
  async count(where?: unknown): Promise<number> {
    checkArity("count", arguments.length, ["where"]);
    return await countRecords(this.#w("count"), where, this.#toRecords);
  }
  async select(fields?: unknown, where?: unknown, options?: unknown): Promise<ResultSet<Rec>> {
    checkArity("select", arguments.length, ["fields", "where", "options"]);
    return await selectRecords(
      this.#w("select"),
      [fields, where, options],
      this.#toRecords,
      "select",
    );
  }
  async find(where?: unknown, options?: unknown): Promise<ResultSet<Rec>> {
    checkArity("find", arguments.length, ["where", "options"]);
    return await selectRecords(
      this.#w("find"),
      [where, options, undefined],
      this.#toRecords,
      "find",
    );
  }
  async insert(values: unknown): Promise<number> {
    checkArity("insert", arguments.length, ["values"]);
    return (await insertRows(this.#w("insert"), [values], "insert"))[0];
  }
  async insertMany(rows: unknown): Promise<number[]> {
    checkArity("insertMany", arguments.length, ["rows"]);
    return await insertRows(this.#w("insertMany"), rows, "insertMany");
  }
  async update(records: unknown, changes: unknown): Promise<void> {
    checkArity("update", arguments.length, ["records", "changes"]);
    const rows = await updateRecords(this.#w("update"), records, changes);
    this.updates.push({ records, rows, changes });
  }
  async delete(target: unknown): Promise<number> {
    checkArity("delete", arguments.length, ["target"]);
    return await deleteTargets(this.#w("delete"), target);
  }
}
