// Copyright 2026 the psbase authors. MIT license.
/**
 * What the harness counts as damage, by kind, with the first few details of
 * each kind for reports and assertion messages.
 *
 * @module
 */

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
