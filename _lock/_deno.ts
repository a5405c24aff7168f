// Copyright 2026 the psbase authors. MIT license.
// Internal: the lock file in Deno, on `Deno.FsFile` locks (flock(2) on Linux and
// macOS). See lock.ts and FORMAT.md, invariant L1..L4.

import type { LockFile } from "./_types.ts";

/**
 * Opens (creating it with mode 0o644 if missing, never unlinking it) the lock
 * file at `path` with Deno's own file API. With `probe`, opens an existing
 * lock file read-only, creating nothing: enough to test whether a lock is
 * held (`psbase info`), on a base the caller may only read.
 *
 * @example
 * ```ts ignore
 * const file = openDenoLockFile("/tmp/x.lock");
 * if (!file.tryLock(true)) await file.lock(true);
 * file.close();
 * ```
 */
export function openDenoLockFile(path: string, probe = false): LockFile {
  return new DenoLockFile(path, probe);
}

class DenoLockFile implements LockFile {
  #file: Deno.FsFile;
  #locked = false;
  #closed = false;

  constructor(path: string, probe: boolean) {
    this.#file = Deno.openSync(
      path,
      probe ? { read: true } : { read: true, write: true, create: true, mode: 0o644 },
    );
  }

  tryLock(exclusive: boolean): boolean {
    const taken = this.#file.tryLockSync(exclusive);
    if (taken) this.#locked = true;
    return taken;
  }

  async lock(exclusive: boolean): Promise<void> {
    // Waits on a blocking-pool thread; returns as soon as the kernel grants it.
    await this.#file.lock(exclusive);
    this.#locked = true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // Unlock explicitly: closing only drops the lock when no duplicate of
      // the descriptor survives (e.g. one inherited by a child process).
      if (this.#locked) this.#file.unlockSync();
    } finally {
      this.#file.close();
    }
  }
}
