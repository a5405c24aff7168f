// Copyright 2026 the psbase authors. MIT license.
/**
 * The damaged-file corpus's picture of the on-disk format, from FORMAT.md
 * (F2, F3, F4, F6) and nothing else: where each region of each file lies, and
 * how to rewrite a file so that its checksums are valid again. When the format
 * changes, this file changes: a file whose magic it does not know is cut into
 * equal "unknown" regions, so the corpus still covers it.
 *
 * @module
 */

/** Which file of a base. */
export type FileKind = "manifest" | "data" | "log";

/** A named byte range `[start, end)` of a file. */
export interface Region {
  name: string;
  start: number;
  end: number;
  /** For a data file's column regions: the row a byte of the region belongs to. */
  row?: (at: number) => number;
}

/** The kind of a base file, by name (F1). */
export function fileKind(name: string): FileKind | undefined {
  if (name === "manifest.json") return "manifest";
  if (/^data\.\d+$/.test(name)) return "data";
  if (/^log\.\d+$/.test(name)) return "log";
  return undefined;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** FNV-1a, 32 bit: the checksum of data-file headers and log records (F3, F6). */
export function fnv1a(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

const u32 = (b: Uint8Array, at: number) =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

function putU32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
}

const magic = (b: Uint8Array) => decoder.decode(b.subarray(0, 8));

/** A data file's header (F3). */
export interface DataHeader {
  rows: number;
  columns: Array<{ name: string; enc: string; off: number; len: number; sum: number }>;
}

/** Parses a data file's header (F3), or undefined when it is not one. */
export function dataHeader(b: Uint8Array): DataHeader | undefined {
  if (b.length < 16 || magic(b) !== "PSBDATA1") return undefined;
  const h = u32(b, 8);
  try {
    return JSON.parse(decoder.decode(b.subarray(16, 16 + h)));
  } catch {
    return undefined;
  }
}

/** The data file `b` with its header replaced by `header`, the header checksum recomputed. */
export function withDataHeader(b: Uint8Array, header: unknown): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  const oldLen = u32(b, 8);
  const out = new Uint8Array(16 + json.length + (b.length - 16 - oldLen));
  out.set(b.subarray(0, 8));
  putU32(out, 8, json.length);
  putU32(out, 12, fnv1a(json));
  out.set(json, 16);
  out.set(b.subarray(16 + oldLen), 16 + json.length);
  return out;
}

/** The log's records (F6): offset of each length field, and its body. */
export interface LogRecord {
  at: number;
  body: Uint8Array;
}

/** Splits a log (F6) into its records; undefined when it is not a log. */
export function logRecords(b: Uint8Array): LogRecord[] | undefined {
  if (b.length < 16 || magic(b) !== "PSBLOG01") return undefined;
  const out: LogRecord[] = [];
  let p = 16;
  while (p + 8 <= b.length) {
    const len = u32(b, p);
    if (p + 8 + len > b.length) break;
    out.push({ at: p, body: b.subarray(p + 8, p + 8 + len) });
    p += 8 + len;
  }
  return out;
}

/** The log `b` with record `index` replaced by `body` (length and checksum recomputed). */
export function withLogRecord(b: Uint8Array, index: number, body: Uint8Array): Uint8Array {
  const recs = logRecords(b)!;
  const parts: Uint8Array[] = [b.subarray(0, 16)];
  recs.forEach((r, k) => parts.push(frameLogRecord(k === index ? body : r.body)));
  return concat(parts);
}

/** One log record (F6) around `body`: its length, its checksum, the body. */
export function frameLogRecord(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  putU32(out, 0, body.length);
  putU32(out, 4, fnv1a(body));
  out.set(body, 8);
  return out;
}

/** The log `b` with a different generation in its header, the header checksum recomputed. */
export function withLogGen(b: Uint8Array, gen: number): Uint8Array {
  const out = b.slice();
  putU32(out, 8, gen);
  putU32(out, 12, fnv1a(out, 0, 12));
  return out;
}

/** A manifest rewritten as `m` (F2; it has no checksum today: when it gets one, seal it here). */
export function withManifest(m: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(m));
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `n` equal regions named `unknown i`, for a file whose format is not known here. */
function unknownRegions(b: Uint8Array, n = 8): Region[] {
  const out: Region[] = [];
  const step = Math.max(1, Math.ceil(b.length / n));
  for (let s = 0, i = 0; s < b.length; s += step, i++) {
    out.push({ name: `unknown ${i}`, start: s, end: Math.min(b.length, s + step) });
  }
  return out;
}

