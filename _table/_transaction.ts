// Copyright 2026 the psbase authors. MIT license.
// The object `transaction(fn)` hands to `fn`: the base's reading and writing
// methods over one write set (FORMAT.md, R5).

import type { ResultSet } from "../_query/_result_set.ts";
import type { WriteSet } from "../_storage/_types.ts";
import { checkArity } from "./_args.ts";
import {
  applyToCallers,
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

/** What an update inside the transaction changed in a caller's record, to put back on rollback. */
interface Saved {
  rec: Rec;
  values: [string, unknown][];
}

/** The `tx` of one transaction. */
export class TransactionImpl {
  #ws: WriteSet;
  #toRecords: ToRecords;
  #done = false;
  /** The callers' records as they were before each update, latest last. */
  #saved: Saved[] = [];

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

  /** After a rollback: puts back what the updates gave the callers' records. */
  restoreCallers(): void {
    for (const { rec, values } of this.#saved.reverse()) {
      try {
        for (const [k, v] of values) rec[k] = v;
      } catch {
        // A frozen record was not changed either.
      }
    }
    this.#saved = [];
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
    const ws = this.#w("update");
    const rows = await updateRecords(ws, records, changes);
    // The records get their new values now, so that the transaction can go on from them (and
    // update them again); a rollback puts back what they held (restoreCallers).
    const list = (Array.isArray(records) ? records : [records]) as Rec[];
    const keys = ["__version__", ...Object.keys(changes as object)];
    for (const rec of list) this.#saved.push({ rec, values: keys.map((k) => [k, rec[k]]) });
    await applyToCallers(records, rows, changes, { fields: ws.fields, toRecords: this.#toRecords });
  }
  async delete(target: unknown): Promise<number> {
    checkArity("delete", arguments.length, ["target"]);
    return await deleteTargets(this.#w("delete"), target);
  }
}
