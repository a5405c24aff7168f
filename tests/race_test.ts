// Copyright 2026 the psbase authors. MIT license.
// Issue 3: many real processes racing on one base. Every test spawns `deno run`
// children through the harness in tests/_harness (one file per scenario there),
// starts them together (a start barrier on stdin), and then checks the base:
// no duplicated id, no lost update, every expected change present, count()
// equal to the records iterated, every record decoding, no child error.
// The negative control runs the same harness on plain `Base` (no lock) and
// must find damage.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { LockTimeoutError, PsBase, type RecordOf } from "../mod.ts";
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
  withTempDir,
} from "./_harness/mod.ts";
import { other } from "./_harness/scenarios/cmd.ts";
import { counterScenario } from "./_harness/scenarios/counter.ts";
import { insertScenario } from "./_harness/scenarios/insert.ts";
import { readWriteScenario } from "./_harness/scenarios/rw.ts";
import { SCHEMA } from "./_harness/scenarios/_schema.ts";
import { schemaScenario } from "./_harness/scenarios/schema.ts";
import { seedRole, seedScenario } from "./_harness/scenarios/seed.ts";
import { checkStream } from "./_harness/scenarios/stream.ts";

const PROCESSES = 50;

/** Logs how long a test's race took. */
function logRun(name: string, run: ScenarioRun): void {
  console.log(
    `  [${name}] ${run.outputs.length} processes, ${run.ops} ops: ${
      secs(run.wallMs)
    } from go to last exit, ${
      secs(run.totalMs)
    } with process start; anomalies: ${run.anomalies.summary()}`,
  );
}

/** Fails with the full report unless the run found no anomaly. */
function assertClean(run: ScenarioRun): void {
  assert.equal(run.anomalies.total, 0, `anomalies found:\n${run.anomalies.report()}`);
  assert.ok(run.outputs.every((o) => o.ok));
}

Deno.test("seed scenario: 50 processes each read one record and update, delete or insert one (plus a counter) on a 5K base: every change is there, nothing else moved", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(seedScenario(5000), { engine: "ps", processes: PROCESSES, dir });
    logRun("seed", run);
    assertClean(run);
    // 5000 records + the counter, + one per inserting process, - one per deleting one.
    const roles = Array.from({ length: PROCESSES }, (_, i) => seedRole(i));
    const inserts = roles.filter((r) => r === "insert").length;
    const deletes = roles.filter((r) => r === "delete").length;
    assert.equal(run.inspection.count, 5001 + inserts - deletes);
  });
});

Deno.test("seed scenario with persisted indexes: 50 processes find their record and the counter through a sorted and a hash index while others change them: every change is there", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(seedScenario(5000, { indexed: true }), {
      engine: "ps",
      processes: PROCESSES,
      dir,
    });
    logRun("seed, indexed", run);
    assertClean(run);
    const roles = Array.from({ length: PROCESSES }, (_, i) => seedRole(i));
    const inserts = roles.filter((r) => r === "insert").length;
    const deletes = roles.filter((r) => r === "delete").length;
    assert.equal(run.inspection.count, 5001 + inserts - deletes);
  });
});

Deno.test("negative control: the same indexed seed race on plain Base (no lock) loses changes or fails", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(seedScenario(5000, { indexed: true }), {
      engine: "plain",
      processes: PROCESSES,
      dir,
    });
    logRun("seed, indexed, plain Base", run);
    assert.ok(run.anomalies.total > 0, "no damage reported without the lock");
  });
});

Deno.test("lost updates: 50 processes each increment one counter 20 times in transactions and it ends at exactly 1000", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(counterScenario(20), { engine: "ps", processes: PROCESSES, dir });
    logRun("counter", run);
    assertClean(run);
    const [counter] = run.inspection.records;
    assert.equal(counter.n, 1000);
    assert.equal(counter.__version__, 1000);
  });
});

Deno.test("inserts: 50 processes insert 100 records each and get 5000 distinct ids, each readable by get(id)", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(insertScenario(100), { engine: "ps", processes: PROCESSES, dir });
    logRun("insert", run);
    assertClean(run);
    const reported = run.outputs.flatMap((o) => o.data.ids as number[]);
    assert.equal(reported.length, 5000);
    assert.equal(new Set(reported).size, 5000);
    assert.equal(run.inspection.byId.size, 5000);
    assert.equal(run.inspection.count, 5000);
  });
});

Deno.test("readers during writers never see a duplicate id, a torn row, a deleted record again, an older version or half an atomic insert", async () => {
  await withTempDir(async (dir) => {
    const writers = 12;
    const run = await runScenario(
      readWriteScenario({ writers, opsPerWriter: 60, records: 2000 }),
      { engine: "ps", processes: 2 * writers, dir },
    );
    logRun("readers/writers", run);
    assertClean(run);
    const readers = run.outputs.slice(writers);
    const reads = readers.reduce((s, o) => s + (o.data.reads as number), 0);
    const changes = readers.reduce((s, o) => s + (o.data.changes as number), 0);
    console.log(`  [readers/writers] ${reads} reads, ${changes} of them saw the base change`);
    // The readers really ran during the writes: they saw the base change.
    assert.ok(readers.every((o) => (o.data.reads as number) >= 6));
    assert.ok(changes >= readers.length, `readers saw only ${changes} changes`);
  });
});

