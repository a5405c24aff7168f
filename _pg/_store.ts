// Copyright 2026 the psbase authors. MIT license.
// The PostgreSQL store: one base is one table plus its row of `psbase_meta`
// (the second implementation of _storage/_types.ts). A write set is one
// database transaction that first takes the table's advisory lock, so
// writers queue as they do on the file lock, across processes and hosts;
// reads outside it are single statements on committed state.

import { BaseChangedError, LockTimeoutError, SchemaMoved } from "../_errors.ts";
import type { Field, Row, Stored } from "../_field/_codec.ts";
import type { Cond } from "../_query/_where.ts";
import type { Change, IndexSpec, Query, Storage, WriteSet } from "../_storage/_types.ts";
import { show } from "../_show.ts";
import { type Connection, sqlState } from "./_client.ts";
import { decodeMeta, type Meta, PG_FORMAT, selectMeta, updateSchema } from "./_meta.ts";
import { countSql, selectSql } from "./_query.ts";
import {
  checkFieldName,
  checkText,
  columnAt,
  columnType,
  createTableSql,
  ident,
  indexName,
  literal,
  lockSql,
  META,
  NAME,
  text,
  typeAt,
} from "./_sql.ts";

/** Options of a PostgreSQL store. */
export interface PgStoreOptions {
  connection: Connection;
  /** How long a write waits for the table's lock, in ms (undefined: forever). */
  timeoutMs: number | undefined;
  /** False only in the tests' negative control: writes take no lock. */
  lock: boolean;
}

/** Rows per INSERT statement of a buffered bulk insert. */
const INSERT_CHUNK = 1000;

/** Taking the table's lock in a transaction, waiting at most `o.timeoutMs` (SQLSTATE 55P03 past it). */
export function timedLockSql(name: string, o: PgStoreOptions): string[] {
  return o.lock ? timedSql([lockSql(name)], o) : [];
}

/** `sql`, statements that take locks, each lock waited for at most `o.timeoutMs` (55P03 past it). */
export function timedSql(sql: string[], o: { timeoutMs: number | undefined }): string[] {
  // lock_timeout 0 is no timeout at all: timeoutMs 0 (do not wait) is 1 ms.
  return o.timeoutMs === undefined ? sql : [
    `SET LOCAL lock_timeout = ${Math.max(1, Math.ceil(o.timeoutMs))}`,
    ...sql,
    "SET LOCAL lock_timeout = 0",
  ];
}

/** `e`, or a LockTimeoutError when it is PostgreSQL's lock timeout (55P03). */
export function lockTimedOut(name: string, o: PgStoreOptions, e: unknown): unknown {
  return sqlState(e) === "55P03" ? new LockTimeoutError(name, o.timeoutMs!) : e;
}

/** Statements that begin a write set: a transaction, then the lock, then a fresh read of the schema. */
export function beginSql(name: string, o: PgStoreOptions, token: string): string[] {
  return [
    "BEGIN ISOLATION LEVEL READ COMMITTED", // each statement sees what was committed before it,
    // so everything after the lock sees every commit of the writers before us
    `SET LOCAL psbase.tx = ${text(token)}`,
    ...timedLockSql(name, o),
    selectMeta(name),
  ];
}

/**
 * Fails unless the statement runs inside the write set's own transaction: if
 * the session dropped and the client reconnected, the statements after it
 * would otherwise run outside the transaction and its lock.
 */
function guardSql(token: string): string {
  return `SELECT 1 / (coalesce(current_setting('psbase.tx', true) = ${text(token)}, false))::int`;
}

/** One base's table and schema, as this process last read them. */
export class PgStore implements Storage {
  readonly name: string;
  readonly options: PgStoreOptions;
  fields: Field[] = [];
  indexes: IndexSpec[] = [];
  generation = 0;
  nextId = 1;
  #closed = false;

  constructor(name: string, options: PgStoreOptions, meta: Meta) {
    this.name = name;
    this.options = options;
    this.apply(meta);
    options.connection.hold();
  }

