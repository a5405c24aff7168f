// Copyright 2026 the psbase authors. MIT license.
// The data file `data.<gen>`: every live row of one generation, column by
// column, then its index sections, every page checksummed (FORMAT.md, F3, F4,
// F7), so a short-lived process reads and checks only the pages its query
// needs.

import { CorruptionError } from "../_errors.ts";
import type { Encoding, Field, Row, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import type { IndexSpec } from "../_storage/_types.ts";
import { sum32 } from "./_checksum.ts";
import { type Fs, type Handle, writeSynced } from "./_fs.ts";
import type { IndexKind, SectionReader } from "./_index/_types.ts";
import { INDEX_KINDS } from "./_index/_list.ts";

const MAGIC = "PSBDATA2";
/** The page size of every data file (FORMAT.md, F3). */
export const PAGE = 4096;
const FIXED = 20;
const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A section (column or index) as the header lists it. */
interface SectionMeta {
  off: number;
  len: number;
}
interface ColumnMeta extends SectionMeta {
  name: string;
  /** The field type (`int` for `__id__` and `__version__`), checked against the manifest's. */
  type: string;
  enc: Encoding;
}
interface IndexMeta extends SectionMeta {
  field: string;
  kind: string;
  buckets?: number;
}
interface Header {
  rows: number;
  page: number;
  columns: ColumnMeta[];
  indexes: IndexMeta[];
}

/** A column read whole into memory, every page checked. */
export interface Column {
  enc: Encoding;
  /** f64: values. */
  f64?: Float64Array;
  /** f64 and str: 1 where the value is null. bool: 0, 1 or 2 (null). */
  u8: Uint8Array;
  /** str: n + 1 offsets into `blob`. */
  offsets?: Uint32Array;
  blob?: Uint8Array;
}

const pad8 = (n: number) => (n + 7) & ~7;
const pagesOf = (len: number) => Math.ceil(len / PAGE);
/**
 * Pages read one at a time are carved out of slabs of this many pages: Deno
 * allocates a 64 KiB ArrayBuffer in about 4.3 µs and a 4 KiB one in about 1.75
 * (bench/RESULTS.md), and a point read takes a page per column it touches.
 */
const SLAB_PAGES = 16;

/** The byte length a column of `rows` rows needs (strings: at least). */
function columnSize(enc: Encoding, rows: number): number {
  return enc === "bool" ? rows : enc === "f64" ? 9 * rows : pad8(4 * (rows + 1) + rows);
}

/** Encodes one column of `rows` at row position `k` (FORMAT.md, F4). */
function encodeColumn(enc: Encoding, rows: Row[], k: number): Uint8Array {
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
  const { out, offsets, nulls, blob } = stringColumn(n, max);
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    const v = rows[i][k];
    if (v === null) nulls[i] = 1;
    else at += encoder.encodeInto(v as string, blob.subarray(at)).written;
  }
  offsets[n] = at;
  return out.subarray(0, out.length - max + at);
}

/**
 * An empty string column of `n` rows with room for `size` bytes of text, laid
 * out as F4 says: n + 1 u32 offsets, n null bytes, zero padding to 8, the text.
 */
export function stringColumn(n: number, size: number): {
  out: Uint8Array;
  offsets: Uint32Array;
  nulls: Uint8Array;
  blob: Uint8Array;
} {
  const head = pad8(4 * (n + 1) + n);
  const out = new Uint8Array(head + size);
  return {
    out,
    offsets: new Uint32Array(out.buffer, 0, n + 1),
    nulls: out.subarray(4 * (n + 1), 4 * (n + 1) + n),
    blob: out.subarray(head),
  };
}

/** The columns of a data file for `fields`, in header order: name, type, encoding. */
function sectionNames(fields: readonly Field[]): Array<[string, string, Encoding]> {
  return [
    ["__id__", "int", "f64"],
    ["__version__", "int", "f64"],
    ...fields.map((f): [string, string, Encoding] => [f.name, f.type, codecOf(f.type)!.encoding]),
  ];
}

/**
 * The rows of a new data file, column by column: {@linkcode decodedRows} of
 * decoded rows, or a checkpoint's rows carried over from the data file as
 * bytes (`_carry.ts`).
 */
export interface RowSource {
  /** How many rows. */
  count: number;
  /** The bytes of the column at row position `k`, laid out as `enc` (F4). */
  column(k: number, enc: Encoding): Uint8Array;
  /** The values at row position `k`, in row order (to build an index, F7). */
  values(k: number): Stored[];
}

