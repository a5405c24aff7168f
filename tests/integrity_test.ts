// Copyright 2026 the psbase authors. MIT license.
// Damage is never read as data (FORMAT.md, F0-F7, K): every single-bit flip,
// truncation and zero fill of every file of a base is either harmless (the
// base reads back a state it went through) or a CorruptionError naming that
// file; crafted files with valid checksums but bad content too. A reader that
// loses the race with a checkpoint creates nothing (R4); a full disk leaves
// nothing behind; the integrity check names each damaged file.

import assert from "node:assert/strict";
import { Base, CorruptionError, PsBase } from "../mod.ts";
import { injectFs } from "../_file/_kind.ts";
import { sum32 } from "../_file/_checksum.ts";
import { FileStore } from "../_file/_store.ts";
import type { Fs } from "../_file/_fs.ts";
import { CrashFs, withHooks } from "./_crash_fs.ts";

const PATH = "/mem/b";
const SCHEMA = {
  name: { type: "string", index: true },
  n: { type: "int", index: "sorted" },
  x: "float",
  d: "date",
  ok: "bool",
} as const;
type Files = Map<string, Uint8Array>;

/** A base of a few generations (data file, log with commits, manifest); returns its files and every state it went through. */
async function build(): Promise<{ files: Files; states: string[] }> {
  const fs = new CrashFs();
  const db = injectFs(new Base(PATH, { checkpointBytes: 1 << 20 }), fs);
  await db.create(SCHEMA);
  const states: string[] = [];
  const snap = async () => states.push(JSON.stringify(await db.find()));
  await snap();
  await db.insertMany(Array.from({ length: 40 }, (_, i) => ({
    name: `r${i}${"é".repeat(i % 3)}`,
    n: 100 + i,
    x: i / 3,
    d: new Date(Date.UTC(2020, 0, 1 + i)),
    ok: i % 2 === 0,
  })));
  await db.cleanup(); // the rows go into a data file
  await snap();
  for (let i = 0; i < 6; i++) {
    await db.transaction(async (tx) => {
      await tx.insert({ name: `new${i}`, n: i });
      const [r] = await tx.find({ n: 100 + i });
      await tx.update(r, { name: null, ok: null });
      await tx.delete(10 + i);
    });
    await snap();
  }
  await db.close();
  const files: Files = new Map();
  for (const name of fs.readdir(PATH)) files.set(`${PATH}/${name}`, fs.readFile(`${PATH}/${name}`));
  return { files, states };
}

type Outcome = "exact" | "earlier" | "corruption";

/** Opens the files with a fresh base and reads everything, every way; classifies what came back. */
async function read(files: Files, states: string[], damaged: string): Promise<Outcome> {
  const db = injectFs(new Base<typeof SCHEMA>(PATH), new CrashFs(Infinity, files));
  try {
    await db.open();
    const all = await db.find();
    const text = JSON.stringify(all);
    // Point reads, scans and index lookups of every record must agree with the whole read.
    for (const r of all) {
      assert.equal(JSON.stringify(await db.get(r.__id__)), JSON.stringify(r), `get(${r.__id__})`);
      if (r.name !== null) {
        assert.ok((await db.find({ name: r.name })).some((x) => x.__id__ === r.__id__));
      }
      if (r.n !== null) assert.ok((await db.find({ n: r.n })).some((x) => x.__id__ === r.__id__));
    }
    assert.equal(await db.count(), all.length);
    assert.equal(await db.count({ ok: true }), all.filter((r) => r.ok === true).length);
    assert.ok(states.includes(text), `${damaged}: read back a state the base never had`);
    return text === states[states.length - 1] ? "exact" : "earlier";
  } catch (e) {
    if (e instanceof CorruptionError) {
      assert.equal(e.file, damaged, `the error names ${e.file}, not the damaged ${damaged}`);
      return "corruption";
    }
    throw new Error(`${damaged}: ${(e as Error)?.stack ?? e}`);
  } finally {
    await db.close();
  }
}

function mutate(files: Files, file: string, f: (b: Uint8Array) => Uint8Array): Files {
  const out = new Map(files);
  out.set(file, f(files.get(file)!.slice()));
  return out;
}

