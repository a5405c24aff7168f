// Copyright 2026 the psbase authors. MIT license.
// The child side of the race protocol for Node children (`deno task
// bench:race:node`): the twin of bench/_race_job.ts's `runChild` (same
// arguments, barrier and result line). It imports only node:fs.
//
//   node _race_<engine>.mjs --base=<path> --job=<json>

import { readFileSync, writeSync } from "node:fs";

/** The record every child increments. */
export const COUNTER_ID = 1;

function say(line) {
  writeSync(1, line + "\n");
}

/** Peak resident set size in KiB (VmHWM), or 0 where /proc is missing. */
function peakRssKb() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time the calling thread has run, in ms (Linux /proc/thread-self/schedstat), or NaN. */
function cpuMs() {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Prints `ready`, then resolves when a `go` line arrives on stdin (or stdin closes). */
function barrier() {
  const readyMs = performance.now();
  say("ready");
  return new Promise((resolve) => {
    let seen = "";
    process.stdin.setEncoding("utf8");
    const go = () => {
      process.stdin.pause();
      resolve(readyMs);
    };
    process.stdin.on("data", (chunk) => {
      seen += chunk;
      if (seen.includes("go\n")) go();
    });
    process.stdin.on("end", go);
  });
}

/**
 * Waits at the barrier, runs `work(job, base)` (timed, from just before it
 * opens to just after it closes), prints the result line and exits.
 */
export async function runChild(work) {
  const opt = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (m) opt[m[1]] = m[2];
  }
  const arg = JSON.parse(opt.job);
  const job = { ...arg, insert: { ...arg.insert, d: new Date(arg.insert.d) } };
  const readyMs = await barrier();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  let result;
  try {
    const out = await work(job, opt.base);
    result = { ok: true, ms: performance.now() - t0, cpuMs: cpuMs() - cpu0, readyMs, ...out };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    result = { ok: false, error, ms: performance.now() - t0, cpuMs: cpuMs() - cpu0, readyMs };
  }
  result.peakRssKb = peakRssKb();
  say("result " + JSON.stringify(result));
  process.exit(0);
}
