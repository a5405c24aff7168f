// Copyright 2026 the psbase authors. MIT license.
// Child of tests/_cli.ts (backup while writers run): commits on the base at
// Deno.args[0] as writer Deno.args[1], printing "ack <seq>" once each commit's
// promise resolved, until the file Deno.args[2] exists (and at least 3
// commits are made) or 2000 are. Commit = one transaction: the counter
// (record 1) goes from n to n + 1 and a row { kind: "row", writer, seq, n: n + 1 }
// is inserted, so after K commits the rows hold n = 1..K. Writer 0 also runs
// cleanup() after every 10th of its commits: a new generation every ~200
// commits in all, which a backup may race, while the log in between holds
// many commits, which a backup must not drop.

import { existsSync } from "node:fs";
import { PsBase } from "../mod.ts";

const [dir, writer, stop] = Deno.args;
await using db = await new PsBase(dir, { timeoutMs: 60_000 }).open();
for (let seq = 1; seq <= 2000; seq++) {
  if (seq > 3 && existsSync(stop)) break;
  await db.transaction(async (tx) => {
    const counter = (await tx.get(1))!;
    const n = (counter.n as number) + 1;
    await tx.insert({ kind: "row", writer: Number(writer), seq, n });
    await tx.update(counter, { n });
  });
  console.log(`ack ${seq}`);
  if (writer === "0" && seq % 10 === 0) await db.cleanup();
}