for (const kind of ["data.2", "log.2", "manifest.json"]) {
  Deno.test(`every single-bit flip, truncation and zero fill of ${kind} is harmless or a CorruptionError naming it, never wrong data`, async () => {
    const { files, states } = await build();
    const file = `${PATH}/${kind}`;
    assert.ok(files.has(file), `the base has ${kind}: ${[...files.keys()]}`);
    const size = files.get(file)!.length;
    const tally = { exact: 0, earlier: 0, corruption: 0 };
    let seed = 12345;
    for (let at = 0; at < size; at++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const bit = 1 << (seed % 8);
      tally[await read(mutate(files, file, (b) => (b[at] ^= bit, b)), states, file)]++;
    }
    for (let len = 0; len < size; len += Math.max(1, size >> 7)) {
      tally[await read(mutate(files, file, (b) => b.slice(0, len)), states, file)]++;
    }
    for (let at = 0; at < size; at += 61) {
      tally[await read(mutate(files, file, (b) => b.fill(0, at, at + 64)), states, file)]++;
    }
    console.log(`  ${kind}: ${JSON.stringify(tally)}`);
    // A flip in the manifest or the data file is always detected; in the log, too
    // (a flipped record is damage, never a torn tail).
    assert.ok(tally.corruption >= size, `only ${tally.corruption} of ${size} flips detected`);
  });
}

/** The integrity check's problems with `files` (a CorruptionError at open counts as one). */
async function problemsOf(files: Files): Promise<string[]> {
  const db = injectFs(new Base<typeof SCHEMA>(PATH), new CrashFs(Infinity, files));
  try {
    await db.open();
  } catch (e) {
    if (e instanceof CorruptionError) return [`${e.file}: ${e.message}`];
    throw e;
  }
  try {
    return (await db.check()).problems.map((p) => `${p.file}: ${p.detail}`);
  } finally {
    await db.close();
  }
}

Deno.test("every byte of the data file is checked (F0, F3): a flip anywhere, the zero padding between sections included, and bytes appended are found by the open or the integrity check", async () => {
  const { files } = await build();
  const file = `${PATH}/data.2`;
  const data = files.get(file)!;
  let padding = 0;
  for (let at = 0; at < data.length; at++) {
    const problems = await problemsOf(mutate(files, file, (b) => (b[at] ^= 0x10, b)));
    assert.ok(problems.some((p) => p.startsWith(file)), `a flip at ${at} went unnoticed`);
    if (problems.some((p) => p.includes("padding"))) padding++;
  }
  assert.ok(padding > 0, "the base has no padding between sections: the test proves nothing");
  for (const tail of [[0], [0x58], [0, 0, 0, 0, 0, 0, 0, 0]]) {
    const longer = mutate(files, file, (b) => {
      const out = new Uint8Array(b.length + tail.length);
      out.set(b);
      out.set(tail, b.length);
      return out;
    });
    assert.deepEqual(await problemsOf(longer), [
      `${file}: Cannot read ${file}: the file is damaged: ${
        data.length + tail.length
      } bytes long, not ${data.length} (its sections' end)`,
    ]);
  }
  console.log(`  ${data.length} flips found, ${padding} of them in the padding; 3 tails found`);
});

Deno.test("a data or log file the manifest names, missing, is a CorruptionError naming it, at open and in the integrity check", async () => {
  const { files } = await build();
  for (const name of ["data.2", "log.2"]) {
    const file = `${PATH}/${name}`;
    const without = new Map(files);
    without.delete(file);
    const detail = "it is missing, though manifest.json names generation 2";
    const db = injectFs(new Base<typeof SCHEMA>(PATH), new CrashFs(Infinity, without));
    await assert.rejects(
      () => db.open(),
      (e) => e instanceof CorruptionError && e.file === file && e.detail === detail,
    );
    const report = await db.check();
    assert.deepEqual(report.problems.map((p) => [p.file, p.detail]), [[file, detail]]);
  }
});

/** Rewrites the log's last record with `body` as its ops, sums recomputed (FORMAT.md, F6). */
function craftLastRecord(log: Uint8Array, body: string): Uint8Array {
  let p = 16;
  let last = 16;
  const dv = new DataView(log.buffer);
  while (p < log.length) {
    last = p;
    p += 13 + dv.getUint32(p + 1, true);
  }
  const b = new TextEncoder().encode(body);
  const rec = new Uint8Array(13 + b.length);
  const rv = new DataView(rec.buffer);
  rec[0] = 0x52;
  rv.setUint32(1, b.length, true);
  rv.setUint32(5, sum32(b), true);
  rv.setUint32(9, sum32(rec.subarray(0, 9), last), true);
  rec.set(b, 13);
  const out = new Uint8Array(last + rec.length);
  out.set(log.subarray(0, last));
  out.set(rec, last);
  return out;
}

