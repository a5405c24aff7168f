// Copyright 2026 the psbase authors. MIT license.
// The race job on psbase's API, for the children that load psbase from the
// sources (_race_child_psbase.ts) and from the bundle
// (_race_child_psbase_bundle.ts), and for PgBase's (_race_child_pgbase.ts),
// which makes the same calls: the seed's job, see _race_job.ts.

import type { Base, PsBase } from "../mod.ts";
import { COUNTER_ID, runChild } from "./_race_job.ts";

/**
 * Runs the race job on the base `open` opens for the job's `--base` (a
 * folder for psbase, a database for PgBase).
 */
export async function raceBase(open: (base: string) => Promise<Base>): Promise<void> {
  await runChild(async (job, base) => {
    const db = await open(base);
    try {
      const id = await db.transaction(async (tx) => {
        const found = await tx.find({ key: job.key });
        const c = await tx.get(COUNTER_ID);
        if (found.length !== 1 || !c) {
          throw new Error(`found ${found.length} records with key ${job.key}, counter ${!!c}`);
        }
        const r = found[0];
        let id: number | undefined;
        if (job.role === "update") await tx.update(r, { n: job.value, x: job.value + 0.5 });
        else if (job.role === "delete") await tx.delete(r);
        else id = await tx.insert(job.insert);
        await tx.update(c, { n: (c.n as number) + 1 });
        return id;
      });
      return { id };
    } finally {
      await db.close();
    }
  });
}

/** Runs the race job with `Kind` (psbase's `PsBase`, however it was loaded). */
export function racePsbase(Kind: typeof PsBase): Promise<void> {
  return raceBase((path) => new Kind(path).open());
}
