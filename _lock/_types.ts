// Copyright 2026 the psbase authors. MIT license.
// Internal: the kernel side of a PsLock acquisition, implemented once per runtime
// (_lock_deno.ts, _lock_node.ts). See lock.ts and FORMAT.md, invariant L1..L4.

/**
 * An open lock file on which a flock(2)-style lock can be taken. One instance
 * is one open file description: it is opened at acquire and closed at release.
 *
 * @example
 * ```ts ignore
 * const file: LockFile = openDenoLockFile("/tmp/x.lock");
 * if (!file.tryLock(true)) await file.lock(true);
 * file.close(); // drops the lock
 * ```
 */
export interface LockFile {
  /** Takes the lock if it is free, without waiting; `true` when taken. */
  tryLock(exclusive: boolean): boolean;
  /** Waits, without blocking the event loop, until the lock is taken. */
  lock(exclusive: boolean): Promise<void>;
  /** Drops the lock (if taken) and closes the file. Idempotent. */
  close(): void;
}
