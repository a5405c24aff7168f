// Copyright 2026 the psbase authors. MIT license.
// The object `transaction(fn)` hands to `fn`: the base's reading and writing
// methods over one write set (FORMAT.md, R5).

import type { ResultSet } from "../_query/_result_set.ts";
import type { WriteSet } from "../_storage/_types.ts";
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
