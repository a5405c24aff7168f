// Copyright 2026 the psbase authors. MIT license.
// PgBase raced by real processes, through the race harness of
// tests/race_test.ts (scripts/_race.ts, `--engine=pg`): 50 `deno run`
// children on one table of a PostgreSQL cluster of the test's own, the
// database at DATABASE_URL. The same harness with the advisory lock turned
// off (`--engine=pg-nolock`) must report lost updates: the negative control
// shows that each race can fail. (Deno and Node processes mixed on one
// PgBase: tests/npm_test.ts, which installs the npm package.)

import assert from "node:assert/strict";
import { LockTimeoutError } from "../mod.ts";
import { PgBase } from "../pg.ts";
import {
  Anomalies,
  Child,
  childErrors,
  inspectBase,
  race,
  runScenario,
  type ScenarioRun,
  secs,
  sleep,
} from "./_harness/mod.ts";
import { SCHEMA } from "./_harness/scenarios/_schema.ts";
import { counterScenario } from "./_harness/scenarios/counter.ts";
import { insertScenario } from "./_harness/scenarios/insert.ts";
import { readWriteScenario } from "./_harness/scenarios/rw.ts";
import { schemaScenario } from "./_harness/scenarios/schema.ts";
import { seedRole, seedScenario } from "./_harness/scenarios/seed.ts";
import { pgMissing, withPg } from "./_pg_server.ts";

const PROCESSES = 50;

function logRun(name: string, run: ScenarioRun): void {
  console.log(
    `  [${name}] ${run.outputs.length} processes, ${run.ops} ops: ${
      secs(run.wallMs)
    } from go to last exit, ${
      secs(run.totalMs)
    } with process start; anomalies: ${run.anomalies.summary()}`,
  );
}

