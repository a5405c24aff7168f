// Copyright 2026 the psbase authors. MIT license.
// Reading a 10K-record table, in one process: cold opens (a new object on the
// existing files, the query, close) and warm queries on an open table.
//
//   ./node_modules/.bin/deno bench --allow-all --unstable-kv bench/read_bench.ts
//
// In each group: SQLite (node:sqlite, the baseline), PsBase, Base (no lock)
// and Deno KV (which has no query: it lists every record and filters).

import type { DatabaseSync, StatementSync } from "./_sqlite.ts";
import type { Base, RecordOf } from "../mod.ts";
import {
  allValues,
  benchDir,
  GROUPS,
  kvCreate,
  kvKey,
  kvRecord,
  type KvValue,
  NAMES,
  psbase,
  psbaseCreate,
  type PsKind,
  randInt,
  rng,
  ROWS,
  sqliteCreate,
  sqliteOpen,
  sqlRecord,
  type SqlRow,
  values,
} from "./_common.ts";

const dir = await benchDir("read");
const PS = `${dir}/ps`;
const SQL = `${dir}/sqlite.db`;
const KV = `${dir}/kv.db`;
const rows = allValues();
await psbaseCreate("ps", PS, rows);
sqliteCreate(SQL, rows).close();
await kvCreate(KV, rows);

const random = rng(42);
const someId = () => randInt(random, 1, ROWS);
const someKey = () => values(randInt(random, 0, ROWS - 1)).key;
const RANGE = 100;
const someRange = (): [number, number] => {
  const lo = randInt(random, 0, ROWS - RANGE);
  return [lo, lo + RANGE - 1];
};

