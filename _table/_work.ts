// Copyright 2026 the psbase authors. MIT license.
// The write unit: what one call or one transaction reads and writes, checked
// and encoded, applied to the store in memory with undo records, committed as
// one log record (FORMAT.md, W1).

import { ConflictError } from "../_errors.ts";
import { show } from "../_show.ts";
import type { Field, Row, Stored } from "../_field/_codec.ts";
import type { Op } from "../_file/_log_file.ts";
import type { Store, Undo } from "../_file/_store.ts";
import { compileWhere } from "../_query/_where.ts";
import { encode } from "./_schema.ts";
import { isPlainObject } from "./_args.ts";

/** An empty field list: every field. */
export const ANY_FIELDS: string[] = [];

const indexes = new WeakMap<Field[], Map<string, Field & { k: number }>>();

/** Field name → field and its position in a row, cached per field list. */
function fieldIndex(fields: Field[]): Map<string, Field & { k: number }> {
  let m = indexes.get(fields);
  if (!m) {
    m = new Map(fields.map((f, j) => [f.name, { ...f, k: j + 2 }]));
    indexes.set(fields, m);
  }
  return m;
}

/** The work of every reading and writing method, on an open store (one call or one transaction). */
export class Work {
  readonly store: Store;
  readonly undo: Undo = [];
  readonly ops: Op[] = [];

  constructor(store: Store) {
    this.store = store;
  }

  get fields(): Field[] {
    return this.store.fields;
  }

  #field(name: string, what: string): Field & { k: number } {
    const f = fieldIndex(this.fields).get(name);
    if (!f) {
      throw new TypeError(
        `${what}: unknown field ${show(name)} (fields: ${
          this.fields.map((f) => f.name).join(", ")
        })`,
      );
    }
    return f;
  }

  /** Encodes an object of field values; rejects unknown and reserved keys. */
  #values(values: unknown, what: string): Map<number, Stored> {
    if (!isPlainObject(values)) {
      throw new TypeError(`${what}: expected an object of field values, got ${show(values)}`);
    }
    const out = new Map<number, Stored>();
    for (const [name, v] of Object.entries(values)) {
      if (name === "__id__" || name === "__version__") {
        throw new TypeError(`${what}: ${name} is set by the base and cannot be given`);
      }
      const f = this.#field(name, what);
      try {
        out.set(f.k, encode(f, v));
      } catch (e) {
        throw new TypeError(`${what}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  #apply(op: Op): void {
    this.ops.push(op);
    this.store.apply(op, this.undo);
  }

  /** Validates every row first, then applies all (all or none). */
  insertMany(rows: unknown[]): number[] {
    if (!Array.isArray(rows)) {
      throw new TypeError(`insertMany: expected an array of objects, got ${show(rows)}`);
    }
    const encoded = rows.map((values, i) => {
      const given = this.#values(values, rows.length === 1 ? "insert" : `insertMany row ${i}`);
      return this.fields.map((f, j) => given.has(j + 2) ? given.get(j + 2)! : f.default);
    });
    return encoded.map((vals) => {
      const id = this.store.nextId;
      this.#apply(["i", [id, 0, ...vals]]);
      return id;
    });
  }

  update(records: unknown[], changes: unknown): Row[] {
    const given = this.#values(changes, "update");
    if (given.size === 0) {
      throw new TypeError("update: no changes given (an object of field values to set)");
    }
    const ids = records.map((r) => {
      if (!isPlainObject(r) || !Number.isSafeInteger(r.__id__)) {
        throw new TypeError(
          `update: expected records with an __id__ (as read from the base), got ${show(r)}`,
        );
      }
      if (!Number.isSafeInteger(r.__version__)) {
        throw new TypeError(
          `update: record ${r.__id__} has no valid __version__ (got ${show(r.__version__)})`,
        );
      }
      return [r.__id__ as number, r.__version__ as number];
    });
    const out: Row[] = [];
    for (const [id, version] of ids) {
      const cur = this.store.get(id);
      if (!cur) throw new ConflictError(id, version, null);
      if (cur[1] !== version) throw new ConflictError(id, version, cur[1] as number);
      const row = cur.slice();
      row[1] = version + 1;
      for (const [k, v] of given) row[k] = v;
      this.#apply(["u", row]);
      out.push(row);
    }
    return out;
  }

  delete(targets: unknown[]): number {
    const ids = targets.map((t) => {
      const id = isPlainObject(t) ? t.__id__ : t;
      if (!Number.isSafeInteger(id)) {
        throw new TypeError(
          `delete: expected a record, an __id__ or an array of them, got ${show(t)}`,
        );
      }
      return id as number;
    });
    let n = 0;
    for (const id of ids) {
      if (!this.store.get(id)) continue;
      this.#apply(["d", id]);
      n++;
    }
    return n;
  }

  /** Positions (in a row) of the listed fields; all when empty. */
  want(fields: string[]): number[] {
    if (!fields.length) return [1, ...this.fields.map((_, j) => j + 2)];
    return [1, ...fields.map((n) => this.#field(n, "select").k)];
  }

  /** Rows matching an object `where` (or all rows for a predicate, filtered later). */
  /** The rows and the row positions they hold, for turning into records. */
  select(fields: string[], where: unknown): { rows: Row[]; want: number[] } {
    const predicate = typeof where === "function";
    const want = this.want(predicate ? ANY_FIELDS : fields);
    const conds = predicate ? [] : compileWhere(where, this.fields);
    return { rows: this.store.scan(conds, want), want };
  }

  /** Makes the ops durable; on failure, undoes them in memory and rethrows. */
  commit(): void {
    try {
      this.store.commit(this.ops);
    } catch (e) {
      this.rollback();
      throw e;
    }
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]();
    this.undo.length = 0;
    this.ops.length = 0;
  }
}
