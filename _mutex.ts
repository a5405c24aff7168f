// Copyright 2026 the psbase authors. MIT license.
// A first-in first-out async mutex whose waits can time out: one base's
// writes in a process, and the in-process queue of a lock file (FORMAT.md, L2).

interface Waiter {
  grant(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Grants callers one at a time, in call order. */
export class Mutex {
  #held = false;
  #waiters: Waiter[] = [];

  /** Whether someone holds it. */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Resolves `true` once this caller holds the mutex, or `false` when
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

  /** Hands the mutex to the next waiter, or frees it. Returns whether it is now free. */
  release(): boolean {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      if (next.timer !== undefined) clearTimeout(next.timer);
      next.grant();
      return false;
    }
    this.#held = false;
    return true;
  }
}
