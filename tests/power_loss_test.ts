// Copyright 2026 the psbase authors. MIT license.
// Power loss at every crash point (FORMAT.md, W1-W7, F6): the engine runs on
// a file layer that knows what fsync made durable (tests/_crash_fs.ts); the
// machine "loses power" before the Nth file operation, and the files are
// rebuilt as a power loss leaves them (unsynced writes dropped or torn,
// folder changes lost from some point on), from several seeds. Every image
// must open with every acknowledged commit, nothing of an unfinished one, and
// pass the integrity check.

import assert from "node:assert/strict";
import { Base, BaseNotFoundError } from "../mod.ts";
import { injectFs } from "../_file/_kind.ts";
import { CrashFs, isCrash, withHooks } from "./_crash_fs.ts";

const PATH = "/mem/b";
const SCHEMA = {
  k: { type: "int", index: "sorted" },
  v: { type: "string", index: true },
  c: "int",
} as const;
const SEEDS = 16;

/** What the scenario had acknowledged when the power went. */
interface Acked {
  created: boolean;
  counter: boolean;
  commit: number;
  schema: boolean;
}

/**
 * Commit i (a transaction): insert two rows of batch i, delete batch i - 2,
 * set the counter to i. Checkpoints every ~1 KiB of log; cleanup after 4;
 * a field added after 6; commit 8 is a big commit (W7: 300 more rows).
 */
async function scenario(fs: CrashFs, acked: Acked): Promise<void> {
  const db = injectFs(new Base(PATH, { checkpointBytes: 1024 }), fs);
  await db.create(SCHEMA);
  acked.created = true;
  await db.insert({ k: 0, c: 0 });
  acked.counter = true;
  for (let i = 1; i <= 10; i++) {
    await db.transaction(async (tx) => {
      const rows = [{ k: i, v: "x".repeat(40) }, { k: i, v: "y\u{1F600}" }];
      if (i === 8) { for (let j = 0; j < 300; j++) rows.push({ k: 1000 + i, v: `big ${j}` }); }
      await tx.insertMany(rows);
      if (i > 2) await tx.delete(await tx.find({ k: i - 2 }));
      const [c] = await tx.find({ k: 0 });
      await tx.update(c, { c: i });
    });
    acked.commit = i;
    if (i === 4) await db.cleanup();
    if (i === 6) {
      await db.addField("extra", "int", { default: 6 });
      acked.schema = true;
    }
  }
  await db.close();
}

/** Opens the image and checks it holds a state the scenario went through, at or after `acked`. */
async function verify(files: Map<string, Uint8Array>, acked: Acked, what: string): Promise<void> {
  const fs = new CrashFs(Infinity, files);
  const db = injectFs(new Base<typeof SCHEMA>(PATH), fs);
  try {
    await db.open();
  } catch (e) {
    assert.ok(e instanceof BaseNotFoundError && !acked.created, `${what}: ${e}`);
    return;
  }
  try {
    const report = await db.check();
    assert.deepEqual(report.problems, [], `${what}: the integrity check found problems`);
    const [counter] = await db.find({ k: 0 });
    if (!counter) {
      assert.ok(!acked.counter, `${what}: the acknowledged counter record is gone`);
      assert.equal(await db.count(), 0, `${what}: records without the first commit`);
      return;
    }
    const c = counter.c!;
    assert.ok(
      c >= acked.commit && c <= acked.commit + 1,
      `${what}: counter ${c} but commit ${acked.commit} was acknowledged`,
    );
    const all = await db.find();
    assert.equal(await db.count(), all.length, `${what}: count() differs from the records`);
    for (let i = 1; i <= 10; i++) {
      const n = all.filter((r) => r.k === i).length;
      assert.equal(n, i <= c && i > c - 2 ? 2 : 0, `${what}: batch ${i} after commit ${c}`);
    }
    // The indexes answer as the records do.
    assert.equal(
      (await db.find({ v: "y\u{1F600}" })).length,
      all.filter((r) => r.v === "y\u{1F600}").length,
    );
    assert.equal(
      (await db.find({ k: [1, 10] })).length,
      all.filter((r) => r.k! >= 1 && r.k! <= 10).length,
    );
    const big = all.filter((r) => r.k === 1008).length;
    assert.equal(big, c >= 8 ? 300 : 0, `${what}: the big commit after commit ${c}`);
    const hasExtra = "extra" in db.schema;
    if (acked.schema || c > 6) assert.ok(hasExtra, `${what}: the acknowledged field is gone`);
    if (c < 6) assert.ok(!hasExtra, `${what}: a field before its time`);
    if (hasExtra) {
      assert.ok(all.every((r) => r.k === 0 || r.k! > 6 || (r as { extra?: unknown }).extra === 6));
    }
  } finally {
    await db.close();
  }
}

