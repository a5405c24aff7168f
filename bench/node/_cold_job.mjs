// Copyright 2026 the psbase authors. MIT license.
// The child side of `deno task bench:cold` (bench/cold.ts) for Node children:
// the twin of bench/_cold_job.ts (same stages, arguments and last line). It
// imports only node:fs, which every Node child (the bare one too) loads.
//
//   node _cold_<engine>.mjs --base=<path> --key=<key> --stage=import|open|find|job

import { readFileSync, writeSync } from "node:fs";

/** The stages, in order: each does all the work of the ones before it. */
export const STAGES = ["import", "open", "find", "job"];

/** The child's arguments: { base, key, stage }. */
export function coldArgs() {
  const out = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (m) out[m[1]] = m[2];
  }
  if (!STAGES.includes(out.stage)) {
    throw new Error(`cold child: --stage must be one of ${STAGES.join(", ")}`);
  }
  return { base: out.base, key: out.key, stage: out.stage };
}

/** True when `stage` includes the work of `step`. */
export function reaches(stage, step) {
  return STAGES.indexOf(stage) >= STAGES.indexOf(step);
}

/** Prints `done <json>` with the peak RSS (KiB). */
export function done(id) {
  let rssKb = 0;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    rssKb = m ? Number(m[1]) : 0;
  } catch {
    // No /proc.
  }
  writeSync(1, `done ${JSON.stringify({ id, rssKb })}\n`);
}
