// Copyright 2026 the psbase authors. MIT license.
/**
 * `deno task torture`: the campaigns of issue 8, run by the project itself.
 *
 * - kill: rounds of 4 writers (transfers that keep a sum constant), 2
 *   readers and, in some rounds, an admin (cleanup, schema changes), with a
 *   1 KiB `checkpointBytes` in some rounds; `kill -9` of random processes at
 *   random moments, each restarted; after every round, every acknowledged
 *   commit present, no partial transaction, no duplicate, `count()` equal to
 *   the records iterated, and every process that failed on the healthy base
 *   counted as a spurious error, with its message. `--runtime=node` runs its
 *   processes in Node on the npm package (built and installed first), the
 *   checks staying in Deno.
 * - reopen: one process loops `cleanup()` while others loop
 *   `open(); count(); close()` or refresh a long-lived base.
 * - corpus: a base built through several generations, each of its files
 *   damaged in every region (bit flips, truncations, zero-fills, appended
 *   garbage, crafted files with valid checksums), each case read by a fresh
 *   process with a time limit, and classed (ok, CorruptionError naming the
 *   damaged file, torn tail / lost commits, wrong value, wrong file, other
 *   error, hang).
 *
 *   ./node_modules/.bin/deno run --allow-all scripts/torture.ts [--mode=all|kill|reopen|corpus]
 *     [--runtime=deno|node]
 *     [--rounds=20] [--kills=200] [--churn=40] [--cases=N] [--seed=1] [--duration=10]
 *     [--parallel=2]
 *     [--json=results.json]
 *
 * `--kills`: kills at random moments in all (spread over `--rounds`);
 * `--churn`: writers and readers end by themselves after 1..churn commits or
 * reads and are started again (0: they run until killed);
 * `--cases`: about how many corpus cases (default: the smallest full corpus,
 * about 500; 4000+ for a long run); `--duration`: seconds of the reopen mode.
 * Exits 1 when any campaign found a failure.
 *
 * @module
 */

import { join } from "node:path";
import type { ChildCommand } from "../tests/_harness/child.ts";
import { installPackage, nodeHarnessChild } from "../tests/_harness/node_child.ts";
import { BAD } from "../tests/_harness/scenarios/readall.ts";
import { withTempDir } from "../tests/_harness/temp.ts";
import { corpusCampaign } from "../tests/_harness/torture/corpus.ts";
import { killCampaign, type KillStats } from "../tests/_harness/torture/kill.ts";
import { reopenCampaign } from "../tests/_harness/torture/reopen.ts";
import {
  corpusText,
  killJson,
  killText,
  reopenText,
  summarizeCorpus,
} from "../tests/_harness/torture/report.ts";

const FLAGS = [
  "mode",
  "runtime",
  "rounds",
  "kills",
  "churn",
  "cases",
  "seed",
  "duration",
  "parallel",
  "json",
];
const USAGE = `Usage: deno task torture [--mode=all|kill|reopen|corpus] [--runtime=deno|node]
  [--rounds=20] [--kills=200] [--churn=40] [--cases=N] [--seed=1] [--duration=10] [--parallel=2]
  [--json=results.json]

  --mode      which campaigns (default: all)
  --runtime   what the kill campaign's processes run: deno (the sources, the default) or node
              (the npm package, built and installed in a temporary folder first)
  --rounds    kill rounds; --kills are spread over them
  --kills     kill -9 of random processes at random moments, in all
  --churn     writers and readers end by themselves after 1..churn commits or reads (0: never)
  --cases     about how many damaged-file cases (default: the smallest full corpus, ~500)
  --seed      the seed of every random choice (a run is repeatable from it)
  --duration  seconds of the reopen campaign
  --parallel  corpus cases read at once
  --json      also write the results to this file
Exits 1 when any campaign found a failure.`;
/** Prints why the arguments were refused, and the usage, then exits 2. */
function refuse(why: string): never {
  console.error(`Cannot run the campaigns: ${why}\n\n${USAGE}`);
  Deno.exit(2);
}
const flags: { [k: string]: string } = {};
for (const a of Deno.args) {
  if (a === "--") continue;
  if (a === "--help" || a === "-h") {
    console.log(USAGE);
    Deno.exit(0);
  }
  const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
  if (!m || !FLAGS.includes(m[1])) {
    refuse(`unknown argument ${JSON.stringify(a)}`);
  }
  flags[m[1]] = m[2] ?? "true";
}
const num = (name: string, dflt: number) => {
  const v = flags[name] === undefined ? dflt : Number(flags[name]);
  if (!Number.isFinite(v) || v < 0) {
    refuse(`--${name} must be a number >= 0, got ${JSON.stringify(flags[name])}`);
  }
  return v;
};
const mode = flags.mode ?? "all";
if (!["all", "kill", "reopen", "corpus"].includes(mode)) {
  refuse(`--mode must be all, kill, reopen or corpus, got ${JSON.stringify(mode)}`);
}
const runs = (m: string) => mode === "all" || mode === m;
const seed = num("seed", 1);
const rounds = Math.max(1, num("rounds", 20));
const kills = num("kills", 200);
const churn = num("churn", 40);
const duration = num("duration", 10);
const parallel = Math.max(1, num("parallel", 2));
const cases = flags.cases === undefined ? undefined : num("cases", 0);
const runtime = flags.runtime ?? "deno";
if (runtime !== "deno" && runtime !== "node") {
  refuse(`--runtime must be deno or node, got ${JSON.stringify(runtime)}`);
}

