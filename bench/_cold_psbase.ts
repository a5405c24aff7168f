// Copyright 2026 the psbase authors. MIT license.
// The cold job on psbase, for the children that load it from the sources
// (_cold_child_psbase.ts) and from the bundle (_cold_child_psbase_bundle.ts):
// the seed's job up to `--stage`, see _cold_job.ts.

import type { PsBase } from "../mod.ts";
import { coldArgs, done, reaches } from "./_cold_job.ts";

/** Runs the cold job with `Kind` (psbase's `PsBase`, however it was loaded). */
export async function coldPsbase(Kind: typeof PsBase): Promise<void> {
  const a = coldArgs();
  let id: number | undefined;
  if (reaches(a.stage, "open")) {
    const db = await new Kind(a.base).open();
    try {
      if (reaches(a.stage, "find")) {
        id = await db.transaction(async (tx) => {
          const found = await tx.find({ key: a.key });
          if (found.length !== 1) throw new Error(`${found.length} records with key ${a.key}`);
          const r = found[0];
          if (reaches(a.stage, "job")) await tx.update(r, { n: (r.n as number) + 1 });
          return r.__id__;
        });
      }
    } finally {
      await db.close();
    }
  }
  done(id);
}
