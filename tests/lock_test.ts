// Copyright 2026 the psbase authors. MIT license.
// Tests of PsLock (lock.ts) against FORMAT.md, invariant L1..L4, with real
// processes: Deno children running tests/lock_child.ts, and Node children
// (koffi's flock, and PsLock itself transpiled for Node).

import assert from "node:assert/strict";
import { existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LockTimeoutError } from "../_errors.ts";
import { PsLock } from "../lock.ts";
import { Child, sleep, within, withTempDir } from "./_harness/mod.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CHILD = fileURLToPath(new URL("./lock_child.ts", import.meta.url));
/** A `deno run` of tests/lock_child.ts. */
function lockChild(...args: string[]): Child {
  return Child.spawn(Deno.execPath(), ["run", "--allow-all", CHILD, ...args]);
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  promise.then(() => done = true, () => done = true);
  return { promise, settled: () => done };
}

// --- in one process ------------------------------------------------------------

Deno.test("PsLock rejects a path that is not a non-empty string with a TypeError naming it", () => {
  assert.throws(() => new PsLock(""), (e) => e instanceof TypeError && e.message.includes('""'));
  assert.throws(
    () => new PsLock(42 as unknown as string),
    (e) => e instanceof TypeError && e.message.includes("42"),
  );
  assert.throws(
    () => new PsLock(undefined as unknown as string),
    (e) => e instanceof TypeError && e.message.includes("undefined"),
  );
});

Deno.test("acquire() rejects a negative or NaN timeoutMs with a RangeError naming it", async () => {
  await withTempDir(async (dir) => {
    const lock = new PsLock(join(dir, "lock"));
    for (const [bad, name] of [[-1, "-1"], [NaN, "NaN"], [-Infinity, "-Infinity"]] as const) {
      await assert.rejects(
        lock.acquire({ timeoutMs: bad }),
        (e) => e instanceof RangeError && e.message.includes(name),
      );
      await assert.rejects(
        lock.withLock(() => {}, { timeoutMs: bad }),
        (e) => e instanceof RangeError && e.message.includes(name),
      );
    }
    await assert.rejects(
      lock.acquire({ timeoutMs: "5" as unknown as number }),
      (e) => e instanceof TypeError && e.message.includes('"5"'),
    );
    await assert.rejects(
      lock.acquire({ exclusive: "yes" as unknown as boolean }),
      (e) => e instanceof TypeError && e.message.includes('"yes"'),
    );
    assert.equal(lock.held, false);
    // Nothing was left queued: the lock is free.
    await lock.withLock(() => {}, { timeoutMs: 0 });
  });
});

Deno.test("the lock file is created with mode 0o644, keeps its bytes and is never unlinked", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sub.lock");
    const lock = new PsLock(path);
    assert.equal(lock.path, path);
    assert.equal(existsSync(path), false, "nothing is created before acquire");
    await lock.withLock(() => assert.ok(existsSync(path)));
    assert.ok(existsSync(path), "released lock file is kept (L1)");
    const mode = Deno.statSync(path).mode! & 0o777;
    assert.equal(mode & ~0o644, 0, `mode ${mode.toString(8)} is within 0o644`);
    Deno.writeTextFileSync(path, "keep me");
    await lock.withLock(() => {}, { exclusive: false });
    assert.equal(Deno.readTextFileSync(path), "keep me");
  });
});

Deno.test("PsLock resolves a relative path against the current directory", () => {
  const lock = new PsLock("some/rel.lock");
  assert.equal(lock.path, join(Deno.cwd(), "some/rel.lock"));
});

Deno.test("`await using` releases the lock at the end of the block", async () => {
  await withTempDir(async (dir) => {
    const lock = new PsLock(join(dir, "lock"));
    const other = new PsLock(join(dir, "lock"));
    {
      await using held = await lock.acquire();
      assert.equal(held.exclusive, true);
      assert.equal(held.released, false);
      assert.equal(lock.held, true);
      await assert.rejects(other.acquire({ timeoutMs: 0 }), LockTimeoutError);
    }
    assert.equal(lock.held, false);
    {
      using held = await other.acquire({ exclusive: false, timeoutMs: 0 });
      assert.equal(held.exclusive, false);
      assert.equal(other.held, true);
    }
    assert.equal(other.held, false);
    await lock.withLock(() => {}, { timeoutMs: 0 });
  });
});

