// Copyright 2026 the psbase authors. MIT license.
/**
 * `deno task bench:race`: the seed's workload, for real. N processes (10, 50
 * and 100 by default) are started together, each doing the seed's job on a
 * 10K-record table (cold open, one read-modify-write transaction: read a
 * record and a counter, update / delete / insert, counter + 1; close; exit:
 * see bench/_race_job.ts), on psbase (`PsBase`), on SQLite (`node:sqlite`,
 * WAL, `synchronous=FULL`, `BEGIN IMMEDIATE`, `busy_timeout`), on Deno KV
 * (versionstamp checks, retried) and on `PgBase` (a PostgreSQL 15 cluster the
 * benchmark starts on loopback, default settings: fsync on, synchronous
 * commit; skipped when PostgreSQL is not installed). Each child waits at a start barrier, so all
 * start their job together; each reports its in-process time (just before
 * open to just after close) and its peak RSS. Afterwards the parent checks
 * the table for anomalies, as the race tests do: duplicated ids, lost updates
 * (the counter, each update, delete and insert), damaged untouched records,
 * count mismatches, and child errors.
 *
 * Several rounds (medians), the ratio psbase / SQLite, a memory figure (one
 * process alone doing the job, peak RSS), bench/RESULTS.md (its race
 * section) and bench/race.svg.
 *
 *   ./node_modules/.bin/deno run --allow-all --unstable-kv bench/race.ts \
 *     [--rounds=5] [--n=10,50,100] [--engines=psbase,sqlite,kv,pgbase] [--mem-runs=5]
 *     [--wait-idle=<seconds>]
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { PsBase } from "../mod.ts";
import { copyBase, PgBase } from "../pg.ts";
import { pgBindir, type PgServer, startPg } from "../tests/_pg_server.ts";
import {
  allValues,
  copyStore,
  kvCreate,
  kvRecord,
  type KvValue,
  psbaseCreate,
  type Rec,
  removeStore,
  ROWS,
  sqliteCreate,
  sqliteOpen,
  sqlRecord,
  type SqlRow,
  values,
} from "./_common.ts";
import { type ChildResult, COUNTER_ID, job } from "./_race_job.ts";
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
import { raceChart } from "./_chart.ts";

// ---------------------------------------------------------------------------
// Options

const flags = parseFlags("bench/race.ts");
const ROUNDS = Number(flags.rounds ?? 5);
const NS = (flags.n ?? "10,50,100").split(",").map(Number);
const MEM_RUNS = Number(flags["mem-runs"] ?? 5);
const HAVE_PG = (await pgBindir()) !== undefined;
const ENGINES = (flags.engines ?? `psbase,sqlite,kv${HAVE_PG ? ",pgbase" : ""}`).split(
  ",",
) as Engine[];
const HEADLINE = NS.includes(50) ? 50 : NS[Math.floor(NS.length / 2)];
if (!(ROUNDS >= 1) || NS.some((n) => !(n >= 1 && n <= 9999))) {
  throw new Error("--rounds must be >= 1 and --n a list of numbers in 1..9999");
}

type Engine = "psbase" | "sqlite" | "kv" | "pgbase" | "none";
const LABEL: { [e in Engine]: string } = {
  psbase: "psbase (PsBase)",
  sqlite: "SQLite",
  kv: "Deno KV",
  pgbase: "PgBase (PostgreSQL)",
  none: "Deno alone (no table)",
};
for (const e of ENGINES) if (!LABEL[e] || e === "none") throw new Error(`unknown engine ${e}`);

const script = (e: Engine) => fileURLToPath(new URL(`./_race_child_${e}.ts`, import.meta.url));

// ---------------------------------------------------------------------------
// Children

/** One child process, held at the start barrier until `go()`. */
class Child {
  readonly process: Deno.ChildProcess;
  readonly ready: Promise<void>;
  readonly done: Promise<{ result?: ChildResult; code: number; stderr: string }>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(engine: Engine, base: string, index: number) {
    const proc = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        ...(engine === "kv" ? ["--unstable-kv"] : []),
        script(engine),
        `--base=${base}`,
        `--index=${index}`,
        `--rows=${ROWS}`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: engine === "pgbase" ? { DATABASE_URL: pg!.url } : {},
    }).spawn();
    this.process = proc;
    this.#stdin = proc.stdin.getWriter();
    this.#stdin.closed.catch(() => {});
    let out = "";
    let signalReady!: () => void;
    this.ready = new Promise<void>((r) => signalReady = r);
    const stdout = (async () => {
      for await (const text of proc.stdout.pipeThrough(new TextDecoderStream())) {
        out += text;
        if (/(^|\n)ready\n/.test(out)) signalReady();
      }
      signalReady(); // exited without being ready: done tells why
    })();
    const stderr = new Response(proc.stderr).text();
    this.done = (async () => {
      const status = await proc.status;
      await stdout;
      const line = out.split("\n").find((l) => l.startsWith("result "));
      return {
        result: line ? JSON.parse(line.slice(7)) as ChildResult : undefined,
        code: status.code,
        stderr: (await stderr).trim(),
      };
    })();
  }

  /** Releases it from the barrier. */
  async go(): Promise<void> {
    try {
      await this.#stdin.write(new TextEncoder().encode("go\n"));
      await this.#stdin.close();
    } catch {
      // It has exited already; done says why.
    }
  }
}

