// Copyright 2026 the psbase authors. MIT license.
// The cold job on psbase, for the children that load it from the sources
// (_cold_child_psbase.ts) and from the bundle (_cold_child_psbase_bundle.ts):
// the seed's job up to `--stage`, see _cold_job.ts.

import type { PsBase } from "../mod.ts";
import { coldArgs, done, reaches, type Stage } from "./_cold_job.ts";

/** The job up to `stage` on the table at `base`; the id of the record found. */
async function job(Kind: typeof PsBase, base: string, key: string, stage: Stage) {
  let id: number | undefined;
  const db = await new Kind(base).open();
  try {
    if (reaches(stage, "find")) {
      id = await db.transaction(async (tx) => {
        const found = await tx.find({ key });
        if (found.length !== 1) throw new Error(`${found.length} records with key ${key}`);
        const r = found[0];
        if (reaches(stage, "job")) await tx.update(r, { n: (r.n as number) + 1 });
        return r.__id__;
      });
    }
  } finally {
    await db.close();
  }
  return id;
}

/** Runs the cold job with `Kind` (psbase's `PsBase`, however it was loaded). */
export async function coldPsbase(Kind: typeof PsBase): Promise<void> {
  const a = coldArgs();
  let id: number | undefined;
  if (reaches(a.stage, "open")) id = await job(Kind, a.base, a.key, a.stage);
  if (reaches(a.stage, "again") && await job(Kind, a.again!, a.key, a.stage) !== id) {
    throw new Error("the job again found another record");
  }
  done(id);
}
