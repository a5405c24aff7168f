// Copyright 2026 the psbase authors. MIT license.
/**
 * `deno task bench:cold`: what one short-lived process costs, the seed's way
 * of using a table: a fresh process, alone, opens the 10K-record table, finds
 * one record by its `key` and updates it in one transaction, closes, exits.
 * The figure is whole-process CPU from the OS (user + system, all threads:
 * the child's rusage, bench/_rusage.ts) above that of a child of the same
 * runtime that loads no engine.
 *
 * Engines (bench/_engines.ts): in Deno, psbase and SQLite (`node:sqlite`); in
 * Node, psbase installed from the packed tarball and better-sqlite3
 * (bench/_node_install.ts); each with and without an index on `key`. Every
 * engine also runs the job's first stages alone (bench/_cold_job.ts: import
 * only, + open, + find), so the report splits its CPU: import, open, lock +
 * find, update + commit.
 *
 * One child at a time; `--runs` rotations (default 30), each running every
 * (engine, stage) once, in an order shifted by one each rotation, after 2
 * unmeasured warm-up runs of each (Deno's code cache). Every child gets a
 * fresh copy of the aged table (bench/_engines.ts; `--aging`, default 50
 * jobs), flushed to disk, and looks up the same key as the others in its
 * rotation. Figures are medians over the rotations of each child's CPU minus
 * the no-engine child's of the same rotation. Rewrites the cold section of
 * bench/RESULTS.md.
 *
 *   ./node_modules/.bin/deno run --allow-all bench/cold.ts [--runs=30]
 *     [--runtimes=deno,node] [--engines=psbase,sqlite,...] [--aging=50] [--wait-idle=<seconds>]
 *
 * @module
 */

import { ROWS } from "./_common.ts";
import { type Done, type Stage, STAGES, type Threads } from "./_cold_job.ts";
import {
  AGING_JOBS,
  denoEngines,
  type Engine,
  nodeEngines,
  PAIRS,
  type Runtime,
} from "./_engines.ts";
import { describeNode, installNode, type NodeSetup } from "./_node_install.ts";
import { keyOf } from "./_race_job.ts";
import {
  checkIdle,
  machineInfo,
  median,
  ms,
  parseFlags,
  percentile,
  ratio,
  SECTIONS,
  table,
  writeSection,
} from "./_report.ts";
import { childrenCpuMs, rusageProblem } from "./_rusage.ts";
import { withTempDir } from "../tests/_harness/temp.ts";

const flags = parseFlags("bench/cold.ts");
const RUNS = Number(flags.runs ?? 30);
const AGING = Number(flags.aging ?? AGING_JOBS);
const RUNTIMES = (flags.runtimes ?? "deno,node").split(",") as Runtime[];
const WARMUP = 2;
if (!(RUNS >= 3) || !(AGING >= 0) || RUNTIMES.some((r) => r !== "deno" && r !== "node")) {
  throw new Error("--runs must be >= 3, --aging >= 0, --runtimes a list of deno, node");
}
const problem = rusageProblem();
if (problem) {
  console.error(`bench/cold.ts: ${problem}`);
  Deno.exit(2);
}

/** The targets: psbase / the other engine, job CPU above the no-engine child (issues 12, 16). */
const TARGETS: { [r in Runtime]: { target: number; issue: number } } = {
  deno: { target: 2.0, issue: 12 },
  node: { target: 1.5, issue: 16 },
};

/** One child to run in every rotation. */
interface Case {
  engine: Engine;
  stage: Stage;
  /** The no-engine child of its runtime. */
  baseline: Engine;
}

/** One child's run. */
interface Sample {
  /** Whole-process CPU, ms. */
  cpu: number;
  /** Spawn to exit, ms. */
  wall: number;
  rssKb: number;
  /** CPU of its threads by kind, as it reported them just before exiting. */
  threads: Threads;
}

const keyOfCase = (c: Case) => `${c.engine.id}/${c.stage}`;

