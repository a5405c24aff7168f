// Copyright 2026 the psbase authors. MIT license.
/**
 * `deno task bench`: runs the in-process benchmarks (bench/*_bench.ts) with
 * `deno bench --json`, `--rounds` times (default 3), takes for each
 * benchmark the median of its per-round mean, computes the ratios PsBase /
 * SQLite and PsBase / Base (what the lock costs) per group, checks them
 * against the targets of issue 5, and rewrites the in-process section of
 * bench/RESULTS.md.
 *
 *   ./node_modules/.bin/deno run --allow-all bench/run.ts [--rounds=3] [--wait-idle=<seconds>]
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { GROUPS, NAMES, TARGETS } from "./_common.ts";
import {
  checkIdle,
  machineInfo,
  median,
  ms,
  parseFlags,
  ratio,
  SECTIONS,
  table,
  writeSection,
} from "./_report.ts";

const FILES = ["read_bench.ts", "write_bench.ts"];

const flags = parseFlags("bench/run.ts");
const rounds = Number(flags.rounds ?? 3);
if (!(rounds >= 1)) throw new Error("--rounds must be >= 1");

interface BenchOk {
  n: number;
  avg: number;
  p75: number;
  p99: number;
}
interface BenchJson {
  benches: Array<{
    group: string | null;
    name: string;
    results: Array<{ ok?: BenchOk; failed?: unknown }>;
  }>;
}

/** `${group}\t${engine}` → per-round means (ms), and iterations. */
const samples = new Map<string, { means: number[]; n: number[] }>();

/** Which engine a benchmark's name is. */
function engineOf(name: string): keyof typeof NAMES | undefined {
  if (name === NAMES.sqlite) return "sqlite";
  if (name === NAMES.ps) return "ps";
  if (name === NAMES.base) return "base";
  if (name.startsWith(NAMES.kv)) return "kv";
  return undefined;
}

const busy = await checkIdle(Number(flags["wait-idle"] ?? 0));
const started = performance.now();
const secs = () => ((performance.now() - started) / 1000).toFixed(0) + " s";
const dataDir = await Deno.makeTempDir({ prefix: "psbase-bench-probe-" });
await Deno.remove(dataDir);

for (let r = 1; r <= rounds; r++) {
  for (const file of FILES) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    console.log(`[${secs()}] round ${r}/${rounds}: deno bench ${file} ...`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["bench", "--json", "--allow-all", "--unstable-kv", path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) {
      console.error(stderr.split("\n").slice(-30).join("\n"));
      throw new Error(`deno bench ${file} failed (exit ${out.code})`);
    }
    const json = JSON.parse(new TextDecoder().decode(out.stdout)) as BenchJson;
    for (const b of json.benches) {
      const res = b.results[0];
      if (!res?.ok) throw new Error(`${file}: ${b.group} / ${b.name} failed`);
      const engine = engineOf(b.name);
      if (!engine || !b.group) continue;
      const key = `${b.group}\t${engine}`;
      const s = samples.get(key) ?? { means: [], n: [] };
      s.means.push(res.ok.avg / 1e6);
      s.n.push(res.ok.n);
      samples.set(key, s);
      console.log(`    ${b.group} / ${b.name}: ${ms(res.ok.avg / 1e6)} ms (n=${res.ok.n})`);
    }
  }
}

const fig = (group: string, engine: string): number =>
  median(samples.get(`${group}\t${engine}`)?.means ?? []);

const rows: string[][] = [];
const verdicts: string[] = [];
const misses: string[] = [];
for (const group of Object.values(GROUPS)) {
  const [sql, ps, base, kv] = ["sqlite", "ps", "base", "kv"].map((e) => fig(group, e));
  const rPs = ps / sql;
  const target = TARGETS[group];
  let verdict = "";
  if (target !== undefined) {
    const met = rPs <= target;
    verdict = `${met ? "met" : "**missed**"} (≤ ${target.toFixed(1)})`;
    const a = samples.get(`${group}\tps`)?.means ?? [];
    const b = samples.get(`${group}\tsqlite`)?.means ?? [];
    const each = a.map((x, r) => x / b[r]).filter(Number.isFinite);
    const spread = each.length > 1
      ? ` (round by round: ${ratio(Math.min(...each))} – ${ratio(Math.max(...each))})`
      : "";
    verdicts.push(
      `- ${group}: PsBase / SQLite = ${ratio(rPs)}${spread}, target ≤ ${target.toFixed(1)}: ` +
        `${met ? "met" : `**missed** (PsBase ${ms(ps)} ms, SQLite ${ms(sql)} ms)`}`,
    );
    if (!met) misses.push(group);
  }
  rows.push([
    group,
    ms(sql),
    ms(ps),
    ms(base),
    Number.isFinite(kv) ? ms(kv) : "–",
    `**${ratio(rPs)}**`,
    verdict || "–",
    ratio(ps / base),
    ratio(kv / sql),
  ]);
}

const body = `## In-process: one process, a 10K-record table

${machineInfo(dataDir, busy)}

\`deno task bench\`: \`deno bench\` on bench/read_bench.ts and bench/write_bench.ts, ${rounds} round${
  rounds > 1 ? "s" : ""
}; each figure is the median over the rounds of \`deno bench\`'s mean time per operation, in
milliseconds. The table has a string key, an int, a float, a date and a bool; every engine
returns the same records (\`Date\` and \`boolean\` decoded). Every commit is durable: psbase
fdatasyncs its log; SQLite (\`node:sqlite\`) runs in WAL mode with \`synchronous=FULL\` and
autocommit; Deno KV (\`Deno.openKv\` on a file) commits as it does. A *cold open* is a new
\`PsBase\` / \`Base\` / \`DatabaseSync\` / \`Deno.Kv\` on the existing files, the query, and close (the
OS page cache is warm). In the plain cold groups nothing else has the table open, as for a
short-lived process alone: SQLite then also creates its \`-wal\` and \`-shm\` files at the open and
checkpoints and removes them at the close. The "another connection open" groups repeat the cold
open while one more connection of the same engine stays open (as when other processes are using
the table), which spares SQLite that work; both are held to the same target. SQLite has no index besides the primary key, like psbase. Deno KV has no
query: a select lists every record and filters; it takes at most 1000 mutations per atomic commit,
so its bulk insert is 10 commits.

${
  table(
    [
      "operation (ms per op)",
      NAMES.sqlite,
      NAMES.ps,
      NAMES.base,
      NAMES.kv,
      "PsBase / SQLite",
      "target",
      "PsBase / Base (lock)",
      "KV / SQLite",
    ],
    rows,
  )
}

Targets (ratio PsBase / SQLite, lower is better):

${verdicts.join("\n")}

${misses.length ? `Missed: ${misses.join("; ")}.` : "Every in-process target is met in this run."}

"PsBase / Base" is what sharing costs (FORMAT.md, L3, R3 and R4): before every call a \`stat\` of
the manifest and an \`fstat\` of the log; for writes, an flock/unlock pair around the commit. Reads
take no lock.
`;

writeSection("inprocess", body, SECTIONS);
console.log(`\n[${secs()}] bench/RESULTS.md updated (in-process section).\n`);
console.log(verdicts.join("\n"));
