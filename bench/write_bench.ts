// Copyright 2026 the psbase authors. MIT license.
// Writing to a 10K-record table, in one process, every commit durable (fsync):
// bulk insert of 10K in one commit (create included), update of one record,
// delete of one record, cleanup after 20% deletes.
//
//   ./node_modules/.bin/deno bench --allow-all --unstable-kv bench/write_bench.ts
//
// In each group: SQLite (node:sqlite, WAL, synchronous=FULL: the baseline),
// PsBase, Base (no lock) and Deno KV where the operation maps. Only the
// operation itself is timed (b.start / b.end); the setup of each iteration
// (removing the last copy, reading the record to update, inserting the record
// to delete, copying the table to clean up) is not.

import type { Base } from "../mod.ts";
import { DatabaseSync } from "./_sqlite.ts";
import {
  allValues,
  benchDir,
  copyStore,
  GROUPS,
  kvCreate,
  kvInsert,
  kvKey,
  type KvValue,
  NAMES,
  psbase,
  psbaseCreate,
  type PsKind,
  randInt,
  removeStore,
  removeStoreSync,
  rng,
  ROWS,
  SQL_INSERT,
  SQL_TABLE,
  sqliteCreate,
  sqliteInsert,
  sqliteOpen,
  values,
} from "./_common.ts";

