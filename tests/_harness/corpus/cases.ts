// Copyright 2026 the psbase authors. MIT license.
/**
 * The damage cases of the corpus, table-driven: for every file of the intact
 * base and every region of it (./format.ts), single-bit flips at several
 * offsets, truncations, zero-filled ranges, appended garbage, and crafted
 * files whose checksums are valid but whose content is wrong. Deterministic
 * from a seed.
 *
 * @module
 */

import { rng } from "../../../scripts/_rng.ts";
import {
  concat,
  dataHeader,
  type FileKind,
  fileKind,
  frameLogRecord,
  logRecords,
  regions,
  withDataHeader,
  withLogGen,
  withLogRecord,
  withManifest,
} from "./format.ts";

/** How a file was damaged. */
export type DamageKind = "flip" | "truncate" | "zero" | "append" | "crafted";

/** One damaged file: the base is intact but for `file`, whose bytes become `bytes()`. */
export interface DamageCase {
  /** Its number in the corpus. */
  n: number;
  /** The damaged file's name in the base folder. */
  file: string;
  kind: DamageKind;
  /** The region of the file (or, for crafted files, the field changed). */
  region: string;
  /** What exactly was done. */
  detail: string;
  /** For damage to a data file's column: the row of the first damaged byte. */
  row?: number;
  /** The damaged file's content. */
  bytes: () => Uint8Array;
}

/** How many cases of each kind. */
export interface CorpusSize {
  /** Random flips per region, on top of its first and last byte. */
  flipsPerRegion: number;
  /** Random truncation points per file, on top of each region's start. */
  truncations: number;
  /** Random zero-filled ranges per file, on top of each region zeroed whole. */
  zeroRanges: number;
}

/** Parsed JSON being edited (its shape is whatever the file holds). */
// deno-lint-ignore no-explicit-any
type Json = any;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Make = (name: string, kind: FileKind, b: Uint8Array) => Array<Omit<DamageCase, "n" | "file">>;

