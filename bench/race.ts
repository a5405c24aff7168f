// Copyright 2026 the psbase authors. MIT license.
/**
 * `deno task bench:race` and `deno task bench:race:node`: the seed's
 * workload, for real. N processes (10, 50 and 100 by default) are started
 * together, each doing the seed's job on a 10K-record table (cold open; one
 * read-modify-write transaction: find its target record by its `key`, read
 * the counter, update / delete / insert, counter + 1; close; exit: see
 * bench/_race_job.ts).
 *
 * `--runtime=deno` (the default): `deno run` processes on psbase (`PsBase`,
 * this checkout) and on SQLite (`node:sqlite`, WAL, `synchronous=FULL`,
 * `BEGIN IMMEDIATE`, `busy_timeout`), and on PgBase (`PgBase`, a PostgreSQL
 * cluster the benchmark starts on loopback for the run, fsync on: see
 * bench/_pg.ts; raced when PostgreSQL is installed, else skipped with a note
 * in the report). `--runtime=node`: `node` processes on
 * psbase installed from the packed tarball and on better-sqlite3 (the same
 * settings), see bench/_node_install.ts. Each engine races twice: without an
 * index on `key` and with one (bench/_engines.ts). Each child waits at a
 * start barrier, so all start their job together, and reports its in-process
 * time (just before open to just after close). The parent reads every child's
 * whole-process CPU from the OS (bench/_rusage.ts: the race's
 * `RUSAGE_CHILDREN` delta / N, minus the same for N children that load no
 * engine; for PgBase, plus the CPU of PostgreSQL's processes over the race),
 * and afterwards checks the table for anomalies as the race tests do
 * (bench/_race_check.ts).
 *
 * Several rounds (medians; engines in a rotated order each round), the ratios
 * psbase / SQLite (or better-sqlite3), PgBase / SQLite and PgBase / psbase,
 * the targets of issues 12 and 16, the race section of bench/RESULTS.md
 * (`race` or `race-node`) and its chart (bench/race.svg or
 * bench/race-node.svg).
 *
 *   ./node_modules/.bin/deno run --allow-all bench/race.ts [--runtime=deno|node]
 *     [--rounds=5] [--n=10,50,100] [--engines=psbase,sqlite,pgbase,...] [--aging=50]
 *     [--wait-idle=<seconds>]
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { raceChart } from "./_chart.ts";
import {
  AGING_JOBS,
  denoEngines,
  type Engine,
  nodeEngines,
  type Pair,
  PAIRS,
  PG_ENGINE_IDS,
  pgEngines,
  type Runtime,
} from "./_engines.ts";
import { PgCluster, pgUnavailable } from "./_pg.ts";
import { describeNode, installNode, type NodeSetup } from "./_node_install.ts";
import { Anomalies, type Before, check } from "./_race_check.ts";
import { type ChildResult, jobArg } from "./_race_job.ts";
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
import { ROWS } from "./_shapes.ts";
import { Child } from "../tests/_harness/child.ts";
import { withTempDir } from "../tests/_harness/temp.ts";

// ---------------------------------------------------------------------------
// Options

const flags = parseFlags("bench/race.ts");
const RUNTIME = (flags.runtime ?? "deno") as Runtime;
const ROUNDS = Number(flags.rounds ?? 5);
const NS = (flags.n ?? "10,50,100").split(",").map(Number);
const AGING = Number(flags.aging ?? AGING_JOBS);
const HEADLINE = NS.includes(50) ? 50 : NS[Math.floor(NS.length / 2)];
if (RUNTIME !== "deno" && RUNTIME !== "node") throw new Error("--runtime must be deno or node");
if (!(ROUNDS >= 1) || NS.some((n) => !(n >= 1 && n <= 9999)) || !(AGING >= 0)) {
  throw new Error("--rounds must be >= 1, --n a list of numbers in 1..9999, --aging >= 0");
}
const problem = rusageProblem();
if (problem) {
  console.error(`bench/race.ts: ${problem}`);
  Deno.exit(2);
}

/** A target: pair `pair` of {@linkcode PAIRS}, figure `what`, at the headline N. */
interface Target {
  pair: number;
  what: "wall" | "p50";
  target: number;
  issue: number;
}

