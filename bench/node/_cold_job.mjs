// Copyright 2026 the psbase authors. MIT license.
// The child side of `deno task bench:cold` (bench/cold.ts) for Node children:
// the twin of bench/_cold_job.ts (same stages, arguments and last line). It
// imports only node:fs, which every Node child (the bare one too) loads.
//
//   node _cold_<engine>.mjs --base=<path> --key=<key> --stage=import|open|find|job|again
//     [--again=<second copy>]

import { readdirSync, readFileSync, writeSync } from "node:fs";

/** The stages, in order: each does all the work of the ones before it. */
export const STAGES = ["import", "open", "find", "job", "again"];

/** The child's arguments: { base, key, stage, again }. */
export function coldArgs() {
  const out = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (m) out[m[1]] = m[2];
  }
  if (!STAGES.includes(out.stage)) {
    throw new Error(`cold child: --stage must be one of ${STAGES.join(", ")}`);
  }
  return { base: out.base, key: out.key, stage: out.stage, again: out.again };
}

/** True when `stage` includes the work of `step`. */
export function reaches(stage, step) {
  return STAGES.indexOf(stage) >= STAGES.indexOf(step);
}

/**
 * CPU time (ms) of this process's live threads, by kind: `main` (the
 * JavaScript), `v8` (threads named "V8 ...": none in Node, whose V8 platform
 * workers are named "node"), `other` (V8's platform workers, libuv's pool).
 */
function threadCpu() {
  const out = {};
  try {
    for (const t of readdirSync("/proc/self/task")) {
      const dir = `/proc/self/task/${t}`;
      const ms = Number(readFileSync(`${dir}/schedstat`, "utf8").split(" ")[0]) / 1e6;
      const kind = Number(t) === process.pid
        ? "main"
        : readFileSync(`${dir}/comm`, "utf8").startsWith("V8 ")
        ? "v8"
        : "other";
      out[kind] = (out[kind] ?? 0) + ms;
    }
  } catch {
    // No /proc.
  }
  return out;
}

/** Prints `done <json>` with the peak RSS (KiB) and the threads' CPU. */
export function done(id) {
  let rssKb = 0;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    rssKb = m ? Number(m[1]) : 0;
  } catch {
    // No /proc.
  }
  writeSync(1, `done ${JSON.stringify({ id, rssKb, threads: threadCpu() })}\n`);
}
