// Copyright 2026 the psbase authors. MIT license.
/**
 * The race harness of issue 3, shared by tests/race_test.ts and scripts/demo.ts.
 *
 * It seeds a base, spawns N real `deno run` processes of tests/race_child.ts
 * (or, per child, any program speaking its protocol: tests/node/_race_child.mjs
 * runs the installed npm package in Node; see {@linkcode ChildCommand}),
 * holds them at a start barrier (each prints `ready`, then waits for `go` on
 * stdin, so they all start together), collects the one JSON `result` line
 * each prints, and then inspects the base for anomalies: duplicated ids, lost
 * updates, missing expected changes, damaged untouched records, `count()` not
 * equal to the records iterated, records that fail to read or decode,
 * violations seen by readers, and child errors.
 *
 * `--engine=ps` runs the children on `PsBase`; `--engine=plain` on `Base`,
 * with no cross-process lock at all: the negative control, which must show
 * damage with the very same harness. `--engine=pg` runs them on `PgBase`
 * (the base is then `pg:<table>` in the database at `DATABASE_URL`), and
 * `--engine=pg-nolock` on `PgBase` without its advisory lock: its negative
 * control.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Base, PsBase, type RecordOf, type Schema } from "../mod.ts";
import { PgBase } from "../pg.ts";
import { unlockForTests } from "../_pg/_kind.ts";

/**
 * Which engine the children use: `PsBase`, or plain `Base` (no lock: the
 * negative control); `PgBase` (the database at `DATABASE_URL`), or `PgBase`
 * with no advisory lock (its negative control).
 */
export type Engine = "ps" | "plain" | "pg" | "pg-nolock";

/** Whether the engine's bases are PostgreSQL tables (the base is then `pg:<table>`). */
export const isPg = (engine: Engine): boolean => engine === "pg" || engine === "pg-nolock";

/** A shared base at `path`: a `PgBase` for `pg:<table>` (at `DATABASE_URL`), else a `PsBase`. */
export function sharedBase(path: string): Base {
  return path.startsWith("pg:") ? new PgBase(path.slice(3)) : new PsBase(path);
}

/** The child script every race spawns. */
export const CHILD_SCRIPT: string = fileURLToPath(
  new URL("../tests/race_child.ts", import.meta.url),
);

/**
 * How to start one child: a program and the arguments that come before the
 * race's own (`--engine=... --base=... ...`). Any program speaking the child
 * protocol of tests/race_child.ts will do.
 */
export interface ChildCommand {
  /** The program, e.g. the `deno` binary or `node`. */
  program: string;
  /** Its arguments before the race's, e.g. `["run", "--allow-all", CHILD_SCRIPT]`. */
  args: string[];
  /** Its working directory (default: this process's). */
  cwd?: string;
}

/** The default child: `deno run --allow-all tests/race_child.ts` (the repo's mod.ts). */
export const DENO_CHILD: ChildCommand = {
  program: Deno.execPath(),
  args: ["run", "--allow-all", CHILD_SCRIPT],
};

/**
 * A Node child: `node <script>`, e.g. tests/node/_race_child.mjs copied next to
 * an installed psbase package (it imports `"psbase"`).
 */
export function nodeChild(script: string, cwd?: string): ChildCommand {
  return { program: "node", args: [script], cwd };
}

/** The schema every scenario uses. `a` and `b` are always written equal: a row with a != b is torn. */
export const SCHEMA: Schema = {
  key: "int",
  a: "int",
  b: "int",
  owner: "int",
  n: { type: "int", default: 0 },
  note: "string",
};

/** "N of those were" / "1 of those was", for the lost-update message. */
function lostOf(acked: number, seen: number): string {
  const n = Math.max(0, acked - seen);
  return `${n} of those ${n === 1 ? "was" : "were"}`;
}