/** The race targets of issue 12 (Deno) and issue 16 (Node); zero anomalies is a target too. */
const TARGETS: { [r in Runtime]: Target[] } = {
  deno: [
    { pair: 0, what: "wall", target: 1.0, issue: 12 },
    { pair: 0, what: "p50", target: 1.5, issue: 12 },
    { pair: 1, what: "wall", target: 1.0, issue: 12 },
  ],
  node: [{ pair: 0, what: "wall", target: 1.0, issue: 16 }],
};

const SECTION = RUNTIME === "deno" ? "race" : "race-node";
const CHART = RUNTIME === "deno" ? "race.svg" : "race-node.svg";

// ---------------------------------------------------------------------------
// One race

/** One race: `n` children of one engine on a fresh copy of its table. */
interface RaceRun {
  engine: Engine;
  n: number;
  round: number;
  /** From releasing the barrier to the last child's exit. */
  wallMs: number;
  /** From the first spawn to the last child's exit (process start included). */
  totalMs: number;
  /** Whole-process CPU of all its children together (from the OS), ms. */
  cpuTotalMs: number;
  /** Of which the engine's server's processes (PgBase: PostgreSQL's), ms; 0 for the others. */
  serverCpuMs: number;
  /** Each child's in-process time (open to close), ok children only. */
  childMs: number[];
  /** Each child's main-thread CPU time over the same span. */
  jobCpuMs: number[];
  /** Each child's time from process start to ready. */
  readyMs: number[];
  /** Each child's peak RSS, KiB. */
  rssKb: number[];
  anomalies: Anomalies;
}

async function race(
  engine: Engine,
  n: number,
  round: number,
  template: string,
  work: string,
  before: Before,
): Promise<RaceRun> {
  await engine.remove(work);
  if (engine.store) await engine.copy(template, work);
  const server0 = await engine.serverCpu?.();
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const children = Array.from(
    { length: n },
    (_, i) => new Child(i, [`--base=${work}`, jobArg(i, ROWS)], engine.race),
  );
  await Promise.all(children.map((c) => c.waitFor("ready")));
  const tGo = performance.now();
  await Promise.all(children.map((c) => c.send("go")));
  const outs = await Promise.all(children.map((c) => c.finish()));
  const tEnd = performance.now();
  // The server's share of the work (PgBase: PostgreSQL's sessions of this race, and its background
  // processes over it), read once the sessions are gone.
  const serverCpuMs = server0 ? (await engine.serverCpu!(server0.children)).ms - server0.ms : 0;
  const cpuTotalMs = childrenCpuMs() - cpu0 + serverCpuMs;
  const results = outs.map((o) => o.result as ChildResult | undefined);
  const anomalies = new Anomalies();
  outs.forEach((o, i) => {
    if (!o.ok) anomalies.add("errors", 1, `child ${i}: ${o.error}`);
  });
  if (engine.store) check(await engine.read(work), results, before, anomalies);
  await engine.remove(work);
  const ok = results.filter((r): r is ChildResult => r?.ok === true);
  return {
    engine,
    n,
    round,
    wallMs: tEnd - tGo,
    totalMs: tEnd - t0,
    cpuTotalMs,
    serverCpuMs,
    childMs: ok.map((r) => r.ms),
    jobCpuMs: ok.map((r) => r.cpuMs),
    readyMs: ok.map((r) => r.readyMs),
    rssKb: ok.map((r) => r.peakRssKb),
    anomalies,
  };
}

// ---------------------------------------------------------------------------
// The runs

const busy = await checkIdle(Number(flags["wait-idle"] ?? 0));
const started = performance.now();
const secs = () => ((performance.now() - started) / 1000).toFixed(0).padStart(3) + " s";
const runs: RaceRun[] = [];
let engines: Engine[] = [];
let nodeSetup: NodeSetup | undefined;
let dataDir = "";
let cluster: PgCluster | undefined;
/** Why PgBase was not raced although wanted, for the report. */
let pgSkipped: string | undefined;

