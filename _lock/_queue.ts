// Copyright 2026 the psbase authors. MIT license.
// Internal: the in-process FIFO queue that every PsLock on a path goes through
// before it touches the kernel lock (FORMAT.md, invariant L2).

interface Waiter {
  grant(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A first-in first-out async mutex. Exclusive whatever the lock mode: only its
 * holder opens the lock file, so a process never locks itself out (flock is per
 * open file description) and never has more than one thread waiting in the
 * kernel for one path.
 *
 * @example
 * ```ts ignore
 * const q = queueFor("/tmp/x.lock");
 * if (await q.acquire(100)) {
 *   try { } finally { q.release(); }
 * }
 * ```
 */
export class PathQueue {
  #key: string;
  #held = false;
  #waiters: Waiter[] = [];

  constructor(key: string) {
    this.#key = key;
  }

  /**
   * Resolves `true` once this caller holds the queue, or `false` when
   * `timeoutMs` passed first (the caller has then left the queue).
   */
  acquire(timeoutMs?: number): Promise<boolean> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(true);
    }
    if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { grant: () => resolve(true), timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.#waiters.indexOf(waiter);
          if (i === -1) return; // granted in the meantime
          this.#waiters.splice(i, 1);
          resolve(false);
        }, timeoutMs);
      }
      this.#waiters.push(waiter);
    });
  }

  /** Hands the queue to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      if (next.timer !== undefined) clearTimeout(next.timer);
      next.grant();
      return;
    }
    this.#held = false;
    if (queues.get(this.#key) === this) queues.delete(this.#key);
  }
}

// Shared through globalThis so that two copies of this module in one process
// (two versions of the package, or ESM and CJS builds) still queue together.
const QUEUES = Symbol.for("psbase.lock.queues.v1");
const registry = globalThis as unknown as { [QUEUES]?: Map<string, PathQueue> };
const queues: Map<string, PathQueue> = registry[QUEUES] ??= new Map();

/**
 * The queue for the lock file at absolute path `key`, created on first use and
 * dropped when idle.
 *
 * @example
 * ```ts ignore
 * const q = queueFor("/tmp/x.lock");
 * ```
 */
export function queueFor(key: string): PathQueue {
  let queue = queues.get(key);
  if (queue === undefined) {
    queue = new PathQueue(key);
    queues.set(key, queue);
  }
  return queue;
}
