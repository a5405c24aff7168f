// Copyright 2026 the psbase authors. MIT license.
// What makes `Base`, `PsBase` and `PgBase` differ, registered per class so
// that their public declarations show no hooks: how a base is named, where
// it is stored, and what lock guards its writes.

import type { Field } from "../_field/_codec.ts";
import type { Change, IndexSpec, Storage, StorageDriver, WriteSet } from "../_storage/_types.ts";

/** The write lock of a kind of base (FORMAT.md, L3): none for `Base`, a file lock for `PsBase`. */
export interface Access {
  /** How long a write may wait, in this process and for the lock, in ms (undefined: forever). */
  readonly timeoutMs: number | undefined;
  /** Runs `body` holding the write lock; the wait ends with a LockTimeoutError at `deadline`. */
  write<T>(body: () => Promise<T>, deadline: number | undefined): Promise<T>;
  /** The error a wait in this process ends with at its deadline. */
  timeout(): Error;
  /** Whether another process holds the write lock now (for `info`), if the kind can tell. */
  busy?(): Promise<boolean>;
}

/** How one class of base is named, stored and locked. */
export interface TableKind {
  /** The option names its constructor accepts. */
  readonly options: readonly string[];
  /** Checks the constructor's options (TypeError / RangeError). */
  check(options: { [k: string]: unknown }): void;
  /** The base's name: a folder made absolute, or a table's name checked. */
  name(path: string, options: { [k: string]: unknown }): string;
  /** The storage driver and its options for the base `owner` (loaded on first use). */
  storage(
    name: string,
    options: { [k: string]: unknown },
    owner: object,
  ): Promise<{ driver: StorageDriver<unknown>; options: unknown }>;
  /** The write lock, when writes take one. */
  access?(name: string, options: { [k: string]: unknown }): Access;
  /**
   * How a link field names the base it links to (default: the linked folder
   * relative to this base's folder, FORMAT.md F2). `name` throws a TypeError
   * for a base this kind cannot link to.
   */
  readonly links?: {
    /** The stored name of base `to`, linked from base `from` (both as `name()` made them). */
    name(from: string, to: string): string;
    /** The linked base's name from its stored name. */
    resolve(from: string, stored: string): string;
  };
}

const kinds = new WeakMap<object, TableKind>();

/** Registers how instances of `cls` (and of its subclasses, unless they register their own) work. */
export function registerKind(cls: object, kind: TableKind): void {
  kinds.set(cls, kind);
}

/** The kind of `cls` (the nearest registered class up its prototype chain). */
export function kindOf(cls: object): TableKind {
  for (let c: object | null = cls; c; c = Object.getPrototypeOf(c)) {
    const k = kinds.get(c);
    if (k) return k;
  }
  throw new Error(`Cannot make a base: ${String((cls as { name?: string }).name)} has no storage`);
}

/**
 * What psbase's own tools (copying a base: pg.ts) may do with a base past its
 * public API, each step through the base's own locking. Set once by base.ts.
 */
export interface BaseInternals {
  /** Runs `body` on the base's storage, refreshed first (a read: no lock). */
  read<T>(base: object, body: (s: Storage) => Promise<T>): Promise<T>;
  /** Runs `body` on a write set under the base's write lock; commits when it returns. */
  write<T>(base: object, body: (ws: WriteSet) => Promise<T>): Promise<T>;
  /** Applies `change` under the base's write lock, as its schema changes are (W4). */
  change(base: object, change: Change): Promise<void>;
  /** `create()` with a schema already parsed, then opened. */
  create(
    base: object,
    fields: Field[],
    indexes: IndexSpec[],
    mode: "open" | "override" | undefined,
  ): Promise<void>;
}

let internals: BaseInternals | undefined;

/** Called once by base.ts. */
export function setInternals(i: BaseInternals): void {
  internals = i;
}

/** The table layer's internals (base.ts must be loaded). */
export function baseInternals(): BaseInternals {
  if (!internals) throw new Error("Cannot reach the table layer: base.ts is not loaded");
  return internals;
}
