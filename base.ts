// Copyright 2026 the psbase authors. MIT license.
/**
 * `Base`: the embedded typed table, with Buzhug's API. Safe for one process;
 * `PsBase` (ps_base.ts) makes it safe across processes. The on-disk format and
 * the rules every write follows are numbered in FORMAT.md.
 *
 * @module
 */

import { path as paths } from "./_path.ts";
import { show } from "./_show.ts";
import { type AccessMode, kAccess, kGetMany, kOptionNames } from "./_table/_access.ts";
import { Mutex } from "./_table/_mutex.ts";
import { ResultSet } from "./_query/_result_set.ts";
import type { Field, Row } from "./_field/_codec.ts";
import { checkName, decode, encode, makeField, markBase, parseSchema } from "./_table/_schema.ts";
import { type Fs, isNotFound } from "./_file/_fs.ts";
import { defaultFs } from "./_file/_fs_default.ts";
import { baseExists, Store } from "./_file/_store.ts";
import type { FieldType, Record, Schema, Where } from "./_types.ts";
import { checkId, checkOptions, checkTargets, selectArgs } from "./_table/_args.ts";
import { filterRecords } from "./_table/_records.ts";
import { applyToCallers, pending, Transaction } from "./_table/_transaction.ts";
import { ANY_FIELDS, Work } from "./_table/_work.ts";

export { ResultSet } from "./_query/_result_set.ts";
export { Transaction } from "./_table/_transaction.ts";

/**
 * Options of a `Base`.
 *
 * @example
 * ```ts
 * import { Base, type BaseOptions } from "@psbase/psbase";
 * const options: BaseOptions = { sync: true };
 * const db = new Base("/tmp/example-options", options);
 * ```
 */
export interface BaseOptions {
  /**
   * Wait for every commit to reach the disk (fdatasync) before its promise
   * resolves. Default `true`. With `false`, a commit survives a killed
   * process but not a power loss until `commit()`.
   */
  sync?: boolean;
  /** Fold the log into a new data file once it passes this many bytes. Default 64 KiB. */
  checkpointBytes?: number;
}

/**
 * Options of `create()`.
 *
 * @example
 * ```ts
 * import type { CreateOptions } from "@psbase/psbase";
 * const options: CreateOptions = { mode: "open" };
 * ```
 */
export interface CreateOptions {
  /** Omitted: fail if a base exists. `"open"`: open it. `"override"`: replace it. */
  mode?: "open" | "override";
}

/**
 * Options of `addField()`.
 *
 * @example
 * ```ts
 * import type { AddFieldOptions } from "@psbase/psbase";
 * const options: AddFieldOptions = { after: "name", default: 0 };
 * ```
 */
export interface AddFieldOptions {
  /** Put the new field after this one (default: last). */
  after?: string;
  /** The value existing records get, and the default of later inserts. */
  default?: unknown;
}

/**
 * The embedded table: typed fields, `__id__` and `__version__`, select,
 * update with conflict detection, delete, cleanup and schema changes, with
 * atomic, crash-safe commits. Safe for one process (its concurrent async
 * calls run one at a time); use `PsBase` when several processes share it.
 *
 * @example
 * ```ts
 * import { Base } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * await using db = await new Base(dir + "/people").create({
 *   name: "string",
 *   age: { type: "int", default: 0 },
 * });
 * const id = await db.insert({ name: "Ada", age: 36 });
 * const [ada] = await db.find({ name: "Ada" });
 * await db.update(ada, { age: 37 });
 * console.log((await db.get(id))?.age); // 37
 * ```
 */
export class Base {
  /** @ignore The option names the constructor accepts (PsBase adds its own). */
  static get [kOptionNames](): string[] {
    return ["sync", "checkpointBytes"];
  }

  #path: string;
  #options: BaseOptions;
  #store: Store | undefined;
  #mutex = new Mutex();
  #links = new Map<string, Base>();

  /**
   * A base in the folder `path` (not opened or created yet).
   * Throws a TypeError for an empty or non-string path.
   */
  constructor(path: string, options: BaseOptions = {}) {
    if (typeof path !== "string" || path === "") {
      throw new TypeError(`Base path must be a non-empty string, got ${show(path)}`);
    }
    checkOptions(options, (new.target as typeof Base)[kOptionNames]);
    if (options.sync !== undefined && typeof options.sync !== "boolean") {
      throw new TypeError(`sync must be true or false, got ${show(options.sync)}`);
    }
    const cb = options.checkpointBytes;
    if (cb !== undefined && (!Number.isSafeInteger(cb) || cb < 1024)) {
      throw new RangeError(`checkpointBytes must be an integer >= 1024, got ${show(cb)}`);
    }
    this.#path = paths.resolve(path);
    this.#options = { ...options };
    markBase(this);
  }

