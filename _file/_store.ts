// Copyright 2026 the psbase authors. MIT license.
// The store: one base's files on disk and its state in memory. A data file
// (the last checkpoint) plus the log of commits since, replayed into an
// overlay. Every rule it follows is numbered in FORMAT.md.

import { type Fs, isNotFound, writeSynced } from "./_fs.ts";
import { path } from "../_path.ts";
import { DataFile, writeDataFile } from "./_data_file.ts";
import { CorruptionError } from "../_errors.ts";
import { createLogFile, LOG_HEADER, LogFile, type Op } from "./_log_file.ts";
import type { Field, Row } from "../_field/_codec.ts";
import { columnFilter, type Cond, rowMatches } from "../_query/_where.ts";

/** The manifest (FORMAT.md, F2). */
interface Manifest {
  format: "psbase/1";
  gen: number;
  nextId: number;
  fields: Field[];
}

/** Options of a store. */
export interface StoreOptions {
  /** fdatasync every commit (default true). */
  sync: boolean;
  /** Checkpoint once the log passes this many bytes (FORMAT.md, W4). */
  checkpointBytes: number;
  /** The file layer. */
  fs: Fs;
}

/** The file names of a base (FORMAT.md, F1). */
export const MANIFEST = "manifest.json";
const dataName = (gen: number) => `data.${gen}`;
const logName = (gen: number) => `log.${gen}`;
/** Commits with at least this many ops skip the log (FORMAT.md, W7). */
const BIG_COMMIT = 256;
const OURS = /^(manifest\.json(\.tmp)?|data\.\d+|log\.\d+)$/;

/** True when `dir` holds a base (a manifest). */
export function baseExists(fs: Fs, dir: string): boolean {
  return fs.exists(path.join(dir, MANIFEST));
}

/** Writes the manifest atomically: temp file, fsync, rename, fsync of the folder (W3). */
function writeManifest(fs: Fs, dir: string, m: Manifest): void {
  const tmp = path.join(dir, MANIFEST + ".tmp");
  writeSynced(fs, tmp, new TextEncoder().encode(JSON.stringify(m)));
  fs.rename(tmp, path.join(dir, MANIFEST));
  fs.syncDir(dir);
}

function readText(fs: Fs, file: string): string {
  return new TextDecoder().decode(fs.readFile(file));
}

function readManifest(fs: Fs, dir: string): { text: string; m: Manifest } {
  const file = path.join(dir, MANIFEST);
  const text = readText(fs, file);
  let m: Manifest;
  try {
    m = JSON.parse(text);
  } catch {
    throw new CorruptionError(file, "not valid JSON");
  }
  if (
    m?.format !== "psbase/1" || !Number.isSafeInteger(m.gen) || !Number.isSafeInteger(m.nextId) ||
    !Array.isArray(m.fields)
  ) {
    throw new CorruptionError(file, "not a psbase manifest");
  }
  return { text, m };
}

/** Removes every file of ours in `dir` not of generation `keep` (W5). */
function removeStrays(fs: Fs, dir: string, keep: number): void {
  for (const name of fs.readdir(dir)) {
    if (!OURS.test(name) || name === MANIFEST) continue;
    if (name === dataName(keep) || name === logName(keep)) continue;
    fs.remove(path.join(dir, name));
  }
}

/** Undo records of an open transaction. */
export type Undo = Array<() => void>;

/** One base's on-disk files and in-memory state. */
export class Store {
  readonly dir: string;
  readonly options: StoreOptions;
  fields: Field[] = [];
  nextId = 1;
  count = 0;
  gen = 0;
  #manifestText = "";
  #manifestSig: string | null = null;
  #data!: DataFile;
  #log!: LogFile;
  #logEnd = LOG_HEADER;
  #overlay = new Map<number, Row | null>();
  #unsynced = false;

  private constructor(dir: string, options: StoreOptions) {
    this.dir = dir;
    this.options = options;
  }