/** `rows` (sorted by `__id__`) as a {@linkcode RowSource}. */
export function decodedRows(rows: Row[]): RowSource {
  return {
    count: rows.length,
    column: (k, enc) => encodeColumn(enc, rows, k),
    values: (k) => rows.map((r) => r[k]),
  };
}

/** What {@linkcode writeDataFile} writes. */
export interface DataFileContent {
  fields: readonly Field[];
  indexes: readonly IndexSpec[];
  /** The rows, sorted by `__id__`. */
  rows: Row[] | RowSource;
}

/**
 * Writes rows and their indexes as a complete data file at `path` and fsyncs
 * it (FORMAT.md, F3; invariant W3).
 *
 * @example
 * ```ts ignore
 * writeDataFile(fs, "/tmp/b/data.1", { fields: [], indexes: [], rows: [] });
 * ```
 */
export function writeDataFile(fs: Fs, path: string, content: DataFileContent): void {
  const { fields, indexes } = content;
  const rows = Array.isArray(content.rows) ? decodedRows(content.rows) : content.rows;
  const names = sectionNames(fields);
  const blobs = names.map(([, , enc], k) => rows.column(k, enc));
  const extra: Array<{ buckets?: number }> = [];
  for (const ix of indexes) {
    const k = fields.findIndex((f) => f.name === ix.field) + 2;
    const built = INDEX_KINDS[ix.kind].build(rows.values(k));
    blobs.push(built.bytes);
    extra.push(built.buckets === undefined ? {} : { buckets: built.buckets });
  }
  const pages = blobs.reduce((n, b) => n + pagesOf(b.length), 0);
  const S = 4 * pages;
  // Offsets are absolute, and the header's length depends on them: iterate.
  let base = 0;
  let headerBytes = new Uint8Array(0);
  let offs: number[] = [];
  for (let tries = 0; tries < 8; tries++) {
    offs = [];
    let at = base;
    for (const b of blobs) {
      offs.push(at);
      at = pad8(at + b.length);
    }
    const header: Header = {
      rows: rows.count,
      page: PAGE,
      columns: names.map(([name, type, enc], k) => ({
        name,
        type,
        enc,
        off: offs[k],
        len: blobs[k].length,
      })),
      indexes: indexes.map((ix, j) => ({
        field: ix.field,
        kind: ix.kind,
        ...extra[j],
        off: offs[names.length + j],
        len: blobs[names.length + j].length,
      })),
    };
    headerBytes = encoder.encode(JSON.stringify(header));
    const next = pad8(FIXED + headerBytes.length + S);
    if (next === base) break;
    base = next;
  }
  const end = offs.length ? pad8(offs[offs.length - 1] + blobs[blobs.length - 1].length) : base;
  const file = new Uint8Array(Math.max(end, base));
  file.set(encoder.encode(MAGIC), 0);
  const dv = new DataView(file.buffer);
  dv.setUint32(8, headerBytes.length, true);
  dv.setUint32(12, S, true);
  file.set(headerBytes, FIXED);
  let p = FIXED + headerBytes.length;
  blobs.forEach((b, s) => {
    file.set(b, offs[s]);
    for (let j = 0; j * PAGE < b.length; j++) {
      const at = offs[s] + j * PAGE;
      dv.setUint32(p, sum32(file.subarray(at, at + Math.min(PAGE, b.length - j * PAGE)), at), true);
      p += 4;
    }
  });
  dv.setUint32(16, sum32(file.subarray(FIXED, FIXED + headerBytes.length + S)), true);
  writeSynced(fs, path, file);
}

/**
 * A data file opened for reading. Pages are read and checked on demand: a
 * whole column for scans, single pages for point reads and index lookups.
 */
export class DataFile {
  readonly path: string;
  readonly rows: number;
  #h: Handle | undefined;
  #cols = new Map<string, ColumnMeta & { first: number }>();
  #indexes = new Map<string, IndexMeta & { first: number; impl: IndexKind }>();
  #sums: Uint32Array;
  /** Where the sections begin: the end of the page-sum table (F3). */
  #start = 0;
  #pages = new Map<number, Uint8Array>();
  #slab: Uint8Array | undefined;
  #slabUsed = SLAB_PAGES;
  #loaded = new Map<string, Column>();
  #types = new Map<string, Field["type"]>();
  #first: number | undefined;
  #last: number | undefined;

  #schemaFile: string | undefined;

