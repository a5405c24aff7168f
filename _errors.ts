// Copyright 2026 the psbase authors. MIT license.
// This module is re-exported by mod.ts; it holds the domain errors callers catch.

/**
 * Thrown by `update()` when a record's `__version__` is not the stored one:
 * another call (or another process) changed or deleted it since it was read.
 * Nothing is written when it is thrown.
 *
 * @example
 * ```ts
 * import { ConflictError } from "@psbase/psbase";
 * try {
 *   // await db.update(staleRecord, { n: 1 });
 * } catch (e) {
 *   if (e instanceof ConflictError) console.log(e.id, e.expected, e.actual);
 * }
 * ```
 */
export class ConflictError extends Error {
  /** The `__id__` of the record that conflicted. */
  readonly id: number;
  /** The `__version__` the caller held. */
  readonly expected: number;
  /** The stored `__version__`, or `null` when the record was deleted. */
  readonly actual: number | null;
  /** Builds the error for record `id`. */
  constructor(id: number, expected: number, actual: number | null) {
    super(
      actual === null
        ? `Record ${id} was deleted since it was read (caller held __version__ ${expected})`
        : `Record ${id} changed since it was read: caller held __version__ ${expected}, stored is ${actual}`,
    );
    this.name = "ConflictError";
    this.id = id;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Thrown when a lock could not be acquired within `timeoutMs`.
 *
 * @example
 * ```ts
 * import { LockTimeoutError, PsLock } from "@psbase/psbase";
 * const lock = new PsLock(await Deno.makeTempFile());
 * try {
 *   await lock.withLock(() => {}, { timeoutMs: 100 });
 * } catch (e) {
 *   if (e instanceof LockTimeoutError) console.log(e.path, e.timeoutMs);
 * }
 * ```
 */
export class LockTimeoutError extends Error {
  /** The lock file. */
  readonly path: string;
  /** How long the caller waited, in milliseconds. */
  readonly timeoutMs: number;
  /** Builds the error for lock file `path`. */
  constructor(path: string, timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms waiting for the lock on ${path}`);
    this.name = "LockTimeoutError";
    this.path = path;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Thrown when a file of a base is damaged or truncated (not a crash's torn
 * tail, which is recovered). Names the file; nothing is read from it as data.
 *
 * @example
 * ```ts
 * import { CorruptionError } from "@psbase/psbase";
 * const e = new CorruptionError("/data/people/data.3", "bad checksum in column 'name'");
 * console.log(e.file, e.message);
 * ```
 */
export class CorruptionError extends Error {
  /** The damaged file's path. */
  readonly file: string;
  /** Builds the error for `file`, with what is wrong with it. */
  constructor(file: string, detail: string) {
    super(`Damaged file ${file}: ${detail}`);
    this.name = "CorruptionError";
    this.file = file;
  }
}
