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
import { backupBase } from "../_file/_backup.ts";
import { denoFs } from "../_file/_fs_deno.ts";
import { CrashFs, isCrash, withHooks } from "./_crash_fs.ts";
import { DENO_CHILD } from "./_harness/child.ts";
import { type Acked, applyAck, noneAcked, powerSteps } from "./_harness/scenarios/power.ts";
import { assertPowerLoss, POWER_PATH, tracePower, verifyImage } from "./_power_loss.ts";
import { withTempDir } from "./_harness/temp.ts";

const PATH = POWER_PATH;
const SEEDS = 16;

/** The power scenario (tests/_harness/scenarios/power.ts) on `fs`, noting what it acknowledged. */
async function scenario(fs: CrashFs, acked: Acked): Promise<void> {
  const db = injectFs(new Base(PATH, { checkpointBytes: 1024 }), fs);
  await powerSteps(db, (what) => applyAck(acked, what));
}

const verify = verifyImage;

Deno.test("power loss at every crash point of create, insert, transaction, checkpoint, cleanup, addField and a big commit keeps every acknowledged commit and no half one", async () => {
  const dry = new CrashFs();
  await scenario(dry, noneAcked());
  const points = dry.points;
  assert.ok(points > 50, `only ${points} crash points`);
  let images = 0;
  for (let n = 1; n <= points; n++) {
    const fs = new CrashFs(n);
    const acked: Acked = noneAcked();
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
  await scenario(dry, noneAcked());
  let caught = 0;
  let images = 0;
  for (let n = 1; n <= dry.points; n += 3) {
    const fs = new CrashFs(n, undefined, { lying: true });
    const acked: Acked = noneAcked();
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
  // In Deno, with read and write permission on the base's folder only: the parent is skipped.
  await withTempDir(async (dir) => {
    const script = `${dir}/create.ts`;
    await Deno.writeTextFile(
      script,
      `import { Base } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};\n` +
        `await (await new Base(Deno.args[0]).create({ k: "int" })).close();\n`,
    );
    const repo = new URL("..", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", `--allow-read=${repo},${dir}/b`, `--allow-write=${dir}/b`, script, `${dir}/b`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    assert.ok(await Deno.stat(`${dir}/b/manifest.json`));
  });

  // A backup into new folders does the same for them (on the real file layer: the simulated
  // one cannot rename folders).
  await withTempDir(async (dir) => {
    const synced: string[] = [];
    const real = withHooks(denoFs, {
      syncDir(d) {
        synced.push(d.slice(dir.length));
        denoFs.syncDir(d);
      },
    });
    await (await new Base(`${dir}/b`).create({ k: "int" })).close();
    backupBase(real, `${dir}/b`, `${dir}/x/y/copy`);
    assert.deepEqual(synced.filter((d) => !d.includes(".backup-")), ["/x/y", "/x", ""]);
  });

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

Deno.test("power loss before each file call Deno's real file layer made (strace, replayed) keeps every acknowledged commit; without its fsyncs, or the parent folder's, it does not", async () => {
  const probe = await new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" })
    .output().catch(() => undefined);
  assert.ok(probe?.success, "strace is needed for this test (apt-get install strace)");
  await withTempDir(async (dir) => {
    const trace = await tracePower(DENO_CHILD, dir);
    for (const line of await assertPowerLoss(trace)) console.log(`  ${line}`);
  }, "psbase_power_");
});
