// Copyright 2026 the psbase authors. MIT license.
/**
 * The engines the cold and race benchmarks run (bench/cold.ts,
 * bench/race.ts), one {@linkcode Engine} each: how to create its 10K-record
 * table, copy and remove a working copy, read the table back for the anomaly
 * checks, and start its children. A new engine (another database, another
 * runtime) is one more object of this shape in a list the drivers take, and
 * one more {@linkcode PAIRS} entry to be compared with another: the drivers
 * do not know any engine by name. The PgBase engines ({@linkcode pgEngines})
 * need a PostgreSQL cluster (bench/_pg.ts), so bench/race.ts adds them once
 * it has started one; bench:cold does not run them.
 *
 * Every table is *aged* when created: after the 10K records, `aging` seed
 * jobs (by default {@linkcode AGING_JOBS}: find the counter by its `key`, add
 * 1) have run on it, so psbase's log holds as many commits as one 50-process
 * race leaves, and the benchmarks copy this same table before every child
 * (cold) or race: each run starts from a log of that size, neither empty nor
 * growing run by run.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { PsBase } from "../mod.ts";
import { PgBase } from "../pg.ts";
import {
  allValues,
  copyStore,
  psbaseCreate,
  type Rec,
  removeStore,
  ROWS,
  SCHEMA,
  SCHEMA_INDEXED,
  sqliteCreate,
  sqliteOpen,
  sqlRecord,
  type SqlRow,
} from "./_common.ts";
import { PG_TABLE, type PgCluster } from "./_pg.ts";
import type { Before, Table } from "./_race_check.ts";
import { COUNTER_ID, keyOf } from "./_race_job.ts";
import { type ChildCommand, denoScript, nodeChild } from "../tests/_harness/child.ts";
import { buildBundle } from "../scripts/build.ts";

/** Seed jobs run on every table after it is filled, by default (see the module doc). */
export const AGING_JOBS = 50;

/** The runtime an engine's children run in. */
export type Runtime = "deno" | "node";

