// Copyright 2026 the psbase authors. MIT license.
/**
 * `PsBase`: `Base` made safe across processes. Every write runs under the
 * exclusive cross-process lock of `PsLock` (FORMAT.md, L3); every call first
 * picks up what other processes committed (R3), so no call acts on stale ids,
 * counts, free space or schema. Reads need no lock: they read a consistent
 * snapshot of files that never change once written (R4).
 *
 * @module
 */

import { LockTimeoutError } from "./_errors.ts";
import { defaultFs } from "./_file/_fs_default.ts";
import { fileKind } from "./_file/_kind.ts";
import { path as paths } from "./_path.ts";
import { show } from "./_show.ts";
import { type Access, registerKind } from "./_table/_kind.ts";
import type { Schema } from "./_types.ts";
import { Base, type BaseOptions, type CreateOptions } from "./base.ts";
import { PsLock } from "./lock.ts";
import { lockError } from "./_lock/_error.ts";

/**
 * Options of a `PsBase`.
 *
 * @example
 * ```ts
 * import type { PsBaseOptions } from "@psbase/psbase";
 * const options: PsBaseOptions = { timeoutMs: 5000 };
 * ```
 */
export interface PsBaseOptions extends BaseOptions {
  /**
   * How long a write waits, behind other calls in this process and for the
   * lock, before `LockTimeoutError`. Default: forever.
   */
  timeoutMs?: number;
  /** The lock file. Default: `<path>.lock`, beside the base's folder (FORMAT.md, L1). */
  lockPath?: string;
}

function lockPathOf(path: string, options: { lockPath?: unknown }): string {
  return paths.resolve((options.lockPath as string | undefined) ?? path + ".lock");
}

/** The write lock of a `PsBase`: the exclusive flock on its lock file (FORMAT.md, L1-L4). */
class LockAccess implements Access {
  readonly timeoutMs: number | undefined;
  #lock: PsLock;
  #dirReady = false;

  constructor(lockPath: string, timeoutMs: number | undefined) {
    this.#lock = new PsLock(lockPath);
    this.timeoutMs = timeoutMs;
  }

  timeout(): Error {
    return new LockTimeoutError(this.#lock.path, this.timeoutMs!);
  }

  async write<T>(body: () => Promise<T>, deadline: number | undefined): Promise<T> {
    // The lock file's folder: made once, by the first write (never by a reader: R4).
    if (!this.#dirReady) {
      const dir = paths.dirname(this.#lock.path);
      try {
        (await defaultFs()).mkdirp(dir);
      } catch (e) {
        throw lockError(this.#lock.path, e);
      }
    }
    this.#dirReady = true;
    const left = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
    let held;
    try {
      held = await this.#lock.acquire({ exclusive: true, timeoutMs: left });
    } catch (e) {
      if (e instanceof LockTimeoutError) throw this.timeout();
      throw e;
    }
    try {
      return await body();
    } finally {
      held.release();
    }
  }

  async busy(): Promise<boolean> {
    try {
      (await this.#lock.acquire({ exclusive: false, timeoutMs: 0 })).release();
      return false;
    } catch (e) {
      if (e instanceof LockTimeoutError) return true;
      throw e;
    }
  }
}

/**
 * A `Base` shared by many processes: every write runs under a cross-process
 * file lock, every call sees what other processes committed before it, and
 * reads see a consistent snapshot without waiting for writers. Use
 * `transaction()` for read-modify-write.
 *
 * @example
 * ```ts
 * import { PsBase } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * await using db = await new PsBase(dir + "/jobs", { timeoutMs: 10_000 })
 *   .create({ name: "string", runs: { type: "int", default: 0 } }, { mode: "open" });
 * await db.insert({ name: "nightly" });
 * // Safe against other processes doing the same at the same time:
 * await db.transaction(async (tx) => {
 *   const [job] = await tx.find({ name: "nightly" });
 *   await tx.update(job, { runs: job.runs! + 1 });
 * });
 * ```
 */
export class PsBase<S extends Schema = Schema> extends Base<S> {
  #lockPath: string;

  /**
   * A shared base in the folder `path`; its lock file is `<path>.lock` unless
   * `options.lockPath`.
   *
   * @example
   * ```ts
   * import { PsBase } from "@psbase/psbase";
   * const db = new PsBase("./data/jobs", { timeoutMs: 5000 });
   * console.log(db.lockPath.endsWith("jobs.lock")); // true
   * ```
   */
  constructor(path: string, options: PsBaseOptions = {}) {
    super(path, options);
    this.#lockPath = lockPathOf(this.path, options);
    if (paths.within(this.#lockPath, this.path)) {
      throw new RangeError(
        `Cannot make a PsBase: lockPath ${this.#lockPath} is inside the base's folder ${this.path} ` +
          "(the folder holds the base's own files; the lock file outlives them, FORMAT.md L1)",
      );
    }
  }

  /** The lock file's path. */
  get lockPath(): string {
    return this.#lockPath;
  }

  /**
   * Like `Base.create`, typed for `PsBase`.
   *
   * @example
   * ```ts
   * import { PsBase } from "@psbase/psbase";
   * const dir = await Deno.makeTempDir();
   * await using db = await new PsBase(dir + "/b").create({ n: "int" }, { mode: "open" });
   * ```
   */
  override create<const S2 extends Schema>(
    schema: S2,
    options?: CreateOptions,
  ): Promise<PsBase<S2>> {
    // Every argument, as given: Base.create checks how many there are.
    void schema, options;
    return Base.prototype.create.apply(this, arguments as never) as unknown as Promise<
      PsBase<S2>
    >;
  }
}

registerKind(PsBase, {
  ...fileKind,
  options: [...fileKind.options, "timeoutMs", "lockPath"],
  check(o) {
    const t = o.timeoutMs;
    if (t !== undefined && (typeof t !== "number" || !(t >= 0))) {
      throw new RangeError(`Cannot make a PsBase: timeoutMs must be a number >= 0, got ${show(t)}`);
    }
    if (o.lockPath !== undefined && (typeof o.lockPath !== "string" || o.lockPath === "")) {
      throw new TypeError(
        `Cannot make a PsBase: lockPath must be a non-empty string, got ${show(o.lockPath)}`,
      );
    }
  },
  access: (path, o) =>
    new LockAccess(
      lockPathOf(path, o),
      o.timeoutMs === Infinity ? undefined : o.timeoutMs as number | undefined,
    ),
});
