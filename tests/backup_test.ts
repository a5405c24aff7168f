// Copyright 2026 the psbase authors. MIT license.
// The backup helper behind `psbase backup` (_file/_backup.ts), in process,
// with a file layer that lets a test act at a chosen step: a checkpoint that
// replaces the generation being copied, a disk that fills up mid-copy, a log
// that ends in a torn tail.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { PsBase } from "../mod.ts";
import { backupBase } from "../_file/_backup.ts";
import { checkBase } from "../_file/_check.ts";
import type { Fs } from "../_file/_fs.ts";
import { denoFs } from "../_file/_fs_deno.ts";
import { FileStore } from "../_file/_store.ts";
import { snapshotFiles } from "./_helpers.ts";
import { withTempDir } from "./_harness/temp.ts";

/** A base with records in its data file and commits in its log; returns its generation. */
async function makeBase(path: string): Promise<number> {
  await using db = await new PsBase(path).create({ name: "string" });
  await db.insertMany(Array.from({ length: 300 }, (_, i) => ({ name: `r${i}` })));
  await db.insert({ name: "logged" });
  return JSON.parse(fs.readFileSync(join(path, "manifest.json"), "utf8")).gen;
}

Deno.test("backup starts over from the new manifest when a checkpoint removes the generation it was about to copy", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const gen = await makeBase(path);
    let fired = false;
    const racing: Fs = {
      ...denoFs,
      open(file, mode) {
        if (!fired && file === join(path, `data.${gen}`)) {
          // Another writer, between our reading the manifest and opening its files:
          // one commit, then a cleanup (a new generation; the old files removed: W5).
          fired = true;
          const s = FileStore.open(path, { fs: denoFs, sync: true, checkpointBytes: 1 << 20 });
          const ws = s.begin();
          ws.insert(["late"]);
          ws.commit();
          s.change({ kind: "cleanup" });
          s.close();
        }
        return denoFs.open(file, mode);
      },
    };
    const r = backupBase(racing, path, join(dir, "copy"));
    assert.ok(fired);
    assert.equal(r.retries, 1);
    assert.equal(r.gen, gen + 1);
    assert.equal(r.records, 302);
    assert.ok(checkBase(denoFs, join(dir, "copy")).ok);
    await using copy = await new PsBase(join(dir, "copy")).open();
    assert.equal((await copy.find({ name: "late" })).length, 1);
  });
});

Deno.test("backup that fails mid-copy (a full disk) leaves nothing at the destination and no temp folder", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const gen = await makeBase(path);
    const before = snapshotFiles(path);
    const full: Fs = {
      ...denoFs,
      open(file, mode) {
        const h = denoFs.open(file, mode);
        if (mode !== "w" || !file.endsWith(`/log.${gen}`)) return h;
        return {
          read: (b, p) => h.read(b, p),
          size: () => h.size(),
          sync: () => h.sync(),
          datasync: () => h.datasync(),
          truncate: (n) => h.truncate(n),
          close: () => h.close(),
          write() {
            throw Object.assign(new Error("No space left on device (os error 28)"), {
              code: "ENOSPC",
            });
          },
        };
      },
    };
    const dest = join(dir, "out", "copy");
    assert.throws(() => backupBase(full, path, dest), /No space left on device/);
    assert.ok(!fs.existsSync(dest), "no half base at the destination");
    assert.deepEqual(fs.readdirSync(join(dir, "out")), [], "the temp folder was removed");
    assert.deepEqual(snapshotFiles(path), before, "the base is untouched");
  });
});

Deno.test("backup of a log that ends in a torn tail copies the whole commits only", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const gen = await makeBase(path);
    const log = join(path, `log.${gen}`);
    const whole = fs.statSync(log).size;
    fs.appendFileSync(log, new Uint8Array([0x52, 40, 0, 0, 0, 1, 2])); // a commit cut short
    assert.match(checkBase(denoFs, path).notes.map((n) => n.detail).join(), /torn tail of 7/);
    const r = backupBase(denoFs, path, join(dir, "copy"));
    assert.equal(r.files[`log.${gen}`], whole);
    const report = checkBase(denoFs, join(dir, "copy"));
    assert.deepEqual(report, { ok: true, problems: [], notes: [] });
    assert.equal(r.records, 301);
  });
});
