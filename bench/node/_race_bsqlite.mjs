// Copyright 2026 the psbase authors. MIT license.
// A Node race child on better-sqlite3 (WAL, synchronous = FULL, BEGIN
// IMMEDIATE, a 60 s busy timeout): the twin of bench/_race_child_sqlite.ts.

import Database from "better-sqlite3";
import { COUNTER_ID, runChild } from "./_race_job.mjs";

const INSERT = "INSERT INTO t (key, n, x, d, ok) VALUES (?, ?, ?, ?, ?)";

await runChild((job, path) => {
  const db = new Database(path, { timeout: 60_000 });
  try {
    db.pragma("synchronous = FULL");
    db.exec("BEGIN IMMEDIATE");
    try {
      // all(), not get(): every match, as psbase's find returns (get() would stop at the first).
      const found = db.prepare("SELECT * FROM t WHERE key = ?").all(job.key);
      const c = db.prepare("SELECT * FROM t WHERE id = ?").get(COUNTER_ID);
      if (found.length !== 1 || !c) {
        throw new Error(`found ${found.length} records with key ${job.key}, counter ${!!c}`);
      }
      const r = { ...found[0], d: new Date(found[0].d), ok: found[0].ok !== 0 };
      const update = db.prepare(
        "UPDATE t SET n = ?, x = ?, version = version + 1 WHERE id = ? AND version = ?",
      );
      let id;
      let changes = 1;
      if (job.role === "update") {
        changes = update.run(job.value, job.value + 0.5, r.id, r.version).changes;
      } else if (job.role === "delete") {
        changes = db.prepare("DELETE FROM t WHERE id = ?").run(r.id).changes;
      } else {
        const v = job.insert;
        id = Number(
          db.prepare(INSERT).run(v.key, v.n, v.x, v.d.getTime(), v.ok ? 1 : 0)
            .lastInsertRowid,
        );
      }
      if (changes !== 1) throw new Error(`${job.role} changed ${changes} records`);
      if (update.run(c.n + 1, c.x, c.id, c.version).changes !== 1) {
        throw new Error("counter update changed nothing");
      }
      db.exec("COMMIT");
      return Promise.resolve({ id });
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  } finally {
    db.close();
  }
});
