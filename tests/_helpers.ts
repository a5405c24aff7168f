// Copyright 2026 the psbase authors. MIT license.
// Shared by the tests: temp folders and byte-for-byte snapshots of a base.

import * as fs from "node:fs";
import { join } from "node:path";

/** Runs `fn` with a fresh temp folder, removed afterwards whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "psbase_test_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
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
