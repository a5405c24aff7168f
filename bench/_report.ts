// Copyright 2026 the psbase authors. MIT license.
/**
 * Writing bench/RESULTS.md: the machine and versions, and sections that each
 * driver (bench/run.ts, bench/race.ts) replaces between its own marker
 * comments, leaving the others as they were.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { DatabaseSync } from "./_sqlite.ts";

/** bench/RESULTS.md. */
export const RESULTS_PATH: string = fileURLToPath(new URL("./RESULTS.md", import.meta.url));

const HEADER = `# psbase benchmarks

Written by the benchmarks themselves, each its own section: \`deno task bench\` (bench/run.ts) the
in-process one, \`deno task bench:cold\` (bench/cold.ts) the cold one, \`deno task bench:race\` and
\`deno task bench:race:node\` (bench/race.ts) the races. Do not edit those by hand; rerun them.
Absolute times depend on the machine and its disk (every commit is fsync'd); the ratios psbase /
SQLite, measured on the same machine in the same run, are what to compare.
`;

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

function run(cmd: string, args: string[]): string {
  try {
    const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "";
  } catch {
    return "";
  }
}

/** The filesystem holding `path`, from /proc/mounts (Linux), e.g. `ext4 (/dev/vda)`. */
export function filesystemOf(path: string): string {
  let best = { at: "", type: "unknown", dev: "" };
  for (const line of readText("/proc/mounts").split("\n")) {
    const [dev, at, type] = line.split(" ");
    if (!at) continue;
    const inside = path === at || path.startsWith(at.endsWith("/") ? at : at + "/");
    if (inside && at.length >= best.at.length) best = { at, type, dev };
  }
  return best.dev ? `${best.type} (${best.dev} on ${best.at})` : best.type;
}

/** CPU time counters of the whole machine (Linux /proc/stat): [busy, total], in ticks. */
function cpuTicks(): [number, number] {
  const f = readText("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return [total - (f[3] ?? 0) - (f[4] ?? 0), total];
}

/** How many cores other processes keep busy, measured over `ms` (NaN without /proc). */
export async function busyCores(ms = 1000): Promise<number> {
  const [b0, t0] = cpuTicks();
  await new Promise((r) => setTimeout(r, ms));
  const [b1, t1] = cpuTicks();
  return t1 > t0 ? ((b1 - b0) / (t1 - t0)) * navigator.hardwareConcurrency : NaN;
}

/**
 * Measures how busy the machine is before a run. With `waitSeconds`, first
 * waits (up to that long) until less than 0.3 cores are busy. Warns when it
 * is still busy: other processes' work makes the figures noisy.
 */
export async function checkIdle(waitSeconds = 0): Promise<number> {
  let busy = await busyCores();
  const until = performance.now() + waitSeconds * 1000;
  while (busy >= 0.3 && performance.now() < until) {
    console.log(`waiting for an idle machine (${busy.toFixed(1)} cores busy) ...`);
    await new Promise((r) => setTimeout(r, 5000));
    busy = await busyCores();
  }
  if (busy >= 0.3) {
    console.warn(
      `warning: ${busy.toFixed(1)} of ${navigator.hardwareConcurrency} cores are busy with other ` +
        `work: the figures will be noisy (RESULTS.md records it). --wait-idle=<s> waits for quiet.`,
    );
  }
  return busy;
}

/** Other work seen on the machine: the load averages, and a torture campaign if one runs. */
function otherWork(): string {
  const load = readText("/proc/loadavg").split(" ").slice(0, 3).join(" / ");
  let torture = false;
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
      if (readText(`/proc/${e.name}/cmdline`).includes("scripts/torture.ts")) torture = true;
    }
  } catch {
    // No /proc.
  }
  return (load
    ? ` Load average (1 / 5 / 15 min, this run's own processes included) at the end: ${load}.`
    : "") +
    (torture ? " A torture campaign (scripts/torture.ts) was running on the machine." : "");
}

/**
 * A Markdown list: date, machine, versions, the filesystem of `dataDir`, how
 * busy it was. `kv`: whether to name Deno KV among the versions.
 */