const tty = Deno.stdout.isTerminal();
const encoder = new TextEncoder();
let lastPlain = 0;
/** A progress line: rewritten in place on a terminal, every few seconds otherwise. */
function progress(line: string, force = false): void {
  if (tty) Deno.stdout.writeSync(encoder.encode(`\r${line}\x1b[K`));
  else if (force || performance.now() - lastPlain > 5_000) {
    lastPlain = performance.now();
    console.log(line);
  }
}
function endProgress(): void {
  if (tty) Deno.stdout.writeSync(encoder.encode("\r\x1b[K"));
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const results: { [k: string]: unknown } = {
  seed,
  runtime,
  flags,
  started: new Date().toISOString(),
};
const summary: string[] = [];
let failed = false;

await withTempDir(async (dir) => {
  if (runs("kill")) {
    let command: ChildCommand | undefined;
    if (runtime === "node") {
      console.log(`[${elapsed()}] building the npm package and installing it for Node children`);
      const install = join(dir, "node");
      await Deno.mkdir(install);
      await installPackage(install);
      command = await nodeHarnessChild(install);
    }
    console.log(
      `[${elapsed()}] kill campaign: ${rounds} rounds, ${kills} kills, seed ${seed}, ${runtime} processes`,
    );
    const show = (s: KillStats) =>
      `kill: round ${s.rounds + 1}/${rounds}, ${s.kills}/${kills} kills, ${s.starts} starts, ` +
      `${s.spurious.length} spurious errors, anomalies ${s.anomalies.summary()} (${elapsed()})`;
    const k = await killCampaign({
      dir,
      rounds,
      kills,
      churn,
      seed,
      command,
      onProgress: (s) => progress(show(s)),
    });
    endProgress();
    results.kill = killJson(k);
    const text = killText(k);
    summary.push(...text);
    console.log(text.join("\n"));
    if (k.spurious.length || k.anomalies.total) failed = true;
  }
  if (runs("reopen")) {
    console.log(`[${elapsed()}] starts during checkpoints: ${duration} s`);
    const t = await reopenCampaign({ dir, ms: duration * 1000 });
    results.reopen = t;
    const text = reopenText(t, duration);
    summary.push(...text);
    console.log(text.join("\n"));
    if (t.failures) failed = true;
  }
  if (runs("corpus")) {
    console.log(`[${elapsed()}] damaged-file corpus: building, seed ${seed}`);
    let bad = 0;
    const list = await corpusCampaign({
      dir,
      seed,
      cases,
      parallel,
      onProgress: (done, total, r) => {
        if (BAD.has(r.cls)) bad++;
        progress(`corpus: ${done}/${total} cases, ${bad} bad (${elapsed()})`, done === total);
      },
    });
    endProgress();
    const s = summarizeCorpus(list);
    results.corpus = { ...s, cases: list };
    const text = corpusText(s);
    summary.push(...text);
    console.log(text.join("\n"));
    if (s.bad) failed = true;
  }
}, "psbase_torture_");

results.seconds = (performance.now() - started) / 1000;
console.log(`\n== summary (seed ${seed}, ${runtime}, ${elapsed()}) ==\n${summary.join("\n")}`);
if (flags.json) {
  await Deno.writeTextFile(flags.json, JSON.stringify(results, null, 1));
  console.log(`results written to ${flags.json}`);
}
Deno.exit(failed ? 1 : 0);