Deno.test("power loss at every crash point of create, insert, transaction, checkpoint, cleanup, addField and a big commit keeps every acknowledged commit and no half one", async () => {
  const dry = new CrashFs();
  await scenario(dry, { created: false, counter: false, commit: 0, schema: false });
  const points = dry.points;
  assert.ok(points > 50, `only ${points} crash points`);
  let images = 0;
  for (let n = 1; n <= points; n++) {
    const fs = new CrashFs(n);
    const acked: Acked = { created: false, counter: false, commit: 0, schema: false };
    await assert.rejects(() => scenario(fs, acked), isCrash);
    for (let seed = 1; seed <= SEEDS; seed++) {
      await verify(
        fs.afterPowerLoss(seed * 7919 + n),
        acked,
        `crash at ${n} (${dry.log[n - 1]}), seed ${seed}`,
      );
      images++;
    }
  }
  console.log(`  ${points} crash points, ${images} power-loss images, all whole`);
});

Deno.test("negative control: the same power-loss harness on a disk whose fsync makes nothing durable finds acknowledged commits lost", async () => {
  const dry = new CrashFs();
  await scenario(dry, { created: false, counter: false, commit: 0, schema: false });
  let caught = 0;
  let images = 0;
  for (let n = 1; n <= dry.points; n += 3) {
    const fs = new CrashFs(n, undefined, { lying: true });
    const acked: Acked = { created: false, counter: false, commit: 0, schema: false };
    await assert.rejects(() => scenario(fs, acked), isCrash);
    for (let seed = 1; seed <= 4; seed++) {
      images++;
      try {
        await verify(fs.afterPowerLoss(seed * 7919 + n), acked, `crash at ${n}`);
      } catch {
        caught++;
      }
    }
  }
  console.log(`  without durable fsyncs: ${caught} of ${images} images lost acknowledged work`);
  assert.ok(caught > images / 4, `only ${caught} of ${images} images showed the loss`);
});

Deno.test("power loss at every crash point of destroy leaves the whole base or no base", async () => {
  const state = { created: false, inserted: false, destroying: false };
  const setup = async (fs: CrashFs) => {
    const db = injectFs(new Base<{ k: "int" }>(PATH), fs);
    await db.create({ k: "int" });
    state.created = true;
    await db.insertMany([{ k: 1 }, { k: 2 }]);
    state.inserted = true;
    await db.close();
    state.destroying = true;
    await db.destroy();
  };
  const dry = new CrashFs();
  await setup(dry);
  let images = 0;
  for (let n = 1; n <= dry.points; n++) {
    const fs = new CrashFs(n);
    Object.assign(state, { created: false, inserted: false, destroying: false });
    await assert.rejects(() => setup(fs), isCrash);
    for (let seed = 1; seed <= SEEDS; seed++) {
      const files = fs.afterPowerLoss(seed * 104729 + n);
      const db = injectFs(new Base<{ k: "int" }>(PATH), new CrashFs(Infinity, files));
      const what = `crash at ${n} (${dry.log[n - 1]}), seed ${seed}`;
      try {
        await db.open();
      } catch (e) {
        if (!(e instanceof BaseNotFoundError)) throw e;
        assert.ok(!state.created || state.destroying, `${what}: a created base vanished`);
        images++;
        continue;
      }
      const ks = (await db.find()).map((r) => r.k);
      if (state.inserted) assert.deepEqual(ks, [1, 2], `${what}: acknowledged rows lost`);
      else assert.ok(ks.length === 0 || ks.length === 2, `${what}: half a commit`);
      assert.deepEqual((await db.check()).problems, [], what);
      await db.close();
      images++;
    }
  }
  console.log(`  ${dry.points} crash points, ${images} images: the base whole, or gone`);
});

Deno.test("create makes the name of every folder it made durable (W6), and skips a parent it may not open", async () => {
  const synced: string[] = [];
  const fs = new CrashFs(Infinity, undefined, { dirs: ["/mem"] });
  const hooked = withHooks(fs, {
    syncDir(dir) {
      synced.push(dir);
      fs.syncDir(dir);
    },
  });
  const db = injectFs(new Base<{ k: "int" }>("/mem/a/b/c"), hooked);
  await db.create({ k: "int" });
  await db.close();
  // The base's folder, then the parents of the three folders made, deepest first.
  assert.deepEqual(synced, ["/mem/a/b/c", "/mem/a/b", "/mem/a", "/mem"]);

  // A parent that cannot be opened (no read permission) is skipped; any other failure is not.
  for (
    const [error, fails] of [["PermissionDenied", false], ["NotCapable", false], ["Error", true]]
  ) {
    const fs2 = new CrashFs(Infinity, undefined, { dirs: ["/mem"] });
    const refusing = withHooks(fs2, {
      syncDir(dir) {
        if (dir === "/mem") throw Object.assign(new Error(`refused: ${dir}`), { name: error });
        fs2.syncDir(dir);
      },
    });
    const made = injectFs(new Base<{ k: "int" }>("/mem/x"), refusing).create({ k: "int" });
    if (fails) await assert.rejects(made, /Cannot create a base in \/mem\/x: refused: \/mem/);
    else await (await made).close();
  }
});