function assertClean(run: ScenarioRun): void {
  assert.equal(run.anomalies.total, 0, `anomalies found:\n${run.anomalies.report()}`);
  assert.ok(run.outputs.every((o) => o.ok));
}

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
  await t.step(
    "seed scenario: 50 processes each read one record and update, delete or insert one (plus a counter) on a 5K table: every change is there, nothing else moved",
    async () => {
      const run = await runScenario(seedScenario(5000), {
        engine: "pg",
        processes: PROCESSES,
        dir,
      });
      logRun("seed, PgBase", run);
      assertClean(run);
      const roles = Array.from({ length: PROCESSES }, (_, i) => seedRole(i));
      const inserts = roles.filter((r) => r === "insert").length;
      const deletes = roles.filter((r) => r === "delete").length;
      assert.equal(run.inspection.count, 5001 + inserts - deletes);
    },
  );

  await t.step(
    "lost updates: 50 processes each increment one counter 20 times in transactions and it ends at exactly 1000",
    async () => {
      const run = await runScenario(counterScenario(20), {
        engine: "pg",
        processes: PROCESSES,
        dir,
      });
      logRun("counter, PgBase", run);
      assertClean(run);
      const [counter] = run.inspection.records;
      assert.equal(counter.n, 1000);
      assert.equal(counter.__version__, 1000);
    },
  );

  await t.step(
    "inserts: 50 processes insert 100 records each and get 5000 distinct ids, each readable by get(id)",
    async () => {
      const run = await runScenario(insertScenario(100), {
        engine: "pg",
        processes: PROCESSES,
        dir,
      });
      logRun("insert, PgBase", run);
      assertClean(run);
      const reported = run.outputs.flatMap((o) => o.data.ids as number[]);
      assert.equal(reported.length, 5000);
      assert.equal(new Set(reported).size, 5000);
      assert.deepEqual(
        [...reported].sort((a, b) => a - b),
        [...Array(5000).keys()].map((k) => k + 1),
      );
      assert.equal(run.inspection.count, 5000);
    },
  );

  await t.step(
    "readers during writers never see a duplicate id, a torn row, a deleted record again, an older version or half an atomic insert",
    async () => {
      const writers = 12;
      const run = await runScenario(
        readWriteScenario({ writers, opsPerWriter: 60, records: 2000 }),
        { engine: "pg", processes: 2 * writers, dir },
      );
      logRun("readers/writers, PgBase", run);
      assertClean(run);
      const readers = run.outputs.slice(writers);
      const changes = readers.reduce((s, o) => s + (o.data.changes as number), 0);
      assert.ok(readers.every((o) => (o.data.reads as number) >= 6));
      assert.ok(changes >= readers.length, `readers saw only ${changes} changes`);
    },
  );

  await t.step(
    "addField, setDefault, dropField, deletes and cleanup by one process while 15 others read and write: nothing lost, all end with the new field",
    async () => {
      const rounds = 15;
      const processes = 16;
      const run = await runScenario(schemaScenario({ rounds, records: 1000 }), {
        engine: "pg",
        processes,
        dir,
      });
      logRun("schema, PgBase", run);
      assertClean(run);
      const admin = run.outputs[0].data as { at: { [k: string]: number }; inserts: number };
      assert.ok(admin.at.addField < admin.inserts && admin.at.setDefault < admin.inserts);
      const tags = new Set(run.inspection.records.map((r) => r.tag));
      assert.deepEqual([...tags].sort(), ["new", "old"]);
      assert.equal(run.inspection.count, 500 + 64 + (processes - 1) * rounds);
    },
  );

  await t.step(
    "a lock holder killed with SIGKILL mid-transaction: the waiting processes proceed and nothing of its transaction is kept",
    async () => {
      const path = "pg:kill_holder";
      let counter: number;
      let victims: number[];
      {
        await using db = await new PgBase("kill_holder").create(SCHEMA);
        [counter] = await db.insertMany([{ key: 0, a: 0, b: 0, n: 0, note: "counter" }]);
        const rows = Array.from({ length: 100 }, (_, k) => ({ key: k + 1, a: k + 1, b: k + 1 }));
        victims = (await db.insertMany(rows)).slice(0, 10);
      }
      const holder = new Child(0, [
        "--engine=pg",
        `--base=${path}`,
        "--scenario=hold",
        `--counter=${counter}`,
        `--victims=${victims.join(",")}`,
      ]);
      try {
        assert.ok(await holder.waitFor("ready"), holder.stderr);
        await holder.send("go");
        assert.ok(await holder.waitFor("holding"), `holder never held: ${holder.stderr}`);
        // The lock is really held: a writer with a timeout gives up; a reader goes on and sees
        // none of the holder's uncommitted transaction.
        const probe = await new PgBase("kill_holder", { timeoutMs: 150 }).open();
        await assert.rejects(probe.insert({ note: "probe" }), LockTimeoutError);
        assert.equal((await probe.get(counter))!.n, 0, "a reader saw an uncommitted write");
        await probe.close();
        let finished = 0;
        let wentAt = 0;
        const waiters = race({
          engine: "pg",
          base: path,
          scenario: "counter",
          processes: 8,
          args: () => [`--counter=${counter}`, "--times=1"],
          onGo: () => wentAt = performance.now(),
          onProgress: (d) => finished = d,
        });
        while (!wentAt) await sleep(10);
        await sleep(500);
        assert.equal(finished, 0, "a waiter got through while the holder held the lock");
        holder.kill("SIGKILL");
        assert.equal((await holder.exited).signal, "SIGKILL");
        const run = await waiters;
        const found = new Anomalies();
        childErrors(run.outputs, found);
        const base = await inspectBase(path, found);
        assert.equal(found.total, 0, found.report());
        const c = base.byId.get(counter)!;
        assert.equal(c.n, 8, "the killed transaction's counter write (999999) must be gone");
        assert.equal(base.records.filter((r) => r.note === "killed").length, 0);
        for (const id of victims) assert.ok(base.byId.has(id), `record ${id} it deleted is back`);
        assert.equal(base.count, 101);
      } finally {
        holder.kill("SIGKILL");
        await holder.exited;
      }
    },
  );

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