Deno.test("release() is idempotent on the handle and on the PsLock, and a no-op when not held", async () => {
  await withTempDir(async (dir) => {
    const lock = new PsLock(join(dir, "lock"));
    lock.release(); // not held: no-op
    const held = await lock.acquire();
    held.release();
    held.release();
    assert.equal(held.released, true);
    lock.release();

    const again = await lock.acquire();
    lock.release();
    assert.equal(again.released, true);
    assert.equal(lock.held, false);
    lock.release();
    again.release();
    // A stale handle must not release a later acquisition.
    const third = await lock.acquire({ timeoutMs: 0 });
    held.release();
    again.release();
    assert.equal(lock.held, true);
    await assert.rejects(new PsLock(lock.path).acquire({ timeoutMs: 0 }), LockTimeoutError);
    third.release();
    await new PsLock(lock.path).withLock(() => {}, { timeoutMs: 0 });
  });
});

Deno.test("withLock returns fn's value and releases when fn throws or rejects", async () => {
  await withTempDir(async (dir) => {
    const lock = new PsLock(join(dir, "lock"));
    assert.equal(await lock.withLock(() => 7), 7);
    assert.equal(await lock.withLock(() => Promise.resolve("x")), "x");
    await assert.rejects(
      lock.withLock(() => {
        assert.equal(lock.held, true);
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(lock.held, false);
    await assert.rejects(lock.withLock(() => Promise.reject(new Error("async boom"))), /async/);
    assert.equal(lock.held, false);
    await new PsLock(lock.path).withLock(() => {}, { timeoutMs: 0 });
  });
});

Deno.test("two PsLocks on one path in one process serialize without deadlocking", async () => {
  await withTempDir(async (dir) => {
    const locks = [new PsLock(join(dir, "lock")), new PsLock(join(dir, "./lock"))];
    let active = 0;
    let maxActive = 0;
    let done = 0;
    const jobs = Array.from({ length: 200 }, (_, i) =>
      locks[i % 2].withLock(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (i % 3 === 0) await sleep(0);
        else await Promise.resolve();
        active--;
        done++;
      }, {
        // The in-process queue is exclusive whatever the mode (L2).
        exclusive: i % 4 !== 1,
        timeoutMs: i % 5 === 0 ? 30_000 : undefined,
      }));
    await within(Promise.all(jobs), 10_000, "in-process callers deadlocked");
    assert.equal(done, 200);
    assert.equal(maxActive, 1);
  });
});

Deno.test("a waiter that times out in the in-process queue leaves it cleanly", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "lock");
    const a = new PsLock(path);
    const b = new PsLock(path);
    const c = new PsLock(path);
    const heldA = await a.acquire();
    const started = performance.now();
    const bWait = b.acquire({ timeoutMs: 100 }); // queued behind a
    const cWait = track(c.acquire()); // queued behind b, no timeout
    await assert.rejects(bWait, (e) => {
      assert.ok(e instanceof LockTimeoutError);
      assert.equal(e.path, path);
      assert.equal(e.timeoutMs, 100);
      return true;
    });
    const waited = performance.now() - started;
    assert.ok(waited >= 90, `timed out after ${waited} ms, not ~100`);
    assert.equal(b.held, false);
    assert.equal(cWait.settled(), false);
    heldA.release();
    const heldC = await within(cWait.promise, 2_000, "c never got the lock");
    assert.equal(c.held, true);
    heldC.release();
    await b.withLock(() => {}, { timeoutMs: 0 });
  });
});

// --- across real processes -------------------------------------------------------

