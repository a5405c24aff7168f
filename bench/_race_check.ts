// Copyright 2026 the psbase authors. MIT license.
/**
 * The anomaly checks of the race benchmark, as the race tests do them, on the
 * table one race left: duplicated ids, lost updates (the counter, every
 * update, delete and insert), damaged untouched records, the engine's count
 * vs the records iterated, and child errors.
 *
 * @module
 */

import { type ChildResult, COUNTER_ID, job } from "./_race_job.ts";
import { type Rec, values } from "./_shapes.ts";

/** The kinds of anomaly, in report order. */
export const KINDS = ["duplicateIds", "lostUpdates", "damaged", "countMismatch", "errors"] as const;
/** One kind of anomaly. */
export type Kind = typeof KINDS[number];

/** Anomalies counted by kind, with a line of detail each. */
export class Anomalies {
  /** How many of each kind. */
  counts: { [k in Kind]: number } = {
    duplicateIds: 0,
    lostUpdates: 0,
    damaged: 0,
    countMismatch: 0,
    errors: 0,
  };
  /** One line per anomaly found. */
  details: string[] = [];

  /** Counts `n` anomalies of `kind` (none when `n <= 0`). */
  add(kind: Kind, n: number, detail: string): void {
    if (n <= 0) return;
    this.counts[kind] += n;
    this.details.push(`${kind}: ${detail}`);
  }

  /** Adds `other`'s counts and details to these. */
  merge(other: Anomalies): void {
    for (const k of KINDS) this.counts[k] += other.counts[k];
    this.details.push(...other.details);
  }

  /** All kinds together. */
  get total(): number {
    return KINDS.reduce((s, k) => s + this.counts[k], 0);
  }

  /** `0`, or `lostUpdates 2, errors 1`. */
  summary(): string {
    return this.total
      ? KINDS.filter((k) => this.counts[k]).map((k) => `${k} ${this.counts[k]}`).join(", ")
      : "0";
  }
}

/** The table as read back after a race: every record iterated, and the engine's own count. */
export interface Table {
  records: Rec[];
  count: number;
}

/** What the table held before the race, besides the seeded records. */
export interface Before {
  /** Records seeded (ids 1..rows). */
  rows: number;
  /** The counter's `n` and `__version__` before the race (the aging jobs raised them). */
  counterN: number;
  counterVersion: number;
}

/**
 * Checks the table one race left: `results[i]` is what child `i` reported
 * (undefined when it printed nothing). Adds what it finds to `a`.
 */
export function check(
  table: Table,
  results: (ChildResult | undefined)[],
  before: Before,
  a: Anomalies,
): void {
  const { rows } = before;
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
  const expectN = before.counterN + okCount;
  if (!counter) a.add("lostUpdates", okCount, "the counter record is gone");
  else if (counter.n !== expectN || counter.__version__ !== before.counterVersion + okCount) {
    const n = counter.n as number;
    a.add(
      n > expectN ? "duplicateIds" : "lostUpdates",
      Math.max(1, Math.abs(expectN - n)),
      `counter is ${n} (version ${counter.__version__}), ${okCount} children succeeded ` +
        `after ${before.counterN} (version ${before.counterVersion})`,
    );
  }
  const touched = new Set<number>([COUNTER_ID]);
  const insertedIds = new Map<number, number>();
  let deletes = 0;
  let inserts = 0;
  results.forEach((res, i) => {
    const j = job(i, rows);
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
      if (id <= rows) a.add("duplicateIds", 1, `child ${i}'s insert reused id ${id}`);
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
  for (let id = 1; id <= rows; id++) {
    if (touched.has(id)) continue;
    const r = byId.get(id);
    const v = values(id - 1);
    if (
      !r || r.__version__ !== 0 || r.key !== v.key || r.n !== v.n || r.x !== v.x ||
      !(r.d instanceof Date) || r.d.getTime() !== v.d.getTime() || r.ok !== v.ok
    ) a.add("damaged", 1, `record ${id}: ${JSON.stringify(r)}`);
  }
  const expected = rows - deletes + inserts;
  if (table.count !== table.records.length || table.records.length !== expected) {
    a.add(
      "countMismatch",
      1,
      `count ${table.count}, iterated ${table.records.length}, expected ${expected}`,
    );
  }
}
