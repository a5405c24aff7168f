// Copyright 2026 the psbase authors. MIT license.
// A race child on PgBase (PostgreSQL at DATABASE_URL, over loopback): the
// seed's job, see _race_job.ts. The same calls as _race_child_psbase.ts.
//   deno run --allow-all bench/_race_child_pgbase.ts --base=<table> --index=<i>

import { PgBase } from "../pg.ts";
import { COUNTER_ID, runChild } from "./_race_job.ts";
// PgBase loads its client (the `postgres` package) on first open; load it before the start
// barrier, as every other engine's modules are, so that the timed job is the same job.
import "../_pg/_driver.ts";

await runChild(async (job, table) => {
  const db = await new PgBase(table).open();
  try {
    const id = await db.transaction(async (tx) => {
      const r = await tx.get(job.target);
      const c = await tx.get(COUNTER_ID);
      if (!r || !c) throw new Error(`record ${r ? COUNTER_ID : job.target} is missing`);
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
