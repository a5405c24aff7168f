// Copyright 2026 the psbase authors. MIT license.
// The object `transaction(fn)` hands to `fn`: the base's reading and writing
// methods over one write set (FORMAT.md, R5).

import type { ResultSet } from "../_query/_result_set.ts";
import type { WriteSet } from "../_storage/_types.ts";
import { checkArity } from "./_args.ts";
import {
  applyToCallers,
  changedNames,
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
  /** Each key's value before, or absent: the record had no such key. */
  values: [key: string, had: boolean, value: unknown][];
}

let finishOf: (tx: TransactionImpl, rolledBack: boolean) => void;

/**
 * Ends `tx`'s transaction (once `fn` is done): `tx` refuses every call from
 * now on. Called again with `rolledBack` when the transaction did not commit:
 * the records its updates changed get back what they held.
 */
export function finishTransaction(tx: TransactionImpl, rolledBack: boolean): void {
  finishOf(tx, rolledBack);
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

  static {
    finishOf = (tx, rolledBack) => tx.#finish(rolledBack);
  }

  #finish(rolledBack: boolean): void {
    this.#done = true;
    if (!rolledBack) return;
    for (const { rec, values } of this.#saved.reverse()) {
      try {
        for (const [k, had, v] of values) {
          if (had) rec[k] = v;
          else delete rec[k];
        }
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
    const keys = ["__version__", ...changedNames(changes)];
    for (const rec of list) {
      this.#saved.push({ rec, values: keys.map((k) => [k, Object.hasOwn(rec, k), rec[k]]) });
    }
    await applyToCallers(records, rows, changes, { fields: ws.fields, toRecords: this.#toRecords });
  }
  async delete(target: unknown): Promise<number> {
    checkArity("delete", arguments.length, ["target"]);
    return await deleteTargets(this.#w("delete"), target);
  }
}
