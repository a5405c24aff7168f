// Copyright 2026 the psbase authors. MIT license.
// Child of crash_test.ts: commits forever on the base at Deno.args[0], printing
// each commit's number once its promise resolved, until it is killed.
// Commit c (a transaction): insert 1 + c % 4 rows of batch c, delete the rows
// of batch c - 3, set the counter record's `last` to c. Every 7th commit also
// runs cleanup(); commit 20 adds a field. Checkpoints are frequent.

import { Base, BaseExistsError } from "../mod.ts";

const db = new Base(Deno.args[0], { checkpointBytes: 2048 });
try {
  await db.create({ batch: "int", k: "int", last: "int", label: "string" });
} catch (e) {
  if (!(e instanceof BaseExistsError)) throw e;
  await db.open(); // its own schema: commit 20 adds a field
}
let [counter] = await db.find({ batch: 0 });
if (!counter) {
  await db.insert({ batch: 0, last: 0 });
  [counter] = await db.find({ batch: 0 });
}
let c = counter.last as number;
// Killed between commit 20 and its schema change: make it now.
if (c >= 20 && !("extra" in db.schema)) await db.addField("extra", "int", { default: 20 });
console.log(`start ${c}`);
for (;;) {
  c++;
  await db.transaction(async (tx) => {
    const rows = Array.from({ length: 1 + c % 4 }, (_, k) => ({
      batch: c,
      k,
      label: `batch ${c} row ${k} `.repeat(3),
    }));
    await tx.insertMany(rows);
    if (c > 3) await tx.delete(await tx.find({ batch: c - 3 }));
    const [cur] = await tx.find({ batch: 0 });
    await tx.update(cur, { last: c });
  });
  console.log(`acked ${c}`);
  if (c % 7 === 0) await db.cleanup();
  if (c === 20) await db.addField("extra", "int", { default: 20 });
}
