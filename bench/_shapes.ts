// Copyright 2026 the psbase authors. MIT license.
/**
 * The 10K-record table every benchmark uses (a string key, an int, a float, a
 * date, a bool) and how SQLite and Deno KV hold it. Imports nothing of psbase:
 * the race children of other engines load this without loading psbase.
 *
 * Every engine returns the same records, `{ __id__, __version__, key, n, x,
 * d: Date, ok: boolean }`, so each does the same work for its caller.
 *
 * @module
 */

/** A record as every engine returns it (psbase's `Record`). */
export type Rec = { __id__: number; __version__: number; [field: string]: unknown };

/** Records in the table. */
export const ROWS = 10_000;

/** The field values of a record. */
export interface Values {
  key: string;
  n: number;
  x: number;
  d: Date;
  ok: boolean;
}

const DAY = 86_400_000;
const EPOCH = Date.UTC(2020, 0, 1);

/**
 * Record `i` (0-based; its `__id__` is `i + 1` in every engine). `key` is
 * unique; `n` is a permutation of `0 .. ROWS-1`, so an `n` range of width w
 * matches exactly w records.
 */
export function values(i: number): Values {
  return {
    key: `user-${String(i).padStart(5, "0")}`,
    n: (i * 7919) % ROWS,
    x: i * 1.5 + 0.25,
    d: new Date(EPOCH + (i % 2000) * DAY),
    ok: i % 3 === 0,
  };
}

/** All `ROWS` records' values. */
export function allValues(count = ROWS): Values[] {
  return Array.from({ length: count }, (_, i) => values(i));
}

export { rng } from "../scripts/_rng.ts";

/** A random integer in `[lo, hi]`. */
export function randInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

// ---------------------------------------------------------------------------
// SQLite

/** The table, mirroring psbase: ids never reused (AUTOINCREMENT), a version per record. */
export const SQL_TABLE = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, " +
  "version INTEGER NOT NULL DEFAULT 0, key TEXT, n INTEGER, x REAL, d INTEGER, ok INTEGER)";
/** Inserting one record. */
export const SQL_INSERT = "INSERT INTO t (key, n, x, d, ok) VALUES (?, ?, ?, ?, ?)";

/** A SQLite row as `node:sqlite` returns it. */
export type SqlRow = { [column: string]: unknown };

/** A SQLite row as a psbase-shaped record. */
export function sqlRecord(r: SqlRow): Rec {
  return {
    __id__: r.id as number,
    __version__: r.version as number,
    key: r.key,
    n: r.n,
    x: r.x,
    d: r.d === null ? null : new Date(r.d as number),
    ok: r.ok === null ? null : r.ok !== 0,
  };
}

// ---------------------------------------------------------------------------
// Deno KV

/** A KV value: the fields and a version (KV's versionstamp is the real guard). */
export interface KvValue extends Values {
  version: number;
}

/** The key of record `id`. */
export const kvKey = (id: number): Deno.KvKey => ["t", id];
/** The key holding the next id to give. */
export const KV_NEXT_ID: Deno.KvKey = ["meta", "nextId"];
/** KV's limit of mutations in one atomic commit. */
export const KV_MAX_MUTATIONS = 1000;

/** A KV entry as a psbase-shaped record. */
export function kvRecord(e: Deno.KvEntry<KvValue>): Rec {
  const { version, ...fields } = e.value;
  return { __id__: e.key[1] as number, __version__: version, ...fields };
}
