// Copyright 2026 the psbase authors. MIT license.
// Crash safety (FORMAT.md, W1-W3, F6): a writer killed with SIGKILL at random
// moments, many times, always leaves a base that opens with every
// acknowledged commit and nothing of an unfinished one. The writer and the
// check are the harness's crash scenario (tests/_harness/scenarios/crash.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { Child, sleep, withTempDir } from "./_harness/mod.ts";
import { verify } from "./_harness/scenarios/crash.ts";

const KILLS = 40;

Deno.test(`a writer killed with SIGKILL ${KILLS} times at random moments loses no acknowledged commit and leaves no half commit`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "crash");
    let acked = 0;
    let landed = 0;
    for (let run = 0; run < KILLS; run++) {
      const child = new Child(run, ["--engine=plain", `--base=${path}`, "--scenario=crash"]);
      try {
        assert.ok(await child.waitFor("ready"), child.stderr);
        await child.send("go");
        // Wait until the child has started committing, then kill it at a random moment.
        await child.waitFor("acked");
        await sleep(Math.random() * 80);
      } finally {
        child.kill("SIGKILL");
      }
      const status = await child.exited;
      assert.equal(status.signal, "SIGKILL", `child ended by itself: ${child.stderr}`);
      const acks = child.lines.flatMap((l) => /^acked (\d+)$/.exec(l)?.[1] ?? []).map(Number);
      if (acks.length) acked = Math.max(acked, ...acks);
      // Every acked commit is there; at most the one in flight landed too.
      landed = await verify(path, acked, acked + 1);
      acked = landed;
    }
    assert.ok(landed > KILLS, `only ${landed} commits in ${KILLS} runs`);
  });
});
