// Copyright 2026 the psbase authors. MIT license.
// A consistent copy of a file base, taken while writers run (`psbase backup`).
// It takes no lock and writes nothing to the base (FORMAT.md, R4): it copies
// the generation the manifest names, the data file whole (never changed once
// named: W3) and the valid prefix of its log (append-only, every commit a
// checksummed record: W1, F6), so the copy holds the state after some commit
// of the base. If a checkpoint removes those files first (W5), it starts over
// from the new manifest. The copy is written into a temp folder beside the
// destination, fsynced, checked (K) and renamed into place, so a crash
// mid-backup leaves no half base at the destination.

import { CorruptionError } from "../_errors.ts";
import { path } from "../_path.ts";
import { checkBase } from "./_check.ts";
import { type Fs, type Handle, isNotFound, missingFolders, syncParents } from "./_fs.ts";
import { LOG_HEADER, LogFile } from "./_log_file.ts";
import { decodeManifest, MANIFEST } from "./_manifest.ts";
import { FileStore } from "./_store.ts";

/** What a backup copied. */
export interface BackupResult {
  /** The generation copied. */
  gen: number;
  /** Live records in the copy. */
  records: number;
  /** Bytes of commits in the copy's log (after its header). */
  logBytes: number;
  /** The copy's files and their sizes. */
  files: { [name: string]: number };
  /** How many times a checkpoint replaced the generation being copied. */
  retries: number;
}

const CHUNK = 1 << 20;
/** Starts over at most this many times (each one a checkpoint that beat the copy). */
const ATTEMPTS = 50;

/**
 * Copies the base in `dir` into the new folder `dest` (which must not exist),
 * consistently, without a lock. Throws a CorruptionError naming the file when
 * the base is damaged; leaves nothing at `dest` when it fails.
 */
export function backupBase(fs: Fs, dir: string, dest: string): BackupResult {
  if (fs.exists(dest)) {
    throw new Error(`Cannot back up ${dir} to ${dest}: it exists (give a new folder)`);
  }
  const parent = path.dirname(dest);
  const made = missingFolders(fs, parent);
  fs.mkdirp(parent);
  const tmp = `${dest}.backup-${Date.now().toString(36)}-${
    Math.floor(Math.random() * 2 ** 32).toString(36)
  }`;
  let damaged = 0;
  for (let attempt = 0;; attempt++) {
    try {
      const copied = copyGeneration(fs, dir, tmp);
      const report = checkBase(fs, tmp);
      if (!report.ok) {
        const p = report.problems[0];
        throw new CorruptionError(
          p.file.replace(tmp, dir),
          `${p.detail} (found by check in the copy, as copied from the base: the base is damaged there)`,
        );
      }
      const store = FileStore.open(tmp, { fs, sync: false, checkpointBytes: Infinity });
      const records = store.records;
      store.close();
      fs.rename(tmp, dest);
      fs.syncDir(parent);
      syncParents(fs, made); // the folders made for it, too (W6)
      return { ...copied, records, retries: attempt };
    } catch (e) {
      removeFolder(fs, tmp);
      // A checkpoint removed the generation we were copying (W5): start over.
      if (isNotFound(e) && attempt < ATTEMPTS) continue;
      // A read that met a torn tail being cut and rewritten (W1): read again.
      if (e instanceof CorruptionError && ++damaged < 3) continue;
      if (e instanceof CorruptionError || (e as Error)?.message?.startsWith("Cannot")) throw e;
      throw new Error(`Cannot back up ${dir} to ${dest}: ${(e as Error)?.message ?? e}`, {
        cause: e,
      });
    }
  }
}

/** Copies the current generation of `dir` into the new folder `to`, every file fsynced. */
function copyGeneration(
  fs: Fs,
  dir: string,
  to: string,
): { gen: number; logBytes: number; files: { [name: string]: number } } {
  const manifest = fs.readFile(path.join(dir, MANIFEST));
  const m = decodeManifest(path.join(dir, MANIFEST), manifest);
  const data = `data.${m.gen}`;
  const log = `log.${m.gen}`;
  // Open both before reading: once open, a file stays readable if a checkpoint removes it.
  const dataIn = fs.open(path.join(dir, data), "r");
  let logIn: LogFile | undefined;
  try {
    logIn = new LogFile(fs, path.join(dir, log), m.gen);
    const logRaw = fs.open(path.join(dir, log), "r");
    try {
      const { end } = logIn.read(LOG_HEADER); // the valid prefix: whole, checked commits (R2)
      fs.mkdirp(to);
      const files: { [name: string]: number } = {};
      files[data] = copyBytes(fs, dataIn, dataIn.size(), path.join(to, data));
      files[log] = copyBytes(fs, logRaw, end, path.join(to, log));
      // The manifest last, as create does (W6): until it is there, the copy is no base.
      const out = fs.open(path.join(to, MANIFEST), "w");
      try {
        out.write(manifest);
        out.sync();
      } finally {
        out.close();
      }
      files[MANIFEST] = manifest.length;
      fs.syncDir(to);
      return { gen: m.gen, logBytes: end - LOG_HEADER, files };
    } finally {
      logRaw.close();
    }
  } finally {
    logIn?.close();
    dataIn.close();
  }
}

/** Copies the first `length` bytes of `from` into a new file at `to`, fsynced. */
function copyBytes(fs: Fs, from: Handle, length: number, to: string): number {
  const out = fs.open(to, "w");
  try {
    const buf = new Uint8Array(Math.min(CHUNK, Math.max(length, 1)));
    for (let at = 0; at < length;) {
      const want = Math.min(buf.length, length - at);
      const got = from.read(buf.subarray(0, want), at);
      if (got < want) {
        throw new Error(
          `Cannot copy into ${to}: its source ended at ${at + got} of ${length} bytes`,
        );
      }
      out.write(buf.subarray(0, got));
      at += got;
    }
    out.sync();
  } finally {
    out.close();
  }
  return length;
}

/** Removes a temp copy (best effort: left behind, it is no base, and not at the destination). */
function removeFolder(fs: Fs, dir: string): void {
  try {
    if (!fs.exists(dir)) return;
    for (const name of fs.readdir(dir)) fs.remove(path.join(dir, name));
    fs.rmdir(dir);
  } catch {
    // Left for the user: its name says it is a backup's temp folder.
  }
}