/** The regions of a data file (F3, F4): header fields, header JSON, each column's parts, padding. */
function dataRegions(b: Uint8Array): Region[] {
  const h = dataHeader(b);
  if (!h) return unknownRegions(b);
  const hl = u32(b, 8);
  const out: Region[] = [
    { name: "magic", start: 0, end: 8 },
    { name: "header length", start: 8, end: 12 },
    { name: "header checksum", start: 12, end: 16 },
    { name: "header JSON", start: 16, end: 16 + hl },
  ];
  let covered = 16 + hl;
  const rows = h.rows;
  for (const c of [...h.columns].sort((x, y) => x.off - y.off)) {
    if (c.off > covered) out.push({ name: "padding", start: covered, end: c.off });
    const col = `column ${c.name}`;
    const end = c.off + c.len;
    const per = (size: number, from: number) => (at: number) => Math.floor((at - from) / size);
    if (c.enc === "f64") {
      out.push({ name: `${col} values`, start: c.off, end: c.off + rows * 8, row: per(8, c.off) });
      out.push({
        name: `${col} nulls`,
        start: c.off + rows * 8,
        end,
        row: per(1, c.off + rows * 8),
      });
    } else if (c.enc === "str") {
      const offs = c.off + (rows + 1) * 4;
      const blob = c.off + Math.ceil(((rows + 1) * 4 + rows) / 8) * 8;
      // A string's row: the last row whose offset (read from the intact file) is at or before it.
      const starts = Array.from({ length: rows + 1 }, (_, k) => u32(b, c.off + 4 * k));
      const strRow = (at: number) => {
        let k = 0;
        while (k + 1 < rows && blob + starts[k + 1] <= at) k++;
        return k;
      };
      out.push({ name: `${col} offsets`, start: c.off, end: offs, row: per(4, c.off) });
      out.push({ name: `${col} nulls`, start: offs, end: offs + rows, row: per(1, offs) });
      if (blob > offs + rows) out.push({ name: `${col} padding`, start: offs + rows, end: blob });
      out.push({ name: `${col} strings`, start: blob, end, row: strRow });
    } else out.push({ name: `${col} (${c.enc})`, start: c.off, end, row: per(1, c.off) });
    covered = Math.max(covered, end);
  }
  if (covered < b.length) out.push({ name: "trailing", start: covered, end: b.length });
  return out.filter((r) => r.end > r.start);
}

/** The regions of a log (F6): header fields, then each record's length, checksum and body. */
function logRegions(b: Uint8Array): Region[] {
  const recs = logRecords(b);
  if (!recs) return unknownRegions(b);
  const out: Region[] = [
    { name: "magic", start: 0, end: 8 },
    { name: "generation", start: 8, end: 12 },
    { name: "header checksum", start: 12, end: 16 },
  ];
  recs.forEach((r, k) => {
    const rec = k === recs.length - 1 ? "last record" : `record ${k}`;
    out.push({ name: `${rec} length`, start: r.at, end: r.at + 4 });
    out.push({ name: `${rec} checksum`, start: r.at + 4, end: r.at + 8 });
    out.push({ name: `${rec} body`, start: r.at + 8, end: r.at + 8 + r.body.length });
  });
  return out.filter((r) => r.end > r.start);
}

/** The regions of a manifest (F2): the text of each top-level member, each field of the schema. */
function manifestRegions(b: Uint8Array): Region[] {
  const text = decoder.decode(b);
  const out: Region[] = [];
  // Top-level members and each field's members, by where their keys stand in the text.
  const keys = [...text.matchAll(/"(format|gen|nextId|fields|name|type|default|base)"\s*:/g)];
  let fieldNo = -1;
  keys.forEach((m, k) => {
    const start = m.index!;
    const end = k + 1 < keys.length ? keys[k + 1].index! : text.length;
    if (m[1] === "name") fieldNo++;
    const name = ["format", "gen", "nextId", "fields"].includes(m[1])
      ? m[1]
      : `field ${fieldNo} ${m[1]}`;
    out.push({ name, start, end });
  });
  if (!out.length) return unknownRegions(b);
  // Byte offsets equal text offsets only for ASCII; fall back to whole-file regions otherwise.
  return b.length === text.length ? out : unknownRegions(b);
}

/** The regions of file `name` with bytes `b`. */
export function regions(kind: FileKind, b: Uint8Array): Region[] {
  if (kind === "data") return dataRegions(b);
  if (kind === "log") return logRegions(b);
  return manifestRegions(b);
}
