// Copyright 2026 the psbase authors. MIT license.
// The log file `log.<gen>`: the commits made since the data file of the same
// generation was written, one checksummed record per commit (FORMAT.md, F6;
// invariants W1, W2 and R2).

import { CorruptionError } from "../_errors.ts";
import type { Row } from "../_field/_codec.ts";
import { sum32 } from "./_checksum.ts";
import { type Fs, type Handle, writeSynced } from "./_fs.ts";

const MAGIC = "PSBLOG02";
/** Bytes before the first record. */
export const LOG_HEADER = 16;
/** Bytes before a record's body. */
const REC = 13;
/** A record's first byte (FORMAT.md, F6). */
const MARK = 0x52;
/** The sector a power loss loses whole (FORMAT.md, F6). */
const SECTOR = 512;

/** One change inside a commit (FORMAT.md, F6). */
export type Op = ["i", Row] | ["u", Row] | ["d", number];

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Creates an empty log for generation `gen` at `path` and fsyncs it. */
export function createLogFile(fs: Fs, path: string, gen: number): void {
  const head = new Uint8Array(LOG_HEADER);
  head.set(encoder.encode(MAGIC));
  const dv = new DataView(head.buffer);
  dv.setUint32(8, gen, true);
  dv.setUint32(12, sum32(head.subarray(0, 12)), true);
  writeSynced(fs, path, head);
}

/** A commit read from the log: its ops and the offset of its record. */
export interface Commit {
  ops: Op[];
  at: number;
}

/** The result of reading a log: the commits found and where the valid part ends. */
export interface LogRead {
  commits: Commit[];
  /** Offset just past the last whole commit. */
  end: number;
  /** Bytes of a torn tail after `end` (0 when none). */
  torn: number;
}

/** -0 as JSON cannot hold it (FORMAT.md, F5). */
function replacer(_key: string, value: unknown): unknown {
  return Object.is(value, -0) ? "-0" : value;
}

/**
 * Whether the record at `buf[from, to)` holds a lost sector (F6): zeros from
 * its first byte, or from a 512-aligned file offset inside it, to the next
 * 512 boundary or `to`. `base` is the file offset of `buf[0]`.
 */
function lostSector(buf: Uint8Array, base: number, from: number, to: number): boolean {
  let start = from;
  while (start < to) {
    const end = Math.min(to, (Math.floor((base + start) / SECTOR) + 1) * SECTOR - base);
    let zero = true;
    for (let i = start; i < end && zero; i++) zero = buf[i] === 0;
    if (zero) return true;
    start = end;
  }
  return false;
}

/**
 * An open log file: read-only for readers (R4); a writer opens it to append
 * (never creating it: W1) at its first write.
 */
export class LogFile {
  readonly path: string;
  #fs: Fs;
  #h: Handle;
  #w: Handle | undefined;
  #closed = false;

  constructor(fs: Fs, path: string, gen: number) {
    this.path = path;
    this.#fs = fs;
    this.#h = fs.open(path, "r");
    try {
      const head = new Uint8Array(LOG_HEADER);
      const got = this.#h.read(head, 0);
      const dv = new DataView(head.buffer);
      const magic = new TextDecoder().decode(head.subarray(0, 8));
      if (got === LOG_HEADER && /^PSBLOG\d\d$/.test(magic) && magic !== MAGIC) {
        throw new CorruptionError(path, `unsupported format ${magic} (this psbase reads ${MAGIC})`);
      }
      if (
        got !== LOG_HEADER || magic !== MAGIC ||
        dv.getUint32(12, true) !== sum32(head.subarray(0, 12))
      ) {
        throw new CorruptionError(path, "not a psbase log file (bad header)");
      }
      if (dv.getUint32(8, true) !== gen) {
        throw new CorruptionError(
          path,
          `log is for generation ${dv.getUint32(8, true)}, not ${gen}`,
        );
      }
    } catch (e) {
      this.#h.close();
      throw e;
    }
  }

  /** The file's current size. */
  size(): number {
    return this.#h.size();
  }

  /**
   * Reads the commits in `[from, size)`. A torn record (F6) ends the valid
   * part: it and what follows are not returned. A damaged record is a
   * CorruptionError naming the log and the offset.
   */
  read(from: number): LogRead {
    const size = this.size();
    const commits: Commit[] = [];
    if (size <= from) return { commits, end: from, torn: 0 };
    const buf = new Uint8Array(size - from);
    const got = this.#h.read(buf, from);
    const dv = new DataView(buf.buffer);
    let p = 0;
    while (p < got) {
      const at = from + p;
      if (got - p < REC) return { commits, end: at, torn: got - p };
      const len = dv.getUint32(p + 1, true);
      const headOk = buf[p] === MARK &&
        dv.getUint32(p + 9, true) === sum32(buf.subarray(p, p + 9), at);
      if (headOk && p + REC + len > got) return { commits, end: at, torn: got - p };
      const end = headOk ? p + REC + len : got;
      if (!headOk || dv.getUint32(p + 5, true) !== sum32(buf.subarray(p + REC, end))) {
        if (lostSector(buf, from, p, end)) return { commits, end: at, torn: got - p };
        throw new CorruptionError(
          this.path,
          `bad checksum in the ${headOk ? "commit" : "header of the commit"} at offset ${at}`,
        );
      }
      let ops: unknown;
      try {
        ops = JSON.parse(decoder.decode(buf.subarray(p + REC, end)));
      } catch {
        throw new CorruptionError(this.path, `unreadable commit at offset ${at}`);
      }
      if (!Array.isArray(ops) || ops.length === 0) {
        throw new CorruptionError(this.path, `the commit at offset ${at} is not a list of ops`);
      }
      commits.push({ ops: ops as Op[], at });
      p = end;
    }
    return { commits, end: from + p, torn: 0 };
  }

  #writer(): Handle {
    return this.#w ??= this.#fs.open(this.path, "a");
  }

  /** Cuts a torn tail off at `end` (writers only, under the exclusive lock: W1). */
  truncate(end: number): void {
    const w = this.#writer();
    w.truncate(end);
    w.sync();
  }

  /** Appends one commit at offset `at` (the end) in a single write; returns the bytes appended. */
  append(ops: Op[], at: number): number {
    const body = encoder.encode(JSON.stringify(ops, replacer));
    const rec = new Uint8Array(REC + body.length);
    const dv = new DataView(rec.buffer);
    rec[0] = MARK;
    dv.setUint32(1, body.length, true);
    dv.setUint32(5, sum32(body), true);
    dv.setUint32(9, sum32(rec.subarray(0, 9), at), true);
    rec.set(body, REC);
    this.#writer().write(rec);
    return rec.length;
  }

  /** fdatasync of what this process appended. */
  datasync(): void {
    if (!this.#closed) this.#w?.datasync();
  }

  /** fsync. */
  sync(): void {
    (this.#w ?? this.#h).sync();
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#h.close();
    this.#w?.close();
  }
}
