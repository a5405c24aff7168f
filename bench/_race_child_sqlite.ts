// Copyright 2026 the psbase authors. MIT license.
// A race child on SQLite (node:sqlite, WAL, synchronous=FULL, BEGIN IMMEDIATE,
// busy_timeout): the seed's job, see _race_job.ts. The same script races the
// table with and without an index on `key`.
//   deno run --allow-all bench/_race_child_sqlite.ts --base=<file> --job=<json>

import { DatabaseSync } from "./_sqlite.ts";
import { COUNTER_ID, runChild } from "./_race_job.ts";
import { SQL_INSERT, sqlRecord, type SqlRow } from "./_shapes.ts";

await runChild((job, path) => {
  const db = new DatabaseSync(path);
  try {
    // The busy timeout first: `PRAGMA synchronous` reads the schema, which can meet a lock while
    // another process recovers the WAL, and without a timeout that fails at once.
    db.exec("PRAGMA busy_timeout=60000; PRAGMA synchronous=FULL;");
    db.exec("BEGIN IMMEDIATE");
    try {
      // all(), not get(): every match, as psbase's find returns (get() would stop at the first).
      const found = db.prepare("SELECT * FROM t WHERE key = ?").all(job.key) as SqlRow[];
      const cRow = db.prepare("SELECT * FROM t WHERE id = ?").get(COUNTER_ID) as
        | SqlRow
        | undefined;
      if (found.length !== 1 || !cRow) {
        throw new Error(`found ${found.length} records with key ${job.key}, counter ${!!cRow}`);
      }
      const [r, c] = [sqlRecord(found[0]), sqlRecord(cRow)];
      const update = db.prepare(
        "UPDATE t SET n = ?, x = ?, version = version + 1 WHERE id = ? AND version = ?",
      );
      let id: number | undefined;
      let changes = 1;
      if (job.role === "update") {
        changes = Number(update.run(job.value, job.value + 0.5, r.__id__, r.__version__).changes);
      } else if (job.role === "delete") {
        changes = Number(db.prepare("DELETE FROM t WHERE id = ?").run(r.__id__).changes);
      } else {
        const v = job.insert;
        id = Number(
          db.prepare(SQL_INSERT).run(v.key, v.n, v.x, v.d.getTime(), v.ok ? 1 : 0)
            .lastInsertRowid,
        );
      }
      if (changes !== 1) throw new Error(`${job.role} changed ${changes} records`);
      if (
        Number(update.run((c.n as number) + 1, c.x as number, c.__id__, c.__version__).changes) !==
          1
      ) {
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