Deno.test("log records with valid checksums but ops that do not fit the schema or the state are a CorruptionError naming the log", async () => {
  const { files, states } = await build();
  const log = `${PATH}/log.2`;
  const bad = [
    `[["x",1]]`, // unknown op
    `[["i",[99,0,"a",1,0.5,0]]]`, // a row of the wrong length
    `[["i",[50,0,"a",1.5,0.5,0,true]]]`, // an int that is not one
    `[["i",[51,1,"a",1,0.5,0,true]]]`, // an insert at version 1
    `[["i",[3,0,"a",1,0.5,0,true]]]`, // insert over a live id
    `[["u",[9999,1,"a",1,0.5,0,true]]]`, // update of an id that never lived
    `[["d",9999]]`, // delete of an id that never lived
    `[["i",[60,0,"a",1,0.5,12345,true]]]`, // a date off the day
    `[["i",[61,0,"\\ud800",1,0.5,0,true]]]`, // a lone surrogate
    `[]`, // no ops
    `{"i":1}`, // not a list
  ];
  for (const body of bad) {
    const outcome = await read(mutate(files, log, (b) => craftLastRecord(b, body)), states, log)
      .catch((e) => e);
    assert.equal(outcome, "corruption", `crafted op ${body} was accepted: ${outcome}`);
  }
});

Deno.test("a data file header or manifest with valid checksums but out-of-range content is a CorruptionError naming it", async () => {
  const { files, states } = await build();
  const data = `${PATH}/data.2`;
  const craftHeader = (
    edit: (h: { rows: number; columns: Array<{ off: number; len: number }> }) => void,
  ) =>
    mutate(files, data, (b) => {
      const dv = new DataView(b.buffer);
      const hlen = dv.getUint32(8, true);
      const slen = dv.getUint32(12, true);
      const h = JSON.parse(new TextDecoder().decode(b.subarray(20, 20 + hlen)));
      edit(h);
      const text = new TextEncoder().encode(JSON.stringify(h).padEnd(hlen, " ").slice(0, hlen));
      b.set(text, 20);
      dv.setUint32(16, sum32(b.subarray(20, 20 + hlen + slen)), true);
      return b;
    });
  for (
    const edit of [
      (h: { rows: number }) => (h.rows = 1e9),
      (h: { rows: number }) => (h.rows = 39),
      (h: { columns: Array<{ off: number }> }) => (h.columns[2].off += 8),
      (h: { columns: Array<{ len: number }> }) => (h.columns[0].len = 1e9),
    ]
  ) {
    assert.equal(await read(craftHeader(edit as never), states, data), "corruption");
  }
  const manifest = `${PATH}/manifest.json`;
  const craftManifest = (
    edit: (m: { nextId: number; gen: number; fields: Array<{ type: string }> }) => void,
  ) =>
    mutate(files, manifest, (b) => {
      const text = new TextDecoder().decode(b);
      const m = JSON.parse(text);
      delete m.sum;
      edit(m);
      const body = JSON.stringify(m);
      return new TextEncoder().encode(
        `${body.slice(0, -1)},"sum":${sum32(new TextEncoder().encode(body))}}`,
      );
    });
  for (
    const edit of [
      (m: { nextId: number }) => (m.nextId = 5), // would reuse ids
      (m: { gen: number }) => (m.gen = 7), // names files that do not exist
      (m: { fields: Array<{ type: string }> }) => (m.fields[3].type = "int"), // a date read as an int
      (m: { fields: Array<{ type: string }> }) => (m.fields[0].type = "uuid"),
    ]
  ) {
    const outcome = await read(craftManifest(edit as never), states, manifest).catch((e) => e);
    assert.ok(
      outcome === "corruption" ||
        (outcome instanceof Error && /data\.7|log\.7/.test(outcome.message)),
      `crafted manifest accepted: ${outcome}`,
    );
  }
});

