// Copyright 2026 the psbase authors. MIT license.
// Opening a lock file the runtime's way: Deno's own API in Deno; in Node,
// node:fs and koffi's flock, loaded only there (_lock/_node.ts).

import { openDenoLockFile } from "./_deno.ts";
import type { LockFile } from "./_types.ts";

const inDeno = typeof (globalThis as { Deno?: { openSync?: unknown } }).Deno?.openSync ===
  "function";

/**
 * Opens (creating it) the lock file at `path`; with `probe`, read-only and
 * never created (it must exist).
 *
 * @example
 * ```ts ignore
 * const file = await openLockFile("/tmp/x.lock");
 * file.close();
 * ```
 */
export function openLockFile(path: string, probe = false): LockFile | Promise<LockFile> {
  return inDeno
    ? openDenoLockFile(path, probe)
    : import("./_node.ts").then((m) => m.openNodeLockFile(path, probe));
}
