// Copyright 2026 the psbase authors. MIT license.
// The domain errors callers catch, re-exported by mod.ts. Bad input is a
// built-in TypeError or RangeError instead. Every message reads
// "Cannot <do what>: <why>".

/**
 * Thrown by `update()` when a record's `__version__` is not the stored one:
 * another call (or another process) changed or deleted it since it was read,
 * or no record ever had its id. Nothing is written when it is thrown.
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
  /** The stored `__version__`, or `null` when the record was deleted or never existed. */
  readonly actual: number | null;
  /**
   * Builds the error for record `id`; `existed` is false when no record ever
   * had that id.
   */
  constructor(id: number, expected: number, actual: number | null, existed = true) {
    super(
      actual !== null
        ? `Cannot update record ${id}: it changed since it was read (held __version__ ${expected}, stored ${actual})`
        : existed
        ? `Cannot update record ${id}: it was deleted since it was read (held __version__ ${expected})`
        : `Cannot update record ${id}: no record has this id`,
    );
    this.name = "ConflictError";
    this.id = id;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Thrown when a lock could not be taken within `timeoutMs` (the wait behind
 * other callers in the same process counts too).
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
    super(`Cannot take the lock on ${path}: timed out after ${timeoutMs} ms`);
    this.name = "LockTimeoutError";
    this.path = path;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Thrown when a file of a base is damaged or not a file this version reads
 * (not a crash's torn tail, which is recovered). Names the file; nothing is
 * read from it as data.
 *
 * @example
 * ```ts
 * import { CorruptionError } from "@psbase/psbase";
 * const e = new CorruptionError("/data/people/data.3", "bad checksum in column name");
 * console.log(e.file, e.detail, e.message);
 * ```
 */
export class CorruptionError extends Error {
  /** The damaged file's path. */
  readonly file: string;
  /** What is wrong with it. */
  readonly detail: string;
  /** Builds the error for `file`, with what is wrong with it. */
  constructor(file: string, detail: string) {
    super(`Cannot read ${file}: the file is damaged: ${detail}`);
    this.name = "CorruptionError";
    this.file = file;
    this.detail = detail;
  }
}

/**
 * Thrown by `open()` (and by other calls) when there is no base at the path.
 *
 * @example
 * ```ts
 * import { Base, BaseNotFoundError } from "@psbase/psbase";
 * try {
 *   await new Base("/no/such/base").open();
 * } catch (e) {
 *   if (e instanceof BaseNotFoundError) console.log("no base at", e.path);
 * }
 * ```
 */
export class BaseNotFoundError extends Error {
  /** Where the base was looked for. */
  readonly path: string;
  /** Builds the error for `path`. */
  constructor(path: string) {
    super(`Cannot open ${path}: there is no base there; create it first`);
    this.name = "BaseNotFoundError";
    this.path = path;
  }
}

/**
 * Thrown by `create()` without a `mode` when a base already exists there, and
 * with `{ mode: "open" }` when the existing base's schema is not the one given
 * (`differences` says how).
 *
 * @example
 * ```ts
 * import { Base, BaseExistsError } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * await (await new Base(dir + "/b").create({ n: "int" })).close();
 * try {
 *   await new Base(dir + "/b").create({ n: "int" });
 * } catch (e) {
 *   if (e instanceof BaseExistsError) console.log("already there:", e.path);
 * }
 * ```
 */
export class BaseExistsError extends Error {
  /** The base's path. */
  readonly path: string;
  /**
   * With `{ mode: "open" }`: how the existing base's schema differs from the
   * one given, one sentence each. Empty when no mode was given.
   */
  readonly differences: readonly string[];
  /** Builds the error for `path`. */
  constructor(path: string, differences: readonly string[] = []) {
    super(
      differences.length
        ? `Cannot open the base at ${path} with this schema: ${differences.join("; ")} ` +
          `(open() uses the base's own schema; addField, dropField, setDefault and addIndex change it)`
        : `Cannot create a base at ${path}: one exists (use { mode: "open" } or { mode: "override" })`,
    );
    this.name = "BaseExistsError";
    this.path = path;
    this.differences = differences;
  }
}

/**
 * Thrown when another process destroyed the base, or (for a plain `Base`,
 * which takes no lock) changed it since this process read it: nothing was
 * written (FORMAT.md, W8). Share a base between processes with `PsBase`.
 *
 * @example
 * ```ts
 * import { BaseChangedError } from "@psbase/psbase";
 * const e = new BaseChangedError("/data/people", "destroyed");
 * console.log(e.path, e.how, e.message);
 * ```
 */
export class BaseChangedError extends Error {
  /** The base's path. */
  readonly path: string;
  /** `"changed"` (a write refused) or `"destroyed"`. */
  readonly how: "changed" | "destroyed";
  /** Builds the error for `path`. */
  constructor(path: string, how: "changed" | "destroyed") {
    super(
      how === "destroyed"
        ? `Cannot use the base at ${path}: another process destroyed it`
        : `Cannot write to the base at ${path}: another process changed it since this Base read it, ` +
          `so nothing was written (share a base between processes with PsBase)`,
    );
    this.name = "BaseChangedError";
    this.path = path;
    this.how = how;
  }
}

/**
 * Thrown at once by a write through a base while its own `transaction(fn)`
 * runs: inside `fn`, write through `tx` (FORMAT.md, R5). Reads through the
 * base work, and see the state before the transaction.
 *
 * @example
 * ```ts
 * import { Base, TransactionError } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * await using db = await new Base(dir + "/b").create({ n: "int" });
 * await db.transaction(async (tx) => {
 *   try {
 *     await db.insert({ n: 1 }); // wrong: the base, not tx
 *   } catch (e) {
 *     if (e instanceof TransactionError) await tx.insert({ n: 1 });
 *   }
 * });
 * ```
 */
export class TransactionError extends Error {
  /** Builds the error for a call `method` on the base at `path`. */
  constructor(path: string, method: string) {
    const elsewhere = "elsewhere, wait for it to end, or use another instance of the base";
    super(
      method === "transaction"
        ? `Cannot start a transaction on the base at ${path}: one runs on it, and transactions ` +
          `do not nest (inside transaction(fn), use tx; ${elsewhere})`
        : TX_METHODS.has(method)
        ? `Cannot ${method} through the base at ${path} while its transaction runs: inside ` +
          `transaction(fn), call tx.${method}(...); ${elsewhere}`
        : `Cannot ${method} the base at ${path} while its transaction runs: ${elsewhere}`,
    );
    this.name = "TransactionError";
  }
}

/** The writing methods a transaction's `tx` has too. */
const TX_METHODS = new Set(["insert", "insertMany", "update", "delete"]);

/**
 * An OS error's reason without the call and path the runtime appends (Deno
 * "...: open '<path>'", Node "..., open '<path>'"), for a message that names
 * the path itself.
 */
export function osReason(e: Error): string {
  return e.message.replace(/(: |, )[a-z_]+ '.*'( -> '.*')?$/s, "");
}

/**
 * Thrown by a storage's read when another process changed the schema between
 * the caller's refresh and the read (PgBase: the schema is read in a
 * separate statement, FORMAT.md R3): the caller refreshes and reads again,
 * so a query built on the old schema never answers. Internal: a base's reads
 * retry on it (base.ts). Not exported by mod.ts.
 */
export class SchemaMoved extends Error {
  /** @param name The base. */
  constructor(name: string) {
    super(`Cannot read ${name}: its schema changed during the read`);
    this.name = "SchemaMoved";
  }
}
