// Copyright 2026 the psbase authors. MIT license.
// The log file `log.<gen>`: the commits made since the data file of the same
// generation was written, one checksummed record per commit (FORMAT.md, F5
// and F6; invariants W1 and R2).

import { type Fs, type Handle, writeSynced } from "./_fs.ts";
import { fnv1a } from "./_checksum.ts";
import { CorruptionError } from "../_errors.ts";
import type { Row } from "../_field/_codec.ts";

const MAGIC = "PSBLOG01";
/** Bytes before the first record. */
export const LOG_HEADER = 16;

/** One change inside a commit. */
export type Op = ["i", Row] | ["u", Row] | ["d", number];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Creates an empty log for generation `gen` at `path` and fsyncs it. */
export function createLogFile(fs: Fs, path: string, gen: number): void {
  const head = new Uint8Array(LOG_HEADER);
  head.set(encoder.encode(MAGIC));
  new DataView(head.buffer).setUint32(8, gen, true);
  new DataView(head.buffer).setUint32(12, fnv1a(head, 0, 12), true);
  writeSynced(fs, path, head);
}

/** The result of reading a log: the commits found and where the valid part ends. */
export interface LogRead {
  commits: Op[][];
  /** Offset just past the last whole, valid commit. */
  end: number;
}

/** An open log file. Appends go to the end (O_APPEND), one write per commit. */
export class LogFile {
  readonly path: string;
  #fs: Fs;
  /** Opened to read: a reader never creates or writes the log (FORMAT.md, R4). */
  #h: Handle;
  /** Opened to append, by the first write (under the exclusive lock: W1). */
  #w: Handle | undefined;

  constructor(fs: Fs, path: string, gen: number) {
    this.path = path;
    this.#fs = fs;
    this.#h = fs.open(path, "r");
    try {
      const head = new Uint8Array(LOG_HEADER);
      const got = this.#h.read(head, 0);
      const dv = new DataView(head.buffer);
      if (
        got !== LOG_HEADER || decoder.decode(head.subarray(0, 8)) !== MAGIC ||
        dv.getUint32(12, true) !== fnv1a(head, 0, 12)
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
   * Reads the commits in `[from, size)`. A torn last commit (a crash during
   * its write) ends the valid part and is not returned; a bad commit with more
   * data after it is damage, reported as a CorruptionError (FORMAT.md, F6).
   */
  read(from: number): LogRead {
    const size = this.size();
    const commits: Op[][] = [];
    if (size <= from) return { commits, end: from };
    const buf = new Uint8Array(size - from);
    const got = this.#h.read(buf, from);
    const dv = new DataView(buf.buffer);
    let p = 0;
    while (p < got) {
      if (got - p < 8) break; // torn header of the last commit
      const len = dv.getUint32(p, true);
      const sum = dv.getUint32(p + 4, true);
      const end = p + 8 + len;
      if (end > got) break; // torn body of the last commit
      if (len === 0 || fnv1a(buf, p + 8, end) !== sum) {
        if (end === got || buf.subarray(p).every((b) => b === 0)) break; // torn tail
        throw new CorruptionError(this.path, `bad checksum in the commit at offset ${from + p}`);
      }
      try {
        commits.push(JSON.parse(decoder.decode(buf.subarray(p + 8, end))) as Op[]);
      } catch {
        throw new CorruptionError(this.path, `unreadable commit at offset ${from + p}`);
      }
      p = end;
    }
    return { commits, end: from + p };
  }

  /** Cuts a torn tail off at `end` (writers only, under the exclusive lock: W1). */
  truncate(end: number): void {
    const w = this.#writer();
    w.truncate(end);
    w.sync();
  }

  #writer(): Handle {
    return this.#w ??= this.#fs.open(this.path, "a");
  }

  /** Appends one commit in a single write. Returns the number of bytes appended. */
  append(ops: Op[]): number {
    const body = encoder.encode(JSON.stringify(ops));
    const rec = new Uint8Array(8 + body.length);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, body.length, true);
    dv.setUint32(4, fnv1a(body), true);
    rec.set(body, 8);
    this.#writer().write(rec);
    return rec.length;
  }

  /** fdatasync. */
  datasync(): void {
    if (!this.#closed) this.#w?.datasync();
  }

  /** Flushes the file to disk. */
  sync(): void {
    (this.#w ?? this.#h).sync();
  }

  #closed = false;

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#h.close();
    this.#w?.close();
  }
}