const dir = await benchDir("write");
const rows = allValues();
const random = rng(7);
const someId = () => randInt(random, 1, ROWS);
let serial = 0;
const fresh = (name: string) => `${dir}/${name}-${++serial}`;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what} failed`);
}

// --- create + insert 10K in one commit ---------------------------------------

const INSERT = GROUPS.insert;
Deno.bench({
  name: NAMES.sqlite,
  group: INSERT,
  baseline: true,
  n: 40,
  fn(b) {
    const path = fresh("ins.db");
    b.start();
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    db.exec(SQL_TABLE);
    sqliteInsert(db, rows);
    db.close();
    b.end();
    removeStoreSync(path);
  },
});
for (const kind of ["ps", "base"] as const) {
  Deno.bench({
    name: NAMES[kind],
    group: INSERT,
    n: 40,
    async fn(b) {
      const path = fresh(`ins-${kind}`);
      b.start();
      await psbaseCreate(kind, path, rows);
      b.end();
      await removeStore(path);
    },
  });
}
Deno.bench({
  name: `${NAMES.kv} (10 commits: at most 1000 mutations each)`,
  group: INSERT,
  n: 20,
  async fn(b) {
    const path = fresh("ins-kv.db");
    b.start();
    await kvCreate(path, rows);
    b.end();
    await removeStore(path);
  },
});

// --- one open table per engine for update and delete ---------------------------

const sql: DatabaseSync = sqliteCreate(`${dir}/w.db`, rows);
sql.close();
const sqlDb = sqliteOpen(`${dir}/w.db`);
const open: { [k in PsKind]: Base } = { ps: undefined!, base: undefined! };
for (const kind of ["ps", "base"] as const) {
  await psbaseCreate(kind, `${dir}/w-${kind}`, rows);
  open[kind] = await psbase(kind, `${dir}/w-${kind}`).open();
}
await kvCreate(`${dir}/w-kv.db`, rows);
const kv = await Deno.openKv(`${dir}/w-kv.db`);

const UPDATE = GROUPS.update;
const selVersion = sqlDb.prepare("SELECT version FROM t WHERE id = ?");
const upd = sqlDb.prepare(
  "UPDATE t SET x = ?, version = version + 1 WHERE id = ? AND version = ?",
);
Deno.bench({
  name: NAMES.sqlite,
  group: UPDATE,
  n: 500,
  baseline: true,
  fn(b) {
    const id = someId();
    const { version } = selVersion.get(id) as { version: number };
    b.start();
    check(Number(upd.run(random(), id, version).changes) === 1, "update");
    b.end();
  },
});
for (const kind of ["ps", "base"] as const) {
  Deno.bench({
    name: NAMES[kind],
    group: UPDATE,
    n: 500,
    async fn(b) {
      const rec = (await open[kind].get(someId()))!;
      b.start();
      await open[kind].update(rec, { x: random() });
      b.end();
    },
  });
}
Deno.bench({
  name: NAMES.kv,
  group: UPDATE,
  n: 500,
  async fn(b) {
    const e = await kv.get<KvValue>(kvKey(someId()));
    b.start();
    const res = await kv.atomic().check(e).set(e.key, {
      ...e.value!,
      x: random(),
      version: e.value!.version + 1,
    }).commit();
    b.end();
    check(res.ok, "update");
  },
});

const DELETE = GROUPS.delete;
const ins = sqlDb.prepare(SQL_INSERT);
const del = sqlDb.prepare("DELETE FROM t WHERE id = ?");
const one = values(123);
Deno.bench({
  name: NAMES.sqlite,
  group: DELETE,
  n: 500,
  baseline: true,
  fn(b) {
    const id = ins.run(one.key, one.n, one.x, one.d.getTime(), one.ok ? 1 : 0).lastInsertRowid;
    b.start();
    check(Number(del.run(id).changes) === 1, "delete");
    b.end();
  },
});
for (const kind of ["ps", "base"] as const) {
  Deno.bench({
    name: NAMES[kind],
    group: DELETE,
    n: 500,
    async fn(b) {
      const id = await open[kind].insert({ ...one });
      b.start();
      check((await open[kind].delete(id)) === 1, "delete");
      b.end();
    },
  });
}
let kvNext = ROWS + 1;
Deno.bench({
  name: NAMES.kv,
  group: DELETE,
  n: 500,
  async fn(b) {
    const id = kvNext++;
    await kvInsert(kv, [one], id);
    b.start();
    await kv.delete(kvKey(id));
    b.end();
  },
});

// --- cleanup after 20% deletes -------------------------------------------------

// Templates: 10K records, then every 5th deleted, 100 per commit (so psbase's
// deletes sit in its log, as they would after ordinary use).
const doomed = Array.from({ length: ROWS / 5 }, (_, j) => 5 * j + 5);
const SQL_TEMPLATE = `${dir}/c.db`;
{
  const db = sqliteCreate(SQL_TEMPLATE, rows);
  const d = db.prepare("DELETE FROM t WHERE id = ?");
  for (let at = 0; at < doomed.length; at += 100) {
    db.exec("BEGIN");
    for (const id of doomed.slice(at, at + 100)) d.run(id);
    db.exec("COMMIT");
  }
  db.close();
}
const PS_TEMPLATE = `${dir}/c-ps`;
{
  await psbaseCreate("base", PS_TEMPLATE, rows);
  const db = await psbase("base", PS_TEMPLATE).open();
  for (let at = 0; at < doomed.length; at += 100) await db.delete(doomed.slice(at, at + 100));
  check((await db.count()) === ROWS - doomed.length, "template");
  await db.close();
}

const CLEANUP = GROUPS.cleanup;
Deno.bench({
  name: NAMES.sqlite,
  group: CLEANUP,
  n: 40,
  baseline: true,
  async fn(b) {
    const path = fresh("c.db");
    await copyStore(SQL_TEMPLATE, path);
    const db = sqliteOpen(path);
    b.start();
    db.exec("VACUUM");
    b.end();
    db.close();
    await removeStore(path);
  },
});
for (const kind of ["ps", "base"] as const) {
  Deno.bench({
    name: NAMES[kind],
    group: CLEANUP,
    n: 40,
    async fn(b) {
      const path = fresh(`c-${kind}`);
      await copyStore(PS_TEMPLATE, path);
      const db = await psbase(kind, path).open();
      b.start();
      await db.cleanup();
      b.end();
      await db.close();
      await removeStore(path);
    },
  });
}
