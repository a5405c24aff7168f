// Copyright 2026 the psbase authors. MIT license.
// The data file `data.<gen>`: every live row of one generation, stored column
// by column so a short-lived process reads only the columns its query needs
// (FORMAT.md, F3 and F4).

import { type Fs, type Handle, writeSynced } from "./_fs.ts";
import { fnv1a, sum32 } from "./_checksum.ts";
import { CorruptionError } from "../_errors.ts";
import type { Encoding, Field, Row, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";

const MAGIC = "PSBDATA1";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

type Enc = Encoding;

interface ColumnMeta {
  name: string;
  enc: Enc;
  off: number;
  len: number;
  sum: number;
}

/** A column read whole into memory, checksum verified. */
export interface Column {
  enc: Enc;
  /** f64: values. */
  f64?: Float64Array;
  /** f64 and str: 1 where the value is null. bool: 0, 1 or 2 (null). */
  u8: Uint8Array;
  /** str: n + 1 offsets into `blob`. */
  offsets?: Uint32Array;
  blob?: Uint8Array;
}

function encOf(type: string): Enc {
  return codecOf(type)!.encoding;
}

const pad8 = (n: number) => (n + 7) & ~7;
/** After this many positioned reads, a data file reads whole columns: the process is not short-lived. */
const POINT_READS = 256;

/** Encodes one column of `rows` at index `k`. */
function encodeColumn(enc: Enc, rows: Row[], k: number): Uint8Array {
  const n = rows.length;
  if (enc === "bool") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i][k];
      out[i] = v === null ? 2 : v ? 1 : 0;
    }
    return out;
  }
  if (enc === "f64") {
    const out = new Uint8Array(9 * n);
    const vals = new Float64Array(out.buffer, 0, n);
    const nulls = out.subarray(8 * n);
    for (let i = 0; i < n; i++) {
      const v = rows[i][k];
      if (v === null) nulls[i] = 1;
      else vals[i] = v as number;
    }
    return out;
  }
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = rows[i][k];
    if (v !== null) max += 3 * (v as string).length;
  }
  const head = 4 * (n + 1) + n;
  const out = new Uint8Array(pad8(head) + max);
  const offsets = new Uint32Array(out.buffer, 0, n + 1);
  const nulls = out.subarray(4 * (n + 1), head);
  const blob = out.subarray(pad8(head));
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    const v = rows[i][k];
    if (v === null) nulls[i] = 1;
    else at += encoder.encodeInto(v as string, blob.subarray(at)).written;
  }
  offsets[n] = at;
  return out.subarray(0, pad8(head) + at);
}

/**
 * Writes `rows` (sorted by `__id__`) as a complete data file at `path` and
 * fsyncs it (FORMAT.md, F3; invariant W2).
 */
export function writeDataFile(fs: Fs, path: string, fields: Field[], rows: Row[]): void {
  const specs: Array<[string, Enc]> = [["__id__", "f64"], ["__version__", "f64"]];
  for (const f of fields) specs.push([f.name, encOf(f.type)]);
  const blobs = specs.map(([, enc], k) => encodeColumn(enc, rows, k));
  const metas: ColumnMeta[] = [];
  // Offsets are relative to the end of the header; fixed up below.
  let at = 0;
  specs.forEach(([name, enc], k) => {
    metas.push({ name, enc, off: at, len: blobs[k].length, sum: sum32(blobs[k]) });
    at = pad8(at + blobs[k].length);
  });
  let headerBytes = new Uint8Array(0);
  let base = 0;
  // The header holds absolute offsets, which depend on its own length.
  for (let tries = 0; tries < 4; tries++) {
    const abs = metas.map((m) => ({ ...m, off: m.off + base }));
    headerBytes = encoder.encode(JSON.stringify({ rows: rows.length, columns: abs }));
    const next = pad8(16 + headerBytes.length);
    if (next === base) break;
    base = next;
  }
  const file = new Uint8Array(base + at);
  file.set(encoder.encode(MAGIC), 0);
  const dv = new DataView(file.buffer);
  dv.setUint32(8, headerBytes.length, true);
  dv.setUint32(12, fnv1a(headerBytes), true);
  file.set(headerBytes, 16);
  metas.forEach((m, k) => file.set(blobs[k], base + m.off));
  writeSynced(fs, path, file);
}