  /** Creates a new base in `dir` (the folder may exist; no manifest may). */
  static create(dir: string, fields: Field[], options: StoreOptions): Store {
    const fs = options.fs;
    Store.checkFolder(fs, dir);
    fs.mkdirp(dir);
    writeDataFile(fs, path.join(dir, dataName(1)), fields, []);
    createLogFile(fs, path.join(dir, logName(1)), 1);
    writeManifest(fs, dir, { format: "psbase/1", gen: 1, nextId: 1, fields });
    removeStrays(fs, dir, 1);
    return Store.open(dir, options);
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
  static open(dir: string, options: StoreOptions): Store {
    const s = new Store(dir, options);
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
    for (let attempt = 1;; attempt++) {
      const fs = this.options.fs;
      const sig = fs.signature(path.join(this.dir, MANIFEST));
      const { text, m } = readManifest(fs, this.dir);
      let data: DataFile | undefined;
      let log: LogFile;
      try {
        data = new DataFile(fs, path.join(this.dir, dataName(m.gen)));
        log = new LogFile(fs, path.join(this.dir, logName(m.gen)), m.gen);
      } catch (e) {
        data?.close();
        if (isNotFound(e) && attempt < 20) continue;
        throw e;
      }
      this.#install(text, m, data, log);
      this.#manifestSig = sig;
      return;
    }
  }

  #install(text: string, m: Manifest, data: DataFile, log: LogFile): void {
    this.#data?.close();
    this.#log?.close();
    this.#manifestText = text;
    this.#data = data;
    this.#log = log;
    this.fields = m.fields;
    this.gen = m.gen;
    this.nextId = m.nextId;
    this.count = data.rows;
    this.#overlay = new Map();
    this.#logEnd = LOG_HEADER;
    this.#replay();
  }

