// Copyright 2026 the psbase authors. MIT license.
// A file layer (the engine's `Fs`, _file/_fs.ts) kept in memory that knows
// what has reached the "disk": what an fsync made durable, and what a power
// loss would lose. After a crash at a chosen point (the Nth file operation),
// `afterPowerLoss(seed)` gives the files as a power loss leaves them, as
// SQLite's crash tests do (src/test6.c): writes not yet synced are dropped or
// torn sector by sector, a file's size is its synced or its latest one,
// and folder changes (create, rename, remove) not yet made durable by an
// fsync of the folder are lost from some point on (a journal keeps their
// order). A folder made by `mkdirp` is stricter, as POSIX has it: its own
// name is durable only once its parent folder is fsynced; until then a power
// loss may take it, and everything in it, away.

import type { Fs, Handle } from "../_file/_fs.ts";
import { rng } from "../scripts/_rng.ts";

const SECTOR = 512;

/** Thrown by every operation from the crash point on. */
export class CrashError extends Error {
  constructor(point: number, what: string) {
    super(`simulated crash at point ${point} (${what})`);
    this.name = "CrashError";
  }
}

/**
 * Whether `e` is the simulated crash, as thrown or as the engine wrapped it
 * ("Cannot create a base in ...: simulated crash ...", with it as `cause`).
 */
export function isCrash(e: unknown): boolean {
  return e instanceof CrashError || (e as Error | undefined)?.cause instanceof CrashError;
}

interface Inode {
  /** What the process sees. */
  data: Uint8Array;
  /** What is on disk: as of the last fsync of this file. */
  synced: Uint8Array;
  /** Sectors written since that fsync. */
  dirty: Set<number>;
}

type DirOp = { op: "link"; name: string; inode: Inode } | { op: "unlink"; name: string };

const notFound = (path: string) =>
  Object.assign(new Error(`No such file or directory: ${path}`), { code: "ENOENT" });

/**
 * An in-memory file system with a crash model. `crashAt`: the point (1-based
 * count of writes, syncs, truncations, renames, removals and creations) at
 * which the machine loses power; `Infinity` never.
 */
export class CrashFs implements Fs {
  /** The points passed so far: after a run without a crash, how many there are. */
  points = 0;
  /** What each point was, for messages. */
  readonly log: string[] = [];
  readonly crashAt: number;
  #names = new Map<string, Inode>();
  #dirs = new Set<string>();
  /** The names as the disk has them (as of the last fsync of their folder), and the changes since. */
  #durable = new Map<string, Inode>();
  #pending: DirOp[] = [];
  /** Folders made since the last fsync of their parent: a power loss may lose them. */
  #newDirs = new Set<string>();
  #crashed = false;

  /** A disk whose fsync makes nothing durable: for the negative control only. */
  readonly lying: boolean;

  /**
   * `files`: what the disk holds at the start (durable); `o.dirs`: folders
   * that exist (durable) at the start besides those holding `files`.
   */
  constructor(
    crashAt = Infinity,
    files?: Map<string, Uint8Array>,
    o: { lying?: boolean; dirs?: string[] } = {},
  ) {
    this.crashAt = crashAt;
    this.lying = o.lying ?? false;
    for (const d of o.dirs ?? []) this.#mkdirs(d);
    for (const [name, data] of files ?? []) {
      const inode = { data: data.slice(), synced: data.slice(), dirty: new Set<number>() };
      this.#names.set(name, inode);
      this.#durable.set(name, inode);
      this.#dirs.add(name.slice(0, name.lastIndexOf("/")) || "/");
    }
  }

  /** Whether the crash happened. */
  get crashed(): boolean {
    return this.#crashed;
  }

  #point(what: string): void {
    if (this.#crashed) throw new CrashError(this.points, `after the crash: ${what}`);
    this.points++;
    this.log.push(what);
    if (this.points >= this.crashAt) {
      this.#crashed = true;
      throw new CrashError(this.points, what);
    }
  }