/**
 * A data file opened for reading. Columns load lazily: a whole column (checksum
 * verified) for scans, or single values by positioned reads for point lookups.
 */
export class DataFile {
  readonly path: string;
  readonly rows: number;
  #h: Handle | undefined;
  #cols = new Map<string, ColumnMeta>();
  #loaded = new Map<string, Column>();
  #scratch = new Uint8Array(8);
  #pointReads = 0;
  #first: number | undefined;
  #last: number | undefined;

  constructor(fs: Fs, path: string) {
    this.path = path;
    const h = fs.open(path, "r");
    this.#h = h;
    try {
      const size = h.size();
      const first = new Uint8Array(Math.min(size, 4096));
      h.read(first, 0);
      if (size < 16 || new TextDecoder().decode(first.subarray(0, 8)) !== MAGIC) {
        throw this.#damaged("not a psbase data file (bad magic or too short)");
      }
      const dv = new DataView(first.buffer);
      const hlen = dv.getUint32(8, true);
      if (16 + hlen > size) throw this.#damaged("truncated header");
      let hbytes = first.subarray(16, 16 + hlen);
      if (16 + hlen > first.length) {
        hbytes = new Uint8Array(hlen);
        h.read(hbytes, 16);
      }
      if (fnv1a(hbytes) !== dv.getUint32(12, true)) throw this.#damaged("bad header checksum");
      const header = JSON.parse(new TextDecoder().decode(hbytes)) as {
        rows: number;
        columns: ColumnMeta[];
      };
      this.rows = header.rows;
      for (const c of header.columns) {
        if (c.off + c.len > size) throw this.#damaged(`truncated (column ${c.name})`);
        this.#cols.set(c.name, c);
      }
    } catch (e) {
      h.close();
      if (e instanceof SyntaxError) throw this.#damaged("unreadable header");
      throw e;
    }
  }