/** One engine, as the benchmarks drive it. */
export interface Engine {
  /** Short name, for `--engines=` and the reports (`psbase`, `sqlite-idx`, ...). */
  id: string;
  /** Its name in the reports. */
  label: string;
  /** The runtime of its children. */
  runtime: Runtime;
  /** True when its table has an index on `key`. */
  indexed: boolean;
  /** False for the baseline, which has no table: its children load no engine. */
  store: boolean;
  /** Where its store named `name` lives in `dir` (a folder, a file, ...). */
  path(dir: string, name: string): string;
  /**
   * Creates the table at `path` and ages it by `aging` seed jobs (see the
   * module doc); returns the state to check a race against.
   */
  create(path: string, aging: number): Promise<Before>;
  /** A working copy of the table at `from` (flushed to disk), at `to`. */
  copy(from: string, to: string): Promise<void>;
  /** Removes a working copy. */
  remove(path: string): Promise<void>;
  /** Reads the whole table back, for the anomaly checks. */
  read(path: string): Promise<Table>;
  /** A race child: speaks the protocol of bench/_race_job.ts. */
  race: ChildCommand;
  /**
   * A cold child: runs the job up to `--stage=`, see bench/_cold_job.ts.
   * Absent for the engines bench:cold does not run (PgBase).
   */
  cold?: ChildCommand;
  /**
   * CPU (ms) the engine's server has used so far, for an engine whose work
   * is partly done by a server's processes, which the race's
   * `RUSAGE_CHILDREN` does not count (PgBase: PostgreSQL's). `settle`: the
   * `children` of the reading before the race, whose sessions should be gone
   * before the reading after it.
   */
  serverCpu?(settle?: number): Promise<{ ms: number; children: number }>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** What every table holds after `aging` jobs (each adds 1 to the counter). */
const aged = (aging: number): Before => ({ rows: ROWS, counterN: aging, counterVersion: aging });

// ---------------------------------------------------------------------------
// psbase and SQLite tables (shared by the Deno and the Node engines)

async function psbaseTable(path: string, indexed: boolean, aging: number): Promise<Before> {
  await psbaseCreate("ps", path, allValues(), indexed ? SCHEMA_INDEXED : SCHEMA);
  const db = await new PsBase(path).open();
  try {
    for (let k = 0; k < aging; k++) {
      await db.transaction(async (tx) => {
        const [c] = await tx.find({ key: keyOf(COUNTER_ID) });
        await tx.update(c, { n: (c.n as number) + 1 });
      });
    }
  } finally {
    await db.close();
  }
  return aged(aging);
}

async function psbaseRead(path: string): Promise<Table> {
  const db = await new PsBase(path).open();
  try {
    const records: Rec[] = [];
    for await (const r of db) records.push(r);
    return { records, count: await db.count() };
  } finally {
    await db.close();
  }
}

function sqliteTable(path: string, indexed: boolean, aging: number): Promise<Before> {
  const db = sqliteCreate(path, allValues());
  try {
    if (indexed) db.exec("CREATE INDEX t_key ON t (key)");
    const find = db.prepare("SELECT * FROM t WHERE key = ?");
    const update = db.prepare("UPDATE t SET n = n + 1, version = version + 1 WHERE id = ?");
    for (let k = 0; k < aging; k++) {
      db.exec("BEGIN IMMEDIATE");
      const [c] = find.all(keyOf(COUNTER_ID)) as SqlRow[];
      update.run(c.id as number);
      db.exec("COMMIT");
    }
  } finally {
    db.close();
  }
  return Promise.resolve(aged(aging));
}

function sqliteRead(path: string): Promise<Table> {
  const db = sqliteOpen(path);
  try {
    const records = (db.prepare("SELECT * FROM t ORDER BY id").all() as SqlRow[]).map(sqlRecord);
    const { c } = db.prepare("SELECT count(*) AS c FROM t").get() as { c: number };
    return Promise.resolve({ records, count: c });
  } finally {
    db.close();
  }
}

const files = {
  copy: (from: string, to: string) => copyStore(from, to, true),
  remove: removeStore,
};

const psbaseStore = (indexed: boolean) => ({
  indexed,
  store: true,
  path: (dir: string, name: string) => `${dir}/${name}`,
  create: (path: string, aging: number) => psbaseTable(path, indexed, aging),
  read: psbaseRead,
  ...files,
});

const sqliteStore = (indexed: boolean) => ({
  indexed,
  store: true,
  path: (dir: string, name: string) => `${dir}/${name}.db`,
  create: (path: string, aging: number) => sqliteTable(path, indexed, aging),
  read: sqliteRead,
  ...files,
});

const noStore = {
  indexed: false,
  store: false,
  path: () => "",
  create: (_path: string, aging: number) => Promise.resolve(aged(aging)),
  read: () => Promise.resolve({ records: [], count: 0 }),
  copy: () => Promise.resolve(),
  remove: () => Promise.resolve(),
};

// ---------------------------------------------------------------------------
// Deno

/** The Deno engines: the baseline first, then psbase and SQLite (`node:sqlite`), each with and without an index on `key`. */
export function denoEngines(): Engine[] {
  const deno = (race: string, cold: string) => ({
    runtime: "deno" as const,
    race: denoScript(here(race)),
    cold: denoScript(here(cold)),
  });
  const ps = deno("./_race_child_psbase.ts", "./_cold_child_psbase.ts");
  const sql = deno("./_race_child_sqlite.ts", "./_cold_child_sqlite.ts");
  return [
    {
      id: "none",
      label: "Deno, no engine",
      ...noStore,
      ...deno("./_race_child_none.ts", "./_cold_child_none.ts"),
    },
    { id: "psbase", label: "psbase", ...psbaseStore(false), ...ps },
    { id: "psbase-idx", label: "psbase, index on key", ...psbaseStore(true), ...ps },
    {
      id: "psbase-bundle",
      label: "psbase, bundled (deno task build)",
      ...psbaseStore(false),
      // Builds dist/deno first: the children import the bundle of this checkout.
      create: async (path: string, aging: number) => {
        await buildBundle(ROOT, `${ROOT}/dist/deno`);
        return await psbaseTable(path, false, aging);
      },
      ...deno("./_race_child_psbase_bundle.ts", "./_cold_child_psbase_bundle.ts"),
    },
    { id: "sqlite", label: "SQLite", ...sqliteStore(false), ...sql },
    { id: "sqlite-idx", label: "SQLite, index on key", ...sqliteStore(true), ...sql },
  ];
}

// ---------------------------------------------------------------------------
// PgBase

/** The (not yet opened) PgBase of table `t` in database `db` of the cluster. */
const pgBase = (cluster: PgCluster, db: string) => new PgBase(PG_TABLE, { url: cluster.urlOf(db) });

async function pgTable(
  cluster: PgCluster,
  db: string,
  indexed: boolean,
  aging: number,
): Promise<Before> {
  await cluster.create(db);
  const base = await pgBase(cluster, db).create(indexed ? SCHEMA_INDEXED : SCHEMA);
  try {
    await base.insertMany(allValues() as unknown as Array<{ [k: string]: unknown }>);
    // Statistics once, as a table in use has them (else autovacuum would take them at a time
    // of its own choosing, between races or in one); the races' few changes do not call for more.
    await cluster.runIn(db, `ANALYZE "${PG_TABLE}"`);
    for (let k = 0; k < aging; k++) {
      await base.transaction(async (tx) => {
        const [c] = await tx.find({ key: keyOf(COUNTER_ID) });
        await tx.update(c, { n: (c.n as number) + 1 });
      });
    }
  } finally {
    await base.close();
  }
  return aged(aging);
}

async function pgRead(cluster: PgCluster, db: string): Promise<Table> {
  const base = await pgBase(cluster, db).open();
  try {
    const records: Rec[] = [];
    for await (const r of base) records.push(r as Rec);
    return { records, count: await base.count() };
  } finally {
    await base.close();
  }
}

/**
 * The PgBase engines, on `cluster` (bench/_pg.ts): `PgBase` of this
 * checkout, without and with an index on `key`. Each store is a database of
 * the cluster (its `path` is the database's name) holding the table `t`; the
 * children connect to it through `DATABASE_URL` (the cluster's URL, which the
 * driver sets in its environment), the database named by `--base`.
 */
export function pgEngines(cluster: PgCluster): Engine[] {
  const store = (indexed: boolean) => ({
    runtime: "deno" as const,
    race: denoScript(here("./_race_child_pgbase.ts")),
    indexed,
    store: true,
    // A database name: lower case, no "-" (they would need quoting in every URL and statement).
    path: (_dir: string, name: string) => name.toLowerCase().replace(/[^a-z0-9_]/g, "_"),
    create: (db: string, aging: number) => pgTable(cluster, db, indexed, aging),
    copy: (from: string, to: string) => cluster.copy(from, to),
    remove: (db: string) => cluster.remove(db),
    read: (db: string) => pgRead(cluster, db),
    serverCpu: (settle?: number) => cluster.cpuMs(settle),
  });
  return [
    { id: "pgbase", label: "PgBase", ...store(false) },
    { id: "pgbase-idx", label: "PgBase, index on key", ...store(true) },
  ];
}

/** The ids of {@linkcode pgEngines}, known before a cluster is started. */
export const PG_ENGINE_IDS: readonly string[] = ["pgbase", "pgbase-idx"];

// ---------------------------------------------------------------------------
// Node

/**
 * The Node engines, run from `dir` (where bench/_node_install.ts installed
 * psbase and better-sqlite3 and copied bench/node/*.mjs): the baseline (bare
 * `node`) first, then psbase and better-sqlite3, each with and without an
 * index on `key`.
 */
export function nodeEngines(dir: string): Engine[] {
  const node = (name: string) => ({
    runtime: "node" as const,
    race: nodeChild(`${dir}/_race_${name}.mjs`, dir),
    cold: nodeChild(`${dir}/_cold_${name}.mjs`, dir),
  });
  return [
    { id: "node", label: "Node, no engine", ...noStore, ...node("none") },
    { id: "psbase-node", label: "psbase (Node)", ...psbaseStore(false), ...node("psbase") },
    {
      id: "psbase-node-idx",
      label: "psbase (Node), index on key",
      ...psbaseStore(true),
      ...node("psbase"),
    },
    { id: "bsqlite", label: "better-sqlite3", ...sqliteStore(false), ...node("bsqlite") },
    {
      id: "bsqlite-idx",
      label: "better-sqlite3, index on key",
      ...sqliteStore(true),
      ...node("bsqlite"),
    },
  ];
}

/** A ratio the reports give, `a` / `b`, and its target when an issue sets one. */
export interface Pair {
  a: string;
  b: string;
  /** `psbase / SQLite`. */
  label: string;
}

/**
 * The pairs compared in each runtime: psbase against SQLite, indexes on
 * neither side or both; in Deno, psbase bundled against SQLite, and PgBase
 * against SQLite and against psbase. (The targets of bench/race.ts name pairs by their place here: new
 * pairs go last.)
 */
export const PAIRS: { [r in Runtime]: Pair[] } = {
  deno: [
    { a: "psbase", b: "sqlite", label: "psbase / SQLite" },
    { a: "psbase-idx", b: "sqlite-idx", label: "psbase / SQLite, both indexed" },
    { a: "psbase-bundle", b: "sqlite", label: "psbase bundled / SQLite" },
    { a: "pgbase", b: "sqlite", label: "PgBase / SQLite" },
    { a: "pgbase", b: "psbase", label: "PgBase / psbase" },
    { a: "pgbase-idx", b: "sqlite-idx", label: "PgBase / SQLite, both indexed" },
    { a: "pgbase-idx", b: "psbase-idx", label: "PgBase / psbase, both indexed" },
  ],
  node: [
    { a: "psbase-node", b: "bsqlite", label: "psbase / better-sqlite3" },
    { a: "psbase-node-idx", b: "bsqlite-idx", label: "psbase / better-sqlite3, both indexed" },
  ],
};