Deno.test("addField, setDefault, dropField, deletes and cleanup by one process while 15 others read and write: nothing lost, all end with the new field", async () => {
  await withTempDir(async (dir) => {
    const rounds = 15;
    const processes = 16;
    const run = await runScenario(
      schemaScenario({ rounds, records: 1000 }),
      { engine: "ps", processes, dir },
    );
    logRun("schema", run);
    assertClean(run);
    const admin = run.outputs[0].data as { at: { [k: string]: number }; inserts: number };
    console.log(`  [schema] inserts done by the others at each step: ${JSON.stringify(admin.at)}`);
    // The schema changes really happened while the others were still inserting.
    assert.ok(admin.at.addField < admin.inserts && admin.at.setDefault < admin.inserts);
    const tags = new Set(run.inspection.records.map((r) => r.tag));
    assert.deepEqual([...tags].sort(), ["new", "old"]);
    assert.equal(run.inspection.count, 500 + 64 + (processes - 1) * rounds);
  });
});

Deno.test("a lock holder killed with SIGKILL mid-transaction: the waiting processes proceed and nothing of its transaction is kept", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "kill");
    let counter: number;
    let victims: number[];
    {
      await using db = await new PsBase(path).create(SCHEMA);
      [counter] = await db.insertMany([{ key: 0, a: 0, b: 0, n: 0, note: "counter" }]);
      const rows = Array.from({ length: 100 }, (_, k) => ({ key: k + 1, a: k + 1, b: k + 1 }));
      victims = (await db.insertMany(rows)).slice(0, 10);
    }
    const holder = new Child(0, [
      "--engine=ps",
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
      const probe = await new PsBase(path, { timeoutMs: 150 }).open();
      await assert.rejects(probe.insert({ note: "probe" }), LockTimeoutError);
      assert.equal((await probe.get(counter))!.n, 0, "a reader saw an uncommitted write");
      await probe.close();

      // Eight processes queue behind it, each to increment the counter once.
      let finished = 0;
      let wentAt = 0;
      const waiters = race({
        engine: "ps",
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
      const status = await holder.exited;
      assert.equal(status.signal, "SIGKILL");
      const run = await waiters;
      console.log(
        `  [kill -9] 8 waiters done ${secs(performance.now() - killedAt)} after the kill`,
      );
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
  });
});

Deno.test("writers killed with SIGKILL at random moments (some mid-checkpoint) leave a whole base: every acknowledged commit, no half commit, and later writers proceed", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "stream");
    let counter: number;
    {
      await using db = await new PsBase(path).create(SCHEMA);
      [counter] = await db.insertMany([{ key: -1, a: 0, b: 0, n: 0, note: "counter" }]);
    }
    const ROUNDS = 10;
    const PER_ROUND = 3;
    const acked = new Map<number, number>(); // child index -> commits it printed
    let strays = 0; // rounds that ended with a checkpoint cut short by a kill
    for (let round = 0; round < ROUNDS; round++) {
      const children = Array.from({ length: PER_ROUND }, (_, j) => {
        const index = round * PER_ROUND + j + 1;
        return new Child(index, [
          "--engine=ps",
          `--base=${path}`,
          "--scenario=stream",
          `--index=${index}`,
          `--counter=${counter}`,
          "--checkpoint=2048",
        ]);
      });
      try {
        for (const c of children) assert.ok(await c.waitFor("ready"), c.stderr);
        await Promise.all(children.map((c) => c.send("go")));
        for (const c of children) assert.ok(await c.waitFor("committed"), c.stderr);
        for (const c of children) {
          await sleep(5 + Math.random() * 120);
          c.kill("SIGKILL");
          await c.exited;
        }
      } finally {
        for (const c of children) c.kill("SIGKILL");
        await Promise.all(children.map((c) => c.exited));
      }
      // Files of more than one generation, with no writer left: one was killed mid-checkpoint.
      if (fs.readdirSync(path).filter((n) => /^(data|log)\.\d+$/.test(n)).length > 2) strays++;
      for (const c of children) {
        assert.equal((await c.exited).signal, "SIGKILL", `child ${c.index} ended by itself`);
        acked.set(c.index, c.lines.filter((l) => l.startsWith("committed ")).length);
      }
      const found = new Anomalies();
      const base = await inspectBase(path, found);
      assert.equal(found.total, 0, `after round ${round}:\n${found.report()}`);
      checkStream(base.records, acked, counter, 0);
    }
    console.log(
      `  [kill -9 writers] ${ROUNDS * PER_ROUND} writers killed, ${
        [...acked.values()].reduce((s, n) => s + n, 0)
      } acknowledged commits kept; ${strays} of ${ROUNDS} rounds ended with a checkpoint cut short`,
    );
    // Writers after the kills proceed and the base stays whole.
    const run = await race({
      engine: "ps",
      base: path,
      scenario: "counter",
      processes: 6,
      args: () => [`--counter=${counter}`, "--times=5"],
    });
    const found = new Anomalies();
    childErrors(run.outputs, found);
    const base = await inspectBase(path, found);
    assert.equal(found.total, 0, found.report());
    checkStream(base.records, acked, counter, 30);
  });
});

