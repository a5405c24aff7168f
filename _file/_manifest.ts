// Copyright 2026 the psbase authors. MIT license.
// The manifest `manifest.json`: the schema and the current generation
// (FORMAT.md, F2), switched atomically by rename (W3).

import { CorruptionError } from "../_errors.ts";
import type { Field } from "../_field/_codec.ts";
import { path } from "../_path.ts";
import { checkStoredSchema, jsonFields } from "../_storage/_schema.ts";
import { sum32 } from "./_checksum.ts";
import { type Fs, writeSynced } from "./_fs.ts";
import { INDEX_KINDS } from "./_index/_list.ts";

/** The format this code reads and writes (FORMAT.md, F0). */
export const FORMAT = "psbase/2";

/** An index as the manifest lists it (FORMAT.md, F2, F7). */
export interface IndexSpec {
  field: string;
  kind: string;
}

/** The manifest (FORMAT.md, F2). */
export interface Manifest {
  format: typeof FORMAT;
  gen: number;
  nextId: number;
  fields: Field[];
  indexes: IndexSpec[];
}

/** The manifest's file name, and its temp file's (FORMAT.md, F1). */
export const MANIFEST = "manifest.json";
const TMP = MANIFEST + ".tmp";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX_KINDS_LIST = Object.keys(INDEX_KINDS);
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The manifest's bytes: its JSON with `sum` last (FORMAT.md, F2). */
export function encodeManifest(m: Manifest): Uint8Array {
  const body = JSON.stringify({
    format: m.format,
    gen: m.gen,
    nextId: m.nextId,
    fields: jsonFields(m.fields),
    indexes: m.indexes,
  });
  const sum = sum32(encoder.encode(body));
  return encoder.encode(`${body.slice(0, -1)},"sum":${sum}}`);
}

/** Writes the manifest atomically: temp file, fsync, rename, fsync of the folder (W3). */
export function writeManifest(fs: Fs, dir: string, m: Manifest): void {
  const tmp = path.join(dir, TMP);
  writeSynced(fs, tmp, encodeManifest(m));
  fs.rename(tmp, path.join(dir, MANIFEST));
  fs.syncDir(dir);
}

/**
 * Parses and checks manifest bytes (F0, F2); throws a CorruptionError naming
 * `file` when they are damaged or not a manifest this code reads.
 */
export function decodeManifest(file: string, bytes: Uint8Array): Manifest {
  const bad = (detail: string) => new CorruptionError(file, detail);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw bad("not UTF-8");
  }
  const at = text.lastIndexOf(',"sum":');
  const sum = at < 0 ? NaN : Number(text.slice(at + 7, -1));
  const tail = at < 0 ? null : /^"sum":\d+}([^]+)$/.exec(text.slice(at + 1));
  if (tail) {
    throw bad(
      `${tail[1].length} byte${
        tail[1].length === 1 ? "" : "s"
      } after its closing brace (a manifest ends with its "sum" and "}")`,
    );
  }
  if (at < 0 || !text.endsWith("}") || !Number.isSafeInteger(sum)) {
    throw bad("not a psbase manifest (no checksum)");
  }
  const body = text.slice(0, at) + "}";
  if (sum32(encoder.encode(body)) !== sum) throw bad("bad checksum");
  let m: Manifest;
  try {
    m = JSON.parse(body);
  } catch {
    throw bad("not valid JSON");
  }
  if (typeof m !== "object" || m === null) throw bad("not a psbase manifest");
  if (m.format !== FORMAT) {
    throw bad(`unsupported format ${JSON.stringify(m.format)} (this psbase reads ${FORMAT})`);
  }
  if (!Number.isSafeInteger(m.gen) || m.gen < 1) throw bad(`bad gen ${JSON.stringify(m.gen)}`);
  if (!Number.isSafeInteger(m.nextId) || m.nextId < 1) {
    throw bad(`bad nextId ${JSON.stringify(m.nextId)}`);
  }
  const { fields, indexes } = checkStoredSchema(m, { kinds: INDEX_KINDS_LIST, name: NAME, bad });
  return { format: m.format, gen: m.gen, nextId: m.nextId, fields, indexes };
}
