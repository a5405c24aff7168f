// Copyright 2026 the psbase authors. MIT license.
// Internal: the in-process FIFO queue that every PsLock on a path goes through
// before it touches the kernel lock (FORMAT.md, L2).

import { Mutex } from "../_mutex.ts";

/**
 * A first-in first-out async mutex per lock file, exclusive whatever the lock
 * mode: only its holder opens the lock file, so a process never locks itself
 * out (flock is per open file description) and never has more than one
 * thread waiting in the kernel for one path.
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
  #mutex = new Mutex();

  constructor(key: string) {
    this.#key = key;
  }

  /** Resolves `true` once this caller holds the queue, `false` after `timeoutMs`. */
  acquire(timeoutMs?: number): Promise<boolean> {
    return this.#mutex.acquire(timeoutMs);
  }

  /** Hands the queue to the next waiter, or frees it (and forgets it). */
  release(): void {
    if (this.#mutex.release() && queues.get(this.#key) === this) queues.delete(this.#key);
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
