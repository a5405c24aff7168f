// Copyright 2026 the psbase authors. MIT license.
// The file operations the engine needs, implemented once per runtime
// (_fs_deno.ts, _fs_node.ts), so a Deno process never loads node:fs.

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
  /** "r" read; "a+" read and append (created if missing); "w" write (created, truncated). */
  open(path: string, mode: "r" | "a+" | "w"): Handle;
  readText(path: string): string;
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
  cwd(): string;
}

/** True for "no such file" errors of either runtime. */
export function isNotFound(e: unknown): boolean {
  return (e as { code?: string })?.code === "ENOENT" || (e as Error)?.name === "NotFound";
}