Deno.test("a damaged manifest's message says what is wrong: bytes after its closing brace, an index of another kind", async () => {
  const { files } = await build();
  const manifest = `${PATH}/manifest.json`;
  const newline = mutate(files, manifest, (b) => new Uint8Array([...b, 0x0a]));
  assert.deepEqual(await problemsOf(newline), [
    `${manifest}: Cannot read ${manifest}: the file is damaged: 1 byte after its closing brace (a manifest ends with its "sum" and "}")`,
  ]);
  const resummed = (edit: (m: { indexes: Array<{ kind: string }> }) => void) =>
    mutate(files, manifest, (b) => {
      const m = JSON.parse(new TextDecoder().decode(b));
      delete m.sum;
      edit(m);
      const body = JSON.stringify(m);
      return new TextEncoder().encode(
        `${body.slice(0, -1)},"sum":${sum32(new TextEncoder().encode(body))}}`,
      );
    });
  const other = resummed((m) =>
    m.indexes[0].kind = m.indexes[0].kind === "hash" ? "sorted" : "hash"
  );
  const [problem] = await problemsOf(other);
  assert.match(
    problem,
    /its schema does not match .*data\.2: its index 0 is "(hash|sorted)" on "\w+", not "(sorted|hash)" on "\w+"$/,
  );
});

for (const signatures of [true, false]) {
  Deno.test(
    `a reader (open, or check) that loses the race with a checkpoint's removal of the log re-reads the manifest and creates nothing (R4)${
      signatures ? "" : ", on a file layer without file signatures"
    }`,
    async () => {
      const fs = new CrashFs();
      const db = injectFs(new Base(PATH), fs);
      await db.create({ n: "int" });
      await db.insert({ n: 1 });
      await db.close();
      let gen = 1;
      let raced = 0;
      let races = 1; // how many races to run in all
      const racing = withHooks(fs, {
        open: (path, mode) => {
          if (raced < races && path === `${PATH}/log.${gen}` && mode === "r") {
            raced++;
            gen++;
            // Another process checkpoints between this reader's reading the manifest and opening
            // the log.
            const other = FileStore.open(PATH, { fs, sync: true, checkpointBytes: 1 << 16 });
            other.change({ kind: "cleanup" });
            other.close();
          }
          return fs.open(path, mode);
        },
        ...(signatures ? {} : { signature: () => null }),
      });
      const reader = injectFs(new Base(PATH), racing);
      await reader.open();
      assert.equal(raced, 1, "the race happened");
      assert.equal(await reader.count(), 1);
      assert.equal(fs.exists(`${PATH}/log.1`), false, "the reader created the removed log");
      // The integrity check, racing the same way, starts over on the new generation.
      races = 2;
      assert.deepEqual((await reader.check()).problems, []);
      assert.equal(raced, 2, "the check raced too");
      await reader.close();
    },
  );
}

Deno.test("a full disk during cleanup rejects naming the file, leaves no partial file, and keeps the base whole", async () => {
  const fs = new CrashFs();
  const db = injectFs(new Base(PATH), fs);
  await db.create({ n: "int" });
  await db.insertMany([{ n: 1 }, { n: 2 }]);
  const before = fs.readdir(PATH).sort();
  const full = withHooks(fs, {
    open: (path, mode) => {
      const h = fs.open(path, mode);
      if (mode !== "w" || !path.includes("/data.")) return h;
      return {
        ...Object.fromEntries(
          ["read", "size", "sync", "datasync", "truncate", "close"].map((k) => [
            k,
            (h as unknown as { [k: string]: (...a: unknown[]) => unknown })[k].bind(h),
          ]),
        ),
        write: () => {
          throw Object.assign(new Error("No space left on device (os error 28)"), {
            code: "ENOSPC",
          });
        },
      } as unknown as ReturnType<Fs["open"]>;
    },
  });
  const db2 = injectFs(new Base(PATH), full);
  await db2.open();
  await assert.rejects(
    () => db2.cleanup(),
    (e: Error & { code?: string }) => e.code === "ENOSPC" && e.message.includes(`${PATH}/data.2`),
  );
  assert.deepEqual(fs.readdir(PATH).sort(), before, "the failed checkpoint left files behind");
  assert.deepEqual((await db2.find()).map((r) => r.n), [1, 2]);
  await db2.insert({ n: 3 });
  assert.deepEqual((await db.find()).map((r) => r.n), [1, 2, 3]);
  assert.equal((await db.check()).ok, true);
  await db.close();
  await db2.close();
});

Deno.test("the integrity check passes a whole base and names each damaged file", async () => {
  const { files } = await build();
  const check = async (fs: Files) =>
    await injectFs(new Base(PATH), new CrashFs(Infinity, fs)).check();
  const whole = await check(files);
  assert.deepEqual(whole.problems, []);
  for (const name of ["data.2", "log.2", "manifest.json"]) {
    const file = `${PATH}/${name}`;
    const size = files.get(file)!.length;
    const report = await check(mutate(files, file, (b) => (b[size >> 1] ^= 4, b)));
    assert.equal(report.ok, false, `${name} damaged but the check passed`);
    assert.ok(report.problems.every((p) => p.file === file), JSON.stringify(report.problems));
  }
});

