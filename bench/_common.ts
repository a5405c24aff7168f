// Copyright 2026 the psbase authors. MIT license.
/**
 * What every benchmark shares: the 10K-record table (a string key, an int, a
 * float, a date, a bool), and how each engine creates, opens and reads it:
 * psbase (`PsBase`, and `Base` without the lock), SQLite through
 * `node:sqlite` (WAL, `synchronous=FULL`) and Deno KV on a file.
 *
 * Every engine returns the same records, `{ __id__, __version__, key, n, x,
 * d: Date, ok: boolean }`, so each does the same work for its caller.
 *
 * @module
 */

import { DatabaseSync } from "./_sqlite.ts";
import { Base, PsBase, type Schema } from "../mod.ts";
import {
  KV_MAX_MUTATIONS,
  KV_NEXT_ID,
  kvKey,
  SQL_INSERT,
  SQL_TABLE,
  type Values,
} from "./_shapes.ts";

export * from "./_shapes.ts";

/** The psbase schema. SQLite and KV store the same fields. */
export const SCHEMA: Schema = {
  key: "string",
  n: "int",
  x: "float",
  d: "date",
  ok: "bool",
};

// ---------------------------------------------------------------------------
// psbase

/** Which psbase class: `PsBase` (cross-process lock) or `Base` (none). */
export type PsKind = "ps" | "base";

/** A (not yet opened) `PsBase` or `Base` at `path`. */
export function psbase(kind: PsKind, path: string): Base {
  return kind === "ps" ? new PsBase(path) : new Base(path);
}

/** {@linkcode SCHEMA} with an index on `key` (a hash index: equality and "in" lookups). */
export const SCHEMA_INDEXED: Schema = { ...SCHEMA, key: { type: "string", index: true } };

/** Creates a psbase at `path` holding `rows`, in one commit, and closes it. */
export async function psbaseCreate(
  kind: PsKind,
  path: string,
  rows: Values[],
  schema: Schema = SCHEMA,
): Promise<void> {
  const db = await psbase(kind, path).create(schema);
  try {
    await db.insertMany(rows as unknown as Array<{ [k: string]: unknown }>);
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------
// SQLite

/** Opens a SQLite file with the durability psbase has: WAL (persistent), `synchronous=FULL`. */
export function sqliteOpen(path: string, busyTimeoutMs = 60_000): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout=${busyTimeoutMs}; PRAGMA synchronous=FULL;`);
  return db;
}

/** Creates the SQLite table at `path` (WAL) and inserts `rows` in one transaction. */
export function sqliteCreate(path: string, rows: Values[]): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  db.exec(SQL_TABLE);
  sqliteInsert(db, rows);
  return db;
}

/** Inserts `rows` in one transaction. */
export function sqliteInsert(db: DatabaseSync, rows: Values[]): void {
  const ins = db.prepare(SQL_INSERT);
  db.exec("BEGIN");
  try {
    for (const r of rows) ins.run(r.key, r.n, r.x, r.d.getTime(), r.ok ? 1 : 0);
    db.exec("COMMIT");
  } catch (e) {
    db.exec("ROLLBACK");
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Deno KV

/** Writes `rows` (ids from `firstId`) in atomic commits of at most 1000 mutations (KV's limit). */
export async function kvInsert(kv: Deno.Kv, rows: Values[], firstId = 1): Promise<void> {
  for (let at = 0; at < rows.length; at += KV_MAX_MUTATIONS - 1) {
    const chunk = rows.slice(at, at + KV_MAX_MUTATIONS - 1);
    const op = kv.atomic();
    chunk.forEach((r, j) => op.set(kvKey(firstId + at + j), { ...r, version: 0 }));
    op.set(KV_NEXT_ID, firstId + at + chunk.length);
    const res = await op.commit();
    if (!res.ok) throw new Error("kvInsert: commit failed");
  }
}

/** Creates the KV store at `path` holding `rows`. */
export async function kvCreate(path: string, rows: Values[]): Promise<void> {
  const kv = await Deno.openKv(path);
  try {
    await kvInsert(kv, rows);
  } finally {
    kv.close();
  }
}

// ---------------------------------------------------------------------------
// Files

/**
 * Copies the files of one store (a psbase folder, or a SQLite/KV file and its
 * -wal/-shm). With `sync`, each copy is flushed to disk (`fdatasync`) before
 * it returns, so whoever opens it next does not pay for writing the copy back
 * when it syncs its own commit.
 */
export async function copyStore(from: string, to: string, sync = false): Promise<void> {
  const copy = async (a: string, b: string) => {
    await Deno.copyFile(a, b);
    if (!sync) return;
    using f = await Deno.open(b, { read: true, write: true });
    await f.syncData();
  };
  const info = await Deno.stat(from);
  if (info.isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) {
      if (e.isFile) await copy(`${from}/${e.name}`, `${to}/${e.name}`);
    }
    return;
  }
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      await copy(from + suffix, to + suffix);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}

/** Removes a store made by `copyStore` or created in place (and a psbase lock file beside it). */
export async function removeStore(path: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm", "-journal", ".lock"]) {
    await Deno.remove(path + suffix, { recursive: true }).catch(() => {});
  }
}

/** `removeStore`, synchronously. */
export function removeStoreSync(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal", ".lock"]) {
    try {
      Deno.removeSync(path + suffix, { recursive: true });
    } catch {
      // Not there.
    }
  }
}

/** A fresh temporary folder for one benchmark file's stores, removed when the process ends. */
export async function benchDir(name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `psbase-bench-${name}-` });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Already gone.
    }
  });
  return dir;
}

/** Benchmark names, the same in every group. */
export const NAMES = {
  sqlite: "SQLite",
  ps: "PsBase",
  base: "Base (no lock)",
  kv: "Deno KV",
} as const;

/** The benchmark groups (one operation each), shared by the bench files and bench/run.ts. */
export const GROUPS = {
  insert: "insert 10K records in one commit (create + insert + close)",
  coldGet: "cold open + get by id",
  coldEq: "cold open + select by equality (unindexed string)",
  coldRange: "cold open + select by int range (100 of 10K)",
  coldGetShared: "cold open + get by id, another connection open",
  coldEqShared: "cold open + select by equality, another connection open",
  warmGet: "warm get by id",
  warmEq: "warm select by equality (unindexed string)",
  iterate: "full iteration (10K records, warm)",
  update: "update one record (version-checked, fsync)",
  delete: "delete one record (fsync)",
  cleanup: "cleanup after 20% deletes (SQLite: VACUUM)",
} as const;

/** The targets of issue 5: the highest acceptable ratio PsBase / SQLite. */
export const TARGETS: { [group: string]: number } = {
  [GROUPS.insert]: 1.0,
  [GROUPS.coldGet]: 1.0,
  [GROUPS.coldEq]: 1.0,
  [GROUPS.coldGetShared]: 1.0,
  [GROUPS.coldEqShared]: 1.0,
  [GROUPS.update]: 1.2,
  [GROUPS.warmEq]: 0.5,
};
