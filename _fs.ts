// Copyright 2026 the psbase authors. MIT license.
// The runtime's file operations: Deno's own API in Deno (node:fs costs a
// short-lived Deno process milliseconds to load), node:fs in Node.

import { denoFs } from "./_fs_deno.ts";
import type { Fs } from "./_fs_types.ts";

export type { Fs, Handle } from "./_fs_types.ts";
export { isNotFound } from "./_fs_types.ts";

/** The file operations of this runtime. */
export const fsys: Fs = "Deno" in globalThis ? denoFs : (await import("./_fs_node.ts")).nodeFs;

/** Writes `bytes` as the whole file at `path` (created or truncated) and fsyncs it. */
export function writeSynced(path: string, bytes: Uint8Array): void {
  const h = fsys.open(path, "w");
  try {
    h.write(bytes);
    h.sync();
  } finally {
    h.close();
  }
}