  /** Applies the commits appended to the log since we last read it (R2). */
  #replay(): void {
    const { commits, end } = this.#log.read(this.#logEnd);
    // Many updates or deletes to place: read the id column whole; a few: positioned reads.
    let lookups = 0;
    for (const c of commits) for (const op of c) if (op[0] !== "i") lookups++;
    if (lookups > 64) this.#data.column("__id__");
    for (const ops of commits) for (const op of ops) this.apply(op);
    this.#logEnd = end;
  }

  /**
   * Picks up what other processes committed since this store last looked:
   * a new generation (checkpoint, cleanup, schema change) reloads; new commits
   * in the log are replayed. Costs one small read and one fstat when nothing
   * changed (R3).
   */
  refresh(): void {
    const file = path.join(this.dir, MANIFEST);
    try {
      const sig = this.options.fs.signature(file);
      if (sig === null || sig !== this.#manifestSig) {
        if (readText(this.options.fs, file) !== this.#manifestText) return this.#load();
        this.#manifestSig = sig;
      }
    } catch (e) {
      if (isNotFound(e)) {
        throw new Error(`The base at ${this.dir} was destroyed by another process`);
      }
      throw e;
    }
    if (this.#log.size() !== this.#logEnd) this.#replay();
  }

  /** The stored row of `id`, if live. */
  get(id: number): Row | undefined {
    const o = this.#overlay.get(id);
    if (o !== undefined) return o ?? undefined;
    if (!Number.isSafeInteger(id)) return undefined;
    const i = this.#data.find(id);
    return i < 0 ? undefined : this.#data.row(i, this.fields);
  }

  /**
   * The rows matching `conds`, in `__id__` order, with the row positions in
   * `want` decoded (others left null).
   */
  scan(conds: Cond[], want: number[]): Row[] {
    const data = this.#data;
    const n = data.rows;
    const names = ["__id__", "__version__", ...this.fields.map((f) => f.name)];
    const ids = n ? data.column("__id__").f64! : new Float64Array(0);
    const overlay = this.#overlay;
    let cand: number[] | null = null;
    for (const c of conds) cand = columnFilter(c, data.column(names[c.k]), n, cand);
    const hits: number[] = [];
    const m = cand ? cand.length : n;
    for (let j = 0; j < m; j++) {
      const i = cand ? cand[j] : j;
      if (overlay.size === 0 || !overlay.has(ids[i])) hits.push(i);
    }
    // Many hits: read whole columns; few: positioned reads.
    if (hits.length > 64) { for (const k of want) data.column(names[k]); }
    const out: Row[] = [];
    for (const i of hits) {
      const row: Row = new Array(names.length).fill(null);
      row[0] = ids[i];
      for (const k of want) if (k > 0) row[k] = data.value(names[k], i);
      out.push(row);
    }
    if (overlay.size) {
      for (const row of overlay.values()) if (row && rowMatches(conds, row)) out.push(row);
      out.sort((a, b) => (a[0] as number) - (b[0] as number));
    }
    return out;
  }

  /** Applies one op to the state in memory; records how to undo it in `undo`. */
  apply(op: Op, undo?: Undo): void {
    const id = op[0] === "d" ? op[1] : op[1][0] as number;
    const before = this.#overlay.has(id) ? this.#overlay.get(id)! : undefined;
    const hadEntry = this.#overlay.has(id);
    const live = hadEntry
      ? before !== null
      : (op[0] === "i" && id >= this.nextId)
      ? false
      : this.#data.find(id) >= 0;
    const count = this.count;
    const nextId = this.nextId;
    if (op[0] === "d") {
      if (live) this.count--;
      this.#overlay.set(id, null);
    } else {
      if (!live && op[0] === "i") this.count++;
      this.#overlay.set(id, op[1]);
      if (id >= this.nextId) this.nextId = id + 1;
    }
    undo?.push(() => {
      if (hadEntry) this.#overlay.set(id, before!);
      else this.#overlay.delete(id);
      this.count = count;
      this.nextId = nextId;
    });
  }

  /**
   * Before a write: checks that no one else changed the base since this store
   * read it, then drops a torn tail left by a crash (writers only: W1, W8).
   * A `PsBase` has just refreshed under the exclusive lock, so this only
   * fails for plain `Base`s shared between processes without a lock.
   */
  recover(): void {
    const manifest = readText(this.options.fs, path.join(this.dir, MANIFEST));
    const size = this.#log.size();
    if (
      manifest !== this.#manifestText ||
      (size > this.#logEnd && this.#log.read(this.#logEnd).end > this.#logEnd)
    ) {
      throw new Error(
        `The base at ${this.dir} was changed by another process since this Base read it; ` +
          `nothing was written. Share a base between processes with PsBase.`,
      );
    }
    if (size !== this.#logEnd) this.#log.truncate(this.#logEnd);
  }

  /**
   * Makes a transaction's ops durable: one log record, one write (W1, W2).
   * On failure the caller undoes. Checkpoints when the log has grown past
   * the threshold (W4).
   */
  commit(ops: Op[]): void {
    if (ops.length === 0) return;
    this.recover();
    if (ops.length >= BIG_COMMIT) {
      // W7: a big commit becomes a new generation directly.
      this.checkpoint();
      return;
    }
    this.#logEnd += this.#log.append(ops);
    this.#unsynced = this.options.sync;
    if (this.#logEnd <= this.options.checkpointBytes) return;
    try {
      this.checkpoint();
    } catch {
      // The commit is durable in the log; a failed checkpoint only leaves
      // strays (W5). Re-read the state the manifest names.
      this.#load();
    }
  }

  /** Every live row, in `__id__` order, decoded whole. */
  all(): Row[] {
    return this.scan([], this.fields.map((_, j) => j + 1).concat(this.fields.length + 1));
  }

  /**
   * Writes a new generation: every live row, optionally reshaped to a new
   * field list, into a new data file and an empty log; then switches the
   * manifest (W3) and removes the old files (W5).
   */
  checkpoint(fields: Field[] = this.fields, reshape?: (row: Row) => Row): void {
    let rows = this.all();
    if (reshape) rows = rows.map(reshape);
    const gen = this.gen + 1;
    const fs = this.options.fs;
    writeDataFile(fs, path.join(this.dir, dataName(gen)), fields, rows);
    createLogFile(fs, path.join(this.dir, logName(gen)), gen);
    writeManifest(fs, this.dir, { format: "psbase/1", gen, nextId: this.nextId, fields });
    // The new generation is current (W3); what follows cannot undo it.
    try {
      removeStrays(fs, this.dir, gen);
    } catch {
      // Left for the next checkpoint (W5).
    }
    this.#load();
  }

  /**
   * Waits for the last commit's record to reach the disk (fdatasync). Called
   * after the exclusive lock is released, before the commit is acknowledged
   * (W2).
   */
  flush(): void {
    if (!this.#unsynced) return;
    this.#unsynced = false;
    this.#log.datasync();
  }

  /** fsyncs the log and the folder (FORMAT.md, W2). */
  sync(): void {
    this.#log.sync();
    this.options.fs.syncDir(this.dir);
  }

  /** Closes the files. Idempotent. */
  close(): void {
    this.#data?.close();
    this.#log?.close();
  }

  /** Removes every file of the base in `dir`, then the folder if it is left empty. */
  static destroy(fs: Fs, dir: string): void {
    if (!fs.exists(dir)) return;
    // The manifest goes first: from then on no one sees a base here (W6).
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
