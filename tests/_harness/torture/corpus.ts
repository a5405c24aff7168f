// Copyright 2026 the psbase authors. MIT license.
/**
 * The damaged-file corpus (issue 8): builds an intact base
 * (../corpus/build.ts), then for every damage case (../corpus/cases.ts) makes
 * a copy of the base with that one file damaged and starts a fresh reader
 * process on it (scenarios/readall.ts), with a time limit; each case gets a
 * class (see {@linkcode classify}).
 *
 * @module
 */

import { join } from "node:path";
import { Child } from "../child.ts";
import { buildCorpusBase } from "../corpus/build.ts";
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
 * an even sample of exactly `target`, in order.
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
  return Array.from({ length: target }, (_, k) => list[Math.floor(k * list.length / target)]);
}

/** Builds the corpus, reads every case in a fresh process, and returns each case's class. */
export async function corpusCampaign(o: CorpusOptions): Promise<CaseResult[]> {
  const intact = join(o.dir, "intact");
  const want = await buildCorpusBase(intact);
  const expectFile = join(o.dir, "expect.json");
  await Deno.writeTextFile(expectFile, JSON.stringify(want));
  const files = new Map<string, Uint8Array>();
  for (const e of Deno.readDirSync(intact)) {
    files.set(e.name, Deno.readFileSync(join(intact, e.name)));
  }
  const cases = pickCases(files, o.cases, o.seed);
  const timeoutMs = o.timeoutMs ?? 20_000;
  const results: CaseResult[] = [];
  let next = 0;
  const one = async (c: DamageCase): Promise<CaseResult> => {
    const folder = join(o.dir, `case-${c.n}`);
    const base = join(folder, "base");
    await Deno.mkdir(base, { recursive: true });
    for (const [name, bytes] of files) {
      await Deno.writeFile(join(base, name), name === c.file ? c.bytes() : bytes);
    }
    const child = new Child(c.n, [
      "--engine=ps",
      `--base=${base}`,
      "--scenario=readall",
      `--expect=${expectFile}`,
      // A short-lived process asking for the damaged record: its point reads come first.
      ...(c.row !== undefined && want.dataIds[c.row] ? [`--first=${want.dataIds[c.row]}`] : []),
    ]);
    try {
      await child.waitFor("ready", timeoutMs);
      await child.send("go");
      const out = await child.finish(timeoutMs);
      const timedOut = out.error?.startsWith("killed after") ?? false;
      const { cls, why } = classify(c, out, want, timedOut);
      return { n: c.n, file: c.file, kind: c.kind, region: c.region, detail: c.detail, cls, why };
    } finally {
      child.kill("SIGKILL");
      await child.exited;
      await Deno.remove(folder, { recursive: true });
    }
  };
  const worker = async () => {
    while (next < cases.length) {
      const r = await one(cases[next++]);
      results.push(r);
      o.onProgress?.(results.length, cases.length, r);
    }
  };
  await Promise.all(Array.from({ length: o.parallel ?? 2 }, worker));
  return results.sort((a, b) => a.n - b.n);
}
