// Copyright 2026 the psbase authors. MIT license.
// Shared by the tests: byte-for-byte snapshots of a base (temp folders: _harness/temp.ts).

import * as fs from "node:fs";
import { join } from "node:path";

/** Every file in `dir` (not recursive) with its bytes, for byte-identical checks. */
export function snapshotFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of fs.readdirSync(dir).sort()) {
    const bytes = fs.readFileSync(join(dir, name));
    out.set(name, bytes.toString("base64"));
  }
  return out;
}
