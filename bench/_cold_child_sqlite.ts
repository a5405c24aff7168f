// Copyright 2026 the psbase authors. MIT license.
// A cold child on SQLite (node:sqlite; the table is in WAL mode;
// synchronous=FULL, BEGIN IMMEDIATE): the seed's job up to `--stage`, see
// _cold_job.ts. The same script runs on the table with and without an index.
//   deno run --allow-all bench/_cold_child_sqlite.ts --base=<file> --key=<k> --stage=job

import { DatabaseSync } from "./_sqlite.ts";
import { coldArgs, done, reaches, type Stage } from "./_cold_job.ts";

/** A row of the table, as `node:sqlite` returns it. */
type Row = {
  id: number;
  version: number;
  key: string;
  n: number;
  x: number;
  d: number;
  ok: number;
};

/** The job up to `stage` on the table at `base`; the id of the record found. */
function job(base: string, key: string, stage: Stage): number | undefined {
  let id: number | undefined;
  const db = new DatabaseSync(base);
  try {
    // The busy timeout first: `PRAGMA synchronous` reads the schema, which can meet a lock while
    // another process recovers the WAL, and without a timeout that fails at once.
    db.exec("PRAGMA busy_timeout=60000; PRAGMA synchronous=FULL;");
    if (reaches(stage, "find")) {
      db.exec("BEGIN IMMEDIATE");
      try {
        // all(), not get(): every match, as psbase's find returns (get() stops at the first).
        const found = db.prepare("SELECT * FROM t WHERE key = ?").all(key) as Row[];
        if (found.length !== 1) throw new Error(`${found.length} records with key ${key}`);
        // Decoded as psbase returns it.
        const r = { ...found[0], d: new Date(found[0].d), ok: found[0].ok !== 0 };
        id = r.id;
        if (reaches(stage, "job")) {
          const changed = db.prepare(
            "UPDATE t SET n = ?, version = version + 1 WHERE id = ? AND version = ?",
          ).run(r.n + 1, id, r.version).changes;
          if (Number(changed) !== 1) throw new Error("the update changed nothing");
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
let id: number | undefined;
if (reaches(a.stage, "open")) id = job(a.base, a.key, a.stage);
if (reaches(a.stage, "again") && job(a.again!, a.key, a.stage) !== id) {
  throw new Error("the job again found another record");
}
done(id);
