// Copyright 2026 the psbase authors. MIT license.
// The race contract, one suite for every engine that promises it:
// tests/race_test.ts runs it on PsBase (folders), tests/pg_race_test.ts on
// PgBase (tables of a PostgreSQL cluster), so the two cannot drift. Each case
// races real `deno run` children through the harness (tests/_harness) and
// then checks the base. The negative controls (no lock) stay in each file.

import assert from "node:assert/strict";
import { join } from "node:path";
import { LockTimeoutError } from "../mod.ts";
import {
  Anomalies,
  Child,
  childErrors,
  inspectBase,
  openEngine,
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

/** How many processes the big races start. */
export const PROCESSES = 50;

/** Where a case races: the engine, and where its bases go. */
export interface RaceTarget {
  /** The harness's engine of the locked base. */
  engine: "ps" | "pg";
  /** The folder for the harness's files (and the bases, for "ps"). */
  dir: string;
}

/** One case: a name stating the guarantee, and its body. */
export type RaceCase = [name: string, fn: (target: RaceTarget) => Promise<void>];

/** The harness path of a base named `name` for `target`: a folder, or `pg:<table>`. */
function basePath(target: RaceTarget, name: string): string {
  return target.engine === "pg" ? `pg:${name}_${crypto.randomUUID().slice(0, 8)}` : join(
    target.dir,
    name,
  );
}

/** Logs how long a race took. */
export function logRun(name: string, run: ScenarioRun): void {
  console.log(
    `  [${name}] ${run.outputs.length} processes, ${run.ops} ops: ${
      secs(run.wallMs)
    } from go to last exit, ${
      secs(run.totalMs)
    } with process start; anomalies: ${run.anomalies.summary()}`,
  );
}

/** Fails with the full report unless the run found no anomaly. */
export function assertClean(run: ScenarioRun): void {
  assert.equal(run.anomalies.total, 0, `anomalies found:\n${run.anomalies.report()}`);
  assert.ok(run.outputs.every((o) => o.ok));
}

/** The seed race (50 processes, each one read and one write) on a 5K base, indexed or not. */
async function seed(target: RaceTarget, indexed: boolean): Promise<void> {
  const run = await runScenario(seedScenario(5000, { indexed }), {
    engine: target.engine,
    processes: PROCESSES,
    dir: target.dir,
  });
  logRun(`seed${indexed ? ", indexed" : ""}, ${target.engine}`, run);
  assertClean(run);
  // 5000 records + the counter, + one per inserting process, - one per deleting one.
  const roles = Array.from({ length: PROCESSES }, (_, i) => seedRole(i));
  const inserts = roles.filter((r) => r === "insert").length;
  const deletes = roles.filter((r) => r === "delete").length;
  assert.equal(run.inspection.count, 5001 + inserts - deletes);
}

/** Every case of the race contract. */
export const RACE_CASES: RaceCase[] = [
  [
    "seed scenario: 50 processes each read one record and update, delete or insert one (plus a counter) on a 5K base: every change is there, nothing else moved",
    (target) => seed(target, false),
  ],
  [
    "seed scenario with persisted indexes: 50 processes find their record and the counter through a sorted and a hash index while others change them: every change is there",
    (target) => seed(target, true),
  ],
  [
    "lost updates: 50 processes each increment one counter 20 times in transactions and it ends at exactly 1000",
    async (target) => {
      const run = await runScenario(counterScenario(20), {
        engine: target.engine,
        processes: PROCESSES,
        dir: target.dir,
      });
      logRun(`counter, ${target.engine}`, run);
      assertClean(run);
      const [counter] = run.inspection.records;
      assert.equal(counter.n, 1000);
      assert.equal(counter.__version__, 1000);
    },
  ],
  [
    "inserts: 50 processes insert 100 records each and get the ids 1 to 5000, each once, each readable by get(id)",
    async (target) => {
      const run = await runScenario(insertScenario(100), {
        engine: target.engine,
        processes: PROCESSES,
        dir: target.dir,
      });
      logRun(`insert, ${target.engine}`, run);
      assertClean(run);
      const reported = run.outputs.flatMap((o) => o.data.ids as number[]);
      assert.equal(reported.length, 5000);
      assert.deepEqual(
        [...reported].sort((a, b) => a - b),
        [...Array(5000).keys()].map((k) => k + 1),
      );
      assert.equal(run.inspection.byId.size, 5000);
      assert.equal(run.inspection.count, 5000);
    },
  ],
  [
    "readers during writers never see a duplicate id, a torn row, a deleted record again, an older version or half an atomic insert",
    async (target) => {
      const writers = 12;
      const run = await runScenario(
        readWriteScenario({ writers, opsPerWriter: 60, records: 2000 }),
        { engine: target.engine, processes: 2 * writers, dir: target.dir },
      );
      logRun(`readers/writers, ${target.engine}`, run);
      assertClean(run);
      const readers = run.outputs.slice(writers);
      const reads = readers.reduce((s, o) => s + (o.data.reads as number), 0);
      const changes = readers.reduce((s, o) => s + (o.data.changes as number), 0);
      console.log(`  [readers/writers] ${reads} reads, ${changes} of them saw the base change`);
      // The readers really ran during the writes: they saw the base change.
      assert.ok(readers.every((o) => (o.data.reads as number) >= 6));
      assert.ok(changes >= readers.length, `readers saw only ${changes} changes`);
    },
  ],
  [
    "addField, setDefault, dropField, deletes and cleanup by one process while 15 others read and write: nothing lost, all end with the new field",
    async (target) => {
      const rounds = 15;
      const processes = 16;
      const run = await runScenario(schemaScenario({ rounds, records: 1000 }), {
        engine: target.engine,
        processes,
        dir: target.dir,
      });
      logRun(`schema, ${target.engine}`, run);
      assertClean(run);
      const admin = run.outputs[0].data as { at: { [k: string]: number }; inserts: number };
      console.log(
        `  [schema] inserts done by the others at each step: ${JSON.stringify(admin.at)}`,
      );
      // The schema changes really happened while the others were still inserting.
      assert.ok(admin.at.addField < admin.inserts && admin.at.setDefault < admin.inserts);
      const tags = new Set(run.inspection.records.map((r) => r.tag));
      assert.deepEqual([...tags].sort(), ["new", "old"]);
      assert.equal(run.inspection.count, 500 + 64 + (processes - 1) * rounds);
    },
  ],
  [
    "a lock holder killed with SIGKILL mid-transaction: the waiting processes proceed and nothing of its transaction is kept",
    killHolder,
  ],
];

async function killHolder(target: RaceTarget): Promise<void> {
  const path = basePath(target, "kill_holder");
  let counter: number;
  let victims: number[];
  {
    await using db = await (await openEngine(target.engine, path)).create(SCHEMA);
    [counter] = await db.insertMany([{ key: 0, a: 0, b: 0, n: 0, note: "counter" }]);
    const rows = Array.from({ length: 100 }, (_, k) => ({ key: k + 1, a: k + 1, b: k + 1 }));
    victims = (await db.insertMany(rows)).slice(0, 10);
  }
  const holder = new Child(0, [
    `--engine=${target.engine}`,
    `--base=${path}`,
    "--scenario=hold",
    `--counter=${counter}`,
    `--victims=${victims.join(",")}`,
  ]);
  try {
    assert.ok(await holder.waitFor("ready"), holder.stderr);
    await holder.send("go");
    assert.ok(await holder.waitFor("holding"), `holder never held: ${holder.stderr}`);

    // The lock is really held: a writer with a timeout gives up, while a reader (no lock,
    // FORMAT.md R4) goes on and sees none of the holder's uncommitted transaction.
    const probe = await (await openEngine(target.engine, path, { timeoutMs: 150 })).open();
    await assert.rejects(probe.insert({ note: "probe" }), LockTimeoutError);
    assert.equal((await probe.get(counter))!.n, 0, "a reader saw an uncommitted write");
    await probe.close();

    // Eight processes queue behind it, each to increment the counter once.
    let finished = 0;
    let wentAt = 0;
    const waiters = race({
      engine: target.engine,
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

    const killedAt = performance.now();
    holder.kill("SIGKILL");
    assert.equal((await holder.exited).signal, "SIGKILL");
    const run = await waiters;
    console.log(`  [kill -9] 8 waiters done ${secs(performance.now() - killedAt)} after the kill`);
    const found = new Anomalies();
    childErrors(run.outputs, found);
    const base = await inspectBase(path, found);
    assert.equal(found.total, 0, found.report());
    const c = base.byId.get(counter)!;
    assert.equal(c.n, 8, "the killed transaction's counter write (999999) must be gone");
    assert.equal(c.a, 0);
    assert.equal(base.records.filter((r) => r.note === "killed").length, 0);
    for (const id of victims) assert.ok(base.byId.has(id), `record ${id} it deleted is back`);
    assert.equal(base.count, 101);
  } finally {
    holder.kill("SIGKILL");
    await holder.exited;
  }
}
