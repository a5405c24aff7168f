// Copyright 2026 the psbase authors. MIT license.
// A cold Node child on better-sqlite3 (the table is in WAL mode;
// synchronous = FULL, BEGIN IMMEDIATE): the twin of bench/_cold_child_sqlite.ts.

import Database from "better-sqlite3";
import { coldArgs, done, reaches } from "./_cold_job.mjs";

/** The job up to `stage` on the table at `base`; the id of the record found. */
function job(base, key, stage) {
  let id;
  const db = new Database(base, { timeout: 60_000 });
  try {
    db.pragma("synchronous = FULL");
    if (reaches(stage, "find")) {
      db.exec("BEGIN IMMEDIATE");
      try {
        // all(), not get(): every match, as psbase's find returns (get() stops at the first).
        const found = db.prepare("SELECT * FROM t WHERE key = ?").all(key);
        if (found.length !== 1) throw new Error(`${found.length} records with key ${key}`);
        // Decoded as psbase returns it.
        const r = { ...found[0], d: new Date(found[0].d), ok: found[0].ok !== 0 };
        id = r.id;
        if (reaches(stage, "job")) {
          const { changes } = db.prepare(
            "UPDATE t SET n = ?, version = version + 1 WHERE id = ? AND version = ?",
          ).run(r.n + 1, id, r.version);
          if (changes !== 1) throw new Error("the update changed nothing");
        }
        db.exec("COMMIT");
      } catch (e) {
        db.exec("ROLLBACK");
        throw e;
      }
    }
  } finally {
    db.close();
  }
  return id;
}

const a = coldArgs();
let id;
if (reaches(a.stage, "open")) id = job(a.base, a.key, a.stage);
if (reaches(a.stage, "again") && job(a.again, a.key, a.stage) !== id) {
  throw new Error("the job again found another record");
}
done(id);
