// Copyright 2026 the psbase authors. MIT license.
// The base a command works on: its folder, its storage opened for reading
// (read-only files, no lock: FORMAT.md, R4), and whether a process holds its
// write lock now, found without creating the lock file.

import { BaseNotFoundError } from "../_errors.ts";
import { UsageError } from "./_args.ts";
import { defaultFs } from "../_file/_fs_default.ts";
import { type Fs, isDenied, isNotFolder } from "../_file/_fs.ts";
import { MANIFEST } from "../_file/_manifest.ts";
import { FileStore } from "../_file/_store.ts";
import { openLockFile } from "../_lock/_open.ts";
import { path } from "../_path.ts";

/** A base's folder (absolute) and its lock file (beside it: FORMAT.md, L1). */
export interface Place {
  dir: string;
  lockPath: string;
  fs: Fs;
}

/** Where the base given on the command line is (a folder: `pg:<table>` works with `copy` only). */
export async function place(base: string): Promise<Place> {
  if (base.startsWith("pg:")) {
    throw new UsageError(
      `Cannot use ${base} here: a PostgreSQL table works with copy only ` +
        `(psbase ${base} copy <folder>, then the command on the folder)`,
    );
  }
  const dir = path.resolve(base);
  return { dir, lockPath: dir + ".lock", fs: await defaultFs() };
}

/**
 * Throws a UsageError unless the folders `dir` (the base) and `dest` (both
 * absolute) are apart: neither is the other or inside it, so that writing
 * `dest` adds nothing to the base's folder and `--override` removes nothing
 * of the base.
 */
export function checkApart(command: string, dir: string, dest: string): void {
  const why = dest === dir
    ? `${dest} is the base itself`
    : path.within(dest, dir)
    ? `${dest} is inside the base's folder ${dir}`
    : path.within(dir, dest)
    ? `the base ${dir} is inside ${dest}`
    : undefined;
  if (why) throw new UsageError(`Cannot run psbase ${command}: ${why}`);
}

/** Whether a base (its manifest) is in `p.dir`. */
export function exists(p: Place): boolean {
  try {
    if (p.fs.exists(path.join(p.dir, MANIFEST))) return true;
    // Node's existsSync says false where the path runs through a file: list the nearest
    // folder that exists, which fails if it is a file.
    let d = p.dir;
    while (!p.fs.exists(d) && path.dirname(d) !== d) d = path.dirname(d);
    p.fs.readdir(d);
  } catch (e) {
    // A folder this process may not read: no base it can use, not a bad argument.
    if (isDenied(e)) return false;
    if (!isNotFolder(e)) throw e;
    throw new UsageError(`Cannot use ${p.dir}: it (or a folder above it) is a file, not a folder`);
  }
  return false;
}

/** Opens the base's storage for reading: every file read-only, no lock (R4). */
export function openStore(p: Place): FileStore {
  if (!exists(p)) throw new BaseNotFoundError(p.dir);
  return FileStore.open(p.dir, { fs: p.fs, sync: true, checkpointBytes: 64 * 1024 });
}

/**
 * Whether a process holds the write lock of the base now: a shared lock on
 * the lock file, tried without waiting, fails. The lock file is opened
 * read-only and never created: when there is none, no one holds it.
 */
export async function writeLockHeld(p: Place): Promise<boolean> {
  if (!p.fs.exists(p.lockPath)) return false;
  const file = await openLockFile(p.lockPath, true);
  try {
    return !file.tryLock(false);
  } finally {
    file.close();
  }
}
