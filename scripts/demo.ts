// Copyright 2026 the psbase authors. MIT license.
/**
 * `deno task demo`: replays the seed story on a fresh base in a temp folder.
 * A 5K-record table; 50 processes start together, each reading one record and
 * then updating it, deleting it or inserting a new one, and incrementing a
 * shared counter, all in one transaction. First on plain `Base` (no lock, as
 * the original engine was), then on `PsBase`. The harness (tests/_harness,
 * the same one the race tests use) then checks the base for damage.
 *
 *   ./node_modules/.bin/deno run --allow-all scripts/demo.ts [--processes=50] [--records=5000]
 *
 * @module
 */

import {
  type Engine,
  KIND_LABELS,
  KINDS,
  runScenario,
  type ScenarioRun,
  withTempDir,
} from "../tests/_harness/mod.ts";
import { seedScenario } from "../tests/_harness/scenarios/seed.ts";

const opt = Object.fromEntries(
  Deno.args.map((a) => /^--([^=]+)=(.*)$/.exec(a)).filter((m) => m).map((m) => [m![1], m![2]]),
);
const PROCESSES = Number(opt.processes ?? 50);
const RECORDS = Number(opt.records ?? 5000);

const encoder = new TextEncoder();
const write = (s: string) => Deno.stdout.writeSync(encoder.encode(s));
const tty = Deno.stdout.isTerminal();

const NAMES: { [e in Engine]: string } = {
  plain: "plain Base",
  ps: "PsBase",
  pg: "PgBase",
  "pg-nolock": "PgBase without its lock",
};

async function play(engine: Engine, dir: string): Promise<ScenarioRun> {
  const name = NAMES[engine];
  let last = -1;
  const progress = (done: number) => {
    const line = `${name}: ${done}/${PROCESSES} processes done`;
    // On a terminal, one line rewritten in place; in a log, every tenth step.
    if (tty) write(`\r${line}\x1b[K`); // \x1b[K: clear the rest of the line
    else if (done === PROCESSES || Math.floor(done / 10) !== Math.floor(last / 10)) {
      write(line + "\n");
    }
    last = done;
  };
  write(`${name}: starting ${PROCESSES} processes...`);
  write(tty ? "" : "\n");
  const run = await runScenario(seedScenario(RECORDS), {
    engine,
    processes: PROCESSES,
    dir,
    onProgress: progress,
  });
  if (tty) write("\n");
  const a = run.anomalies;
  if (a.total) {
    console.log(`  ${name}: ${a.total} anomalies found:`);
    for (const k of KINDS) if (a.counts[k]) console.log(`    ${a.counts[k]} ${KIND_LABELS[k]}`);
    for (const d of a.details.slice(0, 4)) console.log(`    e.g. ${d.slice(0, 160)}`);
  } else console.log(`  ${name}: no anomaly found`);
  return run;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const line = (r: string[]) =>
    "| " + r.map((c, j) => j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j])).join(" | ") +
    " |";
  const rule = "|" + widths.map((w, j) => "-".repeat(w + 1) + (j ? ":" : "-"))
    .join("|") +
    "|";
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}

await withTempDir(async (dir) => {
  console.log(
    `The seed story: a ${RECORDS}-record table, ${PROCESSES} processes at once, each doing ` +
      `one read and one write or delete (plus a shared counter += 1), in ${dir}\n`,
  );
  const runs: Array<[Engine, ScenarioRun]> = [];
  for (const engine of ["plain", "ps"] as const) runs.push([engine, await play(engine, dir)]);
  const rows = [[
    "engine",
    "processes",
    "operations",
    "ids duplicated",
    "updates lost",
    "other anomalies",
    "errors",
    "wall time",
  ]];
  for (const [engine, run] of runs) {
    const c = run.anomalies.counts;
    const other = run.anomalies.total - c.duplicateIds - c.lostUpdates - c.childErrors;
    rows.push([
      NAMES[engine],
      String(PROCESSES),
      String(run.ops),
      String(c.duplicateIds),
      String(c.lostUpdates),
      String(other),
      String(c.childErrors),
      `${(run.wallMs / 1000).toFixed(2)} s`,
    ]);
  }
  console.log("\n" + table(rows));
  console.log(
    "\noperations: reads and writes the processes completed (4 each when all goes well).\n" +
      "other anomalies: expected changes missing, untouched records damaged, count() != records\n" +
      "iterated, records or files that fail to read. wall time: from the start signal to the\n" +
      "last process's exit (process start-up excluded).",
  );
}, "psbase_demo_");