export function machineInfo(dataDir: string, busy: number, kv = true): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readText("/proc/cpuinfo"))?.[1]?.trim() ?? "unknown";
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readText("/proc/meminfo"))?.[1] ?? 0);
  const mem = memKb ? `, ${(memKb / 1024 / 1024).toFixed(1)} GiB RAM` : "";
  const db = new DatabaseSync(":memory:");
  const sqlite = (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  db.close();
  const root = fileURLToPath(new URL("..", import.meta.url));
  const commit = run("git", ["-C", root, "rev-parse", "--short", "HEAD"]);
  const dirty = run("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"]);
  const version = commit ? `psbase at ${commit}${dirty ? " (with uncommitted changes)" : ""}` : "";
  return [
    `- Run finished ${new Date().toISOString().replace(/\.\d+Z$/, "Z")} on ${cpu}, ` +
    `${navigator.hardwareConcurrency} cores${mem}, ${Deno.build.os} ${Deno.osRelease()}; ` +
    `data on ${filesystemOf(dataDir)}; ${
      Number.isFinite(busy) ? busy.toFixed(1) : "?"
    } cores busy with other work when the run started.${otherWork()}`,
    `- ${
      [
        `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
        `SQLite ${sqlite} (node:sqlite)`,
        ...(kv ? ["Deno KV (its bundled SQLite)"] : []),
      ].join(", ")
    }${version ? `; ${version}` : ""}.`,
  ].join("\n");
}

/**
 * Replaces the section `name` of RESULTS.md (between `<!-- name:begin -->`
 * and `<!-- name:end -->`) with `body`, creating the file or the section
 * (appended) when missing.
 */
export function writeSection(name: string, body: string, order: string[]): void {
  let text = readText(RESULTS_PATH) || HEADER;
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n\n${reflow(body.trim())}\n\n${end}`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else {
    // Keep the sections in `order`: insert before the first later one present.
    const later = order.slice(order.indexOf(name) + 1)
      .map((n) => text.indexOf(`<!-- ${n}:begin -->`)).filter((i) => i >= 0);
    const at = later.length ? Math.min(...later) : -1;
    text = at >= 0
      ? text.slice(0, at) + block + "\n\n" + text.slice(at)
      : text.trimEnd() + "\n\n" + block + "\n";
  }
  Deno.writeTextFileSync(RESULTS_PATH, text.trimEnd() + "\n");
}

/** `--name=value` flags of a bench driver (a lone `--` from `deno task x -- ...` is skipped). */
export function parseFlags(script: string): { [k: string]: string } {
  const flags: { [k: string]: string } = {};
  for (const a of Deno.args) {
    if (a === "--") continue;
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`${script}: unknown argument ${a}`);
    flags[m[1]] = m[2] ?? "true";
  }
  return flags;
}

/** The sections of RESULTS.md, in order. */
export const SECTIONS = ["inprocess", "cold", "race", "race-node"];

/** Milliseconds, 2-3 significant digits (`0.123`, `4.56`, `78.9`, `1234`). */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/**
 * A ratio, `0.87`; "–" when it has no meaning: a figure above a baseline
 * that came out at or below it (within the machine's noise) gives none.
 */
export function ratio(v: number): string {
  return Number.isFinite(v) && v >= 0 ? v.toFixed(2) : "–";
}

/** The median of `xs` (NaN when empty). */
export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The `p`-th percentile (nearest rank) of `xs`. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A Markdown table. */
export function table(head: string[], rows: string[][], align?: ("l" | "r")[]): string {
  const sep = head.map((_, i) => (align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : "---");
  return [head, sep, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

/** Re-wraps `text` to lines of at most `width` (words longer than that stay whole). */
function wrapLines(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * Re-flows the paragraphs and list items of a Markdown text to `width`
 * columns, leaving headings, tables, images and comments as they are.
 */
export function reflow(md: string, width = 100): string {
  return md.split(/\n{2,}/).map((block) => {
    if (/^(\||#|!|<!--|```)/.test(block)) return block;
    if (block.startsWith("- ")) {
      const items = block.split(/\n(?=- )/);
      return items.map((it) => wrapLines(it.slice(2), width, "- ", "  ").join("\n")).join("\n");
    }
    return wrapLines(block, width, "", "").join("\n");
  }).join("\n\n");
}