/** The crafted files (valid checksums, wrong content), by file kind. */
const CRAFTED: { [k in FileKind]: Make } = {
  data(_name, _kind, b) {
    const h = dataHeader(b);
    if (!h) return [];
    const col = (k: number) => h.columns[k % h.columns.length];
    const edits: Array<[string, (h: Json) => void]> = [
      ["rows + 1", (x) => x.rows++],
      ["rows - 1", (x) => x.rows--],
      ["rows = 0", (x) => x.rows = 0],
      ["rows = -1", (x) => x.rows = -1],
      ["rows = 1e9", (x) => x.rows = 1e9],
      ["rows = 2.5", (x) => x.rows = 2.5],
      ["rows missing", (x) => delete x.rows],
      [`${col(0).name} off + 8`, (x) => x.columns[0].off += 8],
      [`${col(2).name} off beyond the file`, (x) => x.columns[2].off = b.length + 64],
      [`${col(3).name} off unaligned`, (x) => x.columns[3].off += 1],
      [`${col(3).name} off negative`, (x) => x.columns[3].off = -8],
      [`${col(2).name} len - 8`, (x) => x.columns[2].len -= 8],
      [`${col(2).name} len + 8`, (x) => x.columns[2].len += 8],
      [`${col(4).name} len huge`, (x) => x.columns[4].len = 2 ** 31],
      ["__id__ and __version__ offsets swapped", (x) => {
        [x.columns[0].off, x.columns[1].off] = [x.columns[1].off, x.columns[0].off];
      }],
      [
        `${col(2).name} enc f64 -> str`,
        (x) => x.columns.find((c: Json) => c.enc === "f64" && c.name !== "__id__").enc = "str",
      ],
      [
        `${col(2).name} enc str -> f64`,
        (x) => x.columns.find((c: Json) => c.enc === "str").enc = "f64",
      ],
      [`${col(2).name} renamed`, (x) => x.columns[2].name = "zz"],
      [`${col(3).name} sum changed`, (x) => x.columns[3].sum = (x.columns[3].sum + 1) >>> 0],
      ["__id__ sum changed", (x) => x.columns[0].sum = (x.columns[0].sum + 1) >>> 0],
      ["a column dropped", (x) => x.columns.splice(3, 1)],
      ["columns reversed", (x) => x.columns.reverse()],
      ["columns = []", (x) => x.columns = []],
      ["header is an array", (x) => Object.keys(x).forEach((k) => delete x[k])],
    ];
    return edits.map(([what, edit]) => ({
      kind: "crafted" as const,
      region: "header JSON",
      detail: `header ${what}, header checksum recomputed`,
      bytes: () => {
        const x = structuredClone(h);
        edit(x);
        return withDataHeader(b, what === "header is an array" ? [] : x);
      },
    }));
  },
  log(_name, _kind, b) {
    const recs = logRecords(b);
    if (!recs || recs.length < 2) return [];
    const first = JSON.parse(decoder.decode(recs[0].body));
    const row = first[0][1] as unknown[];
    const bodies: Array<[string, unknown]> = [
      ["unknown op", [["x", row]]],
      ["insert over a live id", [["i", [1, 0, ...row.slice(2)]]]],
      ["update of an id that never existed", [["u", [987654, 1, ...row.slice(2)]]]],
      ["delete of an id that never existed", [["d", 987654]]],
      ["delete of a string id", [["d", "1"]]],
      ["row too short", [["i", [row[0]]]]],
      ["row too long", [["i", [...row, 1, 2, 3]]]],
      ["string in an int field", [["i", row.map((v, k) => k === 3 ? "x" : v)]]],
      ["negative id", [["i", [-5, ...row.slice(1)]]]],
      ["fractional id", [["i", [1.5, ...row.slice(1)]]]],
      ["an object, not an array", { ops: [] }],
      ["ops not arrays", [1, 2, 3]],
      ["null", null],
      ["empty array", []],
      ["op without a row", [["i"]]],
      ["not JSON", "not json"],
    ];
    const out: Array<Omit<DamageCase, "n" | "file">> = [];
    for (const [which, index] of [["first", 0], ["last", recs.length - 1]] as const) {
      for (const [what, body] of bodies) {
        out.push({
          kind: "crafted",
          region: `${which === "last" ? "last record" : "record 0"} body`,
          detail: `${which} record replaced by ${what}, length and checksum recomputed`,
          bytes: () =>
            withLogRecord(
              b,
              index,
              encoder.encode(typeof body === "string" ? body : JSON.stringify(body)),
            ),
        });
      }
    }
    const gen = new DataView(b.buffer, b.byteOffset).getUint32(8, true);
    for (const g of [gen + 1, gen - 1, 0]) {
      out.push({
        kind: "crafted",
        region: "generation",
        detail: `header generation ${gen} -> ${g}, header checksum recomputed`,
        bytes: () => withLogGen(b, g),
      });
    }
    out.push({
      kind: "crafted",
      region: "last record",
      detail: "a valid record appended twice (the last commit replayed again)",
      bytes: () => concat([b, frameLogRecord(recs[recs.length - 1].body)]),
    });
    return out;
  },
  manifest(_name, _kind, b) {
    const m = JSON.parse(decoder.decode(b));
    const f = (name: string) => m.fields.findIndex((x: { name: string }) => x.name === name);
    const edits: Array<[string, string, (m: Json) => void]> = [
      ["nextId", "nextId = 1", (x) => x.nextId = 1],
      ["nextId", "nextId - 5", (x) => x.nextId -= 5],
      ["nextId", "nextId = -1", (x) => x.nextId = -1],
      ["nextId", 'nextId = "9"', (x) => x.nextId = "9"],
      ["gen", "gen + 1", (x) => x.gen++],
      ["gen", "gen - 1", (x) => x.gen--],
      ["gen", 'gen = "x"', (x) => x.gen = "x"],
      ["gen", "gen = 1.5", (x) => x.gen = 1.5],
      ["format", 'format = "psbase/2"', (x) => x.format = "psbase/2"],
      ["fields", "date field typed int", (x) => x.fields[f("d")].type = "int"],
      ["fields", "int field typed string", (x) => x.fields[f("i")].type = "string"],
      ["fields", "bool field typed date", (x) => x.fields[f("b")].type = "date"],
      ["fields", "unknown type", (x) => x.fields[f("f")].type = "decimal"],
      ["fields", "a field renamed", (x) => x.fields[f("s")].name = "S"],
      ["fields", "a field dropped", (x) => x.fields.splice(f("f"), 1)],
      ["fields", "a field added", (x) => x.fields.push({ name: "z", type: "int", default: null })],
      ["fields", "two fields swapped", (x) => {
        const [a, c] = [f("i"), f("n")];
        [x.fields[a], x.fields[c]] = [x.fields[c], x.fields[a]];
      }],
      ["fields", "a field twice", (x) => x.fields.push(x.fields[0])],
      ["fields", "default of the wrong type", (x) => x.fields[f("n")].default = "seven"],
      ["fields", "fields = {}", (x) => x.fields = {}],
      ["fields", "a reserved name", (x) => x.fields[f("s")].name = "__id__"],
    ];
    const out: Array<Omit<DamageCase, "n" | "file">> = edits.map(([region, what, edit]) => ({
      kind: "crafted" as const,
      region,
      detail: `manifest with ${what}, still valid JSON`,
      bytes: () => {
        const x = structuredClone(m);
        edit(x);
        return withManifest(x);
      },
    }));
    out.push({
      kind: "crafted",
      region: "whole file",
      detail: "manifest is JSON null",
      bytes: () => withManifest(null),
    });
    return out;
  },
};