Deno.test("an exclusive lock excludes an exclusive one across two real processes", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "lock");
    const lock = new PsLock(path);
    await using child = lockChild("hold", path, "exclusive");
    await child.expect("held");

    const started = performance.now();
    await assert.rejects(lock.acquire({ timeoutMs: 200 }), (e) => {
      assert.ok(e instanceof LockTimeoutError, String(e));
      assert.equal(e.path, path);
      assert.equal(e.timeoutMs, 200);
      assert.ok(e.message.includes(path));
      return true;
    });
    assert.ok(performance.now() - started >= 190);
    await assert.rejects(lock.acquire({ exclusive: false, timeoutMs: 50 }), LockTimeoutError);
    assert.equal(lock.held, false);

    // A waiter with a timeout (polling path) gets it once the child lets go.
    const waiting = track(lock.acquire({ timeoutMs: 10_000 }));
    await sleep(50);
    assert.equal(waiting.settled(), false);
    await child.close();
    const held = await within(waiting.promise, 2_000, "lock not taken after release");
    assert.equal(lock.held, true);

    // And the other way round: the child times out while this process holds it.
    const probe = lockChild("try", path, "exclusive", "150");
    assert.equal((await probe.close()).trim(), `timeout ${path}`);
    held.release();
    const probe2 = lockChild("try", path, "exclusive", "150");
    assert.equal((await probe2.close()).trim(), "held");
  });
});

Deno.test("shared locks coexist across processes and block an exclusive one", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "lock");
    const lock = new PsLock(path);
    await using reader1 = lockChild("hold", path, "shared");
    await using reader2 = lockChild("hold", path, "shared");
    await Promise.all([reader1.expect("held"), reader2.expect("held")]);

    const shared = await lock.acquire({ exclusive: false, timeoutMs: 2_000 });
    shared.release();
    await assert.rejects(lock.acquire({ timeoutMs: 150 }), LockTimeoutError);

    // The exclusive waiter (blocking path) wakes only when both readers are gone.
    const writer = track(lock.acquire());
    await reader1.close();
    await sleep(100);
    assert.equal(writer.settled(), false, "exclusive taken while a reader held it");
    await reader2.close();
    const held = await within(writer.promise, 2_000, "writer not woken");
    assert.equal(held.exclusive, true);

    // A shared child is excluded by this process's exclusive lock...
    assert.equal(
      (await lockChild("try", path, "shared", "100").close()).trim(),
      `timeout ${path}`,
    );
    held.release();
    // ...and an exclusive child by this process's shared lock.
    await lock.withLock(async () => {
      assert.equal(
        (await lockChild("try", path, "exclusive", "100").close()).trim(),
        `timeout ${path}`,
      );
      assert.equal((await lockChild("try", path, "shared", "2000").close()).trim(), "held");
    }, { exclusive: false });
  });
});

Deno.test("a holder killed with SIGKILL releases the lock to a waiting process at once", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "lock");
    const blocking = new PsLock(path);
    const polling = new PsLock(path);
    await using child = lockChild("hold", path, "exclusive");
    await child.expect("held");

    // One waiter blocks in the kernel, one queues behind it in-process with a timeout.
    const first = track(blocking.acquire());
    const second = track(polling.acquire({ timeoutMs: 10_000 }));
    await sleep(100);
    assert.equal(first.settled(), false);

    child.kill("SIGKILL");
    const status = await child.exited;
    assert.equal(status.signal, "SIGKILL");
    const died = performance.now();
    const held = await within(first.promise, 5_000, "lock of a dead process never released");
    const elapsed = performance.now() - died;
    console.log(`    lock taken ${elapsed.toFixed(2)} ms after the holder's death was reported`);
    assert.ok(elapsed < 1_000, `took ${elapsed} ms`);
    held.release();
    (await within(second.promise, 2_000, "queued waiter not served")).release();
  });
});

/** N children each increment a counter file `times` times; returns the result. */
async function countWithChildren(dir: string, locking: boolean): Promise<number> {
  const lockPath = join(dir, "lock");
  const counterPath = join(dir, "counter");
  Deno.writeTextFileSync(counterPath, "0".padStart(16, "0"));
  const children = Array.from(
    { length: 8 },
    () => lockChild("count", lockPath, counterPath, "50", locking ? "lock" : "nolock"),
  );
  try {
    // All start together, so that they really contend.
    await Promise.all(children.map((c) => c.expect("ready", 30_000)));
    await Promise.all(children.map((c) => c.send("go")));
    await Promise.all(children.map((c) => c.close(20_000)));
  } finally {
    for (const c of children) await c[Symbol.asyncDispose]();
  }
  return Number(Deno.readTextFileSync(counterPath));
}

