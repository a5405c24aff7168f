// Copyright 2026 the psbase authors. MIT license.
// Crash safety (FORMAT.md, W1-W3, F6): a writer killed with SIGKILL at random
// moments, many times, always leaves a base that opens with every
// acknowledged commit and nothing of an unfinished one.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Base } from "../mod.ts";
import { withTempDir } from "./_helpers.ts";

const CHILD = new URL("./crash_child.ts", import.meta.url).pathname;
const KILLS = 40;

/** Checks the base is exactly the state after commit C, for some C in [lo, hi]. */
async function verify(path: string, lo: number, hi: number): Promise<number> {
  const db = await new Base(path).open();
  try {
    const [counter] = await db.find({ batch: 0 });
    const c = counter.last as number;
    assert.ok(c >= lo && c <= hi, `counter ${c} not in [${lo}, ${hi}]: an acked commit was lost`);
    const all = await db.select();
    assert.equal(await db.count(), all.length, "count() must equal the records read");
    const byBatch = new Map<number, number>();
    for (const r of all) byBatch.set(r.batch as number, (byBatch.get(r.batch as number) ?? 0) + 1);
    for (let b = 1; b <= c; b++) {
      const want = b > c - 3 ? 1 + b % 4 : 0;
      assert.equal(byBatch.get(b) ?? 0, want, `batch ${b} after commit ${c}: half a commit?`);
    }
    assert.equal([...byBatch.keys()].filter((b) => b > c).length, 0, "rows of a later commit");
    // addField runs after commit 20 is acked: at exactly 20 it may or may not have landed.
    if (c !== 20) assert.equal("extra" in all[0], c > 20, "the schema change follows commit 20");
    return c;
  } finally {
    await db.close();
  }
}

Deno.test(`a writer killed with SIGKILL ${KILLS} times at random moments loses no acknowledged commit and leaves no half commit`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "crash");
    let acked = 0;
    let landed = 0;
    for (let run = 0; run < KILLS; run++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", CHILD, path],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const out = child.stdout.getReader();
      let text = "";
      const dec = new TextDecoder();
      // Wait until the child has started committing, then kill it at a random moment.
      while (!text.includes("acked")) {
        const { value, done } = await out.read();
        if (done) break;
        text += dec.decode(value);
      }
      await new Promise((r) => setTimeout(r, Math.random() * 80));
      child.kill("SIGKILL");
      for (;;) {
        const { value, done } = await out.read();
        if (done) break;
        text += dec.decode(value);
      }
      const status = await child.status;
      const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      assert.equal(status.signal, "SIGKILL", `child ended by itself: ${err}`);
      const acks = [...text.matchAll(/acked (\d+)/g)].map((m) => Number(m[1]));
      if (acks.length) acked = Math.max(acked, ...acks);
      // Every acked commit is there; at most the one in flight landed too.
      landed = await verify(path, acked, acked + 1);
      acked = landed;
    }
    assert.ok(landed > KILLS, `only ${landed} commits in ${KILLS} runs`);
  });
});