await withTempDir(async (dir) => {
  dataDir = dir;
  if (RUNTIME === "deno") engines = denoEngines();
  else {
    await Deno.mkdir(`${dir}/node`);
    console.log(`[${secs()}] Node: building the psbase tarball, installing it in ${dir}/node`);
    nodeSetup = await installNode(`${dir}/node`);
    console.log(`[${secs()}] ${describeNode(nodeSetup)}`);
    engines = nodeEngines(`${dir}/node`);
  }
  const wanted = flags.engines?.split(",");
  // PgBase: in Deno, by default or when --engines names it, when PostgreSQL is installed.
  if (RUNTIME === "deno" && (!wanted || wanted.some((id) => PG_ENGINE_IDS.includes(id)))) {
    pgSkipped = await pgUnavailable();
    if (pgSkipped) console.log(`[${secs()}] PgBase is not raced: ${pgSkipped}`);
    else {
      cluster = await PgCluster.start();
      // Every child inherits it: the PgBase children connect to the cluster's databases.
      Deno.env.set("DATABASE_URL", cluster.url);
      console.log(`[${secs()}] PostgreSQL ${cluster.version} started at ${cluster.url} (fsync on)`);
      engines.push(...pgEngines(cluster));
    }
  }
  engines = engines.filter((e) => !e.store || !wanted || wanted.includes(e.id));
  const baseline = engines.find((e) => !e.store)!;
  const stores = engines.filter((e) => e.store);

  console.log(`[${secs()}] creating the tables (10K records, aged by ${AGING} jobs)`);
  const templates = new Map<Engine, { path: string; before: Before }>();
  for (const e of engines) {
    const path = e.path(dir, `t-${e.id}`);
    templates.set(e, { path, before: await e.create(path, AGING) });
  }
  const one = (e: Engine, n: number, round: number) => {
    const t = templates.get(e)!;
    return race(e, n, round, t.path, e.path(dir, `w-${e.id}`), t.before);
  };

  // Warm-up: one child per engine, so module and code caches are filled before timing.
  for (const e of engines) await one(e, 1, -1);

  for (let r = 0; r < ROUNDS; r++) {
    for (const n of NS) {
      // The baseline first, then the engines in an order rotated each round.
      const order = [baseline, ...stores.map((_, k) => stores[(k + r) % stores.length])];
      const base = await one(baseline, n, r);
      runs.push(base);
      for (const e of order.slice(1)) {
        const run = await one(e, n, r);
        runs.push(run);
        console.log(
          `[${secs()}] round ${r + 1}/${ROUNDS}  N=${String(n).padStart(3)}  ` +
            `${e.id.padEnd(16)} wall ${ms(run.wallMs).padStart(5)} ms` +
            `  (incl. start ${ms(run.totalMs).padStart(5)})` +
            `  in-process p50 ${ms(percentile(run.childMs, 50))} p99 ${
              ms(percentile(run.childMs, 99))
            } ms, CPU/process +${ms((run.cpuTotalMs - base.cpuTotalMs) / n)} ms` +
            (run.serverCpuMs ? ` (server ${ms(run.serverCpuMs / n)})` : "") +
            `  anomalies ${run.anomalies.total}` +
            (run.anomalies.total ? `: ${run.anomalies.details.slice(0, 3).join("; ")}` : ""),
        );
      }
    }
  }
  report(baseline, stores);
}, `psbase-race-${RUNTIME}-`).finally(() => cluster?.stop());

// ---------------------------------------------------------------------------
// Report

/** Medians over the rounds of one engine at one N. */
interface Summary {
  wall: number;
  total: number;
  p50: number;
  p99: number;
  /** Whole-process CPU per process above the no-engine children's, ms. */
  cpu: number;
  /** Whole-process CPU per process, ms. */
  cpuRaw: number;
  /** Of `cpu`, the server's processes' per process, ms (0 without a server). */
  server: number;
  jobCpu: number;
  ready: number;
  rssMb: number;
  anomalies: Anomalies;
}

