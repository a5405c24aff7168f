// Copyright 2026 the psbase authors. MIT license.
// PgBase raced by real processes: the race contract of tests/_race_suite.ts
// (the cases PsBase passes in tests/race_test.ts), 50 `deno run` children on
// one table of a PostgreSQL cluster of the test's own, the database at
// DATABASE_URL. The same harness with the advisory lock turned off
// (`--engine=pg-nolock`) must report lost updates: the negative controls show
// that each race can fail. (Deno and Node processes mixed on one PgBase:
// tests/npm_test.ts, which installs the npm package.)

import assert from "node:assert/strict";
import { runScenario } from "./_harness/mod.ts";
import { counterScenario } from "./_harness/scenarios/counter.ts";
import { insertScenario } from "./_harness/scenarios/insert.ts";
import { seedScenario } from "./_harness/scenarios/seed.ts";
import { pgMissing, withPg } from "./_pg_server.ts";
import { logRun, PROCESSES, RACE_CASES } from "./_race_suite.ts";

const missing = await pgMissing();
if (missing) console.log(`PgBase race tests skipped: ${missing}`);

Deno.test({
  name: "PgBase under real racing processes (a PostgreSQL 15 cluster of the test's own)",
  ignore: missing !== undefined,
  async fn(t) {
    await withPg(async ({ url }) => {
      const before = Deno.env.get("DATABASE_URL");
      Deno.env.set("DATABASE_URL", url); // this process's bases and every child's
      const dir = await Deno.makeTempDir({ prefix: "psbase_pgrace_" });
      try {
        await steps(t, dir);
      } finally {
        if (before === undefined) Deno.env.delete("DATABASE_URL");
        else Deno.env.set("DATABASE_URL", before);
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});

async function steps(t: Deno.TestContext, dir: string): Promise<void> {
  for (const [name, fn] of RACE_CASES) await t.step(name, () => fn({ engine: "pg", dir }));

  // ---- negative controls: the same races with the advisory lock off must fail ----

  await t.step(
    "negative control: the counter race on PgBase without its advisory lock loses updates",
    async () => {
      const run = await runScenario(counterScenario(20), {
        engine: "pg-nolock",
        processes: PROCESSES,
        dir,
      });
      logRun("counter, PgBase without lock", run);
      const counter = run.inspection.records[0]?.n ?? "unreadable";
      console.log(`  [counter, PgBase without lock] counter reads ${counter} of 1000`);
      assert.ok(run.anomalies.counts.lostUpdates > 0, run.anomalies.report());
      assert.notEqual(counter, 1000);
    },
  );

  await t.step(
    "negative control: the seed scenario on PgBase without its advisory lock loses updates",
    async () => {
      const run = await runScenario(seedScenario(5000), {
        engine: "pg-nolock",
        processes: PROCESSES,
        dir,
      });
      logRun("seed, PgBase without lock", run);
      for (const d of run.anomalies.details.slice(0, 3)) console.log(`    ${d.slice(0, 200)}`);
      assert.ok(run.anomalies.total > 0, run.anomalies.report());
    },
  );

  await t.step(
    "negative control: the insert race on PgBase without its advisory lock fails to give 5000 distinct ids",
    async () => {
      const run = await runScenario(insertScenario(100), {
        engine: "pg-nolock",
        processes: PROCESSES,
        dir,
      });
      logRun("insert, PgBase without lock", run);
      const reported = run.outputs.flatMap((o) => (o.data.ids as number[] | undefined) ?? []);
      console.log(
        `  [insert, PgBase without lock] ${reported.length} inserts acknowledged, ${run.inspection.byId.size} records, of 5000`,
      );
      for (const d of run.anomalies.details.slice(0, 3)) console.log(`    ${d.slice(0, 200)}`);
      assert.ok(run.anomalies.total > 0, run.anomalies.report());
      assert.ok(run.inspection.byId.size < 5000);
    },
  );
}
