// Copyright 2026 the psbase authors. MIT license.
// Cross-process lock on a lock file. The rules it keeps are FORMAT.md, L1-L4.

/**
 * A cross-process lock on a lock file: `Deno.FsFile` locks in Deno, libc's
 * flock(2) through koffi in Node, so Deno and Node processes exclude each other.
 *
 * @example
 * ```ts
 * import { PsLock } from "@psbase/psbase";
 * const lock = new PsLock(await Deno.makeTempFile());
 * await lock.withLock(() => console.log("only one process at a time"));
 * ```
 *
 * @module
 */

import { path as paths } from "./_path.ts";
import { LockTimeoutError } from "./_errors.ts";
import { checkArity, checkOptions } from "./_options.ts";
import { show } from "./_show.ts";
import { openLockFile } from "./_lock/_open.ts";
import { type PathQueue, queueFor } from "./_lock/_queue.ts";
import type { LockFile } from "./_lock/_types.ts";
import { lockError } from "./_lock/_error.ts";

/**
 * Options of {@linkcode PsLock.prototype.acquire} and
 * {@linkcode PsLock.prototype.withLock}.
 *
 * @example
 * ```ts
 * import { type LockOptions, PsLock } from "@psbase/psbase";
 * const read: LockOptions = { exclusive: false, timeoutMs: 500 };
 * const lock = new PsLock(await Deno.makeTempFile());
 * await lock.withLock(() => {}, read);
 * ```
 */
export interface LockOptions {
  /**
   * `true` (the default) for an exclusive lock, as writers need; `false` for a
   * shared one, which other shared holders in other processes may hold too.
   */
  exclusive?: boolean;
  /**
   * How long to wait at most, in milliseconds, counting the wait behind other
   * callers in this process. Past it, {@linkcode LockTimeoutError} is thrown.
   * Omitted (or `Infinity`): wait as long as it takes. `0`: do not wait.
   */
  timeoutMs?: number;
}

/**
 * One held acquisition of a {@linkcode PsLock}. Release it with `release()`,
 * or let `using` / `await using` do it.
 *
 * @example
 * ```ts
 * import { PsLock } from "@psbase/psbase";
 * const lock = new PsLock(await Deno.makeTempFile());
 * {
 *   await using held = await lock.acquire();
 *   console.log(held.exclusive); // true
 * } // released here
 * ```
 */
export interface LockHandle extends AsyncDisposable, Disposable {
  /** Whether this acquisition is exclusive (`false`: shared). */
  readonly exclusive: boolean;
  /** Whether `release()` was called. */
  readonly released: boolean;
  /** Releases the lock. Idempotent. */
  release(): void;
}

function checkLockOptions(options: LockOptions | undefined): [boolean, number | undefined] {
  if (options === undefined) return [true, undefined];
  checkOptions("take the lock", options, ["exclusive", "timeoutMs"]);
  const { exclusive = true, timeoutMs } = options;
  if (typeof exclusive !== "boolean") {
    throw new TypeError(
      `Cannot take the lock: exclusive must be a boolean, got ${show(exclusive)}`,
    );
  }
  if (timeoutMs === undefined) return [exclusive, undefined];
  if (typeof timeoutMs !== "number") {
    throw new TypeError(`Cannot take the lock: timeoutMs must be a number, got ${show(timeoutMs)}`);
  }
  if (Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(
      `Cannot take the lock: timeoutMs must be a number >= 0, got ${show(timeoutMs)}`,
    );
  }
  return [exclusive, timeoutMs === Infinity ? undefined : timeoutMs];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `tryLock` with short sleeps (1 ms, backing off to 10 ms) until `deadline`. */
async function pollLock(file: LockFile, exclusive: boolean, deadline: number): Promise<boolean> {
  let delay = 1;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(delay, left));
    if (file.tryLock(exclusive)) return true;
    delay = Math.min(delay * 2, 10);
  }
}

class Held implements LockHandle {
  readonly exclusive: boolean;
  #file: LockFile;
  #queue: PathQueue;
  #onRelease: (held: Held) => void;
  #released = false;

  constructor(
    exclusive: boolean,
    file: LockFile,
    queue: PathQueue,
    onRelease: (held: Held) => void,
  ) {
    this.exclusive = exclusive;
    this.#file = file;
    this.#queue = queue;
    this.#onRelease = onRelease;
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      this.#file.close(); // drops the kernel lock first...
    } finally {
      this.#onRelease(this);
      this.#queue.release(); // ...then lets the next caller in this process in
    }
  }

  [Symbol.dispose](): void {
    this.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}

