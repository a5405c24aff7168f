// Copyright 2026 the psbase authors. MIT license.
// Issue 8's campaigns, short (`deno task torture` runs them long): writers,
// readers and an admin killed with SIGKILL at random moments on a transfer
// table; processes opening and refreshing while another checkpoints; and a
// damaged-file corpus, each case read by a fresh process.
// Each check names the issue-8 defect it would have caught.

import assert from "node:assert/strict";
import { withTempDir } from "./_harness/temp.ts";
import { BAD } from "./_harness/scenarios/readall.ts";
import type { ReopenTally } from "./_harness/scenarios/reopen.ts";
import { type CaseResult, corpusCampaign } from "./_harness/torture/corpus.ts";
import { killCampaign, type KillStats, killWithoutLock } from "./_harness/torture/kill.ts";
import { reopenCampaign } from "./_harness/torture/reopen.ts";
import { corpusText, killText, reopenText, summarizeCorpus } from "./_harness/torture/report.ts";

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

/** A test of one of the campaigns' guarantees. */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn });
}

/** The bad cases of `file` ("data", "log", "manifest"), one line each. */
function badCases(list: CaseResult[], file: string): string[] {
  return list.filter((r) => r.file.startsWith(file) && BAD.has(r.cls)).map((r) =>
    `#${r.n} ${r.cls} ${r.file} ${r.kind} [${r.region}] ${r.detail}: ${r.why}`
  );
}

test(
  "writers, readers and an admin killed with SIGKILL 40 times at random moments (some rounds with 1 KiB checkpoints): every acknowledged commit kept, no partial transfer, no duplicate, count() equals the records",
  async () => {
    const k = await kills();
    assert.equal(k.kills, 40);
    assert.ok(k.acked > 0, "no commit was acknowledged: the campaign did not run");
    assert.equal(k.anomalies.total, 0, k.anomalies.report());
  },
);

test(
  "negative control: the same kill campaign on Base, without the cross-process lock, reports lost updates or refused writers",
  async () => {
    const control = await withTempDir(
      (dir) => killWithoutLock({ dir, seed: SEED }),
      "psbase_torture_",
    );
    console.log(`  ${control.line}`);
    assert.ok(control.found > 0, "the campaign found nothing wrong without the lock");
  },
);

test(
  "no process killed or restarted during checkpoints fails to open or read the healthy base (issue 8, defect 1)",
  async () => {
    const k = await kills();
    assert.deepEqual(k.spurious, [], `${k.spurious.length} spurious errors in ${k.starts} starts`);
  },
);

test(
  "processes opening and refreshing while another loops cleanup() never fail on the healthy base (issue 8, defect 1)",
  async () => {
    const t = await reopen();
    assert.ok(t.tries > 0 && t.cleanups > 0, "the openers or the cleaner did not run");
    assert.equal(t.failures, 0, t.messages.join("\n"));
  },
);

test(
  "a corpus of 300 damaged files, each read by a fresh process: every case answered in time, none hangs",
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

/** One guarantee per file of the base: the corpus's cases that damage it. */
const PER_FILE: Array<[string, string]> = [
  [
    "data.",
    "damage to a data file is never read as data: a CorruptionError naming it, or the intact values (issue 8, defects 2 and 6)",
  ],
  [
    "log.",
    "damage to the log never drops or changes an acknowledged commit silently (issue 8, defects 3 and 6)",
  ],
  [
    "manifest.json",
    "damage to the manifest is a CorruptionError naming it, never data read wrong (issue 8, defect 4)",
  ],
];
for (const [file, name] of PER_FILE) {
  test(name, async () => {
    const bad = badCases(await corpus(), file);
    assert.deepEqual(bad, [], `${bad.length} bad cases`);
  });
}
