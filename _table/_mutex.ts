// Copyright 2026 the psbase authors. MIT license.
// A FIFO async mutex: serializes one object's concurrent async calls.

/** Runs callbacks one at a time, in call order. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier call has settled. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => {});
    return next;
  }
}
