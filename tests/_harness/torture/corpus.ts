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
  /** About how many cases (default: every case of the smallest corpus, about 400). */
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

/** The cases of a corpus of about `target` cases (all of the smallest when under it). */
function pickCases(files: Map<string, Uint8Array>, target: number | undefined, seed: number) {
  const small: CorpusSize = { flipsPerRegion: 0, truncations: 2, zeroRanges: 2 };
  const base = corpusCases(files, small, seed);
  if (target === undefined || target === base.length) return base;
  if (target < base.length) { // an even sample, keeping the order
    return Array.from({ length: target }, (_, k) => base[Math.floor(k * base.length / target)]);
  }
  const regionsCount = base.filter((c) => c.kind === "flip").length / 2; // 2 flips each now
  const extra = target - base.length;
  const flips = Math.ceil((extra * 0.85) / regionsCount);
  const perFile = Math.ceil((extra * 0.15) / (2 * files.size));
  return corpusCases(
    files,
    { flipsPerRegion: flips, truncations: 2 + perFile, zeroRanges: 2 + perFile },
    seed,
  );
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