/**
 * A cross-process lock on the lock file at `path`: exclusive for writers,
 * shared for readers. Built on `Deno.FsFile` locks in Deno and on the same
 * kernel lock (flock(2), through koffi) in Node, so Deno and Node processes
 * exclude each other. A process that dies releases its lock at once.
 *
 * The lock file is created if missing and never deleted. Callers in one
 * process, through this or any other `PsLock` on the same path, first queue in
 * order inside the process, so the process never locks itself out. The lock is
 * not reentrant: acquiring it again while holding it waits forever (or until
 * `timeoutMs`). In Deno it needs read and write permission for the lock file;
 * in Node it needs the `koffi` package, and throws a clear error (never runs
 * unlocked) on platforms other than Linux and macOS.
 *
 * @example
 * ```ts
 * import { PsLock } from "@psbase/psbase";
 * const lock = new PsLock(await Deno.makeTempFile());
 *
 * // Scoped: released at the end of the block, even on throw.
 * {
 *   await using _held = await lock.acquire({ timeoutMs: 1000 });
 *   // ...read-modify-write shared files...
 * }
 *
 * // Or around a function.
 * const n = await lock.withLock(() => 42, { exclusive: false });
 * console.log(n); // 42
 * ```
 */
export class PsLock {
  #path: string;
  #current: Held | undefined;

  /**
   * Makes a lock on the lock file at `path` (resolved against the current
   * directory now). Nothing is opened until {@linkcode PsLock.prototype.acquire}.
   *
   * @example
   * ```ts
   * import { PsLock } from "@psbase/psbase";
   * const lock = new PsLock("./data/.lock");
   * console.log(lock.path); // absolute
   * ```
   *
   * @throws {TypeError} when `path` is not a non-empty string.
   */
  constructor(path: string) {
    if (typeof path !== "string" || path === "") {
      throw new TypeError(
        `Cannot make a PsLock: the path must be a non-empty string, got ${show(path)}`,
      );
    }
    this.#path = paths.resolve(path);
  }

  /**
   * The absolute path of the lock file.
   *
   * @example
   * ```ts
   * import { PsLock } from "@psbase/psbase";
   * console.log(new PsLock("/tmp/psbase.lock").path); // "/tmp/psbase.lock"
   * ```
   */
  get path(): string {
    return this.#path;
  }

  /**
   * Whether an acquisition made through this `PsLock` is currently held.
   *
   * @example
   * ```ts
   * import { PsLock } from "@psbase/psbase";
   * const lock = new PsLock(await Deno.makeTempFile());
   * const held = await lock.acquire();
   * console.log(lock.held); // true
   * held.release();
   * console.log(lock.held); // false
   * ```
   */
  get held(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Waits until the lock is held and resolves to its handle. Waits first
   * behind the other callers on this path in this process, then for the kernel
   * lock: without `timeoutMs` the wait wakes as soon as the lock is released,
   * and never blocks the event loop.
   *
   * @example
   * ```ts
   * import { LockTimeoutError, PsLock } from "@psbase/psbase";
   * const lock = new PsLock(await Deno.makeTempFile());
   * try {
   *   await using _held = await lock.acquire({ exclusive: true, timeoutMs: 200 });
   *   // ...critical section...
   * } catch (e) {
   *   if (!(e instanceof LockTimeoutError)) throw e;
   *   console.log("busy:", e.path);
   * }
   * ```
   *
   * @throws {LockTimeoutError} when the lock was not held within `timeoutMs`.
   * @throws {RangeError} when `timeoutMs` is negative or NaN.
   * @throws {TypeError} when an option has the wrong type.
   */
  async acquire(options?: LockOptions): Promise<LockHandle> {
    checkArity("acquire", arguments.length, ["options"]);
    const [exclusive, timeoutMs] = checkLockOptions(options);
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const queue = queueFor(this.#path);
    if (!(await queue.acquire(timeoutMs))) {
      throw new LockTimeoutError(this.#path, timeoutMs!);
    }
    let file: LockFile | undefined;
    try {
      file = await openLockFile(this.#path);
      if (!file.tryLock(exclusive)) {
        if (deadline === undefined) {
          await file.lock(exclusive);
        } else if (!(await pollLock(file, exclusive, deadline))) {
          throw new LockTimeoutError(this.#path, timeoutMs!);
        }
      }
    } catch (e) {
      try {
        file?.close();
      } finally {
        queue.release();
      }
      throw lockError(this.#path, e);
    }
    const held = new Held(exclusive, file, queue, (h) => {
      if (this.#current === h) this.#current = undefined;
    });
    this.#current = held;
    return held;
  }

  /**
   * Releases the acquisition currently held through this `PsLock`, if any.
   * Idempotent.
   *
   * @example
   * ```ts
   * import { PsLock } from "@psbase/psbase";
   * const lock = new PsLock(await Deno.makeTempFile());
   * await lock.acquire();
   * lock.release();
   * lock.release(); // no-op
   * ```
   */
  release(): void {
    this.#current?.release();
  }

  /**
   * Runs `fn` with the lock held and releases it afterwards, whether `fn`
   * returns or throws.
   *
   * @example
   * ```ts
   * import { PsLock } from "@psbase/psbase";
   * const lock = new PsLock(await Deno.makeTempFile());
   * const total = await lock.withLock(async () => {
   *   // read-modify-write under the lock
   *   return 1 + 1;
   * }, { timeoutMs: 1000 });
   * console.log(total); // 2
   * ```
   *
   * @throws {LockTimeoutError} when the lock was not held within `timeoutMs`.
   */
  async withLock<T>(fn: () => T | Promise<T>, options?: LockOptions): Promise<T> {
    const held = await this.acquire(options);
    try {
      return await fn();
    } finally {
      held.release();
    }
  }
}