Deno.test("8 processes x 50 read-modify-writes under the lock give exactly 400", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await countWithChildren(dir, true), 400);
  });
});

Deno.test("negative control: the same 8 x 50 read-modify-writes without the lock lose updates", async () => {
  await withTempDir(async (dir) => {
    const total = await countWithChildren(dir, false);
    console.log(`    without the lock: ${total} of 400`);
    assert.ok(
      total < 400,
      `no update lost without the lock (${total}): the harness proves nothing`,
    );
  });
});

// --- Node interop ------------------------------------------------------------------

const KOFFI = join(ROOT, "node_modules", "koffi");
const NODE_MISSING = (() => {
  if (!existsSync(KOFFI)) return `koffi is not installed in ${KOFFI}`;
  try {
    const out = new Deno.Command("node", { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    return out.success ? null : "`node --version` failed";
  } catch {
    return "node is not on PATH";
  }
})();
if (NODE_MISSING) console.warn(`lock_test.ts: Node interop tests skipped: ${NODE_MISSING}`);

/** A plain Node script taking the lock with koffi's flock, nothing of psbase. */
const FLOCK_MJS = `
import { createRequire } from "node:module";
import { closeSync, constants, openSync } from "node:fs";
const [root, mode, path] = process.argv.slice(2);
const koffi = createRequire(root + "/package.json")("koffi");
const libc = koffi.load(process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6");
const flock = libc.func("int flock(int fd, int operation)");
const LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
const say = (line) => process.stdout.write(line + "\\n");
if (mode === "hold") {
  await new Promise((resolve, reject) => flock.async(fd, LOCK_EX, (err, r) =>
    err ? reject(err) : r === 0 ? resolve() : reject(new Error("flock failed"))));
  say("held");
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => { flock(fd, LOCK_UN); closeSync(fd); process.exit(0); });
} else if (mode === "try") {
  say(flock(fd, LOCK_EX | LOCK_NB) === 0 ? "held" : "busy");
  closeSync(fd);
}
`;

/** Drives PsLock itself (lock.ts transpiled to JS) in Node. */
const PSLOCK_MJS = `
import { PsLock } from "./js/lock.js";
import { LockTimeoutError } from "./js/_errors.js";
const [mode, path, arg] = process.argv.slice(2);
const say = (line) => process.stdout.write(line + "\\n");
if (mode === "hold") {
  const held = await new PsLock(path).acquire({ exclusive: arg !== "shared" });
  say("held");
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => { held.release(); process.exit(0); });
} else if (mode === "try") {
  try {
    (await new PsLock(path).acquire({ timeoutMs: Number(arg) })).release();
    say("held");
  } catch (e) {
    if (!(e instanceof LockTimeoutError)) throw e;
    say("timeout " + e.path);
  }
} else if (mode === "wait") {
  say("waiting");
  (await new PsLock(path).acquire()).release();
  say("held");
} else if (mode === "queue") {
  const locks = [new PsLock(path), new PsLock(path)];
  let active = 0, max = 0, done = 0;
  await Promise.all(Array.from({ length: 100 }, (_, i) => locks[i % 2].withLock(async () => {
    active++;
    max = Math.max(max, active);
    await new Promise((r) => setTimeout(r, 0));
    active--;
    done++;
  }, { exclusive: i % 3 !== 0 })));
  say(JSON.stringify({ max, done }));
}
`;

Deno.test({
  name: "Deno's PsLock and a plain Node flock through koffi exclude each other both ways",
  ignore: NODE_MISSING !== null,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "lock");
      const script = join(dir, "flock.mjs");
      Deno.writeTextFileSync(script, FLOCK_MJS);
      const node = (...args: string[]) => Child.spawn("node", [script, ROOT, ...args]);
      const lock = new PsLock(path);

      // Deno holds: Node cannot take it; Deno lets go: Node can.
      await lock.withLock(async () => {
        assert.equal((await node("try", path).close()).trim(), "busy");
      });
      assert.equal((await node("try", path).close()).trim(), "held");
      await lock.withLock(async () => {
        assert.equal((await node("try", path).close()).trim(), "busy");
      }, { exclusive: false });

      // Node holds: Deno times out, then gets it as soon as Node lets go.
      await using holder = node("hold", path);
      await holder.expect("held");
      await assert.rejects(lock.acquire({ timeoutMs: 150 }), LockTimeoutError);
      await assert.rejects(lock.acquire({ exclusive: false, timeoutMs: 50 }), LockTimeoutError);
      const waiting = track(lock.acquire());
      await sleep(50);
      assert.equal(waiting.settled(), false);
      await holder.close();
      (await within(waiting.promise, 2_000, "Deno not woken after Node released")).release();
    });
  },
});