Deno.test("negative control: the same counter race on plain Base (no lock) loses updates or damages the base", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(counterScenario(20), {
      engine: "plain",
      processes: PROCESSES,
      dir,
    });
    logRun("counter, plain Base", run);
    const counter = run.inspection.records[0]?.n ?? "unreadable";
    console.log(`  [counter, plain Base] counter reads ${counter} of 1000`);
    for (const d of run.anomalies.details.slice(0, 2)) console.log(`    ${d.slice(0, 200)}`);
    const { lostUpdates, damagedRecords, undecodable } = run.anomalies.counts;
    assert.ok(lostUpdates + damagedRecords + undecodable > 0, run.anomalies.report());
    assert.notEqual(counter, 1000);
  });
});

Deno.test("negative control: the same insert race on plain Base (no lock) duplicates or loses ids", async () => {
  await withTempDir(async (dir) => {
    const run = await runScenario(insertScenario(100), {
      engine: "plain",
      processes: PROCESSES,
      dir,
    });
    logRun("insert, plain Base", run);
    const distinct = run.inspection.byId.size;
    console.log(`  [insert, plain Base] ${distinct} distinct ids of 5000 expected`);
    for (const d of run.anomalies.details.slice(0, 3)) console.log(`    ${d.slice(0, 200)}`);
    assert.ok(
      run.anomalies.counts.duplicateIds > 0 || distinct < 5000,
      run.anomalies.report(),
    );
    assert.ok(run.anomalies.counts.duplicateIds + run.anomalies.counts.lostUpdates > 0);
  });
});

Deno.test("a long-lived PsBase sees another process's inserts in count(), finds the right records by id after its cleanup, and inserts with its new field and defaults (the seed's failures 3, 5 and 6)", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "notes");
    await using a = await new PsBase(path).create(SCHEMA);
    const mine = await a.insertMany(
      Array.from({ length: 10 }, (_, k) => ({ key: k + 1, a: k + 1, b: k + 1, note: "A" })),
    );
    assert.equal(await a.count(), 10);
    for (const id of mine) assert.equal((await a.get(id))?.note, "A"); // A's caches are warm

    // Seed failure 3 (shared/NOTES.md): count() is not a stale per-process counter.
    const [theirs] = await other(path, [[
      "insertMany",
      Array.from({ length: 5 }, (_, k) => ({ key: 11 + k, a: 11 + k, b: 11 + k, note: "B" })),
    ]]) as [number[]];
    assert.equal(await a.count(), 15);
    for (const [k, id] of theirs.entries()) assert.equal((await a.get(id))?.key, 11 + k);
    const next = await a.insert({ key: 16, a: 16, b: 16, note: "A" });
    assert.ok(!mine.includes(next) && !theirs.includes(next), `id ${next} handed out twice`);
    assert.equal(await a.count(), 16);

    // Seed failure 5: after B deletes and cleans up (rows move), A's get(id) still finds the right records.
    const all = [...mine, ...theirs, next];
    const gone = all.filter((_, i) => i % 3 !== 2); // delete two of every three
    const kept = all.filter((_, i) => i % 3 === 2);
    await other(path, [["delete", gone], ["cleanup"]]);
    for (const id of gone) {
      assert.equal(await a.get(id), undefined, `deleted record ${id} still read`);
      assert.equal(await a.has(id), false);
    }
    for (const id of kept) {
      const r = await a.get(id);
      assert.equal(r?.__id__, id);
      assert.equal(r?.key, all.indexOf(id) + 1, `get(${id}) returned the wrong record`);
    }
    assert.deepEqual((await a.select(["key"])).map((r) => r.__id__), kept);
    assert.equal(await a.count(), kept.length);

    // Seed failure 6: after B's addField / setDefault / dropField, A's inserts use the new schema.
    await other(path, [
      ["addField", "tag", "string", { default: "x" }],
      ["setDefault", "tag", "y"],
      ["setDefault", "n", 7],
      ["dropField", "owner"],
    ]);
    const id = await a.insert({ key: 99, a: 99, b: 99 });
    const r = await a.get(id);
    assert.equal(r?.tag, "y");
    assert.equal(r?.n, 7);
    assert.ok(r && !("owner" in r), "a dropped field came back");
    assert.equal((await a.get(kept[0]))?.tag, "x");
    assert.deepEqual(Object.keys(a.schema), ["key", "a", "b", "n", "note", "tag"]);
    await assert.rejects(a.insert({ key: 100, owner: 1 }), TypeError);
    assert.equal(await a.count(), kept.length + 1);
    // And the other way round: a fresh process sees A's insert with its defaults.
    const [back] = await other(path, [["get", id]]) as [RecordOf];
    assert.equal(back.tag, "y");
    assert.equal(back.n, 7);
  });
});