/** A `PsBase`, a plain `Base` or a `PgBase` (locked or not) at `path`. */
export function openEngine(
  engine: Engine,
  path: string,
  options: { checkpointBytes?: number } = {},
): Base {
  if (isPg(engine)) {
    const db = new PgBase(path.replace(/^pg:/, ""));
    return engine === "pg" ? db : unlockForTests(db);
  }
  return engine === "ps" ? new PsBase(path, options) : new Base(path, options);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------
// Anomalies

/** The kinds of damage the harness looks for. */
export const KINDS = [
  "duplicateIds",
  "lostUpdates",
  "missingChanges",
  "damagedRecords",
  "countMismatch",
  "undecodable",
  "readerViolations",
  "childErrors",
] as const;

/** One kind of damage. */
export type Kind = typeof KINDS[number];

/** What each kind means, for reports. */
export const KIND_LABELS: { [k in Kind]: string } = {
  duplicateIds: "ids duplicated",
  lostUpdates: "writes lost (updates or inserts)",
  missingChanges: "expected changes missing",
  damagedRecords: "untouched records damaged or gone",
  countMismatch: "count() != records iterated",
  undecodable: "records or files that fail to read/decode",
  readerViolations: "reader saw a duplicate, torn, stale or resurrected row",
  childErrors: "child processes that failed",
};

/** A tally of anomalies by kind, with the first few details of each kind. */
export class Anomalies {
  readonly counts: { [k in Kind]: number } = Object.fromEntries(
    KINDS.map((k) => [k, 0]),
  ) as { [k in Kind]: number };
  readonly #details = new Map<Kind, string[]>();
  readonly #perKind: number;

  constructor(detailsPerKind = 6) {
    this.#perKind = detailsPerKind;
  }

  /** Adds `n` anomalies of `kind`, described by `detail`. */
  add(kind: Kind, n: number, detail: string): void {
    if (n <= 0) return;
    this.counts[kind] += n;
    const list = this.#details.get(kind) ?? [];
    this.#details.set(kind, list);
    if (list.length < this.#perKind) list.push(detail);
    else if (list.length === this.#perKind) list.push("... (more left out)");
  }

  /** The details kept, each prefixed by its kind. */
  get details(): string[] {
    return KINDS.flatMap((k) => (this.#details.get(k) ?? []).map((d) => `${k}: ${d}`));
  }

  /** Every anomaly, all kinds together. */
  get total(): number {
    return KINDS.reduce((s, k) => s + this.counts[k], 0);
  }

  /** One line: the non-zero counts. */
  summary(): string {
    const parts = KINDS.filter((k) => this.counts[k]).map((k) => `${k}=${this.counts[k]}`);
    return parts.length ? parts.join(", ") : "none";
  }

  /** The summary and the details, for an assertion message. */
  report(): string {
    return [this.summary(), ...this.details.map((d) => "  " + d)].join("\n");
  }
}

// ---------------------------------------------------------------------------
// Child processes

/** How a child ended, and what it reported. */
export interface ChildOutput {
  /** Its index in the race. */
  index: number;
  /** True when it printed a result with `ok: true` and exited 0. */
  ok: boolean;
  /** Why not, when not ok. */
  error?: string;
  /** Operations (reads and writes on the base) it made. */
  ops: number;
  /** Milliseconds from `go` to its result, as it measured them. */
  ms: number;
  /** Its scenario's own results. */
  data: { [key: string]: unknown };
  /** Exit code and signal. */
  code: number;
  signal: string | null;
}

const encoder = new TextEncoder();

/**
 * One child process (by default a `deno run` of the child script), driven through stdin lines (`go`,
 * `stop`) and reporting through stdout lines (`ready`, `holding`, ...,
 * `result {json}`). Stderr is kept for error reports.
 */
export class Child {
  readonly index: number;
  readonly process: Deno.ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Deno.CommandStatus>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #out = "";
  #err = "";
  #watchers: Array<() => void> = [];
  #ended = false;
  #pumps: Promise<void>;

  constructor(index: number, args: string[], command: ChildCommand = DENO_CHILD) {
    this.index = index;
    this.process = new Deno.Command(command.program, {
      args: [...command.args, ...args],
      cwd: command.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.process.pid;
    this.#stdin = this.process.stdin.getWriter();
    this.#stdin.closed.catch(() => {}); // a killed child's stdin breaks; that is fine
    const pump = async (stream: ReadableStream<Uint8Array>, into: "out" | "err") => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        if (into === "out") this.#out += text;
        else this.#err = (this.#err + text).slice(-4000);
        this.#notify();
      }
    };
    this.#pumps = Promise.all([
      pump(this.process.stdout, "out"),
      pump(this.process.stderr, "err"),
    ]).then(() => {});
    this.exited = this.process.status.then(async (s) => {
      await this.#pumps;
      this.#ended = true;
      this.#notify();
      return s;
    });
  }

  #notify(): void {
    for (const w of this.#watchers.splice(0)) w();
  }

  /** Complete stdout lines so far. */
  get lines(): string[] {
    return this.#out.split("\n").slice(0, -1);
  }

  /** The tail of its stderr. */
  get stderr(): string {
    return this.#err;
  }

  /** Resolves true once stdout has the line `line` (or a line starting with it), false if the child ended first or `timeoutMs` passed. */
  async waitFor(line: string, timeoutMs = 120_000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.lines.some((l) => l === line || l.startsWith(line + " "))) return true;
      if (this.#ended) return false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#watchers.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Writes `line` and a newline to its stdin (ignored once it has ended). */
  async send(line: string): Promise<void> {
    if (this.#ended) return;
    try {
      await this.#stdin.write(encoder.encode(line + "\n"));
    } catch {
      // It exited meanwhile.
    }
  }

  /** Sends `signal` (ignored once it has ended). */
  kill(signal: Deno.Signal = "SIGKILL"): void {
    try {
      this.process.kill(signal);
    } catch {
      // Already gone.
    }
  }

  #diagnose(): void {
    try {
      const tasks = Deno.readDirSync(`/proc/${this.pid}/task`);
      const states = [...tasks].map((t) => {
        const st = Deno.readTextFileSync(`/proc/${this.pid}/task/${t.name}/stat`).split(" ");
        const wchan = Deno.readTextFileSync(`/proc/${this.pid}/task/${t.name}/wchan`);
        return `${t.name}:${st[2]}:${wchan}`;
      });
      console.error(`[diag ${this.index} pid ${this.pid}] threads ${states.join(" ")}`);
      console.error(`[diag] /proc/locks:\n${Deno.readTextFileSync("/proc/locks")}`);
      console.error(`[diag] stdout tail: ${this.lines.slice(-3).join(" / ")}`);
      console.error(`[diag] stderr tail: ${this.#err.slice(-1500)}`);
    } catch (e) {
      console.error("[diag] failed", e);
    }
  }

  /** Waits for it to end (killing it after `timeoutMs`) and parses its result. */
  async finish(timeoutMs = 180_000): Promise<ChildOutput> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const status = await Promise.race([
      this.exited,
      new Promise<never>(() => {
        timer = setTimeout(() => {
          timedOut = true;
          if (Deno.env.get("RACE_TRACE") === "1") this.#diagnose();
          this.kill("SIGKILL");
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    try {
      await this.#stdin.close();
    } catch {
      // Already closed.
    }
    const out: ChildOutput = {
      index: this.index,
      ok: false,
      ops: 0,
      ms: 0,
      data: {},
      code: status.code,
      signal: status.signal,
    };
    const line = this.lines.find((l) => l.startsWith("result "));
    if (line) {
      try {
        const r = JSON.parse(line.slice(7));
        out.ok = r.ok === true;
        out.error = r.error;
        out.ops = r.ops ?? 0;
        out.ms = r.ms ?? 0;
        out.data = r.data ?? {};
      } catch (e) {
        out.error = `unparsable result line: ${(e as Error).message}`;
      }
    }
    if (timedOut) out.error = `killed after ${timeoutMs} ms without finishing`;
    else if (!line) {
      out.error = `exited (code ${status.code}, signal ${status.signal}) without a result`;
    }
    if (out.ok && status.code !== 0) {
      out.ok = false;
      out.error = `exit code ${status.code} after an ok result`;
    }
    if (!out.ok && this.#err.trim()) {
      out.error += ` | stderr: ${this.#err.trim().split("\n").slice(-6).join(" / ")}`;
    }
    return out;
  }
}

/** Options of {@linkcode race}. */
export interface RaceOptions {
  engine: Engine;
  /** The base's folder. */
  base: string;
  /** The child's scenario (see tests/race_child.ts). */
  scenario: string;
  /** How many processes. */
  processes: number;
  /** Extra arguments of child `i`. */
  args?: (i: number) => string[];
  /** How to start child `i`. Default: {@linkcode DENO_CHILD}. */
  command?: (i: number) => ChildCommand;
  /** Children that run until every other child has finished (then get `stop`). */
  background?: (i: number) => boolean;
  /** Called as children finish. */
  onProgress?: (done: number, total: number) => void;
  /** Called just after `go` was sent to every child. */
  onGo?: () => void;
  /** Kill children still running after this long. Default 180 s. */
  timeoutMs?: number;
}

/** What {@linkcode race} returns. */
export interface RaceRun {
  outputs: ChildOutput[];
  /** Milliseconds from `go` to the last child's end. */
  wallMs: number;
  /** Milliseconds from the first spawn to the last child's end (process start included). */
  totalMs: number;
}

/**
 * Spawns `processes` children, waits until all are `ready`, sends `go` to all
 * at once, waits for them (sending `stop` to background children once the
 * others are done) and returns their outputs.
 */
export async function race(o: RaceOptions): Promise<RaceRun> {
  const t0 = performance.now();
  const timeoutMs = o.timeoutMs ?? 180_000;
  const children: Child[] = [];
  for (let i = 0; i < o.processes; i++) {
    children.push(
      new Child(i, [
        `--engine=${o.engine}`,
        `--base=${o.base}`,
        `--scenario=${o.scenario}`,
        `--index=${i}`,
        `--processes=${o.processes}`,
        ...(o.args?.(i) ?? []),
      ], o.command?.(i)),
    );
  }
  try {
    await Promise.all(children.map((c) => c.waitFor("ready", timeoutMs)));
    const tGo = performance.now();
    await Promise.all(children.map((c) => c.send("go")));
    o.onGo?.();
    let done = 0;
    const finish = (c: Child) =>
      c.finish(timeoutMs).then((out) => {
        o.onProgress?.(++done, o.processes);
        return out;
      });
    const isBg = (c: Child) => o.background?.(c.index) ?? false;
    const fg = Promise.all(children.filter((c) => !isBg(c)).map(finish));
    const bgChildren = children.filter(isBg);
    const bgDone = bgChildren.map(finish);
    const fgOut = await fg;
    await Promise.all(bgChildren.map((c) => c.send("stop")));
    const bgOut = await Promise.all(bgDone);
    const end = performance.now();
    const outputs = [...fgOut, ...bgOut].sort((a, b) => a.index - b.index);
    return { outputs, wallMs: end - tGo, totalMs: end - t0 };
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map((c) => c.exited.catch(() => {})));
  }
}

// ---------------------------------------------------------------------------
// Inspecting a base

/** A value's type check for each field type used here. */
function typeOk(type: string, v: unknown): boolean {
  if (v === null) return true;
  switch (type) {
    case "int":
      return Number.isSafeInteger(v);
    case "float":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "date":
    case "datetime":
      return v instanceof Date && !Number.isNaN(v.getTime());
    default:
      return true;
  }
}

/** The live records of a base as it reads back, and what the reading found wrong. */
export interface Inspection {
  records: RecordOf[];
  byId: Map<number, RecordOf>;
  count: number;
}

/**
 * Opens the base at `path` with a fresh `PsBase` (a `PgBase` for `pg:<table>`) and checks it whole:
 * `count()` equals the records iterated, no id is duplicated, every record
 * decodes to its field types, `get(id)` and `has(id)` agree with the
 * iteration, and `select()` returns the same records. Problems go to `found`.
 * Returns the records (empty if the base cannot be read at all).
 */
export async function inspectBase(path: string, found: Anomalies): Promise<Inspection> {
  const out: Inspection = { records: [], byId: new Map(), count: 0 };
  let db: Base | undefined;
  try {
    db = await sharedBase(path).open();
    const schema = db.schema;
    out.count = await db.count();
    for await (const r of db) out.records.push(r);
    if (out.count !== out.records.length) {
      found.add(
        "countMismatch",
        1,
        `count() = ${out.count} but iteration yielded ${out.records.length}`,
      );
    }
    const selected = await db.select();
    if (selected.length !== out.records.length) {
      found.add(
        "countMismatch",
        1,
        `select() gave ${selected.length} records, iteration ${out.records.length}`,
      );
    }
    for (const r of out.records) {
      if (out.byId.has(r.__id__)) {
        found.add("duplicateIds", 1, `id ${r.__id__} iterated twice`);
        continue;
      }
      out.byId.set(r.__id__, r);
      if (!Number.isSafeInteger(r.__version__) || r.__version__ < 0) {
        found.add("undecodable", 1, `record ${r.__id__} has __version__ ${r.__version__}`);
      }
      const bad = Object.entries(schema).filter(([name, spec]) =>
        !(name in r) || !typeOk(spec.type, r[name])
      );
      if (bad.length) {
        found.add(
          "undecodable",
          1,
          `record ${r.__id__} has ${
            bad.map(([n]) => `${n}=${JSON.stringify(r[n])}`).join(", ")
          } (schema ${JSON.stringify(schema)})`,
        );
      }
      if (r.a !== r.b) {
        found.add("damagedRecords", 1, `record ${r.__id__} is torn: a=${r.a} b=${r.b}`);
      }
    }
    for (const [id, r] of out.byId) {
      const g = await db.get(id);
      if (JSON.stringify(g) !== JSON.stringify(r)) {
        found.add(
          "undecodable",
          1,
          `get(${id}) = ${JSON.stringify(g)} but iteration gave ${JSON.stringify(r)}`,
        );
      }
    }
    const sel = new Map(selected.map((r) => [r.__id__, r]));
    for (const [id, r] of out.byId) {
      if (JSON.stringify(sel.get(id)) !== JSON.stringify(r)) {
        found.add("undecodable", 1, `select() and iteration disagree on record ${id}`);
      }
    }
  } catch (e) {
    const err = e as Error;
    found.add("undecodable", 1, `reading the base failed: ${err.name}: ${err.message}`);
  } finally {
    await db?.close();
  }
  return out;
}

/** Adds every failed child to `found`. */
export function childErrors(outputs: ChildOutput[], found: Anomalies): void {
  for (const o of outputs) {
    if (!o.ok) found.add("childErrors", 1, `process ${o.index}: ${o.error}`);
  }
}

/** Adds ids reported by several children (or twice by one) to `found` as duplicates. */
export function reportedIdDuplicates(
  outputs: ChildOutput[],
  field: string,
  found: Anomalies,
): Map<number, number> {
  const owner = new Map<number, number>();
  let dups = 0;
  for (const o of outputs) {
    for (const id of (o.data[field] as number[] | undefined) ?? []) {
      if (owner.has(id)) {
        dups++;
        if (dups <= 5) {
          found.add(
            "duplicateIds",
            1,
            `id ${id} was returned to process ${owner.get(id)} and to process ${o.index}`,
          );
        }
      } else owner.set(id, o.index);
    }
  }
  if (dups > 5) found.add("duplicateIds", dups - 5, `${dups - 5} more ids handed out twice`);
  return owner;
}

// ---------------------------------------------------------------------------
// Scenarios

/** A scenario: how to seed, what each child does, and how to check the end. */
export interface Scenario {
  /** The child's scenario name. */
  name: string;
  /** Seeds the fresh base at `path`; returns what children and `verify` need. */
  seed(path: string): Promise<unknown>;
  /** Extra arguments of child `i` of `n`. */
  args(i: number, n: number, seeded: unknown): string[];
  /** Children that run until the others finish. */
  background?(i: number, n: number): boolean;
  /** Checks the base after the race; adds anomalies to `found`. */
  verify(
    base: Inspection,
    outputs: ChildOutput[],
    n: number,
    seeded: unknown,
    found: Anomalies,
  ): void;
}

/** What {@linkcode runScenario} returns. */
export interface ScenarioRun extends RaceRun {
  anomalies: Anomalies;
  /** Operations the children made. */
  ops: number;
  /** The base as read back. */
  inspection: Inspection;
  /** The base's folder. */
  base: string;
  /** What the scenario's `seed` returned. */
  seeded: unknown;
}

/**
 * Seeds a base in a fresh folder under `dir`, races `processes` children of
 * `scenario` on `engine`, inspects the base and returns everything found.
 */
export async function runScenario(
  scenario: Scenario,
  o: {
    engine: Engine;
    processes: number;
    dir: string;
    onProgress?: (done: number, total: number) => void;
    timeoutMs?: number;
    /** How to start child `i` (default: {@linkcode DENO_CHILD}). */
    command?: (i: number) => ChildCommand;
  },
): Promise<ScenarioRun> {
  const unique = `${scenario.name}-${o.engine}-${crypto.randomUUID().slice(0, 8)}`;
  const base = isPg(o.engine) ? `pg:${unique.replaceAll("-", "_")}` : join(o.dir, unique);
  const seeded = await scenario.seed(base);
  const run = await race({
    engine: o.engine,
    base,
    scenario: scenario.name,
    processes: o.processes,
    args: (i) => scenario.args(i, o.processes, seeded),
    background: scenario.background && ((i) => scenario.background!(i, o.processes)),
    onProgress: o.onProgress,
    timeoutMs: o.timeoutMs,
    command: o.command,
  });
  const anomalies = new Anomalies();
  childErrors(run.outputs, anomalies);
  const inspection = await inspectBase(base, anomalies);
  scenario.verify(inspection, run.outputs, o.processes, seeded, anomalies);
  const ops = run.outputs.reduce((s, c) => s + c.ops, 0);
  return { ...run, anomalies, ops, inspection, base, seeded };
}

/** Creates the base at `path` (PsBase, SCHEMA) and inserts `rows`; returns their ids. */
async function seedRows(path: string, rows: Array<{ [k: string]: unknown }>): Promise<number[]> {
  await using db = await sharedBase(path).create(SCHEMA);
  return rows.length ? await db.insertMany(rows) : [];
}

/** Records with this `key` or more were inserted by children. */
export const INSERTED_KEYS = 1_000_000;

/** The value process `i` writes in the seed scenario. */
export const seedValue = (i: number): number => 5_000_000 + i;

/** The seed scenario's role of process `i`: update, delete or insert (one read first in each). */
export const seedRole = (i: number): "update" | "delete" | "insert" =>
  (["update", "delete", "insert"] as const)[i % 3];

/**
 * Issue 3's scenario, from the seed story: a base of `records` records
 * (`key` 1..records, `a = b = key`) plus one counter record; each process
 * runs one transaction that reads its record X_i and then updates it (`a = b
 * = seedValue(i)`, `owner = i`), deletes it, or inserts a new record
 * (`key = INSERTED_KEYS + i`), and increments the counter.
 */
export function seedScenario(records = 5000): Scenario {
  interface Seeded {
    counter: number;
    ids: number[]; // ids[k] is the id of the record with key k (k >= 1)
  }
  const target = (i: number, n: number) => 1 + i * Math.max(1, Math.floor(records / n));
  return {
    name: "seed",
    async seed(path) {
      const rows = [{ key: 0, a: 0, b: 0, n: 0, note: "counter" }];
      for (let k = 1; k <= records; k++) rows.push({ key: k, a: k, b: k, n: 0, note: "seed" });
      const ids = await seedRows(path, rows);
      return { counter: ids[0], ids } satisfies Seeded;
    },
    args(i, n, seeded) {
      const s = seeded as Seeded;
      return [`--counter=${s.counter}`, `--target=${s.ids[target(i, n)]}`, `--role=${seedRole(i)}`];
    },
    verify(base, outputs, n, seeded, found) {
      const s = seeded as Seeded;
      const c = base.byId.get(s.counter);
      const acked = outputs.filter((o) => o.ok).length;
      if (!c) found.add("damagedRecords", 1, "the counter record is gone");
      else if ((c.n as number) < n) {
        found.add(
          "lostUpdates",
          n - (c.n as number),
          `counter is ${c.n}, expected ${n}; ${acked} processes were told their transaction ` +
            `committed, so ${lostOf(acked, c.n as number)} lost silently`,
        );
      } else if (c.n !== n) found.add("missingChanges", 1, `counter is ${c.n}, expected ${n}`);
      const touched = new Set<number>();
      const inserted = new Map<number, RecordOf[]>();
      for (const r of base.records) {
        if ((r.key as number) >= INSERTED_KEYS) {
          inserted.set(r.key as number, [...(inserted.get(r.key as number) ?? []), r]);
        }
      }
      for (let i = 0; i < n; i++) {
        const k = target(i, n);
        touched.add(k);
        const id = s.ids[k];
        const r = base.byId.get(id);
        const role = seedRole(i);
        const out = outputs[i];
        if (role === "update") {
          if (!r) found.add("missingChanges", 1, `process ${i}: updated record ${id} is gone`);
          else if (r.a !== seedValue(i) || r.b !== seedValue(i) || r.owner !== i) {
            found.add(
              "missingChanges",
              1,
              `process ${i}: record ${id} reads a=${r.a} b=${r.b} owner=${r.owner}, expected ${
                seedValue(i)
              } by ${i}`,
            );
          }
        } else if (role === "delete") {
          if (r) {
            found.add("missingChanges", 1, `process ${i}: deleted record ${id} is still there`);
          }
        } else {
          if (!r || r.key !== k || r.a !== k) {
            found.add("damagedRecords", 1, `process ${i}: record ${id} it only read is changed`);
          }
          const got = inserted.get(INSERTED_KEYS + i) ?? [];
          if (got.length === 0) {
            found.add("missingChanges", 1, `process ${i}: its insert is missing`);
          } else if (got.length > 1) {
            found.add("missingChanges", 1, `process ${i}: its insert is there ${got.length} times`);
          }
          const newId = out?.data.inserted;
          if (out?.ok && got.length && !got.some((g) => g.__id__ === newId)) {
            found.add(
              "missingChanges",
              1,
              `process ${i} was told id ${newId} but its record has id ${got[0].__id__}`,
            );
          }
        }
      }
      let damaged = 0;
      for (let k = 1; k <= records; k++) {
        if (touched.has(k)) continue;
        const r = base.byId.get(s.ids[k]);
        if (!r || r.key !== k || r.a !== k || r.b !== k || r.__version__ !== 0) {
          damaged++;
          if (damaged <= 3) {
            found.add(
              "damagedRecords",
              1,
              `untouched record ${s.ids[k]} (key ${k}) reads ${JSON.stringify(r)}`,
            );
          }
        }
      }
      if (damaged > 3) found.add("damagedRecords", damaged - 3, `${damaged - 3} more`);
      const extra = base.records.filter((r) =>
        (r.key as number) >= INSERTED_KEYS + n ||
        ((r.key as number) >= INSERTED_KEYS && seedRole((r.key as number) - INSERTED_KEYS) !==
            "insert")
      );
      if (extra.length) found.add("damagedRecords", extra.length, "records nobody inserted");
    },
  };
}

/** N processes each increment one counter `times` times, each in a transaction. */
export function counterScenario(times = 20): Scenario {
  return {
    name: "counter",
    async seed(path) {
      const [id] = await seedRows(path, [{ key: 0, a: 0, b: 0, n: 0, note: "counter" }]);
      return id;
    },
    args: (_i, _n, seeded) => [`--counter=${seeded}`, `--times=${times}`],
    verify(base, outputs, n, seeded, found) {
      const c = base.byId.get(seeded as number);
      const want = n * times;
      const acked = outputs.reduce((s, o) => s + ((o.data.acked as number) ?? 0), 0);
      if (!c) return found.add("damagedRecords", 1, "the counter record is gone");
      if ((c.n as number) < want) {
        found.add(
          "lostUpdates",
          want - (c.n as number),
          `counter is ${c.n}, expected ${want}; ${acked} increments were acknowledged, so ${
            lostOf(acked, c.n as number)
          } lost silently`,
        );
      } else if (c.n !== want) {
        found.add("missingChanges", 1, `counter is ${c.n}, expected ${want}`);
      }
      if (c.__version__ !== want) {
        found.add("missingChanges", 1, `counter __version__ is ${c.__version__}, expected ${want}`);
      }
      if (base.records.length !== 1) {
        found.add("damagedRecords", 1, `${base.records.length} records, expected 1`);
      }
    },
  };
}

/** N processes each insert `perProcess` records, one insert (one commit) at a time. */
export function insertScenario(perProcess = 100): Scenario {
  return {
    name: "insert",
    seed: (path) => seedRows(path, []),
    args: () => [`--count=${perProcess}`],
    verify(base, outputs, n, _seeded, found) {
      reportedIdDuplicates(outputs, "ids", found);
      const byKey = new Map<number, RecordOf[]>();
      for (const r of base.records) {
        byKey.set(r.key as number, [...(byKey.get(r.key as number) ?? []), r]);
      }
      let lost = 0;
      let twice = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < perProcess; j++) {
          const got = byKey.get(i * perProcess + j) ?? [];
          if (got.length === 0) lost++;
          if (got.length > 1) twice++;
        }
      }
      if (lost) found.add("lostUpdates", lost, `${lost} of ${n * perProcess} inserts are missing`);
      if (twice) found.add("missingChanges", twice, `${twice} inserts are there more than once`);
      const wrong: string[] = [];
      for (const o of outputs) {
        const ids = (o.data.ids as number[] | undefined) ?? [];
        ids.forEach((id, j) => {
          const r = base.byId.get(id);
          if (!r || r.key !== o.index * perProcess + j) {
            wrong.push(`id ${id} (process ${o.index}, insert ${j}) reads ${JSON.stringify(r)}`);
          }
        });
      }
      if (wrong.length) {
        found.add(
          "missingChanges",
          wrong.length,
          `get(id) wrong for ${wrong.length} ids: ${wrong[0]}`,
        );
      }
    },
  };
}

/**
 * Readers during writers: `writers` processes own the seed records with
 * `owner = w` (`key % writers`) and update (a = b), delete and insert them
 * (single records and atomic groups of 3), each reporting the final state it
 * expects; the other processes read in a loop until the writers are done
 * (background) and report what they saw wrong: duplicate ids, torn rows
 * (a != b), a deleted record reappearing, a `__version__` going back, a
 * partial group, `count()` != rows in one transaction.
 */
export function readWriteScenario(
  o: { writers: number; opsPerWriter: number; records: number; readDelayMs?: number },
): Scenario {
  return {
    name: "rw",
    async seed(path) {
      const rows = [];
      for (let k = 1; k <= o.records; k++) {
        rows.push({ key: k, a: k, b: k, owner: k % o.writers, note: "seed" });
      }
      await seedRows(path, rows);
      return null;
    },
    args: (i) =>
      i < o.writers
        ? ["--role=writer", `--writers=${o.writers}`, `--ops=${o.opsPerWriter}`]
        : ["--role=reader", `--delay=${o.readDelayMs ?? 0}`],
    background: (i) => i >= o.writers,
    verify(base, outputs, _n, _seeded, found) {
      const expected = new Map<number, number | null>();
      for (const out of outputs.slice(0, o.writers)) {
        for (const [id, v] of (out.data.final as Array<[number, number | null]>) ?? []) {
          expected.set(id, v);
        }
      }
      let lost = 0;
      let missing = 0;
      for (const [id, v] of expected) {
        const r = base.byId.get(id);
        if (v === null) {
          if (r) {
            missing++;
            if (missing <= 3) found.add("missingChanges", 1, `deleted record ${id} is there`);
          }
        } else if (!r || r.a !== v || r.b !== v) {
          lost++;
          if (lost <= 3) {
            found.add(
              "lostUpdates",
              1,
              `record ${id} expected a=b=${v}, reads ${JSON.stringify(r)}`,
            );
          }
        }
      }
      if (lost > 3) found.add("lostUpdates", lost - 3, `${lost - 3} more`);
      if (missing > 3) found.add("missingChanges", missing - 3, `${missing - 3} more`);
      const extra = base.records.filter((r) => !expected.has(r.__id__));
      if (extra.length) {
        found.add("damagedRecords", extra.length, `${extra.length} records no writer accounts for`);
      }
      for (const out of outputs.slice(o.writers)) {
        for (const v of (out.data.violations as string[]) ?? []) {
          found.add("readerViolations", 1, `reader ${out.index}: ${v}`);
        }
      }
    },
  };
}

/**
 * Schema change and cleanup while others work: process 0 waits until part of
 * the others' inserts are in, then `addField("tag", "string", { default:
 * "old" })`, later `setDefault("tag", "new")`, then deletes the seed records
 * with an even key, `dropField("scratch")` and `cleanup()`. The others each
 * increment their own counter record and insert records (in transactions that
 * read their insert back, noting the `tag` it got), `rounds` times, then wait
 * until they see `tag`.
 */
export function schemaScenario(o: { rounds: number; records: number }): Scenario {
  interface Seeded {
    counters: number[];
    ids: number[];
  }
  return {
    name: "schema",
    async seed(path) {
      {
        await using db = await sharedBase(path).create<Schema>({ ...SCHEMA, scratch: "int" });
        const rows = [];
        for (let k = 1; k <= o.records; k++) {
          rows.push({ key: k, a: k, b: k, note: "seed", scratch: k });
        }
        const ids = await db.insertMany(rows);
        const counters = await db.insertMany(
          Array.from({ length: 64 }, (_, w) => ({ key: -1 - w, a: 0, b: 0, n: 0, note: "ctr" })),
        );
        return { counters, ids } satisfies Seeded;
      }
    },
    args(i, n, seeded) {
      const s = seeded as Seeded;
      if (i === 0) {
        return [
          "--role=admin",
          `--base-count=${o.records + 64}`,
          `--inserts=${(n - 1) * o.rounds}`,
        ];
      }
      return ["--role=worker", `--counter=${s.counters[i]}`, `--rounds=${o.rounds}`];
    },
    verify(base, outputs, n, seeded, found) {
      const s = seeded as Seeded;
      for (const r of base.records) {
        if (!("tag" in r)) {
          found.add("missingChanges", 1, `record ${r.__id__} has no tag field`);
          break;
        }
        if ("scratch" in r) {
          found.add("missingChanges", 1, `record ${r.__id__} still has the dropped field`);
          break;
        }
      }
      const stillThere: number[] = [];
      const damaged: string[] = [];
      for (let k = 1; k <= o.records; k++) {
        const r = base.byId.get(s.ids[k - 1]);
        if (k % 2 === 0) {
          if (r) stillThere.push(k);
        } else if (!r || r.key !== k || r.a !== k || r.tag !== "old") {
          damaged.push(`seed record key ${k} reads ${JSON.stringify(r)}`);
        }
      }
      found.add(
        "missingChanges",
        stillThere.length,
        `${stillThere.length} deleted seed records are there (keys ${stillThere.slice(0, 5)}...)`,
      );
      found.add("damagedRecords", damaged.length, `${damaged.length} seed records: ${damaged[0]}`);
      for (let i = 1; i < n; i++) {
        const out = outputs[i];
        const c = base.byId.get(s.counters[i]);
        if (!c) found.add("damagedRecords", 1, `counter of process ${i} is gone`);
        else if (c.n !== o.rounds) {
          found.add(
            "lostUpdates",
            Math.max(1, o.rounds - (c.n as number)),
            `counter of process ${i} is ${c.n}, expected ${o.rounds}`,
          );
        }
        const ins = (out.data.inserted as Array<[number, number, unknown]>) ?? [];
        if (out.ok && ins.length !== o.rounds) {
          found.add("missingChanges", 1, `process ${i} reports ${ins.length} inserts`);
        }
        for (const [id, key, tag] of ins) {
          const r = base.byId.get(id);
          if (!r || r.key !== key) {
            found.add("lostUpdates", 1, `insert ${id} (key ${key}) reads ${JSON.stringify(r)}`);
          } else if (r.tag !== (tag ?? "old")) {
            found.add(
              "missingChanges",
              1,
              `insert ${id} had tag ${JSON.stringify(tag)} in its transaction, reads ${
                JSON.stringify(r.tag)
              }`,
            );
          }
        }
        if (out.ok && out.data.sawTag !== true) {
          found.add("missingChanges", 1, `process ${i} never saw the new field`);
        }
      }
      const admin = outputs[0];
      if (admin.ok && admin.data.deleted !== Math.floor(o.records / 2)) {
        found.add("missingChanges", 1, `admin deleted ${admin.data.deleted} records`);
      }
    },
  };
}

/** Formats milliseconds as seconds. */
export function secs(ms: number): string {
  return (ms / 1000).toFixed(2) + " s";
}