/** One race: `n` children on a fresh copy of the engine's table. */
interface RaceRun {
  engine: Engine;
  n: number;
  /** From releasing the barrier to the last child's exit. */
  wallMs: number;
  /** From the first spawn to the last child's exit (process start included). */
  totalMs: number;
  /** Each child's in-process time (open to close), ok children only. */
  childMs: number[];
  /** Each child's main-thread CPU time over the same span. */
  cpuMs: number[];
  /** Each child's time from process start to ready. */
  readyMs: number[];
  /** Each child's peak RSS, KiB. */
  rssKb: number[];
  retries: number;
  anomalies: Anomalies;
}

/** The PostgreSQL cluster of the PgBase races (started when pgbase is among the engines). */
let pg: PgServer | undefined;

/** A fresh table `work` holding the PsBase `template`'s records (ids and versions too). */
async function pgCopy(template: string, work: string): Promise<void> {
  const to = new PgBase(work, { url: pg!.url });
  await copyBase(new PsBase(template), to, { mode: "override" });
  await to.close();
}

async function race(engine: Engine, n: number, template: string, work: string): Promise<RaceRun> {
  if (engine === "pgbase") await pgCopy(template, work);
  else {
    await removeStore(work);
    if (engine !== "none") await copyStore(template, work);
  }
  const t0 = performance.now();
  const children = Array.from({ length: n }, (_, i) => new Child(engine, work, i));
  await Promise.all(children.map((c) => c.ready));
  const tGo = performance.now();
  await Promise.all(children.map((c) => c.go()));
  const outs = await Promise.all(children.map((c) => c.done));
  const tEnd = performance.now();
  const results = outs.map((o) => o.result);
  const anomalies = new Anomalies();
  outs.forEach((o, i) => {
    if (!o.result?.ok || o.code !== 0) {
      const why = o.result?.error ?? `exit ${o.code}, no result: ${o.stderr.slice(-300)}`;
      anomalies.add("errors", 1, `child ${i}: ${why}`);
    }
  });
  if (engine !== "none") check(await readTable(engine, work), results, anomalies);
  if (engine !== "pgbase") await removeStore(work);
  const ok = results.filter((r): r is ChildResult => r?.ok === true);
  return {
    engine,
    n,
    wallMs: tEnd - tGo,
    totalMs: tEnd - t0,
    childMs: ok.map((r) => r.ms),
    cpuMs: ok.map((r) => r.cpuMs),
    readyMs: ok.map((r) => r.readyMs),
    rssKb: ok.map((r) => r.peakRssKb),
    retries: ok.reduce((s, r) => s + (r.retries ?? 0), 0),
    anomalies,
  };
}

// ---------------------------------------------------------------------------
// Anomalies

