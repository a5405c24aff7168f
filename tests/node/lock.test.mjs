// Copyright 2026 the psbase authors. MIT license.
// The Node suite for PsLock (flock(2) through koffi), in one process and across two.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LockTimeoutError, PsLock } from "psbase";
import { child, runChild, tempDir } from "./_helpers.mjs";

let tmp;
let n = 0;
before(() => (tmp = tempDir()));
after(() => tmp.cleanup());
const lockPath = () => join(tmp.dir, `l${++n}.lock`);

describe("PsLock in Node (installed package)", () => {
  test("two PsLocks on one path exclude each other; LockTimeoutError", async () => {
    const path = lockPath();
    const a = new PsLock(path);
    const b = new PsLock(path);
    const held = await a.acquire();
    const t0 = performance.now();
    await assert.rejects(b.acquire({ timeoutMs: 150 }), (e) => {
      assert.ok(e instanceof LockTimeoutError);
      assert.equal(e.name, "LockTimeoutError");
      assert.equal(e.timeoutMs, 150);
      assert.equal(e.path, a.path);
      return true;
    });
    assert.ok(performance.now() - t0 >= 140, "waited about timeoutMs");
    held.release();
    held.release(); // idempotent
    const next = await b.acquire({ timeoutMs: 1000 });
    next.release();
  });

  test("a waiter gets the lock when the holder releases", async () => {
    const path = lockPath();
    const a = new PsLock(path);
    const held = await a.acquire();
    let got = false;
    const waiting = new PsLock(path).acquire().then((h) => ((got = true), h));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got, false);
    await held[Symbol.asyncDispose]();
    const h2 = await waiting;
    assert.equal(got, true);
    h2.release();
  });

  test("withLock serializes callers and releases on throw", async () => {
    const path = lockPath();
    let inside = 0;
    let most = 0;
    const work = (lock) =>
      lock.withLock(async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all(Array.from({ length: 8 }, () => work(new PsLock(path))));
    assert.equal(most, 1, "never two holders at once");
    await assert.rejects(
      new PsLock(path).withLock(() => {
        throw new Error("boom");
      }),
      /boom/,
    );
    const h = await new PsLock(path).acquire({ timeoutMs: 500 });
    h.release();
    assert.equal(await new PsLock(path).withLock(() => 42), 42);
  });

  test("another Node process holding the lock: LockTimeoutError; it dies: lock is free", async () => {
    const path = lockPath();
    const holder = child("hold", path);
    await holder.waitFor("held");
    await assert.rejects(new PsLock(path).acquire({ timeoutMs: 200 }), LockTimeoutError);
    holder.proc.kill("SIGKILL");
    await holder.done;
    const t0 = performance.now();
    const h = await new PsLock(path).acquire({ timeoutMs: 5000 });
    assert.ok(performance.now() - t0 < 1000, "a dead process releases its lock at once");
    h.release();
  });

  test("this process holding the lock: another Node process times out, then acquires", async () => {
    const path = lockPath();
    const held = await new PsLock(path).acquire();
    assert.deepEqual(await runChild("try", path, 200), ["timeout"]);
    held.release();
    assert.deepEqual(await runChild("try", path, 5000), ["acquired"]);
  });
});
