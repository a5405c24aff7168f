// Copyright 2026 the psbase authors. MIT license.
/**
 * The damaged-file corpus's reader: a fresh process that opens a base and
 * reads everything the intact base had (`get` and `has` of every id first:
 * the point reads a short-lived process makes, starting with `--first=<id>`
 * when given: the record whose bytes were damaged; then the `find` queries,
 * `count()`, iteration, `select()`), then inserts one record and reads it
 * back. It compares each answer with the expectation (`--expect=<file>`, see
 * ../corpus/build.ts) and reports the first differences and the first error,
 * with the step it happened in; it never fails itself.
 * {@linkcode classify} turns its report into the corpus's classes.
 *
 * @module
 */

import { CorruptionError, PsBase, type RecordOf } from "../../../mod.ts";
import type { ChildOutput } from "../child.ts";
import type { ChildContext } from "../context.ts";
import { canonical, type Expectation, tableHash } from "../corpus/build.ts";
import type { DamageCase } from "../corpus/cases.ts";

/** What the reader reports (in `data`). */
export interface ReadReport {
  /** The step it was in when it stopped (`done` if it finished). */
  step: string;
  /** The first error, if any. */
  error?: { name: string; message: string; file?: string };
  /** How many answers differed from the intact base, and the first few. */
  wrong: number;
  examples: string[];
  /** The hash of the table as iterated (see tableHash), if it got that far. */
  hash?: string;
  /** The id the probe insert got. */
  probeId?: number;
}

/** The child half: reads everything, reports a {@linkcode ReadReport}. */
export async function child(ctx: ChildContext): Promise<void> {
  const want = JSON.parse(await Deno.readTextFile(ctx.opt.expect)) as Expectation;
  const report: ReadReport = { step: "open", wrong: 0, examples: [] };
  Object.assign(ctx.data, report);
  const r = ctx.data as unknown as ReadReport;
  const differ = (what: string) => {
    r.wrong++;
    if (r.examples.length < 3) r.examples.push(what.slice(0, 300));
  };
  let db: PsBase | undefined;
  try {
    db = await new PsBase(ctx.base).open();
    r.step = "get";
    const first = ctx.opt.first === undefined ? [] : [ctx.num("first")];
    for (const id of [...first, ...want.ids]) {
      const got = await db.get(id);
      const exp = want.records[id] ?? "undefined";
      const text = got ? canonical(got) : "undefined";
      if (text !== exp) differ(`get(${id}) = ${text}, intact ${exp}`);
      if (!(await db.has(id))) differ(`has(${id}) = false`);
    }
    r.step = "find";
    for (const q of want.queries) {
      const ids = (await db.find(q.where)).map((x) => x.__id__);
      if (JSON.stringify(ids) !== JSON.stringify(q.ids)) {
        differ(`find(${JSON.stringify(q.where)}) gave ${ids.length} ids, intact ${q.ids.length}`);
      }
    }
    r.step = "count";
    const count = await db.count();
    r.step = "iterate";
    const rows: RecordOf[] = [];
    for await (const x of db) rows.push(x);
    r.hash = tableHash(rows);
    if (count !== rows.length) differ(`count() = ${count}, iterated ${rows.length}`);
    if (rows.length !== want.ids.length) {
      differ(`iterated ${rows.length} records, intact ${want.ids.length}`);
    }
    for (const x of rows) {
      if (want.records[x.__id__] !== canonical(x)) {
        differ(`iterated ${canonical(x)}, intact ${want.records[x.__id__]}`);
      }
    }
    r.step = "select";
    const sel = await db.select();
    if (tableHash(sel) !== r.hash) differ(`select() and iteration differ`);
    r.step = "insert";
    const id = await db.insert({ s: "probe" });
    r.probeId = id;
    const back = await db.get(id);
    if (back?.s !== "probe") differ(`the probe insert ${id} reads ${JSON.stringify(back)}`);
    r.step = "done";
  } catch (e) {
    const err = e as Error;
    r.error = {
      name: err?.name ?? typeof e,
      message: String(err?.message ?? e).slice(0, 300),
      file: e instanceof CorruptionError ? e.file : undefined,
    };
  } finally {
    await db?.close().catch(() => {});
  }
}

/** The corpus's classes: the first three are good, the rest bad. */
export const CLASSES = [
  "ok",
  "corruption",
  "torn-tail",
  "lost-commits",
  "wrong-value",
  "wrong-file",
  "other-error",
  "hang",
] as const;

/** One class. */
export type CaseClass = typeof CLASSES[number];

/** Whether a class is a failure of the engine. */
export const BAD: ReadonlySet<CaseClass> = new Set([
  "lost-commits",
  "wrong-value",
  "wrong-file",
  "other-error",
  "hang",
]);

/**
 * Classifies a reader's output for `c`:
 * - `ok`: it read back exactly the intact values;
 * - `corruption`: a `CorruptionError` naming the damaged file, and no wrong value before it;
 * - `torn-tail`: a truncated log read as the table after its first k commits, no error
 *   (a cut cannot be told from a write cut short: F6);
 * - `lost-commits`: the same without a truncation: damage read as a torn tail;
 * - `wrong-value`: a value, id or count that differs from the intact base, and no error
 *   (or a wrong value returned before the error), or a probe insert reusing an id;
 * - `wrong-file`: a `CorruptionError` naming another file;
 * - `other-error`: any other error, or a crash;
 * - `hang`: no answer within the time limit.
 */
export function classify(
  c: DamageCase,
  out: ChildOutput,
  want: Expectation,
  timedOut: boolean,
): { cls: CaseClass; why: string } {
  if (timedOut) return { cls: "hang", why: "no answer in time" };
  const r = out.data as unknown as ReadReport;
  if (!out.ok || r.step === undefined) return { cls: "other-error", why: out.error ?? "crashed" };
  const e = r.error;
  const where = `in ${r.step}`;
  // Read whole as the intact table after fewer commits (the missing ones explain every difference).
  const earlier = r.hash !== undefined && want.prefixes.slice(0, -1).includes(r.hash);
  if (r.wrong && (e || !earlier)) {
    return {
      cls: "wrong-value",
      why: `${r.examples[0]} (${r.wrong} wrong)${e ? `, then ${e.name} ${where}` : ""}`,
    };
  }
  if (e) {
    const named = e.file?.split("/").pop();
    if (e.name === "CorruptionError") {
      return named === c.file
        ? { cls: "corruption", why: `${where}: ${e.message}` }
        : { cls: "wrong-file", why: `${where}: ${e.message}` };
    }
    return { cls: "other-error", why: `${where}: ${e.name}: ${e.message}` };
  }
  if (r.wrong) {
    const k = want.prefixes.indexOf(r.hash!);
    const lost = want.prefixes.length - 1 - k;
    const why = `read as the table before its last ${lost} commit(s), no error`;
    return c.kind === "truncate" && c.file.startsWith("log.")
      ? { cls: "torn-tail", why }
      : { cls: "lost-commits", why };
  }
  if (r.probeId !== undefined && r.probeId <= want.maxId) {
    return { cls: "wrong-value", why: `the next insert reused id ${r.probeId}` };
  }
  return { cls: "ok", why: "read back exactly" };
}
