// Copyright 2026 the psbase authors. MIT license.
// Power loss, checked: `verifyImage` opens the files a power loss left and
// checks they hold a state the power scenario went through, at or after what
// it had acknowledged (tests/_harness/scenarios/power.ts). `tracedPowerLoss`
// runs that scenario in a real process (Deno or Node, on its real file layer)
// under strace, replays the traced file calls on the simulated disk
// (tests/_crash_fs.ts) with a crash before each one, and verifies every
// image: power_loss_test for Deno, npm_test for Node.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Base, BaseNotFoundError } from "../mod.ts";
import { injectFs } from "../_file/_kind.ts";
import type { Handle } from "../_file/_fs.ts";
import { CrashFs, isCrash } from "./_crash_fs.ts";
import { Child, type ChildCommand } from "./_harness/child.ts";
import { type Acked, applyAck, noneAcked, type POWER_SCHEMA } from "./_harness/scenarios/power.ts";
import { type FileCall, fileCalls, straced } from "./_strace.ts";

/** Where the simulated disk keeps the scenario's base. */
export const POWER_PATH = "/mem/b";

/** Opens the image and checks it holds a state the scenario went through, at or after `acked`. */
export async function verifyImage(
  files: Map<string, Uint8Array>,
  acked: Acked,
  what: string,
): Promise<void> {
  const fs = new CrashFs(Infinity, files);
  const db = injectFs(new Base<typeof POWER_SCHEMA>(POWER_PATH), fs);
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

/**
 * Replays `calls` (made on `base`) on `fs`, with `base` at {@linkcode POWER_PATH},
 * until the simulated crash; returns what had been acknowledged by then.
 */
export function replayCalls(calls: FileCall[], base: string, fs: CrashFs): Acked {
  const at = (p: string) => POWER_PATH + p.slice(base.length);
  const dir = POWER_PATH.slice(0, POWER_PATH.lastIndexOf("/"));
  const parent = base.slice(0, base.lastIndexOf("/"));
  const acked = noneAcked();
  const handles = new Map<number, Handle>();
  let stdout = "";
  const handle = (fd: number, path: string) => {
    const h = handles.get(fd);
    if (!h) throw new Error(`Cannot replay: ${path} (fd ${fd}) was not opened for writing`);
    return h;
  };
  try {
    for (const c of calls) {
      switch (c.call) {
        case "stdout": {
          // Whole lines only: a line may come in more than one write.
          stdout += c.text;
          const end = stdout.lastIndexOf("\n") + 1;
          for (const m of stdout.slice(0, end).matchAll(/^ack (.+)$/gm)) applyAck(acked, m[1]);
          stdout = stdout.slice(end);
          break;
        }
        case "close":
          handles.delete(c.fd);
          break;
        case "open":
          handles.set(c.fd, fs.open(at(c.path), c.mode));
          break;
        case "write":
          handle(c.fd, c.path).write(c.bytes);
          break;
        case "fsync":
        case "fdatasync":
          if (c.path === base || c.path === parent) fs.syncDir(c.path === base ? POWER_PATH : dir);
          else if (c.call === "fsync") handle(c.fd, c.path).sync();
          else handle(c.fd, c.path).datasync();
          break;
        case "ftruncate":
          handle(c.fd, c.path).truncate(c.length);
          break;
        case "rename":
          fs.rename(at(c.from), at(c.to));
          break;
        case "unlink":
          fs.remove(at(c.path));
          break;
        case "mkdir":
          fs.mkdirp(at(c.path));
          break;
        case "rmdir":
          fs.rmdir(at(c.path));
          break;
      }
    }
  } catch (e) {
    if (!isCrash(e)) throw e;
  }
  return acked;
}

/** A run of the power scenario in a real process: its base's path and its file calls. */
export interface PowerTrace {
  base: string;
  calls: FileCall[];
}

/**
 * Runs the power scenario as a harness child (`command`: Deno's or Node's),
 * on the real file layer, under strace, in `dir`; checks that replaying its
 * calls in full leaves exactly the files the process left.
 */
export async function tracePower(command: ChildCommand, dir: string): Promise<PowerTrace> {
  const base = join(dir, "power");
  const out = join(dir, "power.strace");
  const args = ["--engine=ps", `--base=${base}`, "--scenario=power"];
  const child = new Child(0, args, straced(command, out));
  await child.expect("ready");
  await child.send("go");
  const result = await child.finish();
  assert.ok(result.ok, `the power scenario failed: ${result.error} ${child.stderr}`);
  const calls = fileCalls(await Deno.readTextFile(out), base);
  // The replay is faithful: in full, it leaves the files the process left.
  const fs = new CrashFs(Infinity, undefined, { dirs: ["/mem"] });
  const acked = replayCalls(calls, base, fs);
  assert.deepEqual(acked, { created: true, counter: true, commit: 10, schema: true });
  const real = [...Deno.readDirSync(base)].map((e) => e.name).sort();
  assert.deepEqual(fs.readdir(POWER_PATH).sort(), real, "the replay left other files");
  for (const name of real) {
    assert.deepEqual(
      fs.readFile(`${POWER_PATH}/${name}`),
      await Deno.readFile(join(base, name)),
      `the replay left other bytes in ${name}`,
    );
  }
  return { base, calls };
}

/** What {@linkcode powerLossImages} found. */
export interface PowerLossImages {
  /** File calls replayed: a crash before each. */
  points: number;
  /** Power-loss images verified. */
  images: number;
  /** How many failed verification. */
  failed: number;
  /** The first failures, with why. */
  failures: string[];
}

/**
 * Replays `trace` with a crash before each call, and verifies the images a
 * power loss there leaves (`seeds` each, default 4). `drop`: calls left out
 * of the replay, as if the file layer had not made them (negative controls).
 */
export async function powerLossImages(
  trace: PowerTrace,
  o: { seeds?: number; drop?: (call: FileCall) => boolean } = {},
): Promise<PowerLossImages> {
  const calls = o.drop ? trace.calls.filter((c) => !o.drop!(c)) : trace.calls;
  const dry = new CrashFs(Infinity, undefined, { dirs: ["/mem"] });
  replayCalls(calls, trace.base, dry);
  const found: PowerLossImages = { points: dry.points, images: 0, failed: 0, failures: [] };
  for (let n = 1; n <= dry.points; n++) {
    const fs = new CrashFs(n, undefined, { dirs: ["/mem"] });
    const acked = replayCalls(calls, trace.base, fs);
    for (let seed = 1; seed <= (o.seeds ?? 4); seed++) {
      found.images++;
      try {
        await verifyImage(
          fs.afterPowerLoss(seed * 7919 + n),
          acked,
          `crash at ${n} (${dry.log[n - 1]}), seed ${seed}`,
        );
      } catch (e) {
        found.failed++;
        if (found.failures.length < 10) found.failures.push(String(e));
      }
    }
  }
  return found;
}

/**
 * The checks both runtimes' power-loss tests make on a trace: no image loses
 * anything; and, as negative controls, the same trace without its file
 * fsyncs loses acknowledged work, and without the fsync of the folder holding
 * the base (W6) loses the base, each for that reason and no other (not a
 * harness error). Returns what it found, one line each.
 */
export async function assertPowerLoss(trace: PowerTrace): Promise<string[]> {
  const found = await powerLossImages(trace);
  assert.equal(found.failed, 0, found.failures.join("\n"));
  const noSync = await powerLossImages(trace, {
    drop: (c) =>
      (c.call === "fsync" || c.call === "fdatasync") && c.path.startsWith(trace.base + "/"),
  });
  assert.ok(
    noSync.failed > 0 &&
      noSync.failures.every((f) => /CorruptionError|BaseNotFoundError|acknowledged/.test(f)),
    `dropping every file fsync: ${noSync.failed} failures, not all lost work: ${
      noSync.failures.join("; ")
    }`,
  );
  const parent = trace.base.slice(0, trace.base.lastIndexOf("/"));
  const noParent = await powerLossImages(trace, {
    drop: (c) => c.call === "fsync" && c.path === parent,
  });
  assert.ok(
    noParent.failed > 0 && noParent.failures.every((f) => /BaseNotFoundError/.test(f)),
    `dropping the parent's fsync: ${noParent.failed} failures, not all a lost base: ${
      noParent.failures.join("; ")
    }`,
  );
  return [
    `${trace.calls.length} calls traced; ${found.points} crash points, ${found.images} images, 0 failed`,
    `without the file fsyncs: ${noSync.failed} of ${noSync.images} images lost acknowledged work; without the parent's: ${noParent.failed} of ${noParent.images}`,
  ];
}