/**
 * Every damage case for the base whose files are `files` (name → bytes), in
 * a fixed order; random offsets come from `seed`.
 */
export function corpusCases(
  files: Map<string, Uint8Array>,
  size: CorpusSize,
  seed: number,
): DamageCase[] {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const out: Array<Omit<DamageCase, "n">> = [];
  for (const [file, b] of [...files].sort(([a], [c]) => a.localeCompare(c))) {
    const kind = fileKind(file);
    if (!kind) continue;
    const regs = regions(kind, b);
    const regionAt = (at: number) =>
      regs.find((r) => at >= r.start && at < r.end)?.name ?? "between regions";
    const rowAt = (at: number) => regs.find((r) => at >= r.start && at < r.end)?.row?.(at);
    const add = (c: Omit<DamageCase, "n" | "file">) => out.push({ ...c, file });
    // Single-bit flips: the first and last byte of every region, and random ones inside it.
    for (const r of regs) {
      // Distinct (byte, bit) pairs: a small region runs out of them before a big one.
      const flips = new Set([r.start * 8 + int(8), (r.end - 1) * 8 + int(8)]);
      const room = (r.end - r.start) * 8;
      for (let k = 0; k < size.flipsPerRegion && flips.size < room; k++) {
        let f;
        do f = r.start * 8 + int(room); while (flips.has(f));
        flips.add(f);
      }
      for (const f of flips) {
        const [at, bit] = [Math.floor(f / 8), f % 8];
        add({
          kind: "flip",
          region: r.name,
          detail: `bit ${bit} of byte ${at}`,
          row: rowAt(at),
          bytes: () => {
            const d = b.slice();
            d[at] ^= 1 << bit;
            return d;
          },
        });
      }
    }
    // Truncations: to nothing, at every region's start, in the middle of some, random points.
    const cuts = new Set([0, b.length - 1, ...regs.map((r) => r.start)]);
    for (let k = 0; k < size.truncations; k++) cuts.add(int(b.length));
    for (const at of [...cuts].filter((c) => c < b.length)) {
      add({
        kind: "truncate",
        region: regionAt(at),
        detail: `cut to ${at} of ${b.length} bytes`,
        bytes: () => b.slice(0, at),
      });
    }
    // Zero-filled ranges: each region whole, random ranges of 1..64 bytes.
    const zeros: Array<[number, number, string]> = regs.map((r) => [r.start, r.end, r.name]);
    for (let k = 0; k < size.zeroRanges; k++) {
      const at = int(b.length);
      zeros.push([at, Math.min(b.length, at + 1 + int(64)), regionAt(at)]);
    }
    for (const [s, e, name] of zeros) {
      add({
        kind: "zero",
        region: name,
        detail: `bytes ${s}..${e - 1} zeroed`,
        row: rowAt(s),
        bytes: () => {
          const d = b.slice();
          d.fill(0, s, e);
          return d;
        },
      });
    }
    // Appended garbage.
    const garbage: Array<[string, Uint8Array]> = [
      ["1 zero byte", new Uint8Array(1)],
      ["4 zero bytes", new Uint8Array(4)],
      ["100 zero bytes", new Uint8Array(100)],
      ["64 random bytes", Uint8Array.from({ length: 64 }, () => int(256))],
      ["a newline and text", encoder.encode("\nhello")],
      ["a record header promising 1 MiB", Uint8Array.of(0, 0, 16, 0, 1, 2, 3, 4)],
      [
        "a framed record with a bad checksum",
        (() => {
          const rec = frameLogRecord(encoder.encode('[["d",1]]'));
          rec[4] ^= 0xff;
          return rec;
        })(),
      ],
    ];
    for (const [what, tail] of garbage) {
      add({
        kind: "append",
        region: "end of file",
        detail: `${what} appended`,
        bytes: () => concat([b, tail]),
      });
    }
    for (const c of CRAFTED[kind](file, kind, b)) add(c);
  }
  return out.map((c, n) => ({ ...c, n }));
}