function report(baseline: Engine, stores: Engine[]): void {
  const of = (e: Engine, n: number) => runs.filter((r) => r.engine === e && r.n === n);
  const baseCpu = (n: number, round: number) =>
    runs.find((r) => r.engine === baseline && r.n === n && r.round === round)!.cpuTotalMs / n;
  const above = (r: RaceRun) => r.cpuTotalMs / r.n - baseCpu(r.n, r.round);
  const byId = (id: string) => stores.find((e) => e.id === id);

  function summarize(e: Engine, n: number): Summary {
    const list = of(e, n);
    const all = new Anomalies();
    for (const r of list) all.merge(r.anomalies);
    return {
      wall: median(list.map((r) => r.wallMs)),
      total: median(list.map((r) => r.totalMs)),
      p50: median(list.map((r) => percentile(r.childMs, 50))),
      p99: median(list.map((r) => percentile(r.childMs, 99))),
      cpu: median(list.map(above)),
      cpuRaw: median(list.map((r) => r.cpuTotalMs / r.n)),
      server: median(list.map((r) => r.serverCpuMs / r.n)),
      jobCpu: median(list.map((r) => percentile(r.jobCpuMs, 50))),
      ready: median(list.map((r) => percentile(r.readyMs, 50))),
      rssMb: median(list.map((r) => percentile(r.rssKb, 50))) / 1024,
      anomalies: all,
    };
  }

  const raceRows: string[][] = [];
  for (const n of NS) {
    const b = summarize(baseline, n);
    raceRows.push([
      String(n),
      baseline.label,
      ms(b.wall),
      ms(b.total),
      "–",
      "–",
      `(${ms(b.cpuRaw)})`,
      "–",
      ms(b.ready),
      b.rssMb.toFixed(1),
      b.anomalies.summary(),
    ]);
    for (const e of stores) {
      const s = summarize(e, n);
      raceRows.push([
        String(n),
        e.label,
        ms(s.wall),
        ms(s.total),
        ms(s.p50),
        ms(s.p99),
        `**${ms(s.cpu)}**${e.serverCpu ? ` (server ${ms(s.server)})` : ""}`,
        ms(s.jobCpu),
        ms(s.ready),
        s.rssMb.toFixed(1),
        s.anomalies.summary(),
      ]);
    }
  }

  /** The ratio a / b of `f` per round, as "min – max". */
  const eachRound = (a: Engine, b: Engine, n: number, f: (r: RaceRun) => number) => {
    const xs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [x, y] = [a, b].map((e) => of(e, n).find((run) => run.round === r));
      if (x && y) xs.push(f(x) / f(y));
    }
    return xs.length > 1 ? `${ratio(Math.min(...xs))} – ${ratio(Math.max(...xs))}` : ratio(xs[0]);
  };
  const pairs = PAIRS[RUNTIME].filter((p) => byId(p.a) && byId(p.b));
  const ratioRows: string[][] = [];
  for (const p of pairs) {
    const [a, b] = [byId(p.a)!, byId(p.b)!];
    for (const n of NS) {
      const [x, y] = [summarize(a, n), summarize(b, n)];
      ratioRows.push([
        p.label,
        String(n),
        `**${ratio(x.wall / y.wall)}**`,
        eachRound(a, b, n, (r) => r.wallMs),
        `**${ratio(x.p50 / y.p50)}**`,
        eachRound(a, b, n, (r) => percentile(r.childMs, 50)),
        ratio(x.p99 / y.p99),
        ratio(x.cpu / y.cpu),
        ratio(x.total / y.total),
      ]);
    }
  }

  const verdicts: string[] = [];
  const misses: string[] = [];
  if (NS.includes(HEADLINE)) {
    for (const t of TARGETS[RUNTIME]) {
      const p: Pair | undefined = PAIRS[RUNTIME][t.pair];
      if (!p || !byId(p.a) || !byId(p.b)) continue;
      const [x, y] = [summarize(byId(p.a)!, HEADLINE), summarize(byId(p.b)!, HEADLINE)];
      const value = t.what === "wall" ? x.wall / y.wall : x.p50 / y.p50;
      const met = value <= t.target;
      const what = `${HEADLINE}-process race, ${t.what === "wall" ? "wall" : "in-process p50"}`;
      if (!met) misses.push(`${what} (${p.label})`);
      verdicts.push(
        `- ${what}, ${p.label} = ${ratio(value)} (${ms(t.what === "wall" ? x.wall : x.p50)} vs ${
          ms(t.what === "wall" ? y.wall : y.p50)
        } ms), target ≤ ${t.target.toFixed(1)} (issue ${t.issue}): ${met ? "met" : "**missed**"}`,
      );
    }
    for (const p of pairs) {
      const [x, y] = [summarize(byId(p.a)!, HEADLINE), summarize(byId(p.b)!, HEADLINE)];
      verdicts.push(
        `- (for reference) ${HEADLINE}-process race, CPU per process above the no-engine ` +
          `child, ${p.label} = ${ratio(x.cpu / y.cpu)} (${ms(x.cpu)} vs ${ms(y.cpu)} ms)`,
      );
    }
  }
  // Zero anomalies is a target of every engine on the left of a pair (psbase, PgBase), raced with
  // its partner or not.
  const mine = stores.filter((e) => PAIRS[RUNTIME].some((p) => p.a === e.id));
  const anomalyTotal = mine.reduce(
    (s, e) => s + NS.reduce((t, n) => t + summarize(e, n).anomalies.total, 0),
    0,
  );
  if (anomalyTotal) misses.push("anomalies");
  if (mine.length) {
    verdicts.push(
      `- anomalies of ${mine.map((e) => e.label).join("; ")}, all races (N = ${
        NS.join(", ")
      }; ${ROUNDS} round${ROUNDS > 1 ? "s" : ""}): ${anomalyTotal}, target 0: ${
        anomalyTotal ? "**missed**" : "met"
      }`,
    );
  }

  // Anomalies by engine, the same message counted once per occurrence.
  const details: string[] = [];
  for (const e of [baseline, ...stores]) {
    const seen = new Map<string, number>();
    for (const r of runs.filter((r) => r.engine === e)) {
      for (const d of r.anomalies.details) {
        const msg = d.replace(/child \d+/g, "child i").replace(/\b\d{2,}\b/g, "#");
        seen.set(msg, (seen.get(msg) ?? 0) + 1);
      }
    }
    const top = [...seen].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [msg, n] of top) details.push(`- ${e.label}: ${n} × ${msg}`);
  }

  const who = RUNTIME === "deno"
    ? `\`deno run\` processes; psbase is this checkout (\`PsBase\`), SQLite is \`node:sqlite\``
    : `\`node\` processes; ${describeNode(nodeSetup!)}`;
  const other = RUNTIME === "deno" ? "SQLite" : "better-sqlite3";
  const raced = (ids: readonly string[]) => stores.some((e) => ids.includes(e.id));
  const pgText = cluster && raced(PG_ENGINE_IDS)
    ? ` PgBase (\`pg.ts\`, this checkout) runs the same \`transaction\` and \`tx.find({ key })\` as
psbase on a table of PostgreSQL ${cluster.version}, one cluster the benchmark starts on loopback for
the run (bench/_pg.ts) with PostgreSQL's default durability (fsync, synchronous commit and full page
writes on): each process opens one session, and its transaction takes the table's advisory lock
first. Its children load PgBase's client (the \`postgres\` package from npm) before the barrier, so
in *ready*, not in *in-process*. Its table is analyzed once when made; its fresh copy is \`CREATE DATABASE ... TEMPLATE\` of the
aged database, then \`CHECKPOINT\`. PostgreSQL does much of PgBase's work in its own processes: its
*CPU/process* adds their CPU over the race (the postmaster, its sessions and background processes,
from /proc) to the clients', which the others' figures need not.`
    : pgSkipped
    ? ` PgBase was not raced: ${pgSkipped}.`
    : "";
  const body = `## Race${
    RUNTIME === "node" ? " in Node" : ""
  }: N processes started together, each doing the seed's job

${machineInfo(dataDir, busy, false)}

\`deno task bench:race${
    RUNTIME === "node" ? ":node" : ""
  }\` (bench/race.ts): N real ${who}. Each loads its engine, waits at a start barrier, then
does the seed's job on a 10K-record table: a cold open; one read-modify-write transaction (find
its target record by its \`key\`, a unique string, unindexed or with an index on it; read a shared
counter by id; update the target, delete it, or insert a new record; counter + 1); close; exit.
psbase uses \`PsBase.transaction\` with \`tx.find({ key })\`; ${other} runs in WAL mode with
\`synchronous = FULL\`, \`BEGIN IMMEDIATE\` and a 60 s busy timeout, \`SELECT * ... WHERE key = ?\`
with \`all()\`; the indexed variants add \`{ type: "string", index: true }\` to psbase's schema and
\`CREATE INDEX\` to SQLite's table. Every race starts from a fresh copy, flushed to disk, of the same
table aged by ${AGING} jobs (psbase's log holds ${AGING} commits). Afterwards the table is checked
as the race tests do: duplicated ids, lost updates (the counter, every update, delete and insert),
damaged untouched records, \`count\` vs records iterated, child errors.${pgText} ${ROUNDS} round${
    ROUNDS > 1 ? "s" : ""
  }, each racing N children that load no engine, then every engine in an order rotated by one per
round; figures are medians over the rounds, anomalies are summed.${
    RUNTIME === "deno"
      ? " Deno KV is no longer raced: it has no lookup by value (finding a record by `key` " +
        "lists all 10K entries, about 100 ms), and in the earlier races most of its processes " +
        'failed with "database is locked" (52–87% by N) rather than wait.'
      : ""
  }

- *wall*: from releasing the barrier to the last process's exit. *incl. start*: from the first
  spawn (so the runtime's start and module loading are in it).
- *in-process*: each process's own time from just before its open to just after its close; p50
  and p99 over the N processes.
- *CPU/process above no engine*: whole-process CPU (user + system, all threads) of the race's
  children from the OS (\`getrusage(RUSAGE_CHILDREN)\` in the parent, through FFI,
  bench/_rusage.ts), divided by N, minus the same for the N no-engine children of that round (in
  parentheses on their row: their own CPU per process)${
    cluster && raced(PG_ENGINE_IDS)
      ? "; for PgBase, plus PostgreSQL's processes' CPU over the race (*server*, per process)"
      : ""
  }. *job CPU*: the main thread's CPU over the
  in-process span (\`/proc/thread-self/schedstat\`), p50. *ready*: process start to the barrier.
- *peak RSS*: VmHWM of each process at its end (median over the processes).

![Race benchmark chart](${CHART})

${
    table(
      [
        "N",
        "engine",
        "wall (ms)",
        "incl. start (ms)",
        "in-process p50 (ms)",
        "p99 (ms)",
        "CPU/process above no engine (ms)",
        "job CPU p50 (ms)",
        "ready p50 (ms)",
        "peak RSS (MB)",
        "anomalies",
      ],
      raceRows,
    )
  }

Ratios (lower is better for the first): of the medians, and the range of the same ratio taken
round by round.

${
    table([
      "ratio",
      "N",
      "wall",
      "wall, each round",
      "in-process p50",
      "p50, each round",
      "p99",
      "CPU/process above no engine",
      "incl. start",
    ], ratioRows)
  }

Targets:

${verdicts.join("\n")}

${misses.length ? `Missed: ${misses.join("; ")}.` : "Every race target is met in this run."}
${details.length ? `\nAnomalies found (all rounds and N):\n\n${details.join("\n")}\n` : ""}`;
  writeSection(SECTION, body, SECTIONS);

  const chart = raceChart(
    NS,
    stores.map((e) => ({
      label: e.label,
      points: NS.map((n) => {
        const s = summarize(e, n);
        return { wall: s.wall, total: s.total, p50: s.p50, p99: s.p99 };
      }),
    })),
    `${ROUNDS} round${ROUNDS > 1 ? "s" : ""}, medians; ${
      RUNTIME === "deno" ? `Deno ${Deno.version.deno}` : `Node ${nodeSetup!.node}`
    }, ${navigator.hardwareConcurrency} cores`,
  );
  const svg = fileURLToPath(new URL(`./${CHART}`, import.meta.url));
  Deno.writeTextFileSync(svg, chart);
  // Leave it as `deno fmt` would (it formats SVG too), so the tree stays fmt-clean.
  new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", svg], stderr: "null" }).outputSync();
  console.log(`\n[${secs()}] bench/RESULTS.md (${SECTION} section) and bench/${CHART} updated.\n`);
  console.log(verdicts.join("\n"));
}