/** Runs one cold child to its end; its CPU from the OS. */
async function runCold(
  c: Case,
  work: string,
  key: string,
  target: number,
  again?: string,
): Promise<Sample> {
  const cmd = c.engine.cold!;
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const out = await new Deno.Command(cmd.program, {
    args: [
      ...cmd.args,
      `--base=${work}`,
      `--key=${key}`,
      `--stage=${c.stage}`,
      ...(again ? [`--again=${again}`] : []),
    ],
    cwd: cmd.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wall = performance.now() - t0;
  const cpu = childrenCpuMs() - cpu0;
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith("done "));
  const what = `${c.engine.id} --stage=${c.stage}`;
  if (!out.success || !line) {
    throw new Error(
      `cold child ${what} failed (exit ${out.code}): ${text}${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  const done = JSON.parse(line.slice(5)) as Done;
  const found = c.engine.store && STAGES.indexOf(c.stage) >= STAGES.indexOf("find");
  if (found && done.id !== target) {
    throw new Error(`cold child ${what} found record ${done.id}, not ${target}`);
  }
  return { cpu, wall, rssKb: done.rssKb, threads: done.threads };
}

const busy = await checkIdle(Number(flags["wait-idle"] ?? 0));
const started = performance.now();
const secs = () => ((performance.now() - started) / 1000).toFixed(0).padStart(3) + " s";

const samples = new Map<string, Sample[]>();
let nodeSetup: NodeSetup | undefined;
let engines: Engine[] = [];
let dataDir = "";

await withTempDir(async (dir) => {
  dataDir = dir;
  if (RUNTIMES.includes("deno")) engines.push(...denoEngines());
  if (RUNTIMES.includes("node")) {
    const nodeDir = `${dir}/node`;
    await Deno.mkdir(nodeDir);
    console.log(`[${secs()}] Node: building the psbase tarball, installing it in ${nodeDir}`);
    nodeSetup = await installNode(nodeDir);
    console.log(`[${secs()}] ${describeNode(nodeSetup)}`);
    engines.push(...nodeEngines(nodeDir));
  }
  const wanted = flags.engines?.split(",");
  engines = engines.filter((e) => !e.store || !wanted || wanted.includes(e.id));

  console.log(`[${secs()}] creating the tables (10K records, aged by ${AGING} jobs)`);
  const templates = new Map<Engine, string>();
  for (const e of engines.filter((e) => e.store)) {
    const path = e.path(dir, `t-${e.id}`);
    await e.create(path, AGING);
    templates.set(e, path);
  }

  const cases: Case[] = [];
  for (const runtime of RUNTIMES) {
    const mine = engines.filter((e) => e.runtime === runtime);
    const baseline = mine.find((e) => !e.store)!;
    cases.push({ engine: baseline, stage: "import", baseline });
    for (const e of mine.filter((e) => e.store)) {
      for (const stage of STAGES) cases.push({ engine: e, stage, baseline });
    }
  }

  const one = async (c: Case, rotation: number) => {
    const target = 2 + (rotation * 3331) % (ROWS - 1);
    const work = c.engine.path(dir, `w-${c.engine.id}`);
    // The `again` stage does the job a second time, on a second copy.
    const again = c.stage === "again" ? c.engine.path(dir, `w2-${c.engine.id}`) : undefined;
    if (c.engine.store) await c.engine.copy(templates.get(c.engine)!, work);
    if (again) await c.engine.copy(templates.get(c.engine)!, again);
    try {
      return await runCold(c, work, keyOf(target), target, again);
    } finally {
      if (c.engine.store) await c.engine.remove(work);
      if (again) await c.engine.remove(again);
    }
  };

  console.log(`[${secs()}] warm-up: ${WARMUP} runs of each of ${cases.length} children`);
  for (let w = 0; w < WARMUP; w++) for (const c of cases) await one(c, w);
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length];
      const s = await one(c, r);
      const list = samples.get(keyOfCase(c)) ?? [];
      list[r] = s;
      samples.set(keyOfCase(c), list);
    }
    const line = RUNTIMES.map((rt) => {
      const job = (id: string) => samples.get(`${id}/job`)?.[r]?.cpu ?? NaN;
      const base = cases.find((c) => c.engine.runtime === rt)!.baseline.id;
      const b = samples.get(`${base}/import`)![r].cpu;
      return PAIRS[rt].slice(0, 1).map((p) =>
        `${rt}: ${p.a} +${ms(job(p.a) - b)}, ${p.b} +${ms(job(p.b) - b)} ms above ${ms(b)}`
      ).join("");
    }).join("; ");
    console.log(`[${secs()}] rotation ${r + 1}/${RUNS}: ${line}`);
  }
  report(cases);
}, "psbase-cold-");

// ---------------------------------------------------------------------------
// Report

/** Each rotation's figure `f(rotation)`, where defined. */
function perRotation(f: (r: number) => number): number[] {
  return Array.from({ length: RUNS }, (_, r) => f(r)).filter(Number.isFinite);
}

function report(cases: Case[]): void {
  const cpu = (id: string, stage: Stage, r: number) =>
    samples.get(`${id}/${stage}`)?.[r]?.cpu ?? NaN;
  const baseOf = (rt: Runtime) => cases.find((c) => c.engine.runtime === rt)!.baseline;
  /** Per rotation: CPU of (id, stage) minus that of `minus` (the stage before, or the baseline). */
  const above = (id: string, stage: Stage, rt: Runtime) =>
    perRotation((r) => cpu(id, stage, r) - cpu(baseOf(rt).id, "import", r));
  const step = (id: string, stage: Stage, rt: Runtime) => {
    const i = STAGES.indexOf(stage);
    return i === 0
      ? above(id, stage, rt)
      : perRotation((r) => cpu(id, stage, r) - cpu(id, STAGES[i - 1], r));
  };
  const spread = (xs: number[]) => `${ms(percentile(xs, 25))} – ${ms(percentile(xs, 75))}`;

  const parts: string[] = [];
  const verdicts: string[] = [];
  const console_: string[] = [];
  for (const rt of RUNTIMES) {
    const base = baseOf(rt);
    const stores = engines.filter((e) => e.runtime === rt && e.store);
    const baseCpu = perRotation((r) => cpu(base.id, "import", r));
    const baseS = samples.get(`${base.id}/import`)!;
    const jobRows = [
      [
        base.label,
        "–",
        "–",
        ms(median(baseCpu)),
        ms(median(baseS.map((s) => s.wall))),
        (median(baseS.map((s) => s.rssKb)) / 1024).toFixed(1),
      ],
      ...stores.map((e) => {
        const s = samples.get(`${e.id}/job`)!;
        const xs = above(e.id, "job", rt);
        return [
          e.label,
          `**${ms(median(xs))}**`,
          spread(xs),
          ms(median(s.map((x) => x.cpu))),
          ms(median(s.map((x) => x.wall))),
          (median(s.map((x) => x.rssKb)) / 1024).toFixed(1),
        ];
      }),
    ];
    const has = (id: string) => stores.some((e) => e.id === id);
    const jobStages = STAGES.filter((st) => st !== "again");
    const breakdownRows = stores.map((e) => [
      e.label,
      ...jobStages.map((st) => ms(median(step(e.id, st, rt)))),
      ms(median(above(e.id, "job", rt))),
      ms(median(step(e.id, "again", rt))),
    ]);
    // The job a second time in the same process: the engine's code warm, the data not.
    const againRows = PAIRS[rt].filter((p) => has(p.a) && has(p.b)).map((p) => {
      const [a, b] = [median(step(p.a, "again", rt)), median(step(p.b, "again", rt))];
      const [ja, jb] = [median(above(p.a, "job", rt)), median(above(p.b, "job", rt))];
      return [p.label, `**${ratio(a / b)}**`, ms(a), ms(b), ms(ja - a), ms(jb - b)];
    });
    const ratioRows = PAIRS[rt].filter((p) => has(p.a) && has(p.b)).map((p) => {
      const [a, b] = [median(above(p.a, "job", rt)), median(above(p.b, "job", rt))];
      const t = TARGETS[rt];
      const headline = p === PAIRS[rt][0];
      if (headline) {
        const met = a / b <= t.target;
        verdicts.push(
          `- ${rt === "deno" ? "Deno" : "Node"}: job CPU above the no-engine child, ${p.label} = ` +
            `${ratio(a / b)} (${ms(a)} ms vs ${ms(b)} ms), target ≤ ${t.target.toFixed(1)} ` +
            `(issue ${t.issue}): ${met ? "met" : "**missed**"}`,
        );
      }
      console_.push(`${rt}: ${p.label} = ${ratio(a / b)} (${ms(a)} vs ${ms(b)} ms)`);
      return [
        p.label,
        `**${ratio(a / b)}**`,
        ms(a),
        ms(b),
        headline ? `≤ ${TARGETS[rt].target.toFixed(1)}` : "–",
      ];
    });
    const sample = (id: string, stage: Stage, r: number) => samples.get(`${id}/${stage}`)?.[r];
    /** Per rotation: `f` of the job child minus `f` of the no-engine child. */
    const jobAbove = (id: string, f: (s: Sample) => number) =>
      perRotation((r) => {
        const [a, b] = [sample(id, "job", r), sample(base.id, "import", r)];
        return a && b ? f(a) - f(b) : NaN;
      });
    const kinds: Array<[string, (s: Sample) => number]> = [
      ["main thread", (s) => s.threads.main ?? NaN],
      ["V8 helper threads", (s) => s.threads.v8 ?? 0],
      ["other threads", (s) => s.threads.other ?? 0],
      [
        "rest (exited threads, exit)",
        (s) => s.cpu - (s.threads.main ?? NaN) - (s.threads.v8 ?? 0) - (s.threads.other ?? 0),
      ],
    ];
    const threadRows = [base, ...stores].map((e) =>
      e === base
        ? [`${e.label} (its own CPU)`, ...kinds.map(([, f]) => ms(median(baseS.map(f))))]
        : [e.label, ...kinds.map(([, f]) => ms(median(jobAbove(e.id, f))))]
    );
    const title = rt === "deno" ? "Deno" : "Node";
    parts.push(`### ${title}

${
      rt === "deno"
        ? `Deno ${Deno.version.deno}: \`deno run --allow-all <child>\`; psbase from this checkout (\`mod.ts\`), SQLite through \`node:sqlite\`.`
        : `${describeNode(nodeSetup!)}.`
    }

Whole-process CPU of one child doing the job (ms): median over ${RUNS} rotations of its CPU minus
the no-engine child's in the same rotation, the interquartile range of that difference, the
child's own CPU and its wall time (spawn to exit), and its peak RSS (VmHWM).

${
      table(
        ["child", "job CPU above no engine", "IQR", "whole-process CPU", "wall", "peak RSS (MB)"],
        jobRows,
      )
    }

${table(["ratio", "value", "first (ms)", "second (ms)", "target"], ratioRows)}

Where the job's CPU goes (ms, medians over the rotations of the difference between one stage's
child and the previous one's): *import* loads the engine's module (vs the no-engine child);
*open* opens and closes the table; *find* takes the write transaction (psbase: the lock;
SQLite: \`BEGIN IMMEDIATE\`) and finds the record by \`key\`, writing nothing; *update + commit*
updates it and commits (the log append or WAL write, and its fsync); *again* is the whole job
done a second time in the same process, on a second copy of the table: the engine's code has run
once (compiled, tiered up, its inline caches warm), the data is new to the process.

${
      table(
        ["engine", "import", "open", "find", "update + commit", "job (whole)", "again"],
        breakdownRows,
      )
    }

The job done again, as a ratio of the two engines (*first*, *second*: the engines in the ratio's
order), and what each one's first job cost beyond the second (ms): the CPU a fresh process spends
loading the engine and running its code for the first time.

${
      table(
        [
          "ratio",
          "again",
          "first (ms)",
          "second (ms)",
          "first: its first run",
          "second: its first run",
        ],
        againRows,
      )
    }

Which threads run it (ms, the job's child above the no-engine child, medians over the rotations):
each thread's CPU as the child read it from \`/proc/self/task/*/schedstat\` just before exiting.
${
      rt === "deno"
        ? "*Other threads* are tokio's, where Deno runs async file operations."
        : "Node names all its threads `node`: *other threads* are V8's platform workers (background compilation, GC) and libuv's pool."
    } *Rest* is the OS's figure minus the threads': threads that had already exited, and the exit.

${table(["engine", ...kinds.map(([k]) => k)], threadRows)}`);
  }

  const body = `## Cold: one fresh process doing the seed's job, CPU from the OS

${machineInfo(dataDir, busy, false)}

\`deno task bench:cold\` (bench/cold.ts): one process at a time opens the 10K-record table, finds
one record by its \`key\` (a unique string; unindexed, or with an index: psbase
\`{ type: "string", index: true }\`, SQLite \`CREATE INDEX\`) and updates it in one write
transaction (psbase: \`transaction(tx => tx.find({ key }) then tx.update)\`; SQLite: WAL,
\`synchronous=FULL\`, \`BEGIN IMMEDIATE\`, \`SELECT * ... WHERE key = ?\` with \`all()\`,
\`UPDATE\`, \`COMMIT\`), closes it and exits. The figure is its whole-process CPU (user + system,
all threads) from the OS: \`getrusage(RUSAGE_CHILDREN)\` in the parent, read through FFI before
and after each child (bench/_rusage.ts), minus that of a child of the same runtime that loads
no engine. ${RUNS} rotations, each running every child once in an order shifted by one per
rotation, after ${WARMUP} unmeasured runs of each (so Deno's code cache is filled). Every child
gets a fresh copy, flushed to disk, of a table aged by ${AGING} jobs (psbase's log holds
${AGING} commits, as after one 50-process race), so no run inherits a longer log from the
previous ones.

${parts.join("\n\n")}

Targets:

${verdicts.join("\n")}
`;
  writeSection("cold", body, SECTIONS);
  console.log(`\n[${secs()}] bench/RESULTS.md (cold section) updated.\n`);
  console.log(console_.join("\n"));
  console.log(verdicts.join("\n"));
}