const KINDS = ["duplicateIds", "lostUpdates", "damaged", "countMismatch", "errors"] as const;
type Kind = typeof KINDS[number];

class Anomalies {
  counts: { [k in Kind]: number } = {
    duplicateIds: 0,
    lostUpdates: 0,
    damaged: 0,
    countMismatch: 0,
    errors: 0,
  };
  details: string[] = [];

  add(kind: Kind, n: number, detail: string): void {
    if (n <= 0) return;
    this.counts[kind] += n;
    this.details.push(`${kind}: ${detail}`);
  }

  get total(): number {
    return KINDS.reduce((s, k) => s + this.counts[k], 0);
  }
}

/** The table as read back afterwards: every record iterated, and the engine's own count. */
interface Table {
  records: Rec[];
  count: number;
}

async function readTable(engine: Engine, path: string): Promise<Table> {
  if (engine === "psbase" || engine === "pgbase") {
    const db = await (engine === "psbase" ? new PsBase(path) : new PgBase(path, { url: pg!.url }))
      .open();
    try {
      const records: Rec[] = [];
      for await (const r of db) records.push(r);
      return { records, count: await db.count() };
    } finally {
      await db.close();
    }
  }
  if (engine === "sqlite") {
    const db = sqliteOpen(path);
    try {
      const records = (db.prepare("SELECT * FROM t ORDER BY id").all() as SqlRow[]).map(
        sqlRecord,
      );
      const { c } = db.prepare("SELECT count(*) AS c FROM t").get() as { c: number };
      return { records, count: c };
    } finally {
      db.close();
    }
  }
  const kv = await Deno.openKv(path);
  try {
    const records: Rec[] = [];
    for await (const e of kv.list<KvValue>({ prefix: ["t"] })) records.push(kvRecord(e));
    // KV has no count; the listing is all there is.
    return { records, count: records.length };
  } finally {
    kv.close();
  }
}

/** The same checks as the race tests, on the table left by one race. */
function check(table: Table, results: (ChildResult | undefined)[], a: Anomalies): void {
  const byId = new Map<number, Rec>();
  for (const r of table.records) {
    if (byId.has(r.__id__)) a.add("duplicateIds", 1, `id ${r.__id__} appears twice`);
    byId.set(r.__id__, r);
  }
  const byKey = new Map<string, Rec[]>();
  for (const r of table.records) {
    byKey.set(r.key as string, [...(byKey.get(r.key as string) ?? []), r]);
  }
  const ok = results.map((r) => r?.ok === true);
  const okCount = ok.filter(Boolean).length;
  // The counter: every successful child added 1.
  const counter = byId.get(COUNTER_ID);
  if (!counter) a.add("lostUpdates", okCount, "the counter record is gone");
  else if (counter.n !== okCount) {
    a.add(
      counter.n as number > okCount ? "duplicateIds" : "lostUpdates",
      Math.abs(okCount - (counter.n as number)),
      `counter is ${counter.n}, ${okCount} children succeeded`,
    );
  }
  const touched = new Set<number>([COUNTER_ID]);
  const insertedIds = new Map<number, number>();
  let deletes = 0;
  let inserts = 0;
  results.forEach((res, i) => {
    const j = job(i, ROWS);
    touched.add(j.target);
    if (!ok[i]) return;
    const r = byId.get(j.target);
    if (j.role === "update") {
      if (!r || r.n !== j.value || r.__version__ !== 1) {
        a.add("lostUpdates", 1, `child ${i}'s update of ${j.target}: ${JSON.stringify(r)}`);
      }
    } else if (j.role === "delete") {
      deletes++;
      if (r) a.add("lostUpdates", 1, `child ${i}'s delete of ${j.target}: still there`);
    } else {
      inserts++;
      const found = byKey.get(j.insert.key) ?? [];
      if (found.length === 0) a.add("lostUpdates", 1, `child ${i}'s insert is missing`);
      if (found.length > 1) a.add("duplicateIds", found.length - 1, `${j.insert.key} twice`);
      const id = res!.id!;
      if (insertedIds.has(id)) {
        a.add("duplicateIds", 1, `children ${insertedIds.get(id)} and ${i} both got id ${id}`);
      }
      insertedIds.set(id, i);
      if (id <= ROWS) a.add("duplicateIds", 1, `child ${i}'s insert reused id ${id}`);
      if (found.length === 1 && found[0].__id__ !== id) {
        a.add(
          "duplicateIds",
          1,
          `child ${i} was given id ${id}, the record has ${found[0].__id__}`,
        );
      }
    }
  });
  // Untouched records: exactly as seeded.
  for (let id = 1; id <= ROWS; id++) {
    if (touched.has(id)) continue;
    const r = byId.get(id);
    const v = values(id - 1);
    if (
      !r || r.__version__ !== 0 || r.key !== v.key || r.n !== v.n || r.x !== v.x ||
      !(r.d instanceof Date) || r.d.getTime() !== v.d.getTime() || r.ok !== v.ok
    ) a.add("damaged", 1, `record ${id}: ${JSON.stringify(r)}`);
  }
  const expected = ROWS - deletes + inserts;
  if (table.count !== table.records.length || table.records.length !== expected) {
    a.add(
      "countMismatch",
      1,
      `count ${table.count}, iterated ${table.records.length}, expected ${expected}`,
    );
  }
}