function expect(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${got} records, expected ${want}`);
}

async function kvScan(kv: Deno.Kv, keep: (v: KvValue) => boolean): Promise<RecordOf[]> {
  const out: RecordOf[] = [];
  for await (const e of kv.list<KvValue>({ prefix: ["t"] })) {
    if (keep(e.value)) out.push(kvRecord(e));
  }
  return out;
}

/** One group: SQLite (baseline), PsBase, Base, and Deno KV when `kv` is given. */
function group(
  name: string,
  sqlite: () => void,
  ps: (kind: PsKind) => Promise<void>,
  kv?: () => Promise<void>,
): void {
  Deno.bench({ name: NAMES.sqlite, group: name, baseline: true, fn: sqlite });
  // An async function: Deno.bench awaits only those (a plain function returning
  // a promise would be called again without waiting for it).
  Deno.bench({ name: NAMES.ps, group: name, fn: async () => await ps("ps") });
  Deno.bench({ name: NAMES.base, group: name, fn: async () => await ps("base") });
  if (kv) Deno.bench({ name: NAMES.kv, group: name, fn: kv });
}

// --- cold open, then one query, then close ---------------------------------
//
// Nothing else has the table open during these groups (the warm handles below
// are opened on first use, after them), as for a short-lived process alone.
// SQLite then also creates its -wal and -shm files at the open and checkpoints
// and removes them at the close; the "another connection open" groups show
// its cost when some other process keeps the table open.

function coldGetSql(): void {
  const db = sqliteOpen(SQL);
  const r = db.prepare("SELECT * FROM t WHERE id = ?").get(someId()) as SqlRow | undefined;
  expect(r ? [sqlRecord(r)].length : 0, 1, "get");
  db.close();
}
async function coldGetPs(kind: PsKind): Promise<void> {
  const db = await psbase(kind, PS).open();
  expect((await db.get(someId())) ? 1 : 0, 1, "get");
  await db.close();
}
async function coldGetKv(): Promise<void> {
  const kv = await Deno.openKv(KV);
  const e = await kv.get<KvValue>(kvKey(someId()));
  expect(e.value ? [kvRecord(e)].length : 0, 1, "get");
  kv.close();
}

function coldEqSql(): void {
  const db = sqliteOpen(SQL);
  const got = (db.prepare("SELECT * FROM t WHERE key = ?").all(someKey()) as SqlRow[])
    .map(sqlRecord);
  expect(got.length, 1, "select");
  db.close();
}
async function coldEqPs(kind: PsKind): Promise<void> {
  const db = await psbase(kind, PS).open();
  expect((await db.select({ key: someKey() })).length, 1, "select");
  await db.close();
}
async function coldEqKv(): Promise<void> {
  const kv = await Deno.openKv(KV);
  const key = someKey();
  expect((await kvScan(kv, (v) => v.key === key)).length, 1, "select");
  kv.close();
}

group(GROUPS.coldGet, coldGetSql, coldGetPs, coldGetKv);
group(GROUPS.coldEq, coldEqSql, coldEqPs, coldEqKv);
group(
  GROUPS.coldRange,
  () => {
    const db = sqliteOpen(SQL);
    const got = (db.prepare("SELECT * FROM t WHERE n BETWEEN ? AND ?").all(
      ...someRange(),
    ) as SqlRow[]).map(sqlRecord);
    expect(got.length, RANGE, "select range");
    db.close();
  },
  async (kind) => {
    const db = await psbase(kind, PS).open();
    expect((await db.select({ n: someRange() })).length, RANGE, "select range");
    await db.close();
  },
  async () => {
    const kv = await Deno.openKv(KV);
    const [lo, hi] = someRange();
    expect((await kvScan(kv, (v) => v.n >= lo && v.n <= hi)).length, RANGE, "select range");
    kv.close();
  },
);

// --- warm handles, each opened on first use -----------------------------------

let sqlHeld: { db: DatabaseSync; byKey: StatementSync; byId: StatementSync; all: StatementSync };
/** The open SQLite connection (and its statements), opened on the first call. */
function sql(): typeof sqlHeld {
  if (!sqlHeld) {
    const db = sqliteOpen(SQL);
    sqlHeld = {
      db,
      byKey: db.prepare("SELECT * FROM t WHERE key = ?"),
      byId: db.prepare("SELECT * FROM t WHERE id = ?"),
      all: db.prepare("SELECT * FROM t"),
    };
    sqlHeld.byId.get(1); // SQLite opens the WAL at the first read
  }
  return sqlHeld;
}
const psHeld: { [k in PsKind]?: Base } = {};
/** The open `PsBase` or `Base`, opened on the first call. */
async function ps(kind: PsKind): Promise<Base> {
  if (!psHeld[kind]) {
    psHeld[kind] = await psbase(kind, PS).open();
    await psHeld[kind].get(1);
  }
  return psHeld[kind];
}
let kvHeld: Deno.Kv | undefined;
/** The open Deno KV, opened on the first call. */
async function kv(): Promise<Deno.Kv> {
  if (!kvHeld) {
    kvHeld = await Deno.openKv(KV);
    await kvHeld.get(kvKey(1));
  }
  return kvHeld;
}

// --- cold open while another connection (of the same engine) is open --------

group(
  GROUPS.coldGetShared,
  () => {
    sql();
    coldGetSql();
  },
  async (kind) => {
    await ps(kind);
    await coldGetPs(kind);
  },
  async () => {
    await kv();
    await coldGetKv();
  },
);
group(
  GROUPS.coldEqShared,
  () => {
    sql();
    coldEqSql();
  },
  async (kind) => {
    await ps(kind);
    await coldEqPs(kind);
  },
  async () => {
    await kv();
    await coldEqKv();
  },
);

// --- warm: one open handle, many queries -------------------------------------

group(
  GROUPS.warmGet,
  () => {
    const r = sql().byId.get(someId()) as SqlRow | undefined;
    expect(r ? [sqlRecord(r)].length : 0, 1, "get");
  },
  async (kind) => {
    expect((await (await ps(kind)).get(someId())) ? 1 : 0, 1, "get");
  },
  async () => {
    const e = await (await kv()).get<KvValue>(kvKey(someId()));
    expect(e.value ? [kvRecord(e)].length : 0, 1, "get");
  },
);

group(
  GROUPS.warmEq,
  () => {
    expect((sql().byKey.all(someKey()) as SqlRow[]).map(sqlRecord).length, 1, "select");
  },
  async (kind) => {
    expect((await (await ps(kind)).select({ key: someKey() })).length, 1, "select");
  },
  async () => {
    const key = someKey();
    expect((await kvScan(await kv(), (v) => v.key === key)).length, 1, "select");
  },
);

group(
  GROUPS.iterate,
  () => {
    let n = 0;
    for (const r of sql().all.iterate() as Iterable<SqlRow>) if (sqlRecord(r)) n++;
    expect(n, ROWS, "iterate");
  },
  async (kind) => {
    let n = 0;
    for await (const r of (await ps(kind))) if (r) n++;
    expect(n, ROWS, "iterate");
  },
  async () => {
    expect((await kvScan(await kv(), () => true)).length, ROWS, "iterate");
  },
);
