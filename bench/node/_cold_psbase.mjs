// Copyright 2026 the psbase authors. MIT license.
// A cold Node child on psbase as installed from the packed tarball: the twin
// of bench/_cold_child_psbase.ts.

import { PsBase } from "psbase";
import { coldArgs, done, reaches } from "./_cold_job.mjs";

const a = coldArgs();
let id;
if (reaches(a.stage, "open")) {
  const db = await new PsBase(a.base).open();
  try {
    if (reaches(a.stage, "find")) {
      id = await db.transaction(async (tx) => {
        const found = await tx.find({ key: a.key });
        if (found.length !== 1) throw new Error(`${found.length} records with key ${a.key}`);
        const r = found[0];
        if (reaches(a.stage, "job")) await tx.update(r, { n: r.n + 1 });
        return r.__id__;
      });
    }
  } finally {
    await db.close();
  }
}
done(id);
