// Copyright 2026 the psbase authors. MIT license.
/**
 * `Base`: the embedded typed table, with Buzhug's API. Safe for one process;
 * `PsBase` (ps_base.ts) makes it safe across processes. The on-disk format and
 * the rules every write follows are numbered in FORMAT.md.
 *
 * @module
 */

import { BaseExistsError, BaseNotFoundError, SchemaMoved, TransactionError } from "./_errors.ts";
import type { Field, Row } from "./_field/_codec.ts";
import { isNotFolder, isNotFound } from "./_file/_fs.ts";
import { fileKind } from "./_file/_kind.ts";
import { Mutex } from "./_mutex.ts";
import { path as paths } from "./_path.ts";
import type { ResultSet } from "./_query/_result_set.ts";
import { show } from "./_show.ts";
import type {
  Change,
  IndexSpec,
  Reader,
  Storage,
  StorageDriver,
  WriteSet,
} from "./_storage/_types.ts";
import { checkArity, checkOptions } from "./_table/_args.ts";
import { type Access, kindOf, registerKind, setInternals, type TableKind } from "./_table/_kind.ts";
import { type LinkReader, toRecords } from "./_table/_records.ts";
import {
  checkName,
  decode,
  encode,
  indexesOf,
  indexFor,
  makeField,
  markBase,
  parseSchema,
  schemaDifferences,
} from "./_table/_schema.ts";
import { finishTransaction, TransactionImpl } from "./_table/_transaction.ts";
import type { Transaction } from "./_transaction.ts";
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
} from "./_table/_work.ts";
import type {
  CheckReport,
  FieldInput,
  FieldName,
  FieldType,
  FieldTypeOf,
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

export { ResultSet } from "./_query/_result_set.ts";

/**
 * One read's resolution of links: the object each linked base is read
 * through, and the linked records made so far, by base path and id.
 */
interface LinkWalk {
  bases: Map<string, Base>;
  made: Map<string, Map<number, Rec>>;
  /** Inside a transaction: its base and write set, which a link back into that base reads (R5). */
  own?: { base: Base; ws: WriteSet };
}

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
  /** Fold the log into a new data file once it passes this many bytes. Default 16 KiB. */
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
  /**
   * Omitted: fail if a base exists (`BaseExistsError`). `"open"`: open it, if
   * its schema is the one given (else `BaseExistsError` listing what
   * differs). `"override"`: replace it.
   */
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
export interface AddFieldOptions<T extends FieldType = FieldType> {
  /** Put the new field after this one (default: last). */
  after?: string;
  /** The value existing records get, and the default of later inserts: a value of the type. */
  default?: FieldInput<T> | null;
}

/**
 * Options of `addIndex()`.
 *
 * @example
 * ```ts
 * import type { IndexOptions } from "@psbase/psbase";
 * const options: IndexOptions = { kind: "sorted" };
 * ```
 */
export interface IndexOptions {
  /** `"hash"` (equality, `in`) or `"sorted"` (also ranges). Default: hash for strings, else sorted. */
  kind?: "hash" | "sorted";
}

/**
 * A field as `Base.schema` shows it.
 *
 * @example
 * ```ts
 * import type { FieldInfo } from "@psbase/psbase";
 * const f: FieldInfo = { type: "int", default: 0, index: "sorted" };
 * ```
 */
export interface FieldInfo {
  /** The field type's name (`"link"` for a link). */
  type: string;
  /** The value inserts get when they leave the field out. */
  default: unknown;
  /** For a link: the linked base's folder (absolute), or for a `PgBase` the linked table. */
  base?: string;
  /** The kind of the field's index, if it has one. */
  index?: string;
}

/**
 * The embedded table: typed fields, `__id__` and `__version__`, select,
 * update with conflict detection, delete, cleanup, indexes and schema
 * changes, with atomic, crash-safe commits. Safe for one process (its
 * concurrent calls are serialized); use `PsBase` when several processes
 * share it.
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
 * await db.update(ada, { age: ada.age! + 1 });
 * console.log((await db.get(id))?.age); // 37
 * ```
 */
export class Base<S extends Schema = Schema> {
  #kind: TableKind;
  #path: string;
  #options: { [k: string]: unknown };
  #storage: Storage | undefined;
  #driver: { driver: StorageDriver<unknown>; options: unknown } | undefined;
  #access: Access | undefined;
  #writes = new Mutex();
  #inTransaction = false;
  /** Linked bases: the instances given in the schema, or opened here for reading links. */
  #links = new Map<string, { base: Base; own: boolean }>();

  /**
   * A base at `path` (a folder; not opened or created yet). Throws a
   * TypeError for an empty or non-string path or an unknown option.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const db = new Base("./data/people", { checkpointBytes: 1 << 20 });
   * console.log(db.isOpen); // false
   * ```
   */
  constructor(path: string, options: BaseOptions = {}) {
    const kind = kindOf(new.target);
    const what = `make a ${new.target.name}`;
    checkArity(what, arguments.length, ["path", "options"]);
    if (typeof path !== "string" || path === "") {
      throw new TypeError(`Cannot ${what}: the path must be a non-empty string, got ${show(path)}`);
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`Cannot ${what}: options must be an object, got ${show(options)}`);
    }
    checkOptions(what, options, [...kind.options]);
    const o = options as { [k: string]: unknown };
    if (o.sync !== undefined && typeof o.sync !== "boolean") {
      throw new TypeError(`Cannot ${what}: sync must be true or false, got ${show(o.sync)}`);
    }
    const cb = o.checkpointBytes;
    if (cb !== undefined && (!Number.isSafeInteger(cb) || (cb as number) < 1024)) {
      throw new RangeError(
        `Cannot ${what}: checkpointBytes must be an integer >= 1024, got ${show(cb)}`,
      );
    }
    kind.check(o);
    this.#kind = kind;
    this.#path = kind.name(path, o);
    this.#options = { ...o };
    this.#access = kind.access?.(this.#path, this.#options);
    markBase(this);
  }

  /** The base's location: its folder (absolute), or for `PgBase` its table. */
  get path(): string {
    return this.#path;
  }

  /** Whether the base is open. */
  get isOpen(): boolean {
    return this.#storage !== undefined;
  }

  /** The schema as it is now: each field's type, default, linked base and index. */
  get schema(): { [field: string]: FieldInfo } {
    const s = this.#open("read the schema of");
    const out: { [field: string]: FieldInfo } = {};
    for (const f of s.fields) {
      out[f.name] = { type: f.type, default: decode(f, f.default) };
      if (f.base) out[f.name].base = this.#linked(f.base);
      const ix = s.indexes.find((i) => i.field === f.name);
      if (ix) out[f.name].index = ix.kind;
    }
    return out;
  }

  /**
   * `what` and this base, for a message "Cannot <…> is …": "get from the base
   * at <path>: it", or "insert: the base at <path>".
   */
  #subject(what: string): string {
    return / (of|from|in)$/.test(what)
      ? `${what} the base at ${this.#path}: it`
      : `${what}: the base at ${this.#path}`;
  }

  #open(what: string): Storage {
    if (!this.#storage) {
      throw new Error(`Cannot ${this.#subject(what)} is not open (call open() or create())`);
    }
    return this.#storage;
  }

  async #loadDriver(): Promise<{ driver: StorageDriver<unknown>; options: unknown }> {
    return this.#driver ??= await this.#kind.storage(this.#path, this.#options, this);
  }

  /** Runs a call that changes the base: one at a time, under the write lock, on fresh state. */
  async #exclusive<T>(method: string, body: () => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new TransactionError(this.#path, method);
    const access = this.#access;
    const deadline = access?.timeoutMs === undefined
      ? undefined
      : performance.now() + access.timeoutMs;
    if (!(await this.#writes.acquire(access?.timeoutMs))) throw access!.timeout();
    try {
      return access ? await access.write(body, deadline) : await body();
    } finally {
      this.#writes.release();
    }
  }

  /**
   * Runs a read on fresh state (FORMAT.md, R3, R4: no lock); again, on the
   * new schema, when the storage finds the schema changed during the read.
   */
  async #read<T>(method: string, body: (s: Storage) => Promise<T>): Promise<T> {
    const s = this.#open(method);
    for (let attempt = 1;; attempt++) {
      await s.refresh();
      try {
        return await body(s);
      } catch (e) {
        if (!(e instanceof SchemaMoved)) throw e;
        if (attempt === 20) {
          throw new Error(
            `Cannot ${
              this.#subject(method)
            } had its schema changed during each of ${attempt} reads`,
          );
        }
      }
    }
  }

  /** Runs a write as one commit: all of `body`'s writes, or none (W1, W2). */
  async #write<T>(method: string, body: (ws: WriteSet) => Promise<T>): Promise<T> {
    const s = this.#open(method);
    const out = await this.#exclusive(method, async () => {
      await s.refresh();
      const ws = await s.begin();
      try {
        const out = await body(ws);
        await ws.commit();
        return out;
      } catch (e) {
        await ws.rollback();
        throw e;
      }
    });
    // After the lock is released: the commit reaches the disk, then resolves (W2).
    await s.flush();
    return out;
  }

  /** Applies a schema or layout change (W4). */
  async #change(method: string, make: (s: Storage) => Change): Promise<void> {
    const s = this.#open(method);
    await this.#exclusive(method, async () => {
      await s.refresh();
      await s.change(make(s));
    });
  }

  /** Turns rows into records, resolving link fields (outside this base's lock: L3). */
  #records = (rows: Row[], want: number[], fields: readonly Field[]): Promise<Rec[]> =>
    this.#toRecords(rows, want, fields, undefined);

  /** `#records`, for a transaction on `ws`: its links into this base read `ws` (R5). */
  #recordsIn(ws: WriteSet): ToRecords {
    const own = { base: this as Base, ws };
    return (rows, want, fields) => this.#toRecords(rows, want, fields, own);
  }

  #toRecords(rows: Row[], want: number[], fields: readonly Field[], own: LinkWalk["own"]) {
    let walk: LinkWalk | undefined; // made only for a read that meets a link field
    const start = () => ({ bases: new Map([[this.#path, this as Base]]), made: new Map(), own });
    return toRecords(rows, want, fields, (f) => this.#link(f, walk ??= start()));
  }

  /** The linked base's name (a folder made absolute, a table) from a link field's `base`. */
  #linked(stored: string): string {
    return this.#kind.links?.resolve(this.#path, stored) ?? paths.resolve(this.#path, stored);
  }

  /** How a link field of this base stores the name of the base `target` (undefined: the default). */
  #linkName(): ((target: string) => string) | undefined {
    const links = this.#kind.links;
    return links && ((target) => links.name(this.#path, target));
  }

  /** Reads `f`'s linked records within `walk`: each base read through one object. */
  async #link(f: Field, walk: LinkWalk): Promise<LinkReader> {
    const path = this.#linked(f.base!);
    let base = walk.bases.get(path);
    if (!base) {
      let entry = this.#links.get(path);
      if (!entry) {
        const Kind = this.constructor as new (p: string, o: BaseOptions) => Base;
        const options = { ...this.#options };
        entry = { base: new Kind(path, options), own: true };
        this.#links.set(path, entry);
      }
      base = entry.base;
      walk.bases.set(path, base);
    }
    if (!base.isOpen) await base.open();
    const linked = base;
    return (ids) => linked.#getMany(ids, walk);
  }

  /**
   * The whole records with `ids`, links resolved. A record `walk` already
   * made is handed back as it is, so links that run in a cycle end.
   */
  async #getMany(ids: number[], walk: LinkWalk): Promise<Map<number, Rec>> {
    let made = walk.made.get(this.#path);
    if (!made) walk.made.set(this.#path, made = new Map());
    const out = new Map<number, Rec>();
    const fresh = ids.filter((id) => {
      const r = made!.get(id);
      if (r) out.set(id, r);
      return !r;
    });
    if (!fresh.length) return out;
    const read = async (s: Reader) => {
      const rows = await s.getMany(fresh);
      const fields = s.fields;
      const all = [1, ...fields.map((_, j) => j + 2)];
      const recs = await toRecords(rows, all, fields, (f) => this.#link(f, walk), (recs) => {
        for (const r of recs) made!.set(r.__id__, r);
      });
      for (const r of recs) out.set(r.__id__, r);
      return out;
    };
    // A link back into the transaction's own base reads what the transaction sees (R5).
    if (walk.own?.base === this) return await read(walk.own.ws);
    return await this.#read("read links of", read);
  }

  #install(storage: Storage): void {
    void this.#storage?.close();
    this.#storage = storage;
  }

  /**
   * Creates the base with `schema` (field names to specs, in order) and opens
   * it; the schema literal types every record. Without `mode`, fails if a
   * base exists at the path (`BaseExistsError`); `"open"` opens the existing
   * one if its schema is this one (else `BaseExistsError` saying what
   * differs); `"override"` replaces it. Returns this base.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" }, { mode: "open" });
   * ```
   */
  async create<const S2 extends Schema>(schema: S2, options?: CreateOptions): Promise<Base<S2>> {
    checkArity("create", arguments.length, ["schema", "options"]);
    checkOptions("create", options, ["mode"]);
    const mode = options?.mode;
    if (mode !== undefined && mode !== "open" && mode !== "override") {
      throw new TypeError(
        `Cannot create: invalid mode ${show(mode)} (use "open", "override" or omit it)`,
      );
    }
    let fields: Field[];
    let indexes: IndexSpec[];
    try {
      fields = parseSchema(schema, this.#path, this.#linkName());
      indexes = indexesOf(schema, fields);
    } catch (e) {
      throw new TypeError(`Cannot create: ${(e as Error).message}`, { cause: e });
    }
    await this.#create(fields, indexes, mode);
    for (const spec of Object.values(schema)) {
      const target = typeof spec === "object" && spec !== null && "type" in spec ? spec.type : spec;
      if (target instanceof Base && !this.#links.has(target.path)) {
        this.#links.set(target.path, { base: target, own: false });
      }
    }
    return this as unknown as Base<S2>;
  }

  /** `create()` of a parsed schema. */
  async #create(
    fields: Field[],
    indexes: IndexSpec[],
    mode: "open" | "override" | undefined,
  ): Promise<void> {
    const { driver, options: o } = await this.#loadDriver();
    await this.#exclusive("create", async () => {
      let exists: boolean;
      try {
        exists = await driver.exists(this.#path, o);
      } catch (e) {
        throw this.#notFolder(e);
      }
      if (exists && mode === undefined) throw new BaseExistsError(this.#path, []);
      const openExisting = async () => {
        const storage = await driver.open(this.#path, o);
        const diff = schemaDifferences(storage.fields, storage.indexes, fields, indexes);
        if (diff.length) {
          await storage.close();
          throw new BaseExistsError(this.#path, diff);
        }
        this.#install(storage);
      };
      try {
        if (exists && mode === "open") {
          await openExisting();
        } else {
          await driver.checkCreate(this.#path, fields, o); // before anything is removed
          if (exists) await driver.destroy(this.#path, o);
          try {
            this.#install(await driver.create(this.#path, fields, indexes, o));
          } catch (e) {
            // Created by another process since exists() (a PgBase takes no lock
            // here: its database is the lock): "open" opens it as if it had been there.
            if (!(e instanceof BaseExistsError) || mode !== "open") throw e;
            await openExisting();
          }
        }
      } catch (e) {
        throw this.#notFolder(e);
      }
    });
  }

  /**
   * Opens the existing base (`BaseNotFoundError` if there is none). Reading
   * needs only read permission: a base on a read-only file system opens and
   * answers queries. Returns this base.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const schema = { name: "string" } as const;
   * const dir = await Deno.makeTempDir();
   * await (await new Base(dir + "/b").create(schema)).close();
   * await using db = await new Base<typeof schema>(dir + "/b").open();
   * ```
   */
  async open(): Promise<this> {
    checkArity("open", arguments.length, []);
    const { driver, options: o } = await this.#loadDriver();
    let storage: Storage;
    try {
      storage = await driver.open(this.#path, o);
    } catch (e) {
      const exists = await Promise.resolve().then(() => driver.exists(this.#path, o)).catch(() =>
        false
      );
      if (isNotFound(e) && !exists) {
        throw new BaseNotFoundError(this.#path);
      }
      throw this.#notFolder(e);
    }
    this.#install(storage);
    return this;
  }

  /** Turns "not a directory" from the runtime into an error naming the path. */
  #notFolder(e: unknown): unknown {
    if (!isNotFolder(e)) return e;
    return new Error(
      `Cannot use ${this.#path}: it (or a folder above it) is a file, not a folder`,
      {
        cause: e,
      },
    );
  }

  /**
   * Closes the base (after calls already made finish). Idempotent.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * const db = await new Base(dir + "/b").create({ n: "int" });
   * await db.close();
   * await db.close(); // no-op
   * ```
   */
  async close(): Promise<void> {
    if (this.#inTransaction) throw new TransactionError(this.#path, "close");
    if (!(await this.#writes.acquire())) return;
    try {
      const s = this.#storage;
      this.#storage = undefined;
      await s?.close();
      for (const [path, { base, own }] of this.#links) {
        if (own) await base.close();
        this.#links.delete(path);
      }
    } finally {
      this.#writes.release();
    }
  }

  /** Closes the base: `await using db = ...` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Removes the base's files (and its folder, if nothing else is in it), then
   * closes it.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * const db = await new Base(dir + "/b").create({ n: "int" });
   * await db.destroy();
   * ```
   */
  async destroy(): Promise<void> {
    checkArity("destroy", arguments.length, []);
    const { driver, options: o } = await this.#loadDriver();
    const wasOpen = this.isOpen;
    try {
      await this.#exclusive("destroy", async () => {
        const s = this.#storage;
        this.#storage = undefined;
        await s?.close();
        await driver.destroy(this.#path, o);
      });
    } catch (e) {
      // Refused before the base was gone (say, a read-only folder, W6): it stays open as it was.
      if (wasOpen && !this.isOpen) await this.open().catch(() => {});
      throw e;
    }
  }

  /**
   * Inserts a record; missing fields get their default or `null`. Returns
   * its `__id__`.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string" });
   * const id = await db.insert({ name: "Ada" });
   * ```
   */
  async insert(values: ValuesOf<S>): Promise<number> {
    checkArity("insert", arguments.length, ["values"]);
    return (await this.#write("insert", (ws) => insertRows(ws, [values], "insert")))[0];
  }

  /**
   * Inserts every record, all or none, in one commit. Returns their ids.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string" });
   * const ids = await db.insertMany([{ name: "Ada" }, { name: "Bo" }]);
   * ```
   */
  async insertMany(rows: ReadonlyArray<ValuesOf<S>>): Promise<number[]> {
    checkArity("insertMany", arguments.length, ["rows"]);
    return await this.#write("insertMany", (ws) => insertRows(ws, rows, "insertMany"));
  }

  /**
   * The record with `id`, or `undefined` when missing or deleted (Buzhug's
   * `db[id]`).
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string" });
   * const ada = await db.get(await db.insert({ name: "Ada" }));
   * console.log(ada?.name); // "Ada"
   * ```
   */
  async get(id: number): Promise<RecordOf<S> | undefined> {
    checkArity("get", arguments.length, ["id"]);
    return await this.#read("get from", (s) => getRecord(s, id, this.#records)) as
      | RecordOf<S>
      | undefined;
  }

  /**
   * Whether a live record has `id` (Buzhug's `id in db`).
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string" });
   * console.log(await db.has(1)); // false
   * ```
   */
  async has(id: number): Promise<boolean> {
    checkArity("has", arguments.length, ["id"]);
    return await this.#read("read", (s) => hasRecord(s, id));
  }

  /**
   * How many live records match `where` (all of them when omitted: Buzhug's
   * `len(db)`).
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ done: "bool" });
   * await db.insertMany([{ done: true }, { done: false }]);
   * console.log(await db.count(), await db.count({ done: true })); // 2 1
   * ```
   */
  async count(where?: Where<S>): Promise<number> {
    checkArity("count", arguments.length, ["where"]);
    return await this.#read("count", (s) => countRecords(s, where, this.#records));
  }

  /**
   * The records matching `where`, with the listed fields plus `__id__` and
   * `__version__`, ordered by `options.orderBy` (default `__id__`), after
   * skipping `options.offset`, at most `options.limit`. `select(where)` alone
   * returns whole records.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string", age: "int" });
   * await db.insertMany([{ name: "Ada", age: 36 }, { name: "Bo", age: 9 }]);
   * const names = await db.select(["name"], { age: [18, null] }, { orderBy: "-age", limit: 10 });
   * console.log(names); // [{ __id__: 1, __version__: 0, name: "Ada" }]
   * ```
   */
  select<const F extends readonly string[], const O extends string = string>(
    fields: F & readonly FieldName<S>[],
    where?: Where<S>,
    options?: QueryOptions<SortSpec<O, FieldName<S>>>,
  ): Promise<ResultSet<Selected<S, F>>>;
  /** `select(where)`: whole records matching `where`, in `__id__` order. */
  select(where?: Where<S>): Promise<ResultSet<RecordOf<S>>>;
  // deno-lint-ignore no-explicit-any
  async select(fields?: unknown, where?: unknown, options?: unknown): Promise<ResultSet<any>> {
    checkArity("select", arguments.length, ["fields", "where", "options"]);
    return await this.#read(
      "select from",
      (s) => selectRecords(s, [fields, where, options], this.#records, "select"),
    );
  }

  /**
   * Whole records matching `where` (Buzhug's `db(key=value)` and
   * `select_for_update`), with `select`'s options.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string" });
   * await db.insert({ name: "Ada" });
   * const [ada] = await db.find({ name: { in: ["Ada", "Bo"] } }, { limit: 1 });
   * ```
   */
  async find<const O extends string = string>(
    where?: Where<S>,
    options?: QueryOptions<SortSpec<O, FieldName<S>>>,
  ): Promise<ResultSet<RecordOf<S>>> {
    checkArity("find", arguments.length, ["where", "options"]);
    return await this.#read(
      "find in",
      (s) => selectRecords(s, [where, options, undefined], this.#records, "find"),
    ) as unknown as ResultSet<RecordOf<S>>;
  }

  /**
   * Applies `changes` to each record, all or none. Throws `ConflictError`
   * (and changes nothing) when a record's `__version__` is not the stored one.
   * On success the caller's records get the new values and `__version__`.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" });
   * const r = (await db.get(await db.insert({ n: 1 })))!;
   * await db.update(r, { n: r.n! + 1 });
   * console.log(r.n, r.__version__); // 2 1
   * ```
   */
  async update(records: Versioned | ReadonlyArray<Versioned>, changes: ValuesOf<S>): Promise<void> {
    checkArity("update", arguments.length, ["records", "changes"]);
    let fields: readonly Field[] = [];
    const rows = await this.#write("update", (ws) => {
      fields = ws.fields;
      return updateRecords(ws, records, changes);
    });
    await applyToCallers(records, rows, changes, { fields, toRecords: this.#records });
  }

  /**
   * Deletes a record, an id, or an array of them. Returns how many were live.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" });
   * const id = await db.insert({ n: 1 });
   * console.log(await db.delete(id)); // 1
   * ```
   */
  async delete(target: Target): Promise<number> {
    checkArity("delete", arguments.length, ["target"]);
    return await this.#write("delete", (ws) => deleteTargets(ws, target));
  }

  /**
   * Rewrites the base without deleted records and old versions (a new
   * generation: FORMAT.md, W4); ids are kept.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" });
   * await db.cleanup();
   * ```
   */
  async cleanup(): Promise<void> {
    checkArity("cleanup", arguments.length, []);
    await this.#change("cleanup", () => ({ kind: "cleanup" }));
  }

  /**
   * Makes every acknowledged write durable (fsync of the log and the folder).
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b", { sync: false }).create({ n: "int" });
   * await db.insert({ n: 1 });
   * await db.commit();
   * ```
   */
  async commit(): Promise<void> {
    checkArity("commit", arguments.length, []);
    const s = this.#open("commit");
    await this.#exclusive("commit", async () => await s.sync());
  }

  /**
   * Persists a new default for `field`.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" });
   * await db.setDefault("n", 7);
   * ```
   */
  async setDefault<K extends keyof S & string>(
    field: K,
    value: FieldInput<FieldTypeOf<S[K]>> | null,
  ): Promise<void> {
    checkArity("setDefault", arguments.length, ["field", "value"]);
    await this.#change("setDefault", (s) => {
      const f = s.fields.find((f) => f.name === field);
      if (!f) throw new TypeError(`Cannot setDefault: unknown field ${show(field)}`);
      try {
        return { kind: "setDefault", field: f.name, value: encode(f, value) };
      } catch (e) {
        throw new TypeError(`Cannot setDefault: ${(e as Error).message}`);
      }
    });
  }

  /**
   * Adds a field; existing records get `options.default` (or `null`).
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string" });
   * await db.addField("age", "int", { after: "name", default: 0 });
   * ```
   */
  async addField<T extends FieldType>(
    name: string,
    type: T,
    options?: AddFieldOptions<T>,
  ): Promise<void> {
    checkArity("addField", arguments.length, ["name", "type", "options"]);
    checkOptions("addField", options, ["after", "default"]);
    const o = options ?? {};
    await this.#change("addField", (s) => {
      let field: Field;
      try {
        field = makeField(name, { type, default: o.default }, this.#path, this.#linkName());
      } catch (e) {
        throw new TypeError(`Cannot addField: ${(e as Error).message}`);
      }
      if (s.fields.some((f) => f.name === name)) {
        throw new TypeError(`Cannot addField: field ${show(name)} already exists`);
      }
      let at = s.fields.length;
      if (o.after !== undefined) {
        at = s.fields.findIndex((f) => f.name === o.after) + 1;
        if (at === 0) {
          throw new TypeError(`Cannot addField: unknown field ${show(o.after)} in "after"`);
        }
      }
      return { kind: "addField", field, at };
    });
  }

  /**
   * Removes a field and its values from every record (and its index).
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string", age: "int" });
   * await db.dropField("age");
   * ```
   */
  async dropField(name: FieldName<S>): Promise<void> {
    checkArity("dropField", arguments.length, ["name"]);
    await this.#change("dropField", (s) => {
      try {
        checkName(name);
      } catch (e) {
        throw new TypeError(`Cannot dropField: ${(e as Error).message}`);
      }
      if (!s.fields.some((f) => f.name === name)) {
        throw new TypeError(`Cannot dropField: unknown field ${show(name)}`);
      }
      if (s.fields.length === 1) {
        throw new TypeError(`Cannot dropField: ${show(name)} is the last field`);
      }
      return { kind: "dropField", field: name };
    });
  }

  /**
   * Indexes `field`, so that equality, `in` (and, for a sorted index, range)
   * lookups on it read a few pages instead of the whole column.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ email: "string" });
   * await db.addIndex("email");
   * ```
   */
  async addIndex(field: FieldName<S>, options?: IndexOptions): Promise<void> {
    checkArity("addIndex", arguments.length, ["field", "options"]);
    checkOptions("addIndex", options, ["kind"]);
    await this.#change("addIndex", (s) => {
      const f = s.fields.find((f) => f.name === field);
      if (!f) throw new TypeError(`Cannot addIndex: unknown field ${show(field)}`);
      if (s.indexes.some((ix) => ix.field === field)) {
        throw new TypeError(`Cannot addIndex: field ${show(field)} is indexed already`);
      }
      const kind = options?.kind;
      if (kind !== undefined && kind !== "hash" && kind !== "sorted") {
        throw new TypeError(`Cannot addIndex: kind must be "hash" or "sorted", got ${show(kind)}`);
      }
      return { kind: "addIndex", index: indexFor(f, kind ?? true)! };
    });
  }

  /**
   * Removes the index on `field`.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ email: { type: "string", index: true } });
   * await db.dropIndex("email");
   * ```
   */
  async dropIndex(field: FieldName<S>): Promise<void> {
    checkArity("dropIndex", arguments.length, ["field"]);
    await this.#change("dropIndex", (s) => {
      if (!s.indexes.some((ix) => ix.field === field)) {
        throw new TypeError(`Cannot dropIndex: field ${show(field)} has no index`);
      }
      return { kind: "dropIndex", field };
    });
  }

  /**
   * Runs `fn(tx)` with the base to itself (in `PsBase`, the exclusive lock
   * for the whole call). Everything `tx` writes commits together when `fn`
   * returns; if `fn` throws, nothing it wrote is kept. Inside `fn`, write
   * through `tx`: a write through the base fails at once with
   * `TransactionError`; reads through the base see the state before the
   * transaction. Returns what `fn` returns.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ name: "string", n: "int" });
   * const id = await db.insert({ name: "hits", n: 0 });
   * const n = await db.transaction(async (tx) => {
   *   const r = (await tx.get(id))!;
   *   await tx.update(r, { n: r.n! + 1 });
   *   return r.n;
   * });
   * console.log(n); // 1
   * ```
   */
  async transaction<T>(fn: (tx: Transaction<S>) => T | Promise<T>): Promise<T> {
    checkArity("transaction", arguments.length, ["fn"]);
    if (typeof fn !== "function") {
      throw new TypeError(`Cannot run a transaction: expected a function, got ${show(fn)}`);
    }
    let tx: TransactionImpl | undefined;
    try {
      return await this.#write("transaction", async (ws) => {
        tx = new TransactionImpl(ws, this.#recordsIn(ws));
        this.#inTransaction = true;
        try {
          return await fn(tx as unknown as Transaction<S>);
        } finally {
          this.#inTransaction = false;
          finishTransaction(tx, false);
        }
      });
    } catch (e) {
      const ended = tx as TransactionImpl | undefined;
      if (ended) finishTransaction(ended, true); // rolled back: so are the records
      throw e;
    }
  }

  /**
   * The integrity check (FORMAT.md, K): reads every file of the base and
   * reports each problem with its file. Takes no lock and writes nothing; the
   * base need not be open.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" });
   * const report = await db.check();
   * console.log(report.ok); // true
   * ```
   */
  async check(): Promise<CheckReport> {
    checkArity("check", arguments.length, []);
    const { driver, options: o } = await this.#loadDriver();
    if (!(await driver.exists(this.#path, o))) throw new BaseNotFoundError(this.#path);
    return await driver.check(this.#path, o);
  }

  /**
   * Yields every live record, in `__id__` order.
   *
   * @example
   * ```ts
   * import { Base } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new Base(dir + "/b").create({ n: "int" });
   * for await (const r of db) console.log(r.n);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordOf<S>> {
    yield* await this.find();
  }

  static {
    // Past the public API, for psbase's own tools (copying a base: pg.ts).
    setInternals({
      read: (b, body) => (b as Base).#read("read", body),
      write: (b, body) => (b as Base).#write("write", body),
      change: (b, c) => (b as Base).#change("copyBase", () => c),
      create: (b, fields, indexes, mode) => (b as Base).#create(fields, indexes, mode),
    });
  }
}

registerKind(Base, fileKind);
