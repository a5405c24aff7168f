// Copyright 2026 the psbase authors. MIT license.
// A race child on PgBase (PostgreSQL over loopback): the seed's job, see
// _race_job.ts, with the same calls as psbase's (_race_psbase.ts). The cluster is
// DATABASE_URL (set by bench/race.ts); `--base` names the database of the
// cluster that holds the race's table `t` (bench/_pg.ts). The same script
// races the table with and without an index on `key`.
//   DATABASE_URL=postgres://... deno run --allow-all bench/_race_child_pgbase.ts \
//     --base=<database> --job=<json>

import { PgBase } from "../pg.ts";
import { raceBase } from "./_race_psbase.ts";
// PgBase loads its client (the `postgres` package) on first open; load it before the start
// barrier, as every other engine's modules are, so that the timed job is the same job.
import "../_pg/_driver.ts";

const cluster = Deno.env.get("DATABASE_URL");
if (!cluster) throw new Error("bench/_race_child_pgbase.ts: DATABASE_URL is not set");

await raceBase((database) => {
  const url = new URL(cluster);
  url.pathname = `/${database}`;
  return new PgBase("t", { url: url.href }).open(); // bench/_pg.ts PG_TABLE
});