  #inode(path: string): Inode {
    const i = this.#names.get(path);
    if (!i) throw notFound(path);
    return i;
  }

  #link(name: string, inode: Inode): void {
    this.#names.set(name, inode);
    this.#pending.push({ op: "link", name, inode });
  }

  #unlink(name: string): void {
    this.#names.delete(name);
    this.#pending.push({ op: "unlink", name });
  }

  open(path: string, mode: "r" | "a" | "w"): Handle {
    if (this.#crashed) throw new CrashError(this.points, `after the crash: open ${path}`);
    let inode = this.#names.get(path);
    if (mode === "w") {
      this.#point(`open ${path} to write`);
      if (!inode) {
        inode = { data: new Uint8Array(0), synced: new Uint8Array(0), dirty: new Set() };
        this.#link(path, inode);
      } else inode.data = new Uint8Array(0);
    }
    if (!inode) throw notFound(path);
    return new MemHandle(this, path, inode, mode);
  }

  /** @internal A handle's write, truncate or sync: a point, then the change. */
  change(what: string, fn: () => void): void {
    this.#point(what);
    fn();
  }

  readFile(path: string): Uint8Array {
    return this.#inode(path).data.slice();
  }

  signature(path: string): string | null {
    const i = this.#inode(path);
    return `${ids.get(i) ?? ids.set(i, nextId++).get(i)}:${i.data.length}:${versions.get(i) ?? 0}`;
  }

  rename(from: string, to: string): void {
    const inode = this.#inode(from);
    this.#point(`rename ${from} to ${to}`);
    this.#unlink(from);
    this.#link(to, inode);
  }

  readdir(dir: string): string[] {
    if (!this.#dirs.has(dir)) throw notFound(dir);
    const prefix = dir.endsWith("/") ? dir : dir + "/";
    return [...this.#names.keys()]
      .filter((n) => n.startsWith(prefix) && !n.slice(prefix.length).includes("/"))
      .map((n) => n.slice(prefix.length));
  }

  remove(path: string): void {
    if (!this.#names.has(path)) return;
    this.#point(`remove ${path}`);
    this.#unlink(path);
  }

  rmdir(path: string): void {
    if (this.readdir(path).length) throw new Error(`Directory not empty: ${path}`);
    this.#dirs.delete(path);
    this.#newDirs.delete(path);
  }

  mkdirp(dir: string): void {
    if (this.#dirs.has(dir)) return;
    this.#point(`mkdir ${dir}`);
    for (const d of this.#mkdirs(dir)) this.#newDirs.add(d);
  }

  /** Adds `dir` and its missing parents; returns those it added. */
  #mkdirs(dir: string): string[] {
    const added: string[] = [];
    for (let d = dir; d && d !== "/"; d = d.slice(0, d.lastIndexOf("/")) || "/") {
      if (this.#dirs.has(d)) break;
      this.#dirs.add(d);
      added.push(d);
    }
    this.#dirs.add("/");
    return added;
  }

  exists(path: string): boolean {
    return this.#names.has(path) || this.#dirs.has(path);
  }

  syncDir(dir: string): void {
    this.#point(`fsync folder ${dir}`);
    if (this.lying) return;
    // The folders made in it: their names are now durable.
    for (const d of this.#newDirs) if (parentOf(d) === dir) this.#newDirs.delete(d);
    // Every change of the folder so far is durable (names in other folders too: one journal).
    this.#durable = new Map(this.#names);
    this.#pending = [];
  }

  /** @internal fsync of one file: its content and size are durable. */
  syncInode(inode: Inode): void {
    if (this.lying) return;
    inode.synced = inode.data.slice();
    inode.dirty.clear();
  }

  /**
   * The files as a power loss at the crash point leaves them (a deterministic
   * function of `seed`): the synced state, plus some of what was not synced.
   */
  afterPowerLoss(seed: number): Map<string, Uint8Array> {
    const rand = rng(seed);
    // Folder changes: a prefix of those not yet durable reached the journal.
    const names = new Map(this.#durable);
    const kept = Math.floor(rand() * (this.#pending.length + 1));
    for (const d of this.#pending.slice(0, kept)) {
      if (d.op === "link") names.set(d.name, d.inode);
      else names.delete(d.name);
    }
    // A folder whose name never reached the disk is lost with all it holds.
    for (const dir of [...this.#newDirs].sort()) {
      if (rand() < 0.5) continue;
      for (const name of names.keys()) if (name.startsWith(dir + "/")) names.delete(name);
    }
    const out = new Map<string, Uint8Array>();
    const done = new Map<Inode, Uint8Array>();
    for (const [name, inode] of names) {
      let bytes = done.get(inode);
      if (!bytes) {
        bytes = tear(inode, rand);
        done.set(inode, bytes);
      }
      out.set(name, bytes);
    }
    return out;
  }
}

/** The folder holding `path`. */
function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** A file's bytes after a power loss: its synced bytes, with unsynced sectors kept or lost at random. */
function tear(inode: Inode, rand: () => number): Uint8Array {
  const { data, synced } = inode;
  const size = rand() < 0.5 ? synced.length : data.length;
  const out = new Uint8Array(size);
  out.set(synced.subarray(0, Math.min(size, synced.length)));
  for (const s of inode.dirty) {
    const from = s * SECTOR;
    if (from >= size) continue;
    const to = Math.min(size, from + SECTOR);
    // Written, or never written (what was there: the synced bytes, else zeros).
    if (rand() < 0.5) out.set(data.subarray(from, Math.min(to, data.length)), from);
    else {
      out.fill(0, from, to);
      if (from < synced.length) out.set(synced.subarray(from, Math.min(to, synced.length)), from);
    }
  }
  return out;
}

const ids = new WeakMap<Inode, number>();
const versions = new WeakMap<Inode, number>();
let nextId = 1;

class MemHandle implements Handle {
  #fs: CrashFs;
  #path: string;
  #inode: Inode;
  #mode: "r" | "a" | "w";
  #pos = 0;

  constructor(fs: CrashFs, path: string, inode: Inode, mode: "r" | "a" | "w") {
    this.#fs = fs;
    this.#path = path;
    this.#inode = inode;
    this.#mode = mode;
  }

  read(buf: Uint8Array, pos: number): number {
    const d = this.#inode.data;
    const n = Math.max(0, Math.min(buf.length, d.length - pos));
    buf.set(d.subarray(pos, pos + n));
    return n;
  }

  write(buf: Uint8Array): void {
    if (this.#mode === "r") throw new Error(`Bad file descriptor: ${this.#path} is read-only`);
    this.#fs.change(`write ${buf.length} bytes to ${this.#path}`, () => {
      const i = this.#inode;
      const at = this.#mode === "a" ? i.data.length : this.#pos;
      const end = at + buf.length;
      if (end > i.data.length) {
        const grown = new Uint8Array(end);
        grown.set(i.data);
        i.data = grown;
      }
      i.data.set(buf, at);
      this.#pos = end;
      for (let s = Math.floor(at / SECTOR); s * SECTOR < end; s++) i.dirty.add(s);
      versions.set(i, (versions.get(i) ?? 0) + 1);
    });
  }

  size(): number {
    return this.#inode.data.length;
  }

  sync(): void {
    this.#fs.change(`fsync ${this.#path}`, () => this.#fs.syncInode(this.#inode));
  }

  datasync(): void {
    this.#fs.change(`fdatasync ${this.#path}`, () => this.#fs.syncInode(this.#inode));
  }

  truncate(len: number): void {
    this.#fs.change(`truncate ${this.#path} to ${len}`, () => {
      const i = this.#inode;
      const out = new Uint8Array(len);
      out.set(i.data.subarray(0, Math.min(len, i.data.length)));
      i.data = out;
      versions.set(i, (versions.get(i) ?? 0) + 1);
    });
  }

  close(): void {}
}

/** `fs` with some of its methods replaced (the others call `fs`). */
export function withHooks(fs: Fs, hooks: Partial<Fs>): Fs {
  const out = {} as { [k: string]: unknown };
  for (const k of Object.getOwnPropertyNames(CrashFs.prototype)) {
    const v = (fs as unknown as { [k: string]: unknown })[k];
    if (k !== "constructor" && typeof v === "function") out[k] = v.bind(fs);
  }
  return Object.assign(out, hooks) as unknown as Fs;
}
