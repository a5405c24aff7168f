// Copyright 2026 the psbase authors. MIT license.
// Shared by the tests: byte-for-byte snapshots of a base (temp folders: _harness/temp.ts), and
// bases made with the ids and versions a test needs.

import * as fs from "node:fs";
import { join } from "node:path";
import type { Row } from "../_field/_codec.ts";
import { denoFs } from "../_file/_fs_deno.ts";
import { FileStore } from "../_file/_store.ts";

/**
 * Makes a base at `path` with one string field `s` holding `rows` (`[__id__,
 * __version__, s]`, ids ascending), as an import of a dump does
 * (FileStore.restore): any ids, gaps and versions.
 */
export function restoredBase(path: string, rows: Row[]): void {
  const fields = [{ name: "s", type: "string", default: null }];
  const store = FileStore.create(path, fields, [], {
    fs: denoFs,
    sync: true,
    checkpointBytes: 16384,
  });
  try {
    store.restore(rows);
  } finally {
    store.close();
  }
}

/** Every file in `dir` (not recursive) with its bytes, for byte-identical checks. */
export function snapshotFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of fs.readdirSync(dir).sort()) {
    const bytes = fs.readFileSync(join(dir, name));
    out.set(name, bytes.toString("base64"));
  }
  return out;
}