Deno.test({
  name: "PsLock running in Node (koffi flock) and in Deno exclude each other both ways",
  ignore: NODE_MISSING !== null,
  fn: async () => {
    await withTempDir(async (dir) => {
      // lock.ts and its private modules, transpiled for Node 20 (no type stripping).
      const js = join(dir, "js");
      const sources = [
        "lock.ts",
        "_errors.ts",
        "_path.ts",
        "_show.ts",
        "_mutex.ts",
        "_options.ts",
        "_node_builtin.ts",
      ]
        .concat([...Deno.readDirSync(join(ROOT, "_lock"))].map((e) => `_lock/${e.name}`))
        .map((f) => join(ROOT, f));
      const out = new Deno.Command(Deno.execPath(), {
        args: ["transpile", "--outdir", js, ...sources],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const files = (d: string): string[] =>
        [...Deno.readDirSync(d)].flatMap((e) =>
          e.isDirectory ? files(join(d, e.name)) : [join(d, e.name)]
        );
      for (const file of files(js)) {
        Deno.writeTextFileSync(
          file,
          Deno.readTextFileSync(file).replace(/(["'])(\.{1,2}\/[^"']+)\.ts\1/g, "$1$2.js$1"),
        );
      }
      Deno.writeTextFileSync(join(dir, "package.json"), '{ "type": "module" }');
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
      const script = join(dir, "pslock.mjs");
      Deno.writeTextFileSync(script, PSLOCK_MJS);
      const node = (...args: string[]) => Child.spawn("node", [script, ...args]);
      const path = join(dir, "lock");
      const lock = new PsLock(path);

      // In Node too, two PsLocks on one path queue in-process, never deadlock.
      assert.deepEqual(JSON.parse(await node("queue", path).close()), { max: 1, done: 100 });

      // Deno holds: Node times out (polling), and a blocked Node waiter
      // (flock.async) wakes once Deno lets go.
      const held = await lock.acquire();
      assert.equal((await node("try", path, "150").close()).trim(), `timeout ${path}`);
      await using waiter = node("wait", path);
      await waiter.expect("waiting");
      await sleep(150);
      assert.equal(waiter.output.includes("held"), false, "Node took a lock Deno holds");
      held.release();
      await within(waiter.expect("held"), 5_000, "Node waiter not woken");
      await waiter.close();

      // Node holds: Deno times out, then gets it once Node lets go.
      await using holder = node("hold", path, "exclusive");
      await holder.expect("held");
      await assert.rejects(lock.acquire({ timeoutMs: 150 }), LockTimeoutError);
      const waiting = track(lock.acquire({ exclusive: false }));
      await sleep(50);
      assert.equal(waiting.settled(), false);
      await holder.close();
      (await within(waiting.promise, 2_000, "Deno not woken after Node released")).release();

      // Shared in Node and shared in Deno coexist.
      await using reader = node("hold", path, "shared");
      await reader.expect("held");
      (await lock.acquire({ exclusive: false, timeoutMs: 1_000 })).release();
      await reader.close();
    });
  },
});