  get #conn(): Connection {
    return this.options.connection;
  }

  /** Takes a schema read from `psbase_meta`. */
  apply(meta: Meta): void {
    if (meta.generation !== this.generation) {
      this.fields = meta.fields;
      this.indexes = meta.indexes;
      this.generation = meta.generation;
    }
    this.nextId = meta.nextId;
  }

  /** Reads the row of `psbase_meta` again (FORMAT.md, R3): one round trip. */
  async refresh(): Promise<void> {
    const [rows] = await this.#read([selectMeta(this.name)]);
    if (!rows.length) throw new BaseChangedError(this.name, "destroyed");
    this.apply(decodeMeta(this.name, rows[0]));
  }

  /** Runs a read: on committed state, outside any write set of this base. */
  async #read(statements: string[]): Promise<unknown[][][]> {
    try {
      return await this.#conn.read(statements);
    } catch (e) {
      if (sqlState(e) === "42P01") throw new BaseChangedError(this.name, "destroyed");
      throw e;
    }
  }

  /**
   * Runs a read built on this store's schema, then, in the same round trip,
   * reads the schema's generation again: if another process changed the
   * schema since the caller's refresh (a column gone: 42703; or any change),
   * throws SchemaMoved, and the caller reads again on the new schema (R3).
   */
  async #readRows(statements: string[]): Promise<unknown[][][]> {
    const seen = this.generation;
    let out: unknown[][][];
    try {
      out = await this.#read([
        ...statements,
        `SELECT generation FROM ${ident(META)} WHERE name = ${text(this.name)}`,
      ]);
    } catch (e) {
      if (sqlState(e) === "42703") throw new SchemaMoved(this.name);
      throw e;
    }
    const meta = out.pop()!;
    if (!meta.length) throw new BaseChangedError(this.name, "destroyed");
    if (Number(meta[0][0]) !== seen) throw new SchemaMoved(this.name);
    return out;
  }

  // --- Reading (committed state) ---

  get(id: number): Promise<Row | undefined> {
    return getRow(this.name, this.fields, id, (s) => this.#readRows(s));
  }

  getMany(ids: number[]): Promise<Row[]> {
    return getRows(this.name, this.fields, ids, (s) => this.#readRows(s));
  }

  async select(q: Query): Promise<Row[]> {
    const { sql, rows } = selectSql(this.name, q, this.fields);
    return rows((await this.#readRows([sql]))[0]);
  }

  async count(conds: Cond[]): Promise<number> {
    const { sql, count } = countSql(this.name, conds, this.fields);
    return count((await this.#readRows([sql]))[0]);
  }

  idUsed(id: number): boolean {
    return id >= 1 && id < this.nextId;
  }

  // --- Writing ---

  /** A write set: one transaction holding the table's lock (the caller's `refresh` is redone under it). */
  async begin(): Promise<WriteSet> {
    const token = crypto.randomUUID();
    this.#conn.busy = true;
    let results: unknown[][][];
    try {
      results = await this.#conn.run(beginSql(this.name, this.options, token));
    } catch (e) {
      await this.#conn.run(["ROLLBACK"]).catch(() => {});
      this.#conn.busy = false;
      throw lockTimedOut(this.name, this.options, e);
    }
    try {
      const meta = results[results.length - 1];
      if (!meta.length) throw new BaseChangedError(this.name, "destroyed");
      this.apply(decodeMeta(this.name, meta[0]));
    } catch (e) {
      await this.#conn.run(["ROLLBACK"]).catch(() => {});
      this.#conn.busy = false;
      throw e;
    }
    return new PgWriteSet(this, token);
  }

  /** @internal For PgWriteSet: runs statements in the write set's transaction. */
  async inTransaction(statements: string[], token: string): Promise<unknown[][][]> {
    let out: unknown[][][];
    try {
      out = await this.#conn.run([guardSql(token), ...statements]);
    } catch (e) {
      if (sqlState(e) !== "22012") throw e; // the guard's division by zero
      throw new Error(
        `Cannot go on with the transaction on table ${this.name}: its database session was lost, ` +
          `and nothing of the transaction was committed`,
        { cause: e },
      );
    }
    return out.slice(1);
  }

  /** @internal For PgWriteSet: the transaction ended (committed or rolled back). */
  ended(nextId?: number): void {
    this.#conn.busy = false;
    if (nextId !== undefined) this.nextId = nextId;
  }

  /**
   * Applies a schema change (W4) in one transaction under the table's lock;
   * `cleanup` is a VACUUM (PostgreSQL keeps no deleted rows to drop, only
   * dead row versions, and reclaims them so).
   */
  async change(c: Change): Promise<void> {
    if (c.kind === "cleanup") {
      await this.#read([`VACUUM (ANALYZE) ${ident(this.name)}`]);
      return;
    }
    const seen = this.fields;
    const ws = await this.begin() as PgWriteSet;
    try {
      const statements = changeSql(this.name, rebase(c, seen, this.fields, this.indexes), this);
      await ws.run(statements);
      await ws.commit();
    } catch (e) {
      await ws.rollback();
      if (c.kind === "addIndex" && c.index.kind === "sorted" && sqlState(e) === "54000") {
        throw new RangeError(
          `Cannot addIndex: field ${show(c.index.field)} holds a string too long for a sorted ` +
            `index (PostgreSQL's B-tree takes ${SORTED_BYTES} bytes; a PgBase difference)`,
          { cause: e },
        );
      }
      throw e;
    }
    await this.refresh();
  }

  /** Nothing to wait for: a commit is durable when COMMIT returns. */
  flush(): void {}

  /** Nothing to do: every acknowledged commit is durable already (`synchronous_commit`). */
  sync(): void {}

  /** Facts for `info`. */
  async info(): Promise<{ [key: string]: unknown }> {
    const [[row]] = await this.#read([
      `SELECT count(*), pg_total_relation_size(${
        text(ident(this.name))
      }), current_setting('server_version')
       FROM ${ident(this.name)}`,
    ]);
    return {
      format: PG_FORMAT,
      table: this.name,
      generation: this.generation,
      nextId: this.nextId,
      records: row[0],
      bytes: row[1],
      server: `PostgreSQL ${row[2]}`,
    };
  }

  /** Ends this store's sessions. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#conn.release();
  }
}

/** The columns of whole rows. */
function allColumns(fields: readonly Field[]): string {
  return Array.from({ length: fields.length + 2 }, (_, k) => columnAt(k, fields)).join(", ");
}

async function getRow(
  name: string,
  fields: readonly Field[],
  id: number,
  run: (s: string[]) => Promise<unknown[][][]>,
): Promise<Row | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const [rows] = await run([
    `SELECT ${allColumns(fields)} FROM ${ident(name)} WHERE "__id__" = ${
      literal(id, "link", () => "get")
    }`,
  ]);
  return rows[0] as Row | undefined;
}

async function getRows(
  name: string,
  fields: readonly Field[],
  ids: number[],
  run: (s: string[]) => Promise<unknown[][][]>,
): Promise<Row[]> {
  const wanted = ids.filter((id) => Number.isSafeInteger(id));
  if (!wanted.length) return [];
  const [rows] = await run([
    `SELECT ${allColumns(fields)} FROM ${ident(name)} WHERE "__id__" IN (${
      [...new Set(wanted)].map((id) => literal(id, "link", () => "get")).join(", ")
    })`,
  ]);
  const byId = new Map((rows as Row[]).map((r) => [r[0] as number, r]));
  return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
}

/**
 * The longest string, in UTF-8 bytes, a field with a `sorted` index takes:
 * PostgreSQL's B-tree holds index rows up to 2,704 bytes (a third of a page).
 */
export const SORTED_BYTES = 2600;

/**
 * Throws a RangeError when `row` holds a string too long for its field's
 * B-tree (SORTED_BYTES); `call` names the call.
 */
function checkSorted(
  row: Row,
  fields: readonly Field[],
  { indexes, call }: { indexes: readonly IndexSpec[]; call: string },
): void {
  for (const ix of indexes) {
    if (ix.kind !== "sorted") continue;
    const j = fields.findIndex((f) => f.name === ix.field);
    const v = row[j + 2];
    if (typeof v !== "string" || v.length <= SORTED_BYTES / 3) continue;
    const bytes = new TextEncoder().encode(v).length;
    if (bytes > SORTED_BYTES) {
      throw new RangeError(
        `Cannot ${call}: field ${
          show(ix.field)
        } holds a string of ${bytes} bytes, and a field with a ` +
          `sorted index takes at most ${SORTED_BYTES} (PostgreSQL's B-tree; a PgBase difference)`,
      );
    }
  }
}

/** A row's values as a VALUES tuple; `call` names the call for a TypeError. */
function tuple(row: Row, fields: readonly Field[], call = "write"): string {
  return `(${
    row.map((v, k) =>
      literal(v, typeAt(k, fields), () => call, `field ${show(k < 2 ? "" : fields[k - 2].name)}`)
    ).join(", ")
  })`;
}

/**
 * `row`'s VALUES tuple, after refusing what PostgreSQL cannot hold (text
 * with U+0000, a string too long for a sorted index), naming `o.call`.
 */
function storable(
  row: Row,
  fields: readonly Field[],
  o: { indexes: readonly IndexSpec[]; call: string },
): string {
  const out = tuple(row, fields, o.call);
  checkSorted(row, fields, o);
  return out;
}

/**
 * The writes of one call or transaction: one database transaction holding
 * the table's lock. Writes are queued and sent together, in one round trip,
 * before the next read that needs them or with the COMMIT: inserts (their
 * ids are known, `next_id` being read under the lock) as multi-row INSERTs,
 * then updates and deletes in order. The rows it read or wrote are kept:
 * under the lock no other writer can change them.
 */
class PgWriteSet implements WriteSet {
  #store: PgStore;
  #token: string;
  #nextId: number;
  #startId: number;
  /** Inserted rows not sent yet, by id (in id order). */
  #pending = new Map<number, Row>();
  /** Updates and deletes not sent yet, in order. */
  #queued: string[] = [];
  /** Rows as this transaction knows them (null: deleted). */
  #known = new Map<number, Row | null>();
  #done = false;

  constructor(store: PgStore, token: string) {
    this.#store = store;
    this.#token = token;
    this.#nextId = this.#startId = store.nextId;
  }

  get fields(): readonly Field[] {
    return this.#store.fields;
  }
  get indexes(): readonly IndexSpec[] {
    return this.#store.indexes;
  }
  get nextId(): number {
    return this.#nextId;
  }

  /** Runs statements in the transaction, after the queued writes. */
  async run(statements: string[]): Promise<unknown[][][]> {
    const writes = [...this.#insertSql(), ...this.#queued];
    this.#pending.clear();
    this.#queued = [];
    return await this.#store.inTransaction([...writes, ...statements], this.#token);
  }

  #insertSql(): string[] {
    const rows = [...this.#pending.values()];
    const out: string[] = [];
    const table = ident(this.#store.name);
    const cols = allColumns(this.fields);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const values = rows.slice(i, i + INSERT_CHUNK).map((r) => tuple(r, this.fields));
      out.push(`INSERT INTO ${table} (${cols}) VALUES ${values.join(", ")}`);
    }
    return out;
  }

  async get(id: number): Promise<Row | undefined> {
    const known = this.#known.get(id);
    if (known !== undefined) return known ?? undefined;
    const row = await getRow(this.#store.name, this.fields, id, (s) => this.run(s));
    if (row) this.#known.set(id, row);
    return row;
  }

  async getMany(ids: number[]): Promise<Row[]> {
    return await getRows(this.#store.name, this.fields, ids, (s) => this.run(s));
  }

  async select(q: Query): Promise<Row[]> {
    const { sql, rows } = selectSql(this.#store.name, q, this.fields);
    return rows((await this.run([sql]))[0]);
  }

  async count(conds: Cond[]): Promise<number> {
    const { sql, count } = countSql(this.#store.name, conds, this.fields);
    return count((await this.run([sql]))[0]);
  }

  idUsed(id: number): boolean {
    return id >= 1 && id < this.#nextId;
  }

  check(values: Stored[], call: string): void {
    // A value PostgreSQL cannot store fails here, not at commit.
    storable([this.#nextId, 0, ...values], this.fields, { indexes: this.indexes, call });
  }

  insert(values: Stored[]): number {
    const row: Row = [this.#nextId, 0, ...values];
    this.#pending.set(this.#nextId, row);
    this.#known.set(this.#nextId, row);
    return this.#nextId++;
  }

  update(row: Row): void {
    const id = row[0] as number;
    storable(row, this.fields, { indexes: this.indexes, call: "update" });
    this.#known.set(id, row);
    if (this.#pending.has(id)) {
      this.#pending.set(id, row);
      return;
    }
    const sets = row.slice(1).map((v, j) =>
      `${columnAt(j + 1, this.fields)} = ${literal(v, typeAt(j + 1, this.fields), () => "update")}`
    );
    this.#queued.push(
      `UPDATE ${ident(this.#store.name)} SET ${sets.join(", ")} WHERE "__id__" = '${id}'::int8`,
    );
  }

  delete(id: number): void {
    this.#known.set(id, null);
    if (this.#pending.delete(id)) return;
    this.#queued.push(`DELETE FROM ${ident(this.#store.name)} WHERE "__id__" = '${id}'::int8`);
  }

  async commit(): Promise<void> {
    const next = this.#nextId;
    const meta = next === this.#startId ? [] : [
      `UPDATE ${ident(META)} SET next_id = '${next}'::int8 WHERE name = ${text(this.#store.name)}`,
    ];
    await this.run([...meta, "COMMIT"]);
    this.#done = true;
    this.#store.ended(next);
  }

  async rollback(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#pending.clear();
    this.#queued = [];
    try {
      await this.#store.options.connection.run(["ROLLBACK"]); // no guard: it may be aborted
    } catch {
      // The session is gone, and the transaction with it.
    } finally {
      this.#store.ended();
    }
  }
}

/**
 * A change computed on the schema `seen` (the caller's refresh), made to
 * apply to the schema read under the lock, `now`: another process may have
 * changed it in between. Throws the TypeError the caller would have thrown
 * had it seen `now`.
 */
function rebase(c: Change, seen: Field[], now: Field[], indexes: IndexSpec[]): Change {
  if (seen === now) return c;
  const has = (name: string) => now.some((f) => f.name === name);
  switch (c.kind) {
    case "setDefault":
    case "dropField":
      if (!has(c.field)) throw new TypeError(`Cannot ${c.kind}: unknown field ${show(c.field)}`);
      if (c.kind === "dropField" && now.length === 1) {
        throw new TypeError(`Cannot dropField: ${show(c.field)} is the last field`);
      }
      if (
        c.kind === "setDefault" &&
        now.find((f) => f.name === c.field)!.type !== seen.find((f) => f.name === c.field)?.type
      ) {
        throw new TypeError(`Cannot setDefault: field ${show(c.field)} changed type meanwhile`);
      }
      return c;
    case "addField": {
      if (has(c.field.name)) {
        throw new TypeError(`Cannot addField: field ${show(c.field.name)} already exists`);
      }
      const after = c.at === 0 ? undefined : seen[c.at - 1].name;
      const at = after === undefined ? 0 : now.findIndex((f) => f.name === after) + 1;
      if (after !== undefined && at === 0) {
        throw new TypeError(`Cannot addField: unknown field ${show(after)} in "after"`);
      }
      return { ...c, at: c.at === seen.length ? now.length : at };
    }
    case "addIndex":
      if (!has(c.index.field)) {
        throw new TypeError(`Cannot addIndex: unknown field ${show(c.index.field)}`);
      }
      if (indexes.some((ix) => ix.field === c.index.field)) {
        throw new TypeError(`Cannot addIndex: field ${show(c.index.field)} is indexed already`);
      }
      return c;
    case "dropIndex":
      if (!indexes.some((ix) => ix.field === c.field)) {
        throw new TypeError(`Cannot dropIndex: field ${show(c.field)} has no index`);
      }
      return c;
    default:
      return c;
  }
}

/** The statements of a schema change, and the new schema in `psbase_meta`. */
function changeSql(name: string, c: Change, s: PgStore): string[] {
  const table = ident(name);
  let fields = s.fields;
  let indexes = s.indexes;
  const out: string[] = [];
  switch (c.kind) {
    case "setDefault":
      // The schema is jsonb, which holds no U+0000 either.
      if (typeof c.value === "string") {
        checkText(c.value, () => "setDefault", `the default of field ${show(c.field)}`);
      }
      fields = fields.map((f) => f.name === c.field ? { ...f, default: c.value } : f);
      break;
    case "addField": {
      if (!NAME.test(c.field.name)) {
        throw new TypeError(
          `Cannot addField: field name ${
            JSON.stringify(c.field.name.slice(0, 20) + "...")
          } is over 63 characters, PostgreSQL's limit for a column name`,
        );
      }
      const col = ident(c.field.name);
      const dflt = literal(
        c.field.default,
        c.field.type,
        () => "addField",
        `the default of field ${show(c.field.name)}`,
      );
      out.push(
        `ALTER TABLE ${table} ADD COLUMN ${col} ${columnType(c.field.type)} DEFAULT ${dflt}`,
      );
      out.push(`ALTER TABLE ${table} ALTER COLUMN ${col} DROP DEFAULT`);
      fields = [...fields];
      fields.splice(c.at, 0, c.field);
      break;
    }
    case "dropField":
      out.push(`ALTER TABLE ${table} DROP COLUMN ${ident(c.field)}`); // and its index
      fields = fields.filter((f) => f.name !== c.field);
      indexes = indexes.filter((ix) => ix.field !== c.field);
      break;
    case "addIndex":
      out.push(createIndexSql(name, c.index));
      indexes = [...indexes, c.index];
      break;
    case "dropIndex":
      out.push(`DROP INDEX IF EXISTS ${ident(indexName(name, c.field))}`);
      indexes = indexes.filter((ix) => ix.field !== c.field);
      break;
    case "replace": {
      // One transaction: PostgreSQL's DDL is transactional, so a crash or a refusal before
      // COMMIT leaves the old table and its psbase_meta row as they were. The rows go into a
      // new table first, so the old one, still read meanwhile, is locked only from its DROP on.
      const call = c.call;
      for (const f of c.fields) {
        checkFieldName(f.name, call);
        if (typeof f.default === "string") { // the schema is jsonb: no U+0000 either
          checkText(f.default, () => call, `the default of field ${show(f.name)}`);
        }
      }
      ({ fields, indexes } = c);
      const fresh = `${name.slice(0, 40)}_copy_${crypto.randomUUID().slice(0, 8)}`;
      out.push(createTableSql(fresh, fields));
      const cols = allColumns(fields);
      for (let i = 0; i < c.rows.length; i += INSERT_CHUNK) {
        const values = c.rows.slice(i, i + INSERT_CHUNK)
          .map((r) => storable(r, fields, { indexes, call: `${call} (record ${r[0]})` }));
        out.push(`INSERT INTO ${ident(fresh)} (${cols}) VALUES ${values.join(", ")}`);
      }
      out.push(
        `DROP TABLE ${table}`,
        `ALTER TABLE ${ident(fresh)} RENAME TO ${table}`,
        ...indexes.map((ix) => createIndexSql(name, ix)),
        `UPDATE ${ident(META)} SET next_id = '${c.nextId}'::int8 WHERE name = ${text(name)}`,
      );
      break;
    }
  }
  out.push(updateSchema(name, fields, indexes));
  return out;
}

/** A real index: a hash index for `hash`, a B-tree for `sorted` (ranges and order). */
export function createIndexSql(name: string, ix: IndexSpec): string {
  return `CREATE INDEX ${ident(indexName(name, ix.field))} ON ${ident(name)} USING ${
    ix.kind === "hash" ? "hash" : "btree"
  } (${ident(ix.field)})`;
}