  /**
   * Opens and checks the header against the manifest's `fields` and
   * `indexes` (F3); a mismatch is blamed on `schemaFile` (the manifest).
   */
  constructor(
    fs: Fs,
    path: string,
    fields: readonly Field[],
    indexes: readonly IndexSpec[],
    schemaFile?: string,
  ) {
    this.path = path;
    this.#schemaFile = schemaFile;
    const h = fs.open(path, "r");
    this.#h = h;
    try {
      const size = h.size();
      const first = new Uint8Array(Math.min(size, PAGE));
      h.read(first, 0);
      if (size < FIXED || new TextDecoder().decode(first.subarray(0, 8)) !== MAGIC) {
        const magic = new TextDecoder().decode(first.subarray(0, 8));
        throw this.#damaged(
          /^PSBDATA\d$/.test(magic)
            ? `unsupported format ${magic} (this psbase reads ${MAGIC})`
            : "not a psbase data file (bad magic or too short)",
        );
      }
      const dv = new DataView(first.buffer);
      const hlen = dv.getUint32(8, true);
      const slen = dv.getUint32(12, true);
      if (FIXED + hlen + slen > size || slen % 4 !== 0) throw this.#damaged("truncated header");
      let meta = first.subarray(FIXED, FIXED + hlen + slen);
      if (FIXED + hlen + slen > first.length) {
        meta = new Uint8Array(hlen + slen);
        h.read(meta, FIXED);
      }
      if (sum32(meta) !== dv.getUint32(16, true)) throw this.#damaged("bad header checksum");
      let header: Header;
      try {
        header = JSON.parse(utf8.decode(meta.subarray(0, hlen)));
      } catch {
        throw this.#damaged("unreadable header");
      }
      this.#sums = new Uint32Array(meta.slice(hlen).buffer);
      this.#start = FIXED + hlen + slen;
      this.rows = this.#checkHeader(header, size, this.#start, fields, indexes);
      for (const f of fields) this.#types.set(f.name, f.type);
    } catch (e) {
      h.close();
      throw e;
    }
  }

  /** Checks the header's shape against the manifest (F3); returns the row count. */
  #checkHeader(
    header: Header,
    size: number,
    start: number,
    fields: readonly Field[],
    indexes: readonly IndexSpec[],
  ): number {
    const rows = header?.rows;
    if (!Number.isSafeInteger(rows) || rows < 0 || rows > 2 ** 32 - 2) {
      throw this.#damaged(`bad row count ${JSON.stringify(rows)}`);
    }
    if (header.page !== PAGE) throw this.#damaged(`bad page size ${JSON.stringify(header.page)}`);
    const names = sectionNames(fields);
    const cols = header.columns;
    if (!Array.isArray(cols) || cols.length !== names.length) {
      throw this.#mismatch(`it has ${Array.isArray(cols) ? cols.length - 2 : "no"} fields`);
    }
    const ixs = header.indexes;
    if (!Array.isArray(ixs) || ixs.length !== indexes.length) {
      throw this.#mismatch(`it has ${Array.isArray(ixs) ? ixs.length : "no"} indexes`);
    }
    let at = start;
    let page = 0;
    // Each section starts at the first 8-aligned offset after the previous one (F3).
    const place = (s: SectionMeta, what: string, min: number, exact: boolean) => {
      if (
        !Number.isSafeInteger(s.off) || !Number.isSafeInteger(s.len) || s.off !== pad8(at) ||
        s.off + s.len > size || s.len < min || (exact && s.len !== min)
      ) {
        throw this.#damaged(`bad offset or length of ${what}`);
      }
      at = s.off + s.len;
      const first = page;
      page += pagesOf(s.len);
      return first;
    };
    cols.forEach((c, k) => {
      const [name, type, enc] = names[k];
      if (c?.name !== name || c.type !== type || c.enc !== enc) {
        throw this.#mismatch(
          `its column ${k} is ${JSON.stringify(c?.name)} of type ${JSON.stringify(c?.type)}, ` +
            `not ${JSON.stringify(name)} of type ${JSON.stringify(type)}`,
        );
      }
      const first = place(c, `column ${name}`, columnSize(enc, rows), enc !== "str");
      this.#cols.set(name, { ...c, first });
    });
    ixs.forEach((ix, j) => {
      const want = indexes[j];
      const kind = INDEX_KINDS[want.kind];
      if (ix?.field !== want.field || ix.kind !== want.kind) {
        throw this.#mismatch(
          `its index ${j} is ${JSON.stringify(ix?.kind)} on ${JSON.stringify(ix?.field)}, ` +
            `not ${JSON.stringify(want.kind)} on ${JSON.stringify(want.field)}`,
        );
      }
      if (ix.buckets !== undefined && !(Number.isSafeInteger(ix.buckets) && ix.buckets > 0)) {
        throw this.#damaged(`bad bucket count of the index on ${ix.field}`);
      }
      const [min, max] = kind.size(rows, ix.buckets);
      const first = place(ix, `the index on ${ix.field}`, min, false);
      if (ix.len > max || ix.len % 4 !== 0) {
        throw this.#damaged(`bad length of the index on ${ix.field}`);
      }
      this.#indexes.set(ix.field, { ...ix, first, impl: kind });
    });
    if (page !== this.#sums.length) throw this.#damaged("bad page-sum table length");
    // And the file ends where its last section does, padded to 8.
    if (size !== pad8(at)) {
      throw this.#damaged(`${size} bytes long, not ${pad8(at)} (its sections' end)`);
    }
    return rows;
  }

  /**
   * Checks that the padding between the sections, which no page sum covers,
   * is zero (F3; the integrity check, K2).
   */
  checkPadding(): void {
    // The gaps, worked out here rather than at every open: the sections in file order, as the
    // open checked them, then the end of the file.
    const sections = [...this.#cols.values(), ...this.#indexes.values()].sort((a, b) =>
      a.off - b.off
    );
    const gaps: Array<[number, number]> = [];
    let at = this.#start;
    for (const s of sections) {
      if (s.off > at) gaps.push([at, s.off]);
      at = s.off + s.len;
    }
    const size = this.#handle().size();
    if (size > at) gaps.push([at, size]);
    for (const [from, to] of gaps) {
      const gap = new Uint8Array(to - from);
      const got = this.#handle().read(gap, from);
      if (got !== gap.length) throw this.#damaged(`it ends at ${from + got}, in its padding`);
      const bad = gap.findIndex((b) => b !== 0);
      if (bad >= 0) throw this.#damaged(`a nonzero byte in the padding at offset ${from + bad}`);
    }
  }

  #damaged(detail: string): CorruptionError {
    return new CorruptionError(this.path, detail);
  }

  /**
   * The data file and the schema it was opened with disagree, both with valid
   * checksums: blamed on the schema's file (the manifest, rewritten at every
   * checkpoint; the data file is written once, checked against the schema).
   */
  #mismatch(detail: string): CorruptionError {
    return new CorruptionError(
      this.#schemaFile ?? this.path,
      `its schema does not match ${this.path}: ${detail}`,
    );
  }

  #handle(): Handle {
    if (!this.#h) throw new Error(`Cannot read ${this.path}: the file is closed`);
    return this.#h;
  }

  /** Page `j` of section `s` (read and checked once, then kept). */
  #page(s: SectionMeta & { first: number }, j: number, what: string): Uint8Array {
    const key = s.first + j;
    let page = this.#pages.get(key);
    if (page) return page;
    const at = s.off + j * PAGE;
    page = this.#newPage(Math.min(PAGE, s.len - j * PAGE));
    if (this.#handle().read(page, at) !== page.length || sum32(page, at) !== this.#sums[key]) {
      throw this.#damaged(`bad checksum in ${what} (page at offset ${at})`);
    }
    this.#pages.set(key, page);
    return page;
  }

  /** A zeroed page-aligned buffer of `len` ≤ PAGE bytes, from the current slab. */
  #newPage(len: number): Uint8Array {
    if (this.#slabUsed === SLAB_PAGES) {
      this.#slab = new Uint8Array(SLAB_PAGES * PAGE);
      this.#slabUsed = 0;
    }
    const at = PAGE * this.#slabUsed++;
    return this.#slab!.subarray(at, at + len);
  }

  /** Bytes `[from, from + len)` of section `s`, from checked pages. */
  #bytes(s: SectionMeta & { first: number }, from: number, len: number, what: string): Uint8Array {
    if (len === 0) return new Uint8Array(0); // an empty section has no page to check
    const j = Math.floor(from / PAGE);
    const inPage = from - j * PAGE;
    if (inPage + len <= PAGE) {
      return this.#page(s, j, what).subarray(inPage, inPage + len);
    }
    const out = new Uint8Array(len);
    for (let got = 0; got < len;) {
      const p = Math.floor((from + got) / PAGE);
      const o = from + got - p * PAGE;
      const page = this.#page(s, p, what);
      const n = Math.min(len - got, page.length - o);
      out.set(page.subarray(o, o + n), got);
      got += n;
    }
    return out;
  }

  #meta(name: string): ColumnMeta & { first: number } {
    const m = this.#cols.get(name);
    if (!m) throw new Error(`Cannot read column ${name}: no such column`);
    return m;
  }

  /** Reads column `name` whole, checking every page. */
  column(name: string): Column {
    const hit = this.#loaded.get(name);
    if (hit) return hit;
    const m = this.#meta(name);
    const bytes = new Uint8Array(m.len);
    if (this.#handle().read(bytes, m.off) !== m.len) {
      throw this.#damaged(`truncated column ${name}`);
    }
    for (let j = 0; j * PAGE < m.len; j++) {
      const page = bytes.subarray(j * PAGE, Math.min(m.len, (j + 1) * PAGE));
      if (sum32(page, m.off + j * PAGE) !== this.#sums[m.first + j]) {
        throw this.#damaged(`bad checksum in column ${name} (page at offset ${m.off + j * PAGE})`);
      }
    }
    const n = this.rows;
    let col: Column;
    if (m.enc === "bool") col = { enc: "bool", u8: bytes };
    else if (m.enc === "f64") {
      col = { enc: "f64", f64: new Float64Array(bytes.buffer, 0, n), u8: bytes.subarray(8 * n) };
    } else {
      const head = pad8(4 * (n + 1) + n);
      col = {
        enc: "str",
        offsets: new Uint32Array(bytes.buffer, 0, n + 1),
        u8: bytes.subarray(4 * (n + 1), 4 * (n + 1) + n),
        blob: bytes.subarray(head),
      };
      if (col.offsets![0] !== 0 || col.offsets![n] !== col.blob!.length) {
        throw this.#damaged(`bad offsets in column ${name}`);
      }
    }
    this.#loaded.set(name, col);
    return col;
  }

  /** Whether column `name` is in memory. */
  isLoaded(name: string): boolean {
    return this.#loaded.has(name);
  }

  /** The value of column `name` at row `i`, checked against its type (F4, F5). */
  value(name: string, i: number): Stored {
    if (!(i >= 0 && i < this.rows)) {
      throw this.#damaged(`row ${i} of ${this.rows} asked of ${name}`);
    }
    const col = this.#loaded.get(name);
    const v = col ? this.#fromColumn(name, col, i) : this.#point(name, i);
    if (v !== null) this.#checkValue(name, v, i);
    return v;
  }

  #checkValue(name: string, v: Stored, i: number): void {
    const type = this.#types.get(name);
    const ok = type === undefined
      ? Number.isSafeInteger(v) && (v as number) >= (name === "__id__" ? 1 : 0)
      : codecOf(type)!.valid(v);
    if (!ok) {
      throw this.#damaged(`column ${name} at row ${i} holds ${JSON.stringify(v)}, not of its type`);
    }
  }

  #fromColumn(name: string, col: Column, i: number): Stored {
    if (col.enc === "bool") {
      const b = col.u8[i];
      if (b > 2) throw this.#damaged(`bad bool byte in column ${name} at row ${i}`);
      return b === 2 ? null : b === 1;
    }
    const isNull = col.u8[i];
    if (isNull > 1 || (isNull === 1 && !this.#types.has(name))) {
      throw this.#damaged(`bad null byte in column ${name} at row ${i}`);
    }
    if (isNull === 1) return null;
    if (col.enc === "f64") return col.f64![i];
    const s = col.offsets![i];
    const e = col.offsets![i + 1];
    if (e < s || e > col.blob!.length) throw this.#damaged(`bad offsets in column ${name}`);
    return this.#utf8(col.blob!.subarray(s, e), name, i);
  }

  #utf8(bytes: Uint8Array, name: string, i: number): string {
    try {
      return utf8.decode(bytes);
    } catch {
      throw this.#damaged(`invalid UTF-8 in column ${name} at row ${i}`);
    }
  }

  #point(name: string, i: number): Stored {
    const m = this.#meta(name);
    const n = this.rows;
    const what = `column ${name}`;
    if (m.enc === "bool") {
      const b = this.#bytes(m, i, 1, what)[0];
      if (b > 2) throw this.#damaged(`bad bool byte in column ${name} at row ${i}`);
      return b === 2 ? null : b === 1;
    }
    // `__id__` and `__version__` are never null (F4): a point read skips their null bytes.
    if (this.#types.has(name) || m.enc !== "f64") {
      const nullAt = m.enc === "f64" ? 8 * n + i : 4 * (n + 1) + i;
      const isNull = this.#bytes(m, nullAt, 1, what)[0];
      if (isNull > 1) throw this.#damaged(`bad null byte in column ${name} at row ${i}`);
      if (isNull === 1) return null;
    }
    if (m.enc === "f64") {
      const b = this.#bytes(m, 8 * i, 8, what);
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    }
    const b = this.#bytes(m, 4 * i, 8, what);
    const dv = new DataView(b.buffer, b.byteOffset, 8);
    const s = dv.getUint32(0, true);
    const e = dv.getUint32(4, true);
    const head = pad8(4 * (n + 1) + n);
    if (e < s || head + e > m.len) throw this.#damaged(`bad offsets in column ${name} at row ${i}`);
    return this.#utf8(this.#bytes(m, head + s, e - s, what), name, i);
  }

  /** `__id__` at row `i`. */
  #id(i: number): number {
    return this.value("__id__", i) as number;
  }

  /**
   * The row holding `id`, or -1. Ids are strictly ascending from 1 (F4), so
   * row `i` holds an id ≥ i + 1 and `id` is at row `id - 1` or before: that
   * row is probed first (dense ids: one read), then an interpolation search
   * finds it in a probe or two.
   */
  find(id: number): number {
    if (this.rows === 0 || !(id >= 1)) return -1;
    let lo = 0;
    let hi = Math.min(this.rows, id) - 1;
    const at = this.#id(hi);
    if (at === id) return hi;
    if (at < id) {
      if (hi === this.rows - 1) return -1; // above the last id
      throw this.#damaged("column __id__ is not ascending");
    }
    hi--;
    if (hi < 0) return -1;
    let vlo = this.#first ??= this.#id(0);
    let vhi = this.#id(hi);
    if (vlo > vhi) throw this.#damaged("column __id__ is not ascending");
    while (lo <= hi && id >= vlo && id <= vhi) {
      const guess = vhi === vlo ? lo : lo + Math.floor((id - vlo) * (hi - lo) / (vhi - vlo));
      const v = this.#id(guess);
      if (v < vlo || v > vhi) throw this.#damaged("column __id__ is not ascending");
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

  /** The largest `__id__` in the file, or 0. */
  lastId(): number {
    return this.rows ? (this.#last ??= this.#id(this.rows - 1)) : 0;
  }

  /** Decodes row `i`, filling the positions in `want` (others null). */
  row(i: number, fields: readonly Field[], want?: readonly number[]): Row {
    const out: Row = new Array(fields.length + 2).fill(null);
    out[0] = this.#id(i);
    if (!want) {
      out[1] = this.value("__version__", i);
      fields.forEach((f, j) => out[j + 2] = this.value(f.name, i));
    } else {
      for (const k of want) {
        if (k === 1) out[1] = this.value("__version__", i);
        else if (k > 1) out[k] = this.value(fields[k - 2].name, i);
      }
    }
    return out;
  }

  /** The index on `field`, if the file has one. */
  index(
    field: string,
  ): { kind: IndexKind; section: SectionReader; entries: number; buckets?: number } | undefined {
    const m = this.#indexes.get(field);
    if (!m) return undefined;
    const what = `the index on ${field}`;
    const count = m.len / 4;
    const check = (i: number) => {
      if (!(i >= 0 && i <= count)) throw this.#damaged(`${what} points outside itself`);
    };
    const u32s = (from: number, to: number) => {
      check(from);
      check(to);
      if (to < from) throw this.#damaged(`${what} has a bad range`);
      const out = new Uint32Array(to - from);
      new Uint8Array(out.buffer).set(this.#bytes(m, 4 * from, 4 * (to - from), what));
      return out;
    };
    const section: SectionReader = { u32: (i) => u32s(i, i + 1)[0], u32s };
    return { kind: m.impl, section, entries: count, buckets: m.buckets };
  }

  /** Every section's name and whether its pages check out, for the integrity check (K2). */
  sections(): Array<{ name: string; off: number; len: number }> {
    return [
      ...[...this.#cols.values()].map((c) => ({
        name: `column ${c.name}`,
        off: c.off,
        len: c.len,
      })),
      ...[...this.#indexes.values()].map((x) => ({
        name: `the index on ${x.field}`,
        off: x.off,
        len: x.len,
      })),
    ];
  }

  /** Closes the file. Idempotent. */
  close(): void {
    this.#h?.close();
    this.#h = undefined;
  }
}
