// Copyright 2026 the psbase authors. MIT license.
/**
 * Summaries of the torture campaigns, as text and as JSON.
 *
 * @module
 */

import { BAD, type CaseClass, CLASSES } from "../scenarios/readall.ts";
import type { ReopenTally } from "../scenarios/reopen.ts";
import type { CaseResult } from "./corpus.ts";
import type { KillStats } from "./kill.ts";

/** Counts of the corpus by class, by file and class, by damage kind and class. */
export interface CorpusSummary {
  total: number;
  bad: number;
  byClass: { [c in CaseClass]?: number };
  byFile: { [file: string]: { [c in CaseClass]?: number } };
  byKind: { [kind: string]: { [c in CaseClass]?: number } };
  /** Bad cases, the first few of each class in each file. */
  examples: CaseResult[];
}

/** File names without their generation (data.4 → data.N), so runs compare; by base. */
const fileOf = (r: CaseResult) =>
  `${r.base === "log" ? "" : `${r.base}/`}${r.file.replace(/\.\d+$/, ".N")}`;

/** Summarizes a corpus's results. */
export function summarizeCorpus(results: CaseResult[], examplesPer = 4): CorpusSummary {
  const s: CorpusSummary = {
    total: results.length,
    bad: 0,
    byClass: {},
    byFile: {},
    byKind: {},
    examples: [],
  };
  const shown = new Map<string, number>();
  for (const r of results) {
    const f = fileOf(r);
    s.byClass[r.cls] = (s.byClass[r.cls] ?? 0) + 1;
    (s.byFile[f] ??= {})[r.cls] = (s.byFile[f][r.cls] ?? 0) + 1;
    (s.byKind[r.kind] ??= {})[r.cls] = (s.byKind[r.kind][r.cls] ?? 0) + 1;
    if (BAD.has(r.cls)) {
      s.bad++;
      const key = `${f} ${r.cls}`;
      const n = shown.get(key) ?? 0;
      if (n < examplesPer) s.examples.push(r);
      shown.set(key, n + 1);
    }
  }
  return s;
}

/** A table of counts: one row per key, one column per class seen. */
function classTable(
  rows: { [key: string]: { [c in CaseClass]?: number } },
  head: string,
): string[] {
  const cols = CLASSES.filter((c) => Object.values(rows).some((r) => r[c]));
  const keys = Object.keys(rows).sort();
  const w0 = Math.max(head.length, ...keys.map((k) => k.length));
  const widths = cols.map((c) => Math.max(c.length, 5));
  const line = (k: string, cells: string[]) =>
    `  ${k.padEnd(w0)}  ${cells.map((c, j) => c.padStart(widths[j])).join("  ")}`;
  return [
    line(head, cols.map((c) => (BAD.has(c) ? c.toUpperCase() : c))),
    ...keys.map((k) => line(k, cols.map((c) => String(rows[k][c] ?? 0)))),
  ];
}

/** The corpus summary as lines of text. */
export function corpusText(s: CorpusSummary): string[] {
  return [
    `damaged-file corpus: ${s.total} cases, ${s.bad} bad (classes in capitals are failures)`,
    ...classTable(s.byFile, "file"),
    ...classTable(s.byKind, "damage"),
    ...(s.examples.length ? ["  examples of bad cases:"] : []),
    ...s.examples.map((r) =>
      `    #${r.n} ${r.cls.toUpperCase()} ${fileOf(r)} ${r.kind} [${r.region}] ${r.detail}: ${
        r.why.slice(0, 240)
      }`
    ),
  ];
}

/** A message with its paths and generation numbers left out, so that like messages group. */
function generic(message: string): string {
  return message.replace(/\/\S+\//g, ".../").replace(/\b(log|data)\.\d+/g, "$1.N");
}

/** The kill campaign's figures as lines of text. */
export function killText(k: KillStats): string[] {
  const starts = k.starts || 1;
  const byMessage = new Map<string, number>();
  for (const s of k.spurious) {
    const m = `${s.role} (${s.phase}): ${generic(s.message)}`;
    byMessage.set(m, (byMessage.get(m) ?? 0) + 1);
  }
  return [
    `kill campaign: ${k.rounds} rounds (${k.smallCheckpointRounds} with checkpointBytes 1024, ` +
    `${k.adminRounds} with an admin), ${k.kills} kills at random moments + ${k.endKills} at ` +
    `round ends, ${k.starts} process starts (${k.cleanExits} after a clean exit), ` +
    `${k.acked} acknowledged commits`,
    `  spurious errors (a process that failed on a healthy base): ${k.spurious.length} ` +
    `(${(100 * k.spurious.length / starts).toFixed(2)}% of starts)`,
    ...[...byMessage].map(([m, n]) => `    ${n} × ${m.slice(0, 240)}`),
    `  after-round checks: ${k.anomalies.summary()} ` +
    `(lost acknowledged commits: ${k.anomalies.counts.lostUpdates}, ` +
    `partial transactions: ${k.anomalies.counts.missingChanges})`,
    ...k.anomalies.details.map((d) => `    ${d.slice(0, 300)}`),
  ];
}

/** The starts-during-checkpoint figures as lines of text. */
export function reopenText(t: ReopenTally, seconds: number): string[] {
  return [
    `starts during checkpoints: ${t.tries} opens/refreshes during ${t.cleanups} cleanups ` +
    `(${seconds} s), ${t.failures} failed`,
    ...(t.messages.length ? [`  the first ${t.messages.length} failures:`] : []),
    ...[...Map.groupBy(t.messages, generic)].map(([m, l]) =>
      `    ${l.length} × ${m.slice(0, 240)}`
    ),
  ];
}

/** The kill campaign's figures for the JSON results. */
export function killJson(k: KillStats): unknown {
  return {
    ...k,
    anomalies: { counts: k.anomalies.counts, details: k.anomalies.details },
  };
}
