// Copyright 2026 the psbase authors. MIT license.
// A Node race child on psbase as installed from the packed tarball: the twin
// of bench/_race_child_psbase.ts.

import { PsBase } from "psbase";
import { COUNTER_ID, runChild } from "./_race_job.mjs";

await runChild(async (job, path) => {
  const db = await new PsBase(path).open();
  try {
    const id = await db.transaction(async (tx) => {
      const found = await tx.find({ key: job.key });
      const c = await tx.get(COUNTER_ID);
      if (found.length !== 1 || !c) {
        throw new Error(`found ${found.length} records with key ${job.key}, counter ${!!c}`);
      }
      const r = found[0];
      let id;
      if (job.role === "update") await tx.update(r, { n: job.value, x: job.value + 0.5 });
      else if (job.role === "delete") await tx.delete(r);
      else id = await tx.insert(job.insert);
      await tx.update(c, { n: c.n + 1 });
      return id;
    });
    return { id };
  } finally {
    await db.close();
  }
});
