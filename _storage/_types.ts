// Copyright 2026 the psbase authors. MIT license.
// The storage interface: what the table layer (base.ts, _table/) asks of
// whatever stores the rows. The file store (_file/) is the first
// implementation, the PostgreSQL store (_pg/) the second; nothing above this
// interface knows which one it talks to. Methods may answer at once (the
// file store) or with a promise (a server).

import type { Field, Row, Stored } from "../_field/_codec.ts";
import type { Cond } from "../_query/_where.ts";

/** A value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** An index on a field (FORMAT.md, F7). */
export interface IndexSpec {
  field: string;
  kind: string;
}

/** A sort key on a row position (0 `__id__`, 1 `__version__`, 2+ fields). */
export interface SortKey {
  k: number;
  desc: boolean;
}

/** A query: which rows, which of their values, in what order, how many. */
export interface Query {
  conds: Cond[];
  /** Row positions to fill (0, `__id__`, always is); the others stay null. */
  want: number[];
  /** Sort keys; `__id__` ascending breaks ties, and is the order when empty. */
  order: SortKey[];
  offset: number;
  /** At most this many rows (after `offset`); undefined: all. */
  limit?: number;
}

/** Reading: the committed state, or a write set's (its own writes included). */
export interface Reader {
  /** The fields, in schema order. */
  readonly fields: readonly Field[];
  readonly indexes: readonly IndexSpec[];
  /** The live row with `id`. */
  get(id: number): Awaitable<Row | undefined>;
  /** The live rows among `ids`, in `ids` order, missing ones left out. */
  getMany(ids: number[]): Awaitable<Row[]>;
  /** The rows a query selects. */
  select(query: Query): Awaitable<Row[]>;
  /** How many live rows satisfy every condition. */
  count(conds: Cond[]): Awaitable<number>;
  /** Whether `id` was ever given to a record (ids are never reused). */
  idUsed(id: number): Awaitable<boolean>;
}

/**
 * The writes of one call or one transaction, applied to nothing but itself
 * until `commit` (FORMAT.md, R5). Made by `Storage.begin` under the write
 * lock.
 */
export interface WriteSet extends Reader {
  /** The id the next insert gets. */
  readonly nextId: number;
  /**
   * Inserts a row of field values (schema order), checked first with
   * `check` where the storage has one; returns its new `__id__`.
   */
  insert(values: Stored[]): Awaitable<number>;
  /**
   * Throws a TypeError or RangeError for a value of `values` this storage
   * cannot hold ("Cannot <call>: field ..."), and does nothing else; absent
   * where every valid value fits. An insert of many rows checks them all
   * before the first goes in, so it is all or none.
   */
  check?(values: Stored[], call: string): void;
  /**
   * Replaces the live row with the same `__id__` by `row` (its version
   * already bumped); a value the storage cannot hold is refused as
   * "Cannot update: field ...".
   */
  update(row: Row): Awaitable<void>;
  /** Deletes the live row `id`. */
  delete(id: number): Awaitable<void>;
  /** Makes every write durable together (W1, W7), or throws having written nothing. */
  commit(): Awaitable<void>;
  /** Drops every write. */
  rollback(): Awaitable<void>;
}

/** A schema or layout change, applied as one step (FORMAT.md, W4). */
export type Change =
  | { kind: "cleanup" }
  | { kind: "setDefault"; field: string; value: Stored }
  | { kind: "addField"; field: Field; at: number }
  | { kind: "dropField"; field: string }
  | { kind: "addIndex"; index: IndexSpec }
  | { kind: "dropIndex"; field: string }
  /**
   * Everything at once: a new schema, its rows (whole, ids ascending) and next
   * id; `call` names the caller's call in a refusal.
   */
  | {
    kind: "replace";
    fields: Field[];
    indexes: IndexSpec[];
    rows: Row[];
    nextId: number;
    call: string;
  };

/** A problem the integrity check found, or a note (FORMAT.md, K). */
export interface CheckItem {
  /** The file (or table) it is about. */
  file: string;
  detail: string;
}

export type { CheckReport } from "../_types.ts";
import type { CheckReport } from "../_types.ts";

/** One open base's storage. */
export interface Storage extends Reader {
  /** Picks up what others committed (FORMAT.md, R3). */
  refresh(): Awaitable<void>;
  /** Starts a write set; the caller holds the write lock until it commits or rolls back. */
  begin(): Awaitable<WriteSet>;
  /** Applies a schema or layout change under the write lock (W4). */
  change(change: Change): Awaitable<void>;
  /** After the lock is released: waits until the last commit is on disk (W2). */
  flush(): Awaitable<void>;
  /** Makes every acknowledged write durable. */
  sync(): Awaitable<void>;
  /** Facts for `info`: generation, files and sizes, and the like. */
  info(): Awaitable<{ [key: string]: unknown }>;
  close(): Awaitable<void>;
}

/** Opening, creating and removing the storage of a base by its name (a folder, a table). */
export interface StorageDriver<O> {
  /** Whether a base exists at `name`. */
  exists(name: string, options: O): Awaitable<boolean>;
  /** Throws unless a base may be created at `name` (for a folder: only psbase's files in it). */
  checkCreate(name: string, fields: readonly Field[], options: O): Awaitable<void>;
  open(name: string, options: O): Awaitable<Storage>;
  create(name: string, fields: Field[], indexes: IndexSpec[], options: O): Awaitable<Storage>;
  destroy(name: string, options: O): Awaitable<void>;
  /** Checks every stored byte of the base at `name` against the format's rules (FORMAT.md, K). */
  check(name: string, options: O): Awaitable<CheckReport>;
}
