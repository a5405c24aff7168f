// Copyright 2026 the psbase authors. MIT license.
/**
 * The damaged-file corpus (issue 8): builds two intact bases
 * (../corpus/build.ts: one with commits in its log, one just checkpointed),
 * then for every damage case (../corpus/cases.ts) makes a copy of a base with
 * that one file damaged and starts a fresh reader
 * process on it (scenarios/readall.ts), with a time limit; each case gets a
 * class (see {@linkcode classify}).
 *
 * @module
 */

import { join } from "node:path";
import { Child } from "../child.ts";
import { buildCorpusBases, type Expectation } from "../corpus/build.ts";
import { corpusCases, type CorpusSize, type DamageCase } from "../corpus/cases.ts";
import { type CaseClass, classify } from "../scenarios/readall.ts";

/** Options of {@linkcode corpusCampaign}. */
export interface CorpusOptions {
  /** A folder for the intact base and the cases' copies. */
  dir: string;
  /** How many cases (default: every case of the smallest corpus, about 500). */
  cases?: number;
  seed: number;
  /** Readers at once (default 2). */
  parallel?: number;
  /** A reader still running after this is a hang (default 20 s). */
  timeoutMs?: number;
  /** Called after each case. */
  onProgress?: (done: number, total: number, last: CaseResult) => void;
}

/** One case and what the reader made of it. */
export interface CaseResult {
  n: number;
  /** Which intact base it damaged: `log` or `checkpoint` (see ../corpus/build.ts). */
  base: string;
  file: string;
  kind: string;
  region: string;
  detail: string;
  cls: CaseClass;
  why: string;
}

/**
 * The cases of a corpus of `target` cases: the smallest corpus (each
 * region's first and last byte flipped, and so on) grown with more flips and
 * more truncations and zero-fills until it has `target` cases or more, then
 * cut to exactly `target`, in order: every case that is not a flip and an
 * even sample of the flips (or, when even those are too many, an even sample
 * of all).
 */
function pickCases(files: Map<string, Uint8Array>, target: number | undefined, seed: number) {
  let size: CorpusSize = { flipsPerRegion: 0, truncations: 2, zeroRanges: 2 };
  let list = corpusCases(files, size, seed);
  if (target === undefined) return list;
  while (list.length < target) {
    const more = Math.ceil((target - list.length) / 40) + 1;
    size = {
      flipsPerRegion: size.flipsPerRegion + more,
      truncations: size.truncations + Math.ceil(more / 4),
      zeroRanges: size.zeroRanges + Math.ceil(more / 4),
    };
    const grown = corpusCases(files, size, seed);
    if (grown.length === list.length) break; // every flip of every region is in
    list = grown;
  }
  if (list.length <= target) return list;
  const even = <T>(l: T[], n: number) =>
    Array.from({ length: n }, (_, k) => l[Math.floor(k * l.length / n)]);
  // Every case but flips when they fit (the crafted files, truncations...), flips sampled.
  const rest = list.filter((c) => c.kind !== "flip");
  if (rest.length > target) return even(list, target);
  const flips = even(list.filter((c) => c.kind === "flip"), target - rest.length);
  return [...rest, ...flips].sort((a, b) => a.n - b.n);
}

/** The share of the cases that go to the just-checkpointed base (its log is a bare header). */
const CHECKPOINT_SHARE = 0.25;

/** Builds the corpus, reads every case in a fresh process, and returns each case's class. */
export async function corpusCampaign(o: CorpusOptions): Promise<CaseResult[]> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const work: Array<
    {
      c: DamageCase;
      base: string;
      files: Map<string, Uint8Array>;
      want: Expectation;
      expect: string;
    }
  > = [];
  for (const b of await buildCorpusBases(o.dir)) {
    const expect = join(o.dir, `expect-${b.name}.json`);
    await Deno.writeTextFile(expect, JSON.stringify(b.want));
    const files = new Map<string, Uint8Array>();
    for (const e of Deno.readDirSync(b.path)) {
      files.set(e.name, Deno.readFileSync(join(b.path, e.name)));
    }
    const share = b.name === "checkpoint" ? CHECKPOINT_SHARE : 1 - CHECKPOINT_SHARE;
    const target = o.cases === undefined ? undefined : Math.round(o.cases * share);
    for (const c of pickCases(files, target, o.seed)) {
      work.push({ c: { ...c, n: work.length }, base: b.name, files, want: b.want, expect });
    }
  }
  const results: CaseResult[] = [];
  let next = 0;
  const one = async (w: typeof work[number]): Promise<CaseResult> => {
    const { c, want } = w;
    const folder = join(o.dir, `case-${c.n}`);
    const base = join(folder, "base");
    await Deno.mkdir(base, { recursive: true });
    for (const [name, bytes] of w.files) {
      await Deno.writeFile(join(base, name), name === c.file ? c.bytes() : bytes);
    }
    const child = new Child(c.n, [
      "--engine=ps",
      `--base=${base}`,
      "--scenario=readall",
      `--expect=${w.expect}`,
      // A short-lived process asking for the damaged record: its point reads come first.
      ...(c.row !== undefined && want.dataIds[c.row] ? [`--first=${want.dataIds[c.row]}`] : []),
    ]);
    try {
      await child.waitFor("ready", timeoutMs);
      await child.send("go");
      const out = await child.finish(timeoutMs);
      const timedOut = out.error?.startsWith("killed after") ?? false;
      const { cls, why } = classify(c, out, want, timedOut);
      const { n, file, kind, region, detail } = c;
      return { n, base: w.base, file, kind, region, detail, cls, why };
    } finally {
      child.kill("SIGKILL");
      await child.exited;
      await Deno.remove(folder, { recursive: true });
    }
  };
  const worker = async () => {
    while (next < work.length) {
      const r = await one(work[next++]);
      results.push(r);
      o.onProgress?.(results.length, work.length, r);
    }
  };
  await Promise.all(Array.from({ length: o.parallel ?? 2 }, worker));
  return results.sort((a, b) => a.n - b.n);
}