  /** The base's folder (absolute). */
  get path(): string {
    return this.#path;
  }

  /** Whether the base is open. */
  get isOpen(): boolean {
    return this.#store !== undefined;
  }

  /** The schema as it is now (field names to `{ type, default }`); links show their folder. */
  get schema(): { [field: string]: { type: string; default: unknown; base?: string } } {
    const out: { [field: string]: { type: string; default: unknown; base?: string } } = {};
    for (const f of this.#open().fields) {
      out[f.name] = { type: f.type, default: decode(f, f.default) };
      if (f.base) out[f.name].base = paths.resolve(this.#path, f.base);
    }
    return out;
  }

  #fs: Fs | undefined;

  async #loadFs(): Promise<Fs> {
    return this.#fs ??= await defaultFs();
  }

  #storeOptions() {
    return {
      sync: this.#options.sync ?? true,
      checkpointBytes: this.#options.checkpointBytes ?? 64 * 1024,
      fs: this.#fs!,
    };
  }

  #open(): Store {
    if (!this.#store) {
      throw new Error(`The base at ${this.#path} is not open: call open() or create() first`);
    }
    return this.#store;
  }

  /** @ignore Overridden by PsBase to add the lock. */
  [kAccess]<T>(_mode: AccessMode, body: () => T | Promise<T>, _refresh: () => void): Promise<T> {
    return Promise.resolve(body());
  }

  /** Runs `body` on the open store, one call at a time. */
  #run<T>(mode: AccessMode, body: (work: Work) => T | Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const store = this.#open();
      const out = await this[kAccess](mode, () => body(new Work(store)), () => store.refresh());
      // After the lock is released: the commit reaches the disk, then resolves (W2).
      if (mode === "write") store.flush();
      return out;
    });
  }

  /** Runs a writing `body` and commits what it did, all or none. */
  #write<T>(body: (work: Work) => T): Promise<T> {
    return this.#run("write", (work) => {
      let out: T;
      try {
        out = body(work);
      } catch (e) {
        work.rollback();
        throw e;
      }
      work.commit();
      return out;
    });
  }

  /** Turns rows into records, resolving link fields (outside this base's lock). */
  async #records(rows: Row[], want: number[], fields: Field[]): Promise<ResultSet> {
    const out = new ResultSet();
    const links: Array<[Field, number]> = [];
    for (const k of want) {
      if (k >= 2 && fields[k - 2].type === "link") links.push([fields[k - 2], k]);
    }
    for (const row of rows) {
      const r: Record = { __id__: row[0] as number, __version__: row[1] as number };
      for (const k of want) if (k >= 2) r[fields[k - 2].name] = decode(fields[k - 2], row[k]);
      out.push(r);
    }
    for (const [f, k] of links) {
      const ids = [...new Set(rows.map((r) => r[k]).filter((v) => v !== null))] as number[];
      if (!ids.length) continue;
      const found = await (await this.#link(f))[kGetMany](ids);
      for (const r of out) {
        if (r[f.name] !== null) r[f.name] = found.get(r[f.name] as number) ?? null;
      }
    }
    return out;
  }

  async #link(f: Field): Promise<Base> {
    const path = paths.resolve(this.#path, f.base!);
    let b = this.#links.get(path);
    if (!b) {
      b = new (this.constructor as new (p: string, o: BaseOptions) => Base)(path, this.#options);
      this.#links.set(path, b);
    }
    if (!b.isOpen) await b.open();
    return b;
  }

  /** @ignore Reads many records by id (used to resolve links). */
  async [kGetMany](ids: number[]): Promise<Map<number, Record>> {
    let want: number[] = [];
    let fields: Field[] = [];
    const rows = await this.#run("read", (w) => {
      [want, fields] = [w.want(ANY_FIELDS), w.fields];
      return ids.map((id) => w.store.get(id)).filter((r): r is Row => r !== undefined);
    });
    const recs = await this.#records(rows, want, fields);
    return new Map(recs.map((r) => [r.__id__, r]));
  }

  /**
   * Creates the base with `schema` (field names to specs, in order) and opens
   * it. Without `mode`, fails if a base exists at the path; `"open"` opens
   * the existing one (its schema wins); `"override"` replaces it. Returns this.
   */
  create(schema: Schema, options: CreateOptions = {}): Promise<this> {
    const mode = options?.mode;
    if (mode !== undefined && mode !== "open" && mode !== "override") {
      return Promise.reject(
        new TypeError(`create: invalid mode ${show(mode)} (use "open", "override" or omit it)`),
      );
    }
    let fields: Field[];
    try {
      fields = parseSchema(schema, this.#path);
    } catch (e) {
      return Promise.reject(new TypeError(`create: ${(e as Error).message}`));
    }
    return this.#mutex.run(async () => {
      const fs = await this.#loadFs();
      return this[kAccess]("write", () => {
        let exists: boolean;
        try {
          exists = baseExists(fs, this.#path);
        } catch (e) {
          throw this.#notFolder(e);
        }
        if (exists && mode === undefined) {
          throw new Error(
            `A base already exists at ${this.#path} (use { mode: "open" } or { mode: "override" })`,
          );
        }
        let store: Store;
        try {
          if (exists && mode === "open") store = Store.open(this.#path, this.#storeOptions());
          else {
            Store.checkFolder(fs, this.#path); // before anything is removed
            if (exists) Store.destroy(fs, this.#path);
            store = Store.create(this.#path, fields, this.#storeOptions());
          }
        } catch (e) {
          throw this.#notFolder(e);
        }
        this.#store?.close();
        this.#store = store;
        return this;
      }, () => {});
    });
  }

  /** Opens the existing base; fails with a clear error if there is none. Returns this. */
  open(): Promise<this> {
    return this.#mutex.run(async () => {
      const fs = await this.#loadFs();
      return this[kAccess]("read", () => {
        let store: Store;
        try {
          store = Store.open(this.#path, this.#storeOptions());
        } catch (e) {
          if (isNotFound(e) && !baseExists(fs, this.#path)) throw this.#missing();
          throw this.#notFolder(e);
        }
        this.#store?.close();
        this.#store = store;
        return this;
      }, () => {});
    });
  }

  /** Turns "not a directory" from the runtime into an error naming the path. */
  #notFolder(e: unknown): unknown {
    const err = e as { name?: string; code?: string };
    if (err?.name !== "NotADirectory" && err?.code !== "ENOTDIR") return e;
    return new Error(`${this.#path} (or a folder above it) is a file, not a folder`, { cause: e });
  }

  #missing(): Error {
    return new Error(`No base at ${this.#path} (no manifest.json): create it first`);
  }

  /** Closes the base (after calls already made finish). Idempotent. */
  close(): Promise<void> {
    return this.#mutex.run(async () => {
      this.#store?.close();
      this.#store = undefined;
      for (const b of this.#links.values()) await b.close();
      this.#links.clear();
    });
  }

  /** Closes the base. Lets `await using db = ...` work. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Removes the base's files (and its folder, if nothing else is in it), then closes it. */
  destroy(): Promise<void> {
    return this.#mutex.run(async () => {
      const fs = await this.#loadFs();
      return this[kAccess]("write", () => {
        this.#store?.close();
        this.#store = undefined;
        Store.destroy(fs, this.#path);
      }, () => {});
    });
  }

  /** Inserts a record; missing fields get their default or `null`. Returns its `__id__`. */
  async insert(values: { [field: string]: unknown }): Promise<number> {
    return (await this.#write((w) => w.insertMany([values])))[0];
  }

  /** Inserts every record, all or none, in one commit. Returns their ids. */
  insertMany(rows: Array<{ [field: string]: unknown }>): Promise<number[]> {
    return this.#write((w) => w.insertMany(rows));
  }

  /** The record with `id`, or `undefined` when missing or deleted (Buzhug's `db[id]`). */
  async get(id: number): Promise<Record | undefined> {
    checkId(id, "get");
    let want: number[] = [];
    let fields: Field[] = [];
    const row = await this.#run("read", (w) => {
      [want, fields] = [w.want(ANY_FIELDS), w.fields];
      return w.store.get(id);
    });
    return row ? (await this.#records([row], want, fields))[0] : undefined;
  }

  /** Whether a live record has `id` (Buzhug's `id in db`). */
  has(id: number): Promise<boolean> {
    try {
      checkId(id, "has");
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#run("read", (w) => w.store.get(id) !== undefined);
  }

  /** The number of live records (Buzhug's `len(db)`). */
  count(): Promise<number> {
    return this.#run("read", (w) => w.store.count);
  }

  /**
   * The records matching `where`, with the listed fields plus `__id__` and
   * `__version__` (all fields when `fields` is omitted or empty), in `__id__`
   * order.
   */
  select(fields?: string[] | Where, where?: Where): Promise<ResultSet> {
    let names: string[];
    let cond: unknown;
    try {
      [names, cond] = selectArgs(fields, where);
    } catch (e) {
      return Promise.reject(e);
    }
    const found = this.#run("read", (w) => ({ ...w.select(names, cond), shape: w.fields }));
    return filterRecords(
      found.then(({ rows, want, shape }) => this.#records(rows, want, shape)),
      names,
      cond,
    );
  }

  /** Full records matching `where` (Buzhug's `db(key=value)` / `select_for_update`). */
  find(where?: Where): Promise<ResultSet> {
    return this.select([], where);
  }

  /**
   * Applies `changes` to each record, all or none. Throws `ConflictError`
   * (and changes nothing) when a record's `__version__` is not the stored one.
   * On success the caller's records get the new values and `__version__`.
   */
  async update(records: Record | Record[], changes: { [field: string]: unknown }): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    const rows = await this.#write((w) => w.update(list, changes));
    applyToCallers(list, rows, changes);
  }

  /** Deletes a record, an id, or an array of them. Returns how many were live. */
  delete(target: unknown): Promise<number> {
    return this.#write((w) => w.delete(checkTargets(target)));
  }

  /** Physically removes deleted records and old versions (a new generation); ids are kept. */
  cleanup(): Promise<void> {
    return this.#run("write", (w) => {
      w.store.recover();
      w.store.checkpoint();
    });
  }

  /** Makes every acknowledged write durable (fsync of the log and the folder). */
  commit(): Promise<void> {
    return this.#run("write", (w) => w.store.sync());
  }

  /** Persists a new default for `field`. */
  setDefault(field: string, value: unknown): Promise<void> {
    return this.#run("write", (w) => {
      const fields = w.fields.map((f) => ({ ...f }));
      const f = fields.find((f) => f.name === field);
      if (!f) throw new TypeError(`setDefault: unknown field ${show(field)}`);
      try {
        f.default = encode(f, value);
      } catch (e) {
        throw new TypeError(`setDefault: ${(e as Error).message}`);
      }
      w.store.recover();
      w.store.checkpoint(fields);
    });
  }

  /** Adds a field; existing records get `options.default` (or `null`). */
  addField(name: string, type: FieldType, options: AddFieldOptions = {}): Promise<void> {
    return this.#run("write", (w) => {
      const field = makeField(name, { type, default: options.default }, this.#path);
      if (w.fields.some((f) => f.name === name)) {
        throw new TypeError(`addField: field ${show(name)} already exists`);
      }
      let at = w.fields.length;
      if (options.after !== undefined) {
        at = w.fields.findIndex((f) => f.name === options.after) + 1;
        if (at === 0) {
          throw new TypeError(`addField: unknown field ${show(options.after)} in "after"`);
        }
      }
      const fields = [...w.fields];
      fields.splice(at, 0, field);
      w.store.recover();
      w.store.checkpoint(fields, (row) => {
        const r = row.slice();
        r.splice(at + 2, 0, field.default);
        return r;
      });
    });
  }

  /** Removes a field and its values from every record. */
  dropField(name: string): Promise<void> {
    return this.#run("write", (w) => {
      checkName(name);
      const at = w.fields.findIndex((f) => f.name === name);
      if (at < 0) throw new TypeError(`dropField: unknown field ${show(name)}`);
      if (w.fields.length === 1) throw new TypeError(`dropField: ${show(name)} is the last field`);
      const fields = w.fields.filter((_, j) => j !== at);
      w.store.recover();
      w.store.checkpoint(fields, (row) => row.filter((_, k) => k !== at + 2));
    });
  }

  /**
   * Runs `fn(tx)` with the base to itself (in PsBase, the exclusive lock for
   * the whole call). Everything `tx` writes commits together when `fn`
   * returns; if `fn` throws, nothing it wrote is kept. Use `tx`, not the base,
   * inside `fn`. Returns what `fn` returns.
   */
  transaction<T>(fn: (tx: Transaction) => T | Promise<T>): Promise<T> {
    if (typeof fn !== "function") {
      return Promise.reject(new TypeError(`transaction: expected a function, got ${show(fn)}`));
    }
    return this.#run("write", async (work) => {
      const tx = new Transaction(work, (rows, want) => this.#records(rows, want, work.fields));
      try {
        const out = await fn(tx);
        tx.end();
        work.commit();
        for (const u of pending.get(tx) ?? []) applyToCallers(u.list, u.rows, u.changes);
        return out;
      } catch (e) {
        tx.end();
        work.rollback();
        throw e;
      }
    });
  }

  /** Yields every live record, in `__id__` order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Record> {
    yield* await this.select();
  }
}
