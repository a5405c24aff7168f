// Copyright 2026 the psbase authors. MIT license.
// A cold Node child on psbase as installed from the packed tarball: the twin
// of bench/_cold_child_psbase.ts.

import { PsBase } from "psbase";
import { coldArgs, done, reaches } from "./_cold_job.mjs";

/** The job up to `stage` on the table at `base`; the id of the record found. */
async function job(base, key, stage) {
  let id;
  const db = await new PsBase(base).open();
  try {
    if (reaches(stage, "find")) {
      id = await db.transaction(async (tx) => {
        const found = await tx.find({ key });
        if (found.length !== 1) throw new Error(`${found.length} records with key ${key}`);
        const r = found[0];
        if (reaches(stage, "job")) await tx.update(r, { n: r.n + 1 });
        return r.__id__;
      });
    }
  } finally {
    await db.close();
  }
  return id;
}

const a = coldArgs();
let id;
if (reaches(a.stage, "open")) id = await job(a.base, a.key, a.stage);
if (reaches(a.stage, "again") && await job(a.again, a.key, a.stage) !== id) {
  throw new Error("the job again found another record");
}
done(id);