Deno.test("sum32 is the function FORMAT.md F0 defines, at any alignment and length", () => {
  // F0, spelled out byte by byte.
  const reference = (bytes: Uint8Array, seed: number) => {
    let h = Math.imul(0x811c9dc5 ^ bytes.length ^ seed, 0x01000193);
    let i = 0;
    for (; i + 4 <= bytes.length; i += 4) {
      const w = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      h = Math.imul(h ^ w, 0x01000193);
      h ^= h >>> 15;
    }
    for (; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    return h >>> 0;
  };
  let x = 99;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let t = 0; t < 500; t++) {
    const buf = new Uint8Array(600).map(() => next() & 255);
    const from = next() % 7;
    const bytes = buf.subarray(from, from + (next() % 590));
    const seed = next();
    assert.equal(sum32(bytes, seed), reference(bytes, seed));
  }
});

Deno.test("an empty base with indexes of every kind passes the integrity check and answers lookups", async () => {
  const db = injectFs(new Base(PATH), new CrashFs());
  await db.create({ s: { type: "string", index: "hash" }, n: { type: "int", index: "sorted" } });
  assert.deepEqual((await db.check()).problems, []);
  assert.equal((await db.find({ s: "x" })).length, 0);
  assert.equal((await db.find({ n: [1, null] })).length, 0);
  await db.close();
});

Deno.test("on a real full disk (a 512 KiB tmpfs), writes fail naming the file, every acknowledged commit stays, and the base checks whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "psbase_full_" });
  const mount = (args: string[]) =>
    new Deno.Command(args[0], { args: args.slice(1), stderr: "null" }).outputSync();
  try {
    if (!mount(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir]).success) {
      console.log("  (cannot mount a tmpfs here: needs root; skipped)");
      return;
    }
    const path = `${dir}/b`;
    const acked: string[] = [];
    let failure: (Error & { code?: string }) | undefined;
    {
      await using db = await new PsBase(path, { checkpointBytes: 8 * 1024 }).create({
        s: { type: "string", index: true },
      });
      for (let i = 0; i < 100_000 && !failure; i++) {
        const s = `row ${i} ${"x".repeat(1500)}`;
        try {
          await db.insert({ s });
          acked.push(s);
        } catch (e) {
          failure = e as Error & { code?: string };
        }
      }
      assert.ok(failure, "the disk never filled");
      assert.match(failure.message, new RegExp(`${path}/`), `the error names no file: ${failure}`);
      assert.ok(acked.length > 20, `only ${acked.length} inserts before the disk filled`);
    }
    // Reopened (the full disk still full), everything acknowledged is there and whole.
    await using again = await new Base<{ s: "string" }>(path).open();
    const all = (await again.find()).map((r) => r.s);
    assert.deepEqual(all.slice(0, acked.length), acked);
    assert.ok(all.length <= acked.length + 1, "more rows than were written");
    assert.deepEqual((await again.check()).problems, []);
  } finally {
    mount(["umount", dir]);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sum32 is FORMAT.md F0's sum for any length and any alignment of the bytes (aligned words, short unaligned records, long unaligned runs)", () => {
  // F0 read literally: little-endian words, each step then h ^= h >>> 15; then the tail bytes.
  const reference = (b: Uint8Array, seed: number) => {
    const m = b.length >>> 2;
    let h = Math.imul(0x811c9dc5 ^ b.length ^ seed, 0x01000193);
    for (let i = 0; i < m; i++) {
      const w = (b[4 * i] | b[4 * i + 1] << 8 | b[4 * i + 2] << 16 | b[4 * i + 3] << 24) >>> 0;
      h = Math.imul(h ^ w, 0x01000193);
      h ^= h >>> 15;
    }
    for (let i = 4 * m; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
    return h >>> 0;
  };
  const buf = crypto.getRandomValues(new Uint8Array(5000));
  for (let off = 0; off < 8; off++) {
    for (const n of [0, 1, 3, 4, 5, 9, 16, 100, 255, 256, 257, 1000, 4096]) {
      const b = buf.subarray(off, off + n);
      assert.equal(sum32(b, off * 7), reference(b, off * 7), `offset ${off}, ${n} bytes`);
    }
  }
});
