// Copyright 2026 the psbase authors. MIT license.
// A race child on PgBase (PostgreSQL over loopback): the seed's job, see
// _race_job.ts, with the same calls as _race_child_psbase.ts. The cluster is
// DATABASE_URL (set by bench/race.ts); `--base` names the database of the
// cluster that holds the race's table `t` (bench/_pg.ts). The same script
// races the table with and without an index on `key`.
//   DATABASE_URL=postgres://... deno run --allow-all bench/_race_child_pgbase.ts \
//     --base=<database> --job=<json>

import { PgBase } from "../pg.ts";
import { COUNTER_ID, runChild } from "./_race_job.ts";
// PgBase loads its client (the `postgres` package) on first open; load it before the start
// barrier, as every other engine's modules are, so that the timed job is the same job.
import "../_pg/_driver.ts";

const cluster = Deno.env.get("DATABASE_URL");
if (!cluster) throw new Error("bench/_race_child_pgbase.ts: DATABASE_URL is not set");

await runChild(async (job, database) => {
  const url = new URL(cluster);
  url.pathname = `/${database}`;
  const db = await new PgBase("t", { url: url.href }).open(); // bench/_pg.ts PG_TABLE
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
