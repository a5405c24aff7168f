// Copyright 2026 the psbase authors. MIT license.
// The rows of a checkpoint taken from the current generation as bytes: the
// runs of rows the log did not touch are copied column by column from the
// data file (every page checked as it is read, F3), and only the rows the log
// changed are encoded. The new data file is byte for byte the one that
// decoding every row and encoding it again would write (F3, F4; W4), at a
// fraction of the CPU (issue 12).

import { CorruptionError } from "../_errors.ts";
import type { Encoding, Field, Row, Stored } from "../_field/_codec.ts";
import { type Column, type DataFile, type RowSource, stringColumn } from "./_data_file.ts";

const encoder = new TextEncoder();

/** A run of data file rows `[from, to)` kept as they are, or one row from the log. */
type Piece = { from: number; to: number } | Row;

/**
 * The live rows of the generation `data` plus the log's `changes` (id → row,
 * or null: deleted), in `__id__` order, as a {@linkcode RowSource} over
 * `data`'s bytes; null when `changes` names an id below the file's last that
 * the file does not hold (only a new insert can: its id is above them all).
 *
 * @example
 * ```ts ignore
 * const rows = carriedRows(data, { fields, changes: overlay });
 * if (rows) writeDataFile(fs, next, { fields, indexes, rows });
 * ```
 */
export function carriedRows(
  data: DataFile,
  options: { fields: readonly Field[]; changes: ReadonlyMap<number, Row | null> },
): RowSource | null {
  const { fields, changes } = options;
  const n = data.rows;
  const last = data.lastId();
  const pieces: Piece[] = [];
  let at = 0;
  let count = 0;
  const keep = (to: number) => {
    if (to > at) {
      pieces.push({ from: at, to });
      count += to - at;
    }
    at = to;
  };
  for (const id of [...changes.keys()].sort((a, b) => a - b)) {
    const i = id <= last ? data.find(id) : -1;
    if (i >= 0) {
      keep(i);
      at = i + 1; // replaced or deleted
    } else if (id < last) {
      return null;
    } else {
      keep(n);
    }
    const row = changes.get(id);
    if (row) {
      pieces.push(row);
      count++;
    }
  }
  keep(n);
  const names = ["__id__", "__version__", ...fields.map((f) => f.name)];
  return {
    count,
    column: (k, enc) => carryColumn(data, { name: names[k], enc, k, pieces, count }),
    values: (k) => {
      const out: Stored[] = [];
      for (const p of pieces) {
        if (Array.isArray(p)) out.push(p[k]);
        else for (let i = p.from; i < p.to; i++) out.push(data.value(names[k], i));
      }
      return out;
    },
  };
}

interface CarryOptions {
  name: string;
  enc: Encoding;
  /** The column's position in a row. */
  k: number;
  pieces: Piece[];
  count: number;
}

/** Column `k` of the new file, encoded as F4 lays it out for `count` rows. */
function carryColumn(data: DataFile, o: CarryOptions): Uint8Array {
  const { k, pieces, count: n } = o;
  const col = data.column(o.name);
  if (col.enc !== o.enc) {
    throw new CorruptionError(data.path, `column ${o.name} is ${col.enc}, not ${o.enc}`);
  }
  let p = 0;
  if (o.enc === "bool") {
    const out = new Uint8Array(n);
    for (const piece of pieces) {
      if (Array.isArray(piece)) {
        const v = piece[k];
        out[p++] = v === null ? 2 : v ? 1 : 0;
      } else {
        out.set(col.u8.subarray(piece.from, piece.to), p);
        p += piece.to - piece.from;
      }
    }
    return out;
  }
  if (o.enc === "f64") {
    const out = new Uint8Array(9 * n);
    const vals = new Float64Array(out.buffer, 0, n);
    const nulls = out.subarray(8 * n);
    for (const piece of pieces) {
      if (Array.isArray(piece)) {
        const v = piece[k];
        if (v === null) nulls[p] = 1;
        else vals[p] = v as number;
        p++;
      } else {
        vals.set(col.f64!.subarray(piece.from, piece.to), p);
        nulls.set(col.u8.subarray(piece.from, piece.to), p);
        p += piece.to - piece.from;
      }
    }
    return out;
  }
  return carryStrings(data, col, o);
}

function carryStrings(data: DataFile, col: Column, o: CarryOptions): Uint8Array {
  const { k, pieces, count: n } = o;
  const offs = col.offsets!;
  const texts: Array<Uint8Array | null> = [];
  let size = 0;
  for (const piece of pieces) {
    if (Array.isArray(piece)) {
      const v = piece[k];
      const bytes = v === null ? null : encoder.encode(v as string);
      texts.push(bytes);
      size += bytes?.length ?? 0;
    } else {
      if (offs[piece.to] < offs[piece.from]) {
        throw new CorruptionError(data.path, `bad offsets in column ${o.name}`);
      }
      size += offs[piece.to] - offs[piece.from];
    }
  }
  const { out, offsets, nulls, blob } = stringColumn(n, size);
  let p = 0;
  let at = 0;
  let t = 0;
  for (const piece of pieces) {
    if (Array.isArray(piece)) {
      const bytes = texts[t++];
      offsets[p] = at;
      if (bytes === null) nulls[p] = 1;
      else {
        blob.set(bytes, at);
        at += bytes.length;
      }
      p++;
      continue;
    }
    const start = offs[piece.from];
    for (let i = piece.from; i < piece.to; i++) {
      if (offs[i + 1] < offs[i]) {
        throw new CorruptionError(data.path, `bad offsets in column ${o.name}`);
      }
      offsets[p++] = at + offs[i] - start;
    }
    blob.set(col.blob!.subarray(start, offs[piece.to]), at);
    nulls.set(col.u8.subarray(piece.from, piece.to), p - (piece.to - piece.from));
    at += offs[piece.to] - start;
  }
  offsets[n] = at;
  return out;
}