// ---------------------------------------------------------------------------
// The runs

const busy = await checkIdle(Number(flags["wait-idle"] ?? 0));
const started = performance.now();
const secs = () => ((performance.now() - started) / 1000).toFixed(0).padStart(3) + " s";
const dir = await Deno.makeTempDir({ prefix: "psbase-race-" });
try {
  console.log(`[${secs()}] seeding the 10K-record tables in ${dir}`);
  const rows = allValues();
  const templates: { [e in Engine]: string } = {
    psbase: `${dir}/t-psbase`,
    sqlite: `${dir}/t-sqlite.db`,
    kv: `${dir}/t-kv.db`,
    pgbase: `${dir}/t-psbase`, // copied into a table before each race
    none: "",
  };
  await psbaseCreate("ps", templates.psbase, rows);
  sqliteCreate(templates.sqlite, rows).close();
  await kvCreate(templates.kv, rows);
  if (ENGINES.includes("pgbase")) {
    pg = await startPg({ durable: true });
    console.log(`[${secs()}] PostgreSQL started at ${pg.url} (fsync on)`);
  }
  const workOf = (e: Engine) =>
    e === "pgbase" ? "w_pgbase" : `${dir}/w-${e}${e === "psbase" ? "" : ".db"}`;

  // Warm-up: one child per engine, so module caches are filled before timing.
  for (const e of [...ENGINES, "none" as const]) {
    await race(e, 1, templates[e], workOf(e));
  }

  // Memory: one process alone doing the job.
  const solo: { [e: string]: RaceRun[] } = {};
  console.log(`[${secs()}] memory: one process alone, ${MEM_RUNS} runs per engine`);
  for (let k = 0; k < MEM_RUNS; k++) {
    for (const e of ["none" as const, ...ENGINES]) {
      (solo[e] ??= []).push(await race(e, 1, templates[e], workOf(e)));
    }
  }

  // The races.
  const runs: RaceRun[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of NS) {
      // Rotate the order each round, so no engine always goes first.
      const order = ENGINES.map((_, k) => ENGINES[(k + r) % ENGINES.length]);
      for (const e of order) {
        const run = await race(e, n, templates[e], workOf(e));
        runs.push(run);
        console.log(
          `[${secs()}] round ${r + 1}/${ROUNDS}  N=${String(n).padStart(3)}  ` +
            `${LABEL[e].padEnd(16)} wall ${ms(run.wallMs).padStart(5)} ms` +
            `  (incl. start ${ms(run.totalMs).padStart(5)})` +
            `  in-process p50 ${ms(percentile(run.childMs, 50))} p99 ${
              ms(percentile(run.childMs, 99))
            } ms, CPU p50 ${ms(percentile(run.cpuMs, 50))} ms` +
            `  anomalies ${run.anomalies.total}` +
            (run.anomalies.total ? `: ${run.anomalies.details.slice(0, 3).join("; ")}` : ""),
        );
      }
    }
  }
  report(runs, solo, dir);
} finally {
  await pg?.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

// ---------------------------------------------------------------------------
// Report

interface Summary {
  wall: number;
  total: number;
  p50: number;
  p99: number;
  cpu: number;
  ready: number;
  rssMb: number;
  anomalies: Anomalies;
  retries: number;
  rounds: number;
}

function summarize(list: RaceRun[]): Summary {
  const all = new Anomalies();
  for (const r of list) {
    for (const k of KINDS) all.counts[k] += r.anomalies.counts[k];
    all.details.push(...r.anomalies.details);
  }
  return {
    wall: median(list.map((r) => r.wallMs)),
    total: median(list.map((r) => r.totalMs)),
    p50: median(list.map((r) => percentile(r.childMs, 50))),
    p99: median(list.map((r) => percentile(r.childMs, 99))),
    cpu: median(list.map((r) => percentile(r.cpuMs, 50))),
    ready: median(list.map((r) => percentile(r.readyMs, 50))),
    rssMb: median(list.map((r) => percentile(r.rssKb, 50))) / 1024,
    anomalies: all,
    retries: median(list.map((r) => r.retries)),
    rounds: list.length,
  };
}

function report(runs: RaceRun[], solo: { [e: string]: RaceRun[] }, dataDir: string): void {
  const sum = (e: Engine, n: number) => summarize(runs.filter((r) => r.engine === e && r.n === n));
  const anomalyText = (a: Anomalies) =>
    a.total ? KINDS.filter((k) => a.counts[k]).map((k) => `${k} ${a.counts[k]}`).join(", ") : "0";

  const raceRows: string[][] = [];
  const ratioRows: string[][] = [];
  for (const n of NS) {
    for (const e of ENGINES) {
      const s = sum(e, n);
      raceRows.push([
        String(n),
        LABEL[e],
        ms(s.wall),
        ms(s.total),
        ms(s.p50),
        ms(s.p99),
        ms(s.cpu),
        ms(s.ready),
        s.rssMb.toFixed(1),
        anomalyText(s.anomalies),
        e === "kv" ? String(s.retries) : "–",
      ]);
    }
    if (ENGINES.includes("psbase") && ENGINES.includes("sqlite")) {
      const [p, q] = [sum("psbase", n), sum("sqlite", n)];
      // The same ratios round by round (the engines ran back to back in each round).
      const perRound = (f: (r: RaceRun) => number) => {
        const xs: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const [a, b] = ["psbase", "sqlite"].map((e) =>
            runs.filter((x) => x.engine === e && x.n === n)[r]
          );
          if (a && b) xs.push(f(a) / f(b));
        }
        return xs.length > 1
          ? `${ratio(Math.min(...xs))} – ${ratio(Math.max(...xs))}`
          : ratio(xs[0] ?? NaN);
      };
      ratioRows.push([
        String(n),
        `**${ratio(p.wall / q.wall)}**`,
        perRound((r) => r.wallMs),
        ratio(p.total / q.total),
        `**${ratio(p.p50 / q.p50)}**`,
        perRound((r) => percentile(r.childMs, 50)),
        ratio(p.p99 / q.p99),
        ratio(p.rssMb / q.rssMb),
      ]);
    }
  }

  const verdicts: string[] = [];
  const misses: string[] = [];
  if (ENGINES.includes("psbase") && ENGINES.includes("sqlite") && NS.includes(HEADLINE)) {
    const [p, q] = [sum("psbase", HEADLINE), sum("sqlite", HEADLINE)];
    const line = (what: string, value: number, target: number, detail: string) => {
      const met = value <= target;
      if (!met) misses.push(what);
      verdicts.push(
        `- ${HEADLINE}-process race, ${what}: psbase / SQLite = ${ratio(value)}, target ≤ ${
          target.toFixed(1)
        }: ${met ? "met" : "**missed**"} (${detail})`,
      );
    };
    line("wall", p.wall / q.wall, 1.0, `psbase ${ms(p.wall)} ms, SQLite ${ms(q.wall)} ms`);
    line(
      "in-process p50",
      p.p50 / q.p50,
      1.0,
      `psbase ${ms(p.p50)} ms, SQLite ${ms(q.p50)} ms`,
    );
    verdicts.push(
      `- (for reference) ${HEADLINE}-process race, CPU per process p50: psbase ${ms(p.cpu)} ms, ` +
        `SQLite ${ms(q.cpu)} ms (ratio ${ratio(p.cpu / q.cpu)}); p99 in-process: psbase ${
          ms(p.p99)
        } ms, SQLite ${ms(q.p99)} ms (ratio ${ratio(p.p99 / q.p99)})`,
    );
    if (ENGINES.includes("pgbase")) {
      const g = sum("pgbase", HEADLINE);
      verdicts.push(
        `- (for reference) ${HEADLINE}-process race, PgBase (PostgreSQL on loopback): wall ${
          ms(g.wall)
        } ms (PgBase / SQLite ${ratio(g.wall / q.wall)}, PgBase / psbase ${
          ratio(g.wall / p.wall)
        }), in-process p50 ${ms(g.p50)} ms (PgBase / SQLite ${ratio(g.p50 / q.p50)}), CPU p50 ${
          ms(g.cpu)
        } ms; PgBase anomalies, all races: ${
          NS.reduce((s, n) => s + sum("pgbase", n).anomalies.total, 0)
        }`,
      );
    }
    const total = NS.reduce((s, n) => s + sum("psbase", n).anomalies.total, 0);
    const met = total === 0;
    if (!met) misses.push("anomalies");
    verdicts.push(
      `- psbase anomalies, all races (N = ${NS.join(", ")}; ${ROUNDS} rounds): ${total}, ` +
        `target 0: ${met ? "met" : "**missed**"}`,
    );
  }

  const memEngines = ["none" as const, ...ENGINES];
  const memRows = memEngines.map((e) => {
    const s = summarize(solo[e]);
    return [
      LABEL[e],
      s.rssMb.toFixed(1),
      ms(s.p50),
      ms(s.cpu),
      ms(s.total),
      anomalyText(s.anomalies),
    ];
  });
  const memPs = summarize(solo.psbase ?? []);
  const memSql = summarize(solo.sqlite ?? []);
  const memNone = summarize(solo.none);

  // Anomalies by engine, the same message counted once per occurrence.
  const details: string[] = [];
  for (const e of ENGINES) {
    const seen = new Map<string, number>();
    for (const r of runs.filter((r) => r.engine === e)) {
      for (const d of r.anomalies.details) {
        const msg = d.replace(/child \d+/g, "child i").replace(/\b\d{2,}\b/g, "#");
        seen.set(msg, (seen.get(msg) ?? 0) + 1);
      }
    }
    const top = [...seen].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [msg, n] of top) details.push(`- ${LABEL[e]}: ${n} × ${msg}`);
  }

  const body = `## Race: N processes started together, each doing the seed's job

${machineInfo(dataDir, busy)}

\`deno task bench:race\` (bench/race.ts): N real \`deno run\` processes are started at once; each loads
its engine, waits at a start barrier, then does the seed's job on a 10K-record table: a cold open,
one read-modify-write transaction (read its target record and a shared counter; update the target,
delete it, or insert a new record; counter + 1), close, exit. psbase uses \`PsBase.transaction\`,
PgBase the same call on a table of a PostgreSQL 15 cluster on loopback (started by the benchmark,
default durability: fsync on, synchronous commit; one READ COMMITTED transaction holding the
table's advisory lock; the CPU column counts the client only, not the server's);
SQLite (\`node:sqlite\`, WAL, \`synchronous=FULL\`) \`BEGIN IMMEDIATE\` with \`busy_timeout\`; Deno KV an
atomic commit checked on the versionstamps it read, retried on conflict (a commit that throws,
such as "database is locked", is not retried: it counts under *errors*, and that process's times
are left out). Afterwards the table is
checked as the race tests do: duplicated ids, lost updates (the counter, every update, delete and
insert), damaged untouched records, \`count\` vs records iterated, child errors. ${ROUNDS} round${
    ROUNDS > 1 ? "s" : ""
  }; figures are medians over the rounds, anomalies are summed.

- *wall*: from releasing the barrier to the last process's exit. *incl. start*: from the first
  spawn (so Deno's start and module loading are in it).
- *in-process*: each process's own time from just before its open to just after its close;
  p50 and p99 over the N processes. *CPU*: the main thread's CPU time over that same span
  (\`/proc/self/schedstat\`), p50. *ready*: process start to the barrier (runtime + modules).
- *peak RSS*: VmHWM of each process at its end (median over the processes).

![Race benchmark chart](race.svg)

${
    table(
      [
        "N",
        "engine",
        "wall (ms)",
        "incl. start (ms)",
        "in-process p50 (ms)",
        "p99 (ms)",
        "CPU p50 (ms)",
        "ready p50 (ms)",
        "peak RSS (MB)",
        "anomalies",
        "KV retries",
      ],
      raceRows,
    )
  }

Ratios psbase / SQLite (lower is better): of the medians, and the range of the same ratio taken
round by round.

${
    table([
      "N",
      "wall",
      "wall, each round",
      "incl. start",
      "in-process p50",
      "p50, each round",
      "p99",
      "peak RSS",
    ], ratioRows)
  }

Targets:

${verdicts.join("\n")}

${misses.length ? `Missed: ${misses.join("; ")}.` : "Every race target is met in this run."}
${details.length ? `\nAnomalies found (all rounds and N):\n\n${details.join("\n")}\n` : ""}
### Memory: one process alone doing the seed's job

Peak RSS (VmHWM) of one \`deno run\` process doing the same job alone on the 10K-record table,
median of ${MEM_RUNS} runs; "Deno alone" loads nothing and does nothing, for reference.

${
    table(
      ["process", "peak RSS (MB)", "in-process (ms)", "CPU (ms)", "whole run (ms)", "anomalies"],
      memRows,
    )
  }

psbase / SQLite peak RSS: **${ratio(memPs.rssMb / memSql.rssMb)}** (psbase ${
    memPs.rssMb.toFixed(1)
  } MB, SQLite ${memSql.rssMb.toFixed(1)} MB; above Deno alone: psbase +${
    (memPs.rssMb - memNone.rssMb).toFixed(1)
  } MB, SQLite +${(memSql.rssMb - memNone.rssMb).toFixed(1)} MB).
`;
  writeSection("race", body, SECTIONS);

  /** ", 45% of processes failed" when some did. */
  function failedNote(e: Engine): string {
    const mine = runs.filter((r) => r.engine === e);
    const failed = mine.reduce((s, r) => s + r.anomalies.counts.errors, 0);
    const all = mine.reduce((s, r) => s + r.n, 0);
    return failed ? ` (${Math.round((100 * failed) / all)}% of processes failed)` : "";
  }
  const chart = raceChart(
    NS,
    ENGINES.map((e) => ({
      label: LABEL[e] + failedNote(e),
      points: NS.map((n) => {
        const s = sum(e, n);
        return { wall: s.wall, total: s.total, p50: s.p50, p99: s.p99 };
      }),
    })),
    `${ROUNDS} round${ROUNDS > 1 ? "s" : ""}, medians; ${
      Deno.version.deno.replace(/^/, "Deno ")
    }, ${navigator.hardwareConcurrency} cores`,
  );
  const svg = fileURLToPath(new URL("./race.svg", import.meta.url));
  Deno.writeTextFileSync(svg, chart);
  // Leave it as `deno fmt` would (it formats SVG too), so the tree stays fmt-clean.
  new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", svg], stderr: "null" }).outputSync();
  console.log(`\n[${secs()}] bench/RESULTS.md (race section) and bench/race.svg updated.\n`);
  console.log(verdicts.join("\n"));
  console.log(
    `memory, one process alone: psbase ${memPs.rssMb.toFixed(1)} MB, SQLite ${
      memSql.rssMb.toFixed(1)
    } MB, Deno alone ${memNone.rssMb.toFixed(1)} MB`,
  );
}
