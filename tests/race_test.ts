// Copyright 2026 the psbase authors. MIT license.
// Issue 3: many real processes racing on one base. Every test spawns `deno run`
// children through the harness in tests/_harness (one file per scenario there),
// starts them together (a start barrier on stdin), and then checks the base:
// no duplicated id, no lost update, every expected change present, count()
// equal to the records iterated, every record decoding, no child error.
// The cases every locked engine must pass are in tests/_race_suite.ts (PgBase
// runs them too, tests/pg_race_test.ts); the ones here are PsBase's own. The
// negative controls run the same harness on plain `Base` (no lock) and must
// find damage.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { PsBase, type RecordOf } from "../mod.ts";
import {
  Anomalies,
  Child,
  childErrors,
  inspectBase,
  race,
  runScenario,
  sleep,
  withTempDir,
} from "./_harness/mod.ts";
import { other } from "./_harness/scenarios/cmd.ts";
import { counterScenario } from "./_harness/scenarios/counter.ts";
import { insertScenario } from "./_harness/scenarios/insert.ts";
import { SCHEMA } from "./_harness/scenarios/_schema.ts";
import { seedScenario } from "./_harness/scenarios/seed.ts";
import { checkStream } from "./_harness/scenarios/stream.ts";
import { logRun, PROCESSES, RACE_CASES } from "./_race_suite.ts";

// The race contract (tests/_race_suite.ts), on PsBase.
for (const [name, fn] of RACE_CASES) {
  Deno.test(name, () => withTempDir((dir) => fn({ engine: "ps", dir })));
}

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
