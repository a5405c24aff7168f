// Copyright 2026 the psbase authors. MIT license.
// A fixed job for npm_test's durability comparison: the same calls in Deno
// (psbase from the sources, named by PSBASE) and in Node (the installed
// package), each run under strace, must make the same fsyncs, fdatasyncs and
// renames in the same order: create, a commit of 20 records, 30 one-record
// commits (with a 1 KiB checkpointBytes, so some commits checkpoint), a
// cleanup, a delete, close.
//
//   node _durability_job.mjs <folder>
//   PSBASE=file:///.../mod.ts deno run --allow-all _durability_job.mjs <folder>

const deno = globalThis.Deno;
const { PsBase } = await import(deno ? deno.env.get("PSBASE") : "psbase");
const dir = deno ? deno.args[0] : process.argv[2];
const db = await new PsBase(dir, { checkpointBytes: 1024 }).create({ name: "string", n: "int" });
const ids = await db.insertMany(Array.from({ length: 20 }, (_, i) => ({ name: `r${i}`, n: i })));
for (let i = 0; i < 30; i++) await db.update(await db.get(ids[i % 20]), { n: 100 + i });
await db.cleanup();
await db.delete(ids[3]);
await db.close();
