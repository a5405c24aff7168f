// Copyright 2026 the psbase authors. MIT license.
// Issue 8's campaigns, short (`deno task torture` runs them long): writers,
// readers and an admin killed with SIGKILL at random moments on a transfer
// table; processes opening and refreshing while another checkpoints; and a
// damaged-file corpus, each case read by a fresh process.
//
// The checks that the current engine fails (issue 8's defects) are run but
// marked `ignore` by KNOWN_DEFECTS below, each naming its defect, so CI stays
// green; set PSBASE_TORTURE_STRICT=1 to run them all. When a defect is fixed,
// set its flag to false.

import assert from "node:assert/strict";
import { withTempDir } from "./_harness/temp.ts";
import { BAD } from "./_harness/scenarios/readall.ts";
import type { ReopenTally } from "./_harness/scenarios/reopen.ts";
import { type CaseResult, corpusCampaign } from "./_harness/torture/corpus.ts";
import { killCampaign, type KillStats } from "./_harness/torture/kill.ts";
import { reopenCampaign } from "./_harness/torture/reopen.ts";
import { corpusText, killText, reopenText, summarizeCorpus } from "./_harness/torture/report.ts";

/** Issue 8's defects the current engine still has: their checks are skipped (see the top). */
const KNOWN_DEFECTS = {
  /** Defect 1: a spurious "log.N: not a psbase log file (bad header)" while another process checkpoints. */
  spuriousErrorsDuringCheckpoints: true,
  /** Defect 2 (and 6: header fields not range-checked): damage in a data file read as data. */
  dataFileDamageReadAsData: true,
  /** Defect 3 (and 6: records of the wrong shape replayed): damage to the log drops or changes commits silently. */
  logDamageDropsCommits: true,
  /** Defect 4: the manifest has no checksum; damage to it is read as data or blamed on another file. */
  manifestDamageUndetected: true,
};
const STRICT = Deno.env.get("PSBASE_TORTURE_STRICT") === "1";
const skip = (defect: keyof typeof KNOWN_DEFECTS) => KNOWN_DEFECTS[defect] && !STRICT;

const SEED = 20261129;

/** Each campaign runs once, on first use, in a temp folder removed at its end; the tests share its results. */
function once<T>(run: (dir: string) => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => p ??= withTempDir(run, "psbase_torture_");
}

const kills = once(async (dir): Promise<KillStats> => {
  const k = await killCampaign({ dir, rounds: 4, kills: 40, seed: SEED });
  console.log(killText(k).map((l) => `  ${l}`).join("\n"));
  return k;
});

const reopen = once(async (dir): Promise<ReopenTally> => {
  const t = await reopenCampaign({ dir, ms: 3000 });
  console.log(reopenText(t, 3).map((l) => `  ${l}`).join("\n"));
  return t;
});

const corpus = once(async (dir): Promise<CaseResult[]> => {
  const list = await corpusCampaign({ dir, cases: 300, seed: SEED });
  console.log(corpusText(summarizeCorpus(list, 2)).map((l) => `  ${l}`).join("\n"));
  return list;
});

/** A test of one of the campaigns' guarantees; `ignore` for a known defect. */
function test(name: string, ignore: boolean, fn: () => Promise<void>): void {
  Deno.test({ name, ignore, fn });
}

/** The bad cases of `file` ("data", "log", "manifest"), one line each. */
function badCases(list: CaseResult[], file: string): string[] {
  return list.filter((r) => r.file.startsWith(file) && BAD.has(r.cls)).map((r) =>
    `#${r.n} ${r.cls} ${r.file} ${r.kind} [${r.region}] ${r.detail}: ${r.why}`
  );
}

test(
  "writers, readers and an admin killed with SIGKILL 40 times at random moments (some rounds with 1 KiB checkpoints): every acknowledged commit kept, no partial transfer, no duplicate, count() equals the records",
  false,
  async () => {
    const k = await kills();
    assert.equal(k.kills, 40);
    assert.ok(k.acked > 0, "no commit was acknowledged: the campaign did not run");
    assert.equal(k.anomalies.total, 0, k.anomalies.report());
  },
);

test(
  "no process killed or restarted during checkpoints fails to open or read the healthy base (issue 8, defect 1)",
  skip("spuriousErrorsDuringCheckpoints"),
  async () => {
    const k = await kills();
    assert.deepEqual(k.spurious, [], `${k.spurious.length} spurious errors in ${k.starts} starts`);
  },
);

test(
  "processes opening and refreshing while another loops cleanup() never fail on the healthy base (issue 8, defect 1)",
  skip("spuriousErrorsDuringCheckpoints"),
  async () => {
    const t = await reopen();
    assert.ok(t.tries > 0 && t.cleanups > 0, "the openers or the cleaner did not run");
    assert.equal(t.failures, 0, t.messages.join("\n"));
  },
);

test(
  "a corpus of 300 damaged files, each read by a fresh process: every case answered in time, none hangs",
  false,
  async () => {
    const list = await corpus();
    assert.equal(list.length, 300);
    for (const f of ["manifest.json", "data.", "log."]) {
      assert.ok(list.some((r) => r.file.startsWith(f)), `no case damages ${f}`);
    }
    for (const k of ["flip", "truncate", "zero", "append", "crafted"]) {
      assert.ok(list.some((r) => r.kind === k), `no ${k} case`);
    }
    const hangs = list.filter((r) => r.cls === "hang");
    assert.deepEqual(hangs, [], `${hangs.length} readers hung`);
  },
);

/** One guarantee per file of the base: the corpus's cases that damage it, and the defect that breaks it today. */
const PER_FILE: Array<[string, string, keyof typeof KNOWN_DEFECTS]> = [
  [
    "data.",
    "damage to a data file is never read as data: a CorruptionError naming it, or the intact values (issue 8, defects 2 and 6)",
    "dataFileDamageReadAsData",
  ],
  [
    "log.",
    "damage to the log never drops or changes an acknowledged commit silently (issue 8, defects 3 and 6)",
    "logDamageDropsCommits",
  ],
  [
    "manifest.json",
    "damage to the manifest is a CorruptionError naming it, never data read wrong (issue 8, defect 4)",
    "manifestDamageUndetected",
  ],
];
for (const [file, name, defect] of PER_FILE) {
  test(name, skip(defect), async () => {
    const bad = badCases(await corpus(), file);
    assert.deepEqual(bad, [], `${bad.length} bad cases`);
  });
}
