// Copyright 2026 the psbase authors. MIT license.
// The interface every index kind implements, one file per kind in this folder
// (listed in ./_list.ts). The layouts are in FORMAT.md, F7.

import type { Stored } from "../../_field/_codec.ts";
import type { Cond } from "../../_query/_where.ts";

/** Reads an index section's u32 entries, each page checked first (FORMAT.md, F3). */
export interface SectionReader {
  /** Entry `i`. */
  u32(i: number): number;
  /** Entries `[from, to)`. */
  u32s(from: number, to: number): Uint32Array;
}

/** A built index section. */
export interface BuiltIndex {
  bytes: Uint8Array;
  /** Kind-specific numbers kept in the data file's header (a hash index's bucket count). */
  buckets?: number;
}

/** One kind of index. */
export interface IndexKind {
  /** The kind's name in the manifest and the data file's header. */
  readonly name: string;
  /** Whether this kind answers `cond` (equality, `in`, or a range). */
  answers(cond: Cond): boolean;
  /** Builds the section over `values`, a column's stored values in row order. */
  build(values: Stored[]): BuiltIndex;
  /** The section's least and greatest byte length for `rows` rows, to check a header (F3). */
  size(rows: number, buckets: number | undefined): [number, number];
  /**
   * The row positions (ascending) whose value satisfies `cond`, reading the
   * section through `section` and values through `value(row)`.
   */
  lookup(
    cond: Cond,
    ctx: { section: SectionReader; value: (row: number) => Stored; rows: number; buckets?: number },
  ): number[];
}

/** Orders stored values as `where` ranges do: null first, then numbers, strings or bools ascending. */
export function compareStored(a: Stored, b: Stored): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
