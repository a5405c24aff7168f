// Copyright 2026 the psbase authors. MIT license.
// The file layer: the file operations the file store needs, implemented once
// per runtime (_fs_deno.ts, _fs_node.ts) and injected per base, so a Deno
// process never loads node:fs and tests can inject a layer that simulates
// power loss (tests/_crash_fs.ts).

import { path } from "../_path.ts";

/** An open file. */
export interface Handle {
  /** Reads up to `buf.length` bytes at `pos`; returns how many were read. */
  read(buf: Uint8Array, pos: number): number;
  /** Writes all of `buf` (at the end, for files opened to append). */
  write(buf: Uint8Array): void;
  size(): number;
  /** fsync. */
  sync(): void;
  /** fdatasync. */
  datasync(): void;
  truncate(len: number): void;
  close(): void;
}

/** File system calls, synchronous (they are short; fsync dominates). */
export interface Fs {
  /**
   * "r" read only; "a" read and append (the file must exist: nothing is
   * created); "w" write (created or truncated).
   */
  open(path: string, mode: "r" | "a" | "w"): Handle;
  /** The whole file. */
  readFile(path: string): Uint8Array;
  /**
   * A signature of the file's identity and last change (inode, size, change
   * times), or null where the platform cannot give one: when it is the same,
   * the file was not replaced or rewritten.
   */
  signature(path: string): string | null;
  rename(from: string, to: string): void;
  readdir(dir: string): string[];
  /** Removes a file; no error if missing. */
  remove(path: string): void;
  /** Removes an empty folder; throws if not empty. */
  rmdir(path: string): void;
  mkdirp(dir: string): void;
  exists(path: string): boolean;
  /** fsyncs a folder where the platform allows it. */
  syncDir(dir: string): void;
}

/** True for "no such file" errors of either runtime. */
export function isNotFound(e: unknown): boolean {
  return (e as { code?: string })?.code === "ENOENT" || (e as Error)?.name === "NotFound";
}

/** True for "not a directory" errors of either runtime (a path that runs through a file). */
export function isNotFolder(e: unknown): boolean {
  return (e as { code?: string })?.code === "ENOTDIR" || (e as Error)?.name === "NotADirectory";
}

/** True for "not allowed" errors of either runtime (the OS's, or Deno's permissions). */
export function isDenied(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  const name = (e as Error)?.name;
  return code === "EACCES" || code === "EPERM" || name === "PermissionDenied" ||
    name === "NotCapable";
}

/**
 * `dir` and each folder above it that does not exist yet, deepest first. A
 * folder this process may not look at (Deno's permissions) ends the walk, as
 * an existing one does.
 */
export function missingFolders(fs: Fs, dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; path.dirname(d) !== d; d = path.dirname(d)) {
    try {
      if (fs.exists(d)) break;
    } catch (e) {
      if (isDenied(e)) break;
      throw e;
    }
    out.push(d);
  }
  return out;
}

/**
 * fsyncs the folder holding each of `made` (folders just made), so that
 * their names are durable (FORMAT.md, W6). A parent this process may not
 * open (Deno's permissions, a folder without read access) is skipped, as
 * SQLite skips a folder it cannot open to sync.
 */
export function syncParents(fs: Fs, made: readonly string[]): void {
  for (const d of made) {
    try {
      fs.syncDir(path.dirname(d));
    } catch (e) {
      if (!isDenied(e)) throw e;
    }
  }
}

/** Writes `bytes` as the whole file at `path` (created or truncated) and fsyncs it. */
export function writeSynced(fs: Fs, path: string, bytes: Uint8Array): void {
  const h = fs.open(path, "w");
  try {
    h.write(bytes);
    h.sync();
  } finally {
    h.close();
  }
}
