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

import { path as paths } from "./_path.ts";
import { type AccessMode, kAccess, kOptionNames } from "./_table/_access.ts";
import { Base, type BaseOptions } from "./base.ts";
import { PsLock } from "./lock.ts";
import { defaultFs } from "./_file/_fs_default.ts";

async function mkdirp(dir: string): Promise<void> {
  (await defaultFs()).mkdirp(dir);
}

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
  /** How long a call waits for the lock before `LockTimeoutError`. Default: forever. */
  timeoutMs?: number;
  /** The lock file. Default: `<path>.lock`, beside the base's folder (L1). */
  lockPath?: string;
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
 *   await tx.update(job, { runs: (job.runs as number) + 1 });
 * });
 * ```
 */
export class PsBase extends Base {
  #lock: PsLock;
  #timeoutMs: number | undefined;
  #dirReady = false;

  /** A shared base in the folder `path`; its lock file is `<path>.lock` unless `options.lockPath`. */
  constructor(path: string, options: PsBaseOptions = {}) {
    super(path, options);
    const t = options.timeoutMs;
    if (t !== undefined && (typeof t !== "number" || !(t >= 0))) {
      throw new RangeError(`timeoutMs must be a number >= 0, got ${String(t)}`);
    }
    this.#timeoutMs = t;
    this.#lock = new PsLock(options.lockPath ?? this.path + ".lock");
  }

  /** The lock file's path. */
  get lockPath(): string {
    return this.#lock.path;
  }

  /** @ignore The option names the constructor accepts. */
  static override get [kOptionNames](): string[] {
    return [...super[kOptionNames], "timeoutMs", "lockPath"];
  }

  /** @ignore Runs `body` under the lock (writes), after picking up others' commits. */
  override async [kAccess]<T>(
    mode: AccessMode,
    body: () => T | Promise<T>,
    refresh: () => void,
  ): Promise<T> {
    if (mode === "read") {
      // Reads need no lock: they see every commit already acknowledged, from
      // files that never change once written (FORMAT.md, L3 and R4).
      refresh();
      return await body();
    }
    // The lock file's folder: made once, by the first write (create makes the base's folder).
    if (!this.#dirReady) await mkdirp(paths.dirname(this.#lock.path));
    this.#dirReady = true;
    const held = await this.#lock.acquire({
      exclusive: mode === "write",
      timeoutMs: this.#timeoutMs,
    });
    try {
      refresh();
      return await body();
    } finally {
      held.release();
    }
  }
}
