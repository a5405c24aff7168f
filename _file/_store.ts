// Copyright 2026 the psbase authors. MIT license.
// The file store: one base's files on disk and its state in memory, the first
// implementation of the storage interface (_storage/_types.ts). A data file
// (the last checkpoint) plus the log of commits since, replayed into an
// overlay. Every rule it follows is numbered in FORMAT.md; the state diagram
// at its end names the functions here.

import { BaseChangedError, CorruptionError, osReason } from "../_errors.ts";
import type { Field, Row, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import { path } from "../_path.ts";
import { type Cond, rowMatches } from "../_query/_where.ts";
import { LAST_ID } from "../_storage/_schema.ts";
import type {
  Change,
  IndexSpec,
  Query,
  Reader,
  SortKey,
  Storage,
  WriteSet,
} from "../_storage/_types.ts";
import { carriedRows } from "./_carry.ts";
import { DataFile, type RowSource, writeDataFile } from "./_data_file.ts";
import { columnFilter, hasColumnFilter } from "./_filter.ts";
import { type Fs, isNotFound, missingFolders, syncParents, writeSynced } from "./_fs.ts";
import { compareStored } from "./_index/_types.ts";
import { createLogFile, LOG_HEADER, LogFile, type Op } from "./_log_file.ts";
import { decodeManifest, encodeManifest, FORMAT, MANIFEST, type Manifest } from "./_manifest.ts";

/** Options of a file store. */
export interface FileStoreOptions {
  /** fdatasync every commit (default true). */
  sync: boolean;
  /** Checkpoint once the log passes this many bytes (FORMAT.md, W4). */
  checkpointBytes: number;
  /** The file layer. */
  fs: Fs;
}

const dataName = (gen: number) => `data.${gen}`;
const logName = (gen: number) => `log.${gen}`;
/** Commits with at least this many ops skip the log (FORMAT.md, W7). */
const BIG_COMMIT = 256;
/** Past this many rows, a query reads whole columns rather than single values. */
const FEW = 64;
const OURS = /^(manifest\.json(\.tmp)?|data\.\d+|log\.\d+)$/;

/** Whether `name` is one of a base's files (FORMAT.md, F1). */
export function isOurs(name: string): boolean {
  return OURS.test(name);
}

/** Wraps a file system error so that it names the file (a full disk, a read-only file system). */
export function fileError(what: string, file: string, e: unknown): unknown {
  if (e instanceof CorruptionError || e instanceof BaseChangedError) return e;
  const err = e as Error & { code?: string };
  if (typeof err?.message !== "string") return e;
  if (err.message.startsWith("Cannot ") && err.message.includes(file)) return e; // ours already
  const out = new Error(`Cannot ${what} ${file}: ${osReason(err)}`, { cause: e });
  if (err.code) (out as Error & { code?: string }).code = err.code;
  out.name = err.name;
  return out;
}

/**
 * Whether the manifest is no longer the one read as `bytes` with signature
 * `sig` (by its bytes where the file layer gives no signature; gone counts).
 */
export function manifestChanged(
  fs: Fs,
  file: string,
  sig: string | null,
  bytes: Uint8Array,
): boolean {
  try {
    const now = fs.signature(file);
    return sig !== null && now !== null ? now !== sig : !sameBytes(fs.readFile(file), bytes);
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

/** A file of generation `gen` that the manifest names and the folder lacks: damage (F1). */
export function missingFile(file: string, gen: number): CorruptionError {
  return new CorruptionError(file, `it is missing, though ${MANIFEST} names generation ${gen}`);
}

/** A stored row's value at position k, as read back from the log (FORMAT.md, F5: "-0"). */
function fromLog(v: unknown, numeric: boolean): unknown {
  return numeric && v === "-0" ? -0 : v;
}

/** The first value of `row` (whole, of `fields`) that is not of its field's type, said; or "". */
function badValue(row: Row, fields: readonly Field[]): string {
  for (let j = 0; j < fields.length; j++) {
    const x = row[j + 2];
    const codec = codecOf(fields[j].type)!;
    if (x !== null && !codec.valid(x)) {
      return `field ${fields[j].name} of ${row[0]} holds ${
        JSON.stringify(x)
      }, not ${codec.expects}`;
    }
  }
  return "";
}

/**
 * Throws a TypeError unless `rows` are whole rows of `o.fields`: ids ascending
 * from `o.from`, at most LAST_ID (F2), versions >= 0, each value of its
 * field's type. `o.what` names the call.
 */
function checkRows(rows: Row[], o: { fields: Field[]; from: number; what: string }): void {
  const width = o.fields.length + 2;
  let next = o.from;
  for (const row of rows) {
    const [id, v] = row as number[];
    const bad = row.length !== width
      ? `a row of ${row.length} values, not ${width}`
      : !Number.isSafeInteger(id) || id < next
      ? `id ${id} is not above ${next - 1} (ids ascend and are never reused)`
      : id > LAST_ID
      ? `id ${id} is above ${LAST_ID}, the largest id a base gives`
      : !Number.isSafeInteger(v) || v < 0
      ? `bad version ${v} of ${id}`
      : badValue(row, o.fields);
    if (bad) throw new TypeError(`Cannot ${o.what}: ${bad}`);
    next = id + 1;
  }
}

/** The state a reader sees: committed rows, optionally with a write set's pending ones on top. */
interface Layer {
  pending: Map<number, Row | null>;
  count: number;
  nextId: number;
}

/** One base's on-disk files and in-memory state. */
export class FileStore implements Storage {
  readonly dir: string;
  readonly options: FileStoreOptions;
  fields: Field[] = [];
  indexes: IndexSpec[] = [];
  nextId = 1;
  /** How many records are live. */
  records = 0;
  gen = 0;
  #manifestBytes: Uint8Array = new Uint8Array(0);
  #manifestSig: string | null = null;
  #data!: DataFile;
  #log!: LogFile;
  #logEnd = LOG_HEADER;
  #loads = 0;
  #overlay = new Map<number, Row | null>();
  #unsynced = false;
  #numeric: boolean[] = [];

  private constructor(dir: string, options: FileStoreOptions) {
    this.dir = dir;
    this.options = options;
  }

  get #fs(): Fs {
    return this.options.fs;
  }

  /** Creates a new base in `dir` (the folder may exist; no manifest may: the caller checked). */
  static create(
    dir: string,
    fields: Field[],
    indexes: IndexSpec[],
    options: FileStoreOptions,
  ): FileStore {
    const fs = options.fs;
    FileStore.checkFolder(fs, dir);
    // The folders this create makes: each one's name is made durable in its parent (W6).
    const made = missingFolders(fs, dir);
    fs.mkdirp(dir);
    const m: Manifest = { format: FORMAT, gen: 1, nextId: 1, fields, indexes };
    try {
      writeDataFile(fs, path.join(dir, dataName(1)), { fields, indexes, rows: [] });
      createLogFile(fs, path.join(dir, logName(1)), 1);
      writeSynced(fs, path.join(dir, MANIFEST + ".tmp"), encodeManifest(m));
      fs.rename(path.join(dir, MANIFEST + ".tmp"), path.join(dir, MANIFEST));
      fs.syncDir(dir);
      // The base's own name too when its folder was there already (a create killed after
      // making it, then run again).
      syncParents(fs, made.length ? made : [dir]);
    } catch (e) {
      throw fileError("create a base in", dir, e);
    }
    removeStrays(fs, dir, 1);
    return FileStore.open(dir, options);
  }

  /** Throws unless `dir` is missing or holds only psbase's files (F1). */
  static checkFolder(fs: Fs, dir: string): void {
    if (!fs.exists(dir)) return;
    for (const name of fs.readdir(dir)) {
      if (!OURS.test(name)) {
        throw new Error(
          `Cannot create a base in ${dir}: the folder holds ${
            JSON.stringify(name)
          }, which is not a psbase file`,
        );
      }
    }
  }

  /** Opens the base in `dir`. */
  static open(dir: string, options: FileStoreOptions): FileStore {
    const s = new FileStore(dir, options);
    s.#load();
    return s;
  }

  /**
   * (Re)reads everything from the manifest on (R1). Needs no lock: the files
   * a manifest names are complete before it is renamed in (W3) and never
   * change after; if a checkpoint removes them between our reading the
   * manifest and opening them, read the new manifest and try again (R4).
   */
  #load(): void {
    const fs = this.#fs;
    const file = path.join(this.dir, MANIFEST);
    for (let attempt = 1;; attempt++) {
      const sig = fs.signature(file);
      const bytes = fs.readFile(file);
      const m = decodeManifest(file, bytes);
      let data: DataFile | undefined;
      let log: LogFile | undefined;
      try {
        data = new DataFile(fs, path.join(this.dir, dataName(m.gen)), m.fields, m.indexes, file);
        log = new LogFile(fs, path.join(this.dir, logName(m.gen)), m.gen);
        if (m.nextId <= data.lastId()) {
          throw new CorruptionError(
            file,
            `nextId ${m.nextId} is not above the largest id in ${data.path} (${data.lastId()})`,
          );
        }
      } catch (e) {
        data?.close();
        log?.close();
        if (!isNotFound(e)) throw e;
        // Removed by a checkpoint since we read the manifest (R4): read the new one. If the
        // manifest did not change, the file it names is missing: damage.
        if (manifestChanged(fs, file, sig, bytes)) {
          if (attempt < 50) continue;
          throw e;
        }
        throw missingFile(path.join(this.dir, data ? logName(m.gen) : dataName(m.gen)), m.gen);
      }
      this.#data?.close();
      this.#log?.close();
      this.#manifestBytes = bytes;
      this.#manifestSig = sig;
      this.#data = data;
      this.#log = log;
      this.fields = m.fields;
      this.indexes = m.indexes;
      this.#numeric = [true, true, ...m.fields.map((f) => codecOf(f.type)!.encoding === "f64")];
      this.gen = m.gen;
      this.nextId = m.nextId;
      this.records = data.rows;
      this.#overlay = new Map();
      this.#logEnd = LOG_HEADER;
      this.#replay();
      this.#loads++;
      return;
    }
  }

  /** Applies the commits appended to the log since we last read it, each checked first (R2, F6). */
  #replay(): void {
    const { commits, end } = this.#log.read(this.#logEnd);
    for (const c of commits) {
      const before = { records: this.records, nextId: this.nextId };
      const undo: Array<[number, Row | null | undefined]> = [];
      try {
        for (const op of c.ops) this.#replayOp(op, undo);
      } catch (e) {
        for (let i = undo.length - 1; i >= 0; i--) {
          const [id, row] = undo[i];
          if (row === undefined) this.#overlay.delete(id);
          else this.#overlay.set(id, row);
        }
        Object.assign(this, before);
        if (typeof e === "string") {
          throw new CorruptionError(this.#log.path, `the commit at offset ${c.at}: ${e}`);
        }
        throw e;
      }
    }
    if (commits.length) this.#loads++;
    this.#logEnd = end;
  }

  /** Checks one op of the log against the schema and the state (F6), then applies it. */
  #replayOp(op: unknown, undo: Array<[number, Row | null | undefined]>): void {
    if (!Array.isArray(op) || op.length !== 2) throw `malformed op ${JSON.stringify(op)}`;
    const [kind, arg] = op;
    let id: number;
    let row: Row | null = null;
    if (kind === "d") {
      id = arg;
      if (!Number.isSafeInteger(id) || !this.#live(id)) throw `delete of ${id}, not a live id`;
    } else if (kind === "i" || kind === "u") {
      const width = this.fields.length + 2;
      if (!Array.isArray(arg) || arg.length !== width) {
        throw `a row of ${Array.isArray(arg) ? arg.length : "no"} values, not ${width}`;
      }
      row = arg.map((v, k) => fromLog(v, this.#numeric[k])) as Row;
      id = row[0] as number;
      if (!Number.isSafeInteger(id) || id < 1) throw `bad id ${JSON.stringify(row[0])}`;
      const v = row[1];
      if (!Number.isSafeInteger(v) || (v as number) < 0) throw `bad version ${JSON.stringify(v)}`;
      const bad = badValue(row, this.fields);
      if (bad) throw bad;
      if (kind === "i" && (id < this.nextId || v !== 0)) {
        throw `insert of ${id} (version ${v}) below the next id ${this.nextId}`;
      }
      if (kind === "i" && id > LAST_ID) throw `insert of ${id}, above the last id ${LAST_ID}`;
      if (kind === "u" && (v === 0 || !this.#live(id))) throw `update of ${id}, not a live id`;
    } else {
      throw `unknown op ${JSON.stringify(kind)}`;
    }
    undo.push([id, this.#overlay.has(id) ? this.#overlay.get(id)! : undefined]);
    this.#put(id, row);
  }

  /** Whether `id` is live in the committed state. */
  #live(id: number): boolean {
    const o = this.#overlay.get(id);
    if (o !== undefined) return o !== null;
    return id < this.nextId && this.#data.find(id) >= 0;
  }

  /** Sets the committed state of `id` (a row, or null: deleted), keeping count and nextId. */
  #put(id: number, row: Row | null): void {
    const was = this.#live(id);
    this.#overlay.set(id, row);
    if (was && !row) this.records--;
    if (!was && row) this.records++;
    if (id >= this.nextId) this.nextId = id + 1;
  }

  /**
   * Picks up what other processes committed since this store last looked:
   * a new generation (checkpoint, cleanup, schema change) reloads; new commits
   * in the log are replayed. Costs one stat and one fstat when nothing
   * changed (R3).
   */
  refresh(): void {
    const file = path.join(this.dir, MANIFEST);
    try {
      const sig = this.#fs.signature(file);
      if (sig === null || sig !== this.#manifestSig) {
        const bytes = this.#fs.readFile(file);
        if (!sameBytes(bytes, this.#manifestBytes)) return this.#load();
        this.#manifestSig = sig;
      }
    } catch (e) {
      if (isNotFound(e)) throw new BaseChangedError(this.dir, "destroyed");
      throw e;
    }
    if (this.#log.size() !== this.#logEnd) this.#replay();
  }

  // --- Reading (the committed state) ---

  get(id: number): Row | undefined {
    return this.#get(id, undefined);
  }

  getMany(ids: number[]): Row[] {
    const out: Row[] = [];
    for (const id of ids) {
      const r = this.#get(id, undefined);
      if (r) out.push(r);
    }
    return out;
  }

  select(query: Query): Row[] {
    return this.#select(query, undefined);
  }

  count(conds: Cond[]): number {
    return this.#count(conds, undefined);
  }

  idUsed(id: number): boolean {
    return id >= 1 && id < this.nextId;
  }

  #get(id: number, layer: Layer | undefined): Row | undefined {
    const p = layer?.pending.get(id);
    if (p !== undefined) return p ?? undefined;
    const o = this.#overlay.get(id);
    if (o !== undefined) return o ?? undefined;
    if (!Number.isSafeInteger(id) || id >= this.nextId) return undefined;
    const i = this.#data.find(id);
    return i < 0 ? undefined : this.#data.row(i, this.fields);
  }

  /** The data file's rows (positions) matching `conds`, not yet checked against the overlay. */
  #dataMatches(conds: Cond[]): number[] | null {
    const data = this.#data;
    const n = data.rows;
    if (n === 0) return [];
    let cand: number[] | null = null;
    let rest = conds;
    // An index answers one condition; the others are checked on its few rows.
    for (const c of conds) {
      const ix = c.k >= 2 ? data.index(c.field.name) : undefined;
      if (ix && ix.kind.answers(c)) {
        cand = ix.kind.lookup(c, {
          section: ix.section,
          value: (i) => data.value(c.field.name, i),
          rows: n,
          buckets: ix.buckets,
        });
        rest = conds.filter((x) => x !== c);
        break;
      }
    }
    for (const c of rest) {
      const name = this.#columnName(c.k);
      const enc = c.k < 2 ? "f64" : codecOf(c.field.type)!.encoding;
      if (cand && cand.length <= FEW && !data.isLoaded(name)) {
        cand = cand.filter((i) => c.test(data.value(name, i)));
      } else if (hasColumnFilter(c, enc)) {
        cand = columnFilter(c, data.column(name), n, cand);
      } else {
        const all: number[] = cand ?? Array.from({ length: n }, (_, i) => i);
        data.column(name);
        cand = all.filter((i) => c.test(data.value(name, i)));
      }
      if (cand.length === 0) break;
    }
    return cand;
  }

  #columnName(k: number): string {
    return k === 0 ? "__id__" : k === 1 ? "__version__" : this.fields[k - 2].name;
  }

  /** Rows matching `conds` as (data position | memory row) entries, not yet ordered. */
  #matches(conds: Cond[], layer: Layer | undefined): { pos: number[]; ids: number[]; mem: Row[] } {
    const data = this.#data;
    const shadow = (id: number) => this.#overlay.has(id) || (layer?.pending.has(id) ?? false);
    const anyShadow = this.#overlay.size > 0 || (layer?.pending.size ?? 0) > 0;
    const cand = this.#dataMatches(conds);
    const all = cand ?? null;
    const m = all ? all.length : data.rows;
    if (m > FEW) data.column("__id__");
    const pos: number[] = [];
    const ids: number[] = [];
    for (let j = 0; j < m; j++) {
      const i = all ? all[j] : j;
      const id = data.value("__id__", i) as number;
      if (anyShadow && shadow(id)) continue;
      pos.push(i);
      ids.push(id);
    }
    const mem: Row[] = [];
    for (const [id, row] of this.#overlay) {
      if (row && !layer?.pending.has(id) && rowMatches(conds, row)) mem.push(row);
    }
    if (layer) {
      for (const row of layer.pending.values()) if (row && rowMatches(conds, row)) mem.push(row);
    }
    return { pos, ids, mem };
  }

  #count(conds: Cond[], layer: Layer | undefined): number {
    if (conds.length === 0) return layer ? layer.count : this.records;
    const { pos, mem } = this.#matches(conds, layer);
    return pos.length + mem.length;
  }

  #select(q: Query, layer: Layer | undefined): Row[] {
    const data = this.#data;
    const { pos, ids, mem } = this.#matches(q.conds, layer);
    // Entries: data rows by position (their ids known), memory rows by reference.
    type Entry = { id: number; i: number; row?: Row; keys?: Stored[] };
    const entries: Entry[] = [];
    for (let j = 0; j < pos.length; j++) entries.push({ id: ids[j], i: pos[j] });
    for (const row of mem) entries.push({ id: row[0] as number, i: -1, row });
    if (q.order.length) {
      for (const key of q.order) {
        const name = this.#columnName(key.k);
        if (pos.length > FEW) data.column(name);
      }
      for (const e of entries) {
        e.keys = q.order.map((key) =>
          e.row ? e.row[key.k] : data.value(this.#columnName(key.k), e.i)
        );
      }
      entries.sort((a, b) => sortEntries(q.order, a, b));
    } else if (mem.length) {
      entries.sort((a, b) => a.id - b.id);
    }
    const end = q.limit === undefined ? entries.length : q.offset + q.limit;
    const page = entries.slice(q.offset, end);
    const fromData = page.filter((e) => !e.row).length;
    if (fromData > FEW) {
      for (const k of q.want) if (k > 0) data.column(this.#columnName(k));
    }
    const width = this.fields.length + 2;
    return page.map((e) => {
      if (e.row) return e.row;
      const row: Row = new Array(width).fill(null);
      row[0] = e.id;
      for (const k of q.want) if (k > 0) row[k] = data.value(this.#columnName(k), e.i);
      return row;
    });
  }

  /** Every live row, in `__id__` order, decoded whole. */
  #all(): Row[] {
    const want = Array.from({ length: this.fields.length + 1 }, (_, j) => j + 1);
    return this.#select({ conds: [], want, order: [], offset: 0 }, undefined);
  }

  // --- Writing ---

  /** A write set over the committed state (R5); the caller holds the write lock. */
  begin(): FileWriteSet {
    return new FileWriteSet(this);
  }

  /** @internal For FileWriteSet. */
  readerFor(layer: Layer & { nextId: number }): Reader {
    return {
      idUsed: (id) => id >= 1 && id < layer.nextId,
      fields: this.fields,
      indexes: this.indexes,
      get: (id) => this.#get(id, layer),
      getMany: (ids) => ids.map((id) => this.#get(id, layer)).filter((r) => r !== undefined),
      select: (q) => this.#select(q, layer),
      count: (conds) => this.#count(conds, layer),
    };
  }

  /**
   * Before a write: checks that no one else changed the base since this store
   * read it, then cuts off a torn tail left by a crash (W1, W8). A `PsBase`
   * has just refreshed under the exclusive lock, so this only fails for plain
   * `Base`s shared between processes without a lock.
   */
  #recover(): void {
    const file = path.join(this.dir, MANIFEST);
    let changed: boolean;
    try {
      const sig = this.#fs.signature(file);
      changed = sig === null || sig !== this.#manifestSig
        ? !sameBytes(this.#fs.readFile(file), this.#manifestBytes)
        : false;
    } catch (e) {
      if (isNotFound(e)) throw new BaseChangedError(this.dir, "destroyed");
      throw e;
    }
    const size = this.#log.size();
    if (changed || (size > this.#logEnd && this.#log.read(this.#logEnd).commits.length > 0)) {
      throw new BaseChangedError(this.dir, "changed");
    }
    if (size !== this.#logEnd) {
      try {
        this.#log.truncate(this.#logEnd);
      } catch (e) {
        throw fileError("cut the torn tail of", this.#log.path, e);
      }
    }
  }

  /**
   * @internal How many times the committed state took in what others wrote
   * (a load, or a replay that applied commits): a write set built before the
   * last one is stale (W8).
   */
  get loads(): number {
    return this.#loads;
  }

  /**
   * @internal Makes a write set's ops durable: one log record, one write (W1,
   * W2, W7). `loads` is {@linkcode loads} when the set began: if the state
   * took in others' commits since (a read refreshed it mid-transaction), the
   * set was built on what it no longer is (W8).
   */
  commitSet(ops: Op[], pending: Map<number, Row | null>, loads: number): void {
    if (ops.length === 0) return;
    if (loads !== this.#loads) throw new BaseChangedError(this.dir, "changed");
    this.#recover();
    if (ops.length >= BIG_COMMIT) {
      // W7: a big commit becomes a new generation directly.
      for (const [id, row] of pending) this.#put(id, row);
      try {
        this.#checkpoint(this.fields, this.indexes);
      } catch (e) {
        this.#load(); // drop the ops from memory: the old generation is current
        throw e;
      }
      return;
    }
    try {
      this.#logEnd += this.#log.append(ops, this.#logEnd);
    } catch (e) {
      throw fileError("write", this.#log.path, e);
    }
    for (const [id, row] of pending) this.#put(id, row);
    this.#unsynced = this.options.sync;
    if (this.#logEnd <= this.options.checkpointBytes) return;
    try {
      this.#checkpoint(this.fields, this.indexes);
    } catch {
      // The commit is durable in the log; the failed checkpoint removed what
      // it wrote (W5). Re-read the state the manifest names.
      this.#load();
    }
  }

  /**
   * Writes a new generation: every live row, optionally reshaped, into a new
   * data file and an empty log; then switches the manifest (W3) and removes
   * the old files (W5). If it fails before the switch, it removes what it
   * wrote and the old generation stays current.
   */
  #checkpoint(fields: Field[], indexes: IndexSpec[], reshape?: (row: Row) => Row): void {
    // Without a reshape the columns stay as they are, so the rows the log left
    // alone are carried over as bytes (_carry.ts).
    const rows = reshape
      ? this.#all().map(reshape)
      : carriedRows(this.#data, { fields: this.fields, changes: this.#overlay }) ?? this.#all();
    this.#generation({ fields, indexes, rows, nextId: this.nextId });
  }

  /** Writes the generation after this one, of `g`'s schema, rows and next id (see #checkpoint). */
  #generation(
    g: { fields: Field[]; indexes: IndexSpec[]; rows: Row[] | RowSource; nextId: number },
  ): void {
    const { fields, indexes, rows } = g;
    const fs = this.#fs;
    const gen = this.gen + 1;
    const data = path.join(this.dir, dataName(gen));
    const log = path.join(this.dir, logName(gen));
    const tmp = path.join(this.dir, MANIFEST + ".tmp");
    const m: Manifest = { format: FORMAT, gen, nextId: g.nextId, fields, indexes };
    let step = data;
    try {
      writeDataFile(fs, data, { fields, indexes, rows });
      step = log;
      createLogFile(fs, log, gen);
      step = tmp;
      writeSynced(fs, tmp, encodeManifest(m));
      fs.rename(tmp, path.join(this.dir, MANIFEST));
    } catch (e) {
      for (const f of [data, log, tmp]) {
        try {
          fs.remove(f);
        } catch {
          // Left as a stray for the next checkpoint (W5).
        }
      }
      throw fileError("write", step, e);
    }
    // The new generation is current (W3); what follows cannot undo it.
    try {
      fs.syncDir(this.dir);
    } finally {
      this.#load();
    }
    removeStrays(fs, this.dir, gen);
  }

  /** Applies a schema or layout change as a new generation (W4). */
  change(c: Change): void {
    this.#recover();
    const fields = this.fields;
    switch (c.kind) {
      case "cleanup":
        return this.#checkpoint(fields, this.indexes);
      case "setDefault":
        return this.#checkpoint(
          fields.map((f) => f.name === c.field ? { ...f, default: c.value } : f),
          this.indexes,
        );
      case "addField": {
        const next = [...fields];
        next.splice(c.at, 0, c.field);
        return this.#checkpoint(next, this.indexes, (row) => {
          const r = row.slice();
          r.splice(c.at + 2, 0, c.field.default);
          return r;
        });
      }
      case "dropField": {
        const at = fields.findIndex((f) => f.name === c.field);
        return this.#checkpoint(
          fields.filter((_, j) => j !== at),
          this.indexes.filter((ix) => ix.field !== c.field),
          (row) => row.filter((_, k) => k !== at + 2),
        );
      }
      case "addIndex":
        return this.#checkpoint(fields, [...this.indexes, c.index]);
      case "dropIndex":
        return this.#checkpoint(fields, this.indexes.filter((ix) => ix.field !== c.field));
      case "replace": {
        // One new generation (W3): a crash before its manifest is renamed in leaves the base as
        // it was, after it the replacement whole.
        const what = c.call;
        checkRows(c.rows, { fields: c.fields, from: 1, what });
        const last = c.rows.length ? c.rows[c.rows.length - 1][0] as number : 0;
        if (!Number.isSafeInteger(c.nextId) || c.nextId <= last || c.nextId > LAST_ID + 1) {
          throw new RangeError(`Cannot ${what}: next id ${c.nextId} is not above ${last}`);
        }
        return this.#generation(c);
      }
    }
  }

  /**
   * Adds whole rows with the ids and versions they carry (`psbase import` of
   * a dump), all or none, as one new generation (W3, W7): a log record may
   * not hold an insert of version > 0 (F6), a data file may. Ids ascending,
   * from the next id on (ids are never reused); values of their fields'
   * types. The caller holds the exclusive lock.
   */
  restore(rows: Row[]): void {
    this.#recover();
    checkRows(rows, {
      fields: this.fields,
      from: this.nextId,
      what: `restore rows into ${this.dir}`,
    });
    if (rows.length === 0) return;
    for (const row of rows) this.#put(row[0] as number, row);
    try {
      this.#checkpoint(this.fields, this.indexes);
    } catch (e) {
      this.#load(); // the old generation is current: drop the rows from memory
      throw e;
    }
  }

  /**
   * Waits for the last commit's record to reach the disk (fdatasync). Called
   * after the exclusive lock is released, before the commit is acknowledged
   * (W2).
   */
  flush(): void {
    if (!this.#unsynced) return;
    this.#unsynced = false;
    try {
      this.#log.datasync();
    } catch (e) {
      throw fileError("sync", this.#log.path, e);
    }
  }

  /** fsyncs the log and the folder (W2). */
  sync(): void {
    try {
      this.#log.sync();
      this.#fs.syncDir(this.dir);
    } catch (e) {
      throw fileError("sync", this.#log.path, e);
    }
  }

  /** Facts for `info`. */
  info(): { [key: string]: unknown } {
    const files: { [name: string]: number } = {};
    for (const name of this.#fs.readdir(this.dir).sort()) {
      if (!OURS.test(name)) continue;
      const h = this.#fs.open(path.join(this.dir, name), "r");
      try {
        files[name] = h.size();
      } finally {
        h.close();
      }
    }
    return {
      format: FORMAT,
      generation: this.gen,
      nextId: this.nextId,
      records: this.records,
      dataRows: this.#data.rows,
      logBytes: this.#logEnd - LOG_HEADER,
      files,
    };
  }

  /** Closes the files. Idempotent. */
  close(): void {
    this.#data?.close();
    this.#log?.close();
  }

  /** Removes every file of the base in `dir`, then the folder if it is left empty (W6). */
  static destroy(fs: Fs, dir: string): void {
    if (!fs.exists(dir)) return;
    fs.remove(path.join(dir, MANIFEST));
    fs.syncDir(dir);
    for (const name of fs.readdir(dir)) {
      if (OURS.test(name)) fs.remove(path.join(dir, name));
    }
    try {
      fs.rmdir(dir);
    } catch {
      // Not empty: the caller's own files stay.
    }
  }
}

/** Orders entries by the sort keys, then by `__id__`. */
function sortEntries(
  order: SortKey[],
  a: { id: number; keys?: Stored[] },
  b: { id: number; keys?: Stored[] },
): number {
  for (let j = 0; j < order.length; j++) {
    const c = compareStored(a.keys![j], b.keys![j]);
    if (c !== 0) return order[j].desc ? -c : c;
  }
  return a.id - b.id;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Removes every file of ours in `dir` not of generation `keep` (W5). Best effort. */
function removeStrays(fs: Fs, dir: string, keep: number): void {
  try {
    for (const name of fs.readdir(dir)) {
      if (!OURS.test(name) || name === MANIFEST) continue;
      if (name === dataName(keep) || name === logName(keep)) continue;
      fs.remove(path.join(dir, name));
    }
  } catch {
    // Left for the next checkpoint (W5).
  }
}

/** The writes of one call or transaction over a file store (R5). */
class FileWriteSet implements WriteSet {
  #store: FileStore;
  #layer: Layer;
  #reader: Reader;
  #ops: Op[] = [];
  #loads: number;

  constructor(store: FileStore) {
    this.#store = store;
    this.#loads = store.loads;
    this.#layer = { pending: new Map(), count: store.records, nextId: store.nextId };
    this.#reader = store.readerFor(this.#layer);
  }

  get fields(): readonly Field[] {
    return this.#store.fields;
  }
  get nextId(): number {
    return this.#layer.nextId;
  }
  get indexes(): readonly IndexSpec[] {
    return this.#store.indexes;
  }
  get(id: number): Row | undefined {
    return this.#reader.get(id) as Row | undefined;
  }
  getMany(ids: number[]): Row[] {
    return this.#reader.getMany(ids) as Row[];
  }
  select(q: Query): Row[] {
    return this.#reader.select(q) as Row[];
  }
  count(conds: Cond[]): number {
    return this.#reader.count(conds) as number;
  }
  idUsed(id: number): boolean {
    return this.#reader.idUsed(id) as boolean;
  }

  insert(values: Stored[]): number {
    const id = this.#layer.nextId++;
    const row: Row = [id, 0, ...values];
    this.#ops.push(["i", row]);
    this.#layer.pending.set(id, row);
    this.#layer.count++;
    return id;
  }

  update(row: Row): void {
    this.#ops.push(["u", row]);
    this.#layer.pending.set(row[0] as number, row);
  }

  delete(id: number): void {
    this.#ops.push(["d", id]);
    this.#layer.pending.set(id, null);
    this.#layer.count--;
  }

  commit(): void {
    this.#store.commitSet(this.#ops, this.#layer.pending, this.#loads);
    this.#ops = [];
    this.#layer.pending = new Map();
  }

  rollback(): void {
    this.#ops = [];
    this.#layer.pending = new Map();
    this.#layer.count = this.#store.records;
    this.#layer.nextId = this.#store.nextId;
  }
}