  #damaged(detail: string): CorruptionError {
    return new CorruptionError(this.path, detail);
  }

  #meta(name: string): ColumnMeta {
    const m = this.#cols.get(name);
    if (!m) throw this.#damaged(`column ${name} missing`);
    return m;
  }

  /** Reads column `name` whole, verifying its checksum. */
  column(name: string): Column {
    const hit = this.#loaded.get(name);
    if (hit) return hit;
    const m = this.#meta(name);
    const bytes = new Uint8Array(m.len);
    if (this.#handle().read(bytes, m.off) !== m.len || sum32(bytes) !== m.sum) {
      throw this.#damaged(`bad checksum in column ${name}`);
    }
    const n = this.rows;
    let col: Column;
    if (m.enc === "bool") col = { enc: "bool", u8: bytes };
    else if (m.enc === "f64") {
      col = { enc: "f64", f64: new Float64Array(bytes.buffer, 0, n), u8: bytes.subarray(8 * n) };
    } else {
      const head = 4 * (n + 1) + n;
      col = {
        enc: "str",
        offsets: new Uint32Array(bytes.buffer, 0, n + 1),
        u8: bytes.subarray(4 * (n + 1), head),
        blob: bytes.subarray(pad8(head)),
      };
      if (col.offsets![n] !== col.blob!.length) throw this.#damaged(`bad offsets in ${name}`);
    }
    this.#loaded.set(name, col);
    return col;
  }

  #read(len: number, pos: number): Uint8Array {
    const buf = len <= 8 ? this.#scratch : new Uint8Array(len);
    if (this.#handle().read(len === buf.length ? buf : buf.subarray(0, len), pos) !== len) {
      throw this.#damaged(`short read at ${pos}`);
    }
    return buf;
  }

  /** The value of column `name` at row `i`, from memory or by positioned reads. */
  value(name: string, i: number): Stored {
    const col = this.#loaded.get(name) ??
      (++this.#pointReads > POINT_READS ? this.column(name) : undefined);
    if (col) return columnValue(col, i);
    const m = this.#meta(name);
    const n = this.rows;
    if (m.enc === "bool") {
      const b = this.#read(1, m.off + i)[0];
      return b === 2 ? null : b === 1;
    }
    // A null is stored as 0 (f64) or as an empty string, so the null byte is
    // read only for those values.
    if (m.enc === "f64") {
      const v = new DataView(this.#read(8, m.off + 8 * i).buffer).getFloat64(0, true);
      return v === 0 && this.#read(1, m.off + 8 * n + i)[0] === 1 ? null : v;
    }
    const dv = new DataView(this.#read(8, m.off + 4 * i).buffer);
    const start = dv.getUint32(0, true);
    const end = dv.getUint32(4, true);
    const blobAt = m.off + pad8(4 * (n + 1) + n);
    if (end < start || blobAt + end > m.off + m.len) {
      throw this.#damaged(`bad offsets in column ${name} at row ${i}`);
    }
    if (end === start) return this.#read(1, m.off + 4 * (n + 1) + i)[0] === 1 ? null : "";
    try {
      return decoder.decode(this.#read(end - start, blobAt + start).slice(0, end - start));
    } catch {
      throw this.#damaged(`invalid UTF-8 in column ${name} at row ${i}`);
    }
  }

  /** `__id__` at row `i` (never null), from memory or by one positioned read. */
  #id(i: number): number {
    const ids = this.#loaded.get("__id__")?.f64;
    if (ids) return ids[i];
    return new DataView(this.#read(8, this.#meta("__id__").off + 8 * i).buffer).getFloat64(0, true);
  }

  /**
   * The row index holding `id`, or -1. Ids are stored in ascending order and
   * mostly dense, so an interpolation search finds one in a probe or two.
   */
  find(id: number): number {
    let lo = 0;
    let hi = this.rows - 1;
    if (hi < 0) return -1;
    let vlo = this.#first ??= this.#id(0);
    let vhi = this.#last ??= this.#id(hi);
    while (lo <= hi && id >= vlo && id <= vhi) {
      const guess = vhi === vlo ? lo : lo + Math.floor((id - vlo) * (hi - lo) / (vhi - vlo));
      const v = this.#id(guess);
      if (v === id) return guess;
      if (v < id) {
        lo = guess + 1;
        vlo = lo <= hi ? this.#id(lo) : Infinity;
      } else {
        hi = guess - 1;
        vhi = hi >= lo ? this.#id(hi) : -Infinity;
      }
    }
    return -1;
  }

  /** Decodes row `i` whole (`[__id__, __version__, ...fields]`). */
  row(i: number, fields: Field[]): Row {
    const out: Row = [this.value("__id__", i), this.value("__version__", i)];
    for (const f of fields) out.push(this.value(f.name, i));
    return out;
  }

  /** Closes the file. Idempotent. */
  close(): void {
    this.#h?.close();
    this.#h = undefined;
  }

  #handle(): Handle {
    if (!this.#h) throw new Error(`${this.path} is closed`);
    return this.#h;
  }
}

/** The value at row `i` of a loaded column. */
export function columnValue(col: Column, i: number): Stored {
  if (col.enc === "bool") return col.u8[i] === 2 ? null : col.u8[i] === 1;
  if (col.u8[i] === 1) return null;
  if (col.enc === "f64") return col.f64![i];
  return decoder.decode(col.blob!.subarray(col.offsets![i], col.offsets![i + 1]));
}
