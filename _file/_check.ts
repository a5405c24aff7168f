// Copyright 2026 the psbase authors. MIT license.
// The integrity check of a file base (FORMAT.md, K1-K4): reads every file of
// the current generation, takes no lock, writes nothing.

import { CorruptionError } from "../_errors.ts";
import { path } from "../_path.ts";
import type { CheckItem, CheckReport } from "../_storage/_types.ts";
import { DataFile } from "./_data_file.ts";
import { type Fs, isNotFound } from "./_fs.ts";
import { INDEX_KINDS } from "./_index/_list.ts";
import { LOG_HEADER, LogFile } from "./_log_file.ts";
import { decodeManifest, MANIFEST, type Manifest } from "./_manifest.ts";
import { FileStore, isOurs, manifestChanged, missingFile } from "./_store.ts";

/** A file of the generation being checked vanished because a checkpoint replaced it: start over. */
class Replaced extends Error {}

/**
 * Checks the base in `dir` (K); every problem names its file. A check takes no
 * lock: when a checkpoint removes the files it is reading (the manifest then
 * names a new generation, R4), it starts over on the new one.
 */
export function checkBase(fs: Fs, dir: string): CheckReport {
  for (let attempt = 1;; attempt++) {
    try {
      return checkOnce(fs, dir, attempt < 50);
    } catch (e) {
      if (!(e instanceof Replaced)) throw e;
    }
  }
}

function checkOnce(fs: Fs, dir: string, retry: boolean): CheckReport {
  const problems: CheckItem[] = [];
  const notes: CheckItem[] = [];
  const problem = (file: string, e: unknown) =>
    problems.push({
      file,
      detail: e instanceof CorruptionError ? e.detail : String((e as Error)?.message ?? e),
    });
  const report = (): CheckReport => ({ ok: problems.length === 0, problems, notes });

  // K1: the manifest.
  const mfile = path.join(dir, MANIFEST);
  let m: Manifest;
  let bytes: Uint8Array;
  const sig = fs.signature(mfile);
  try {
    bytes = fs.readFile(mfile);
    m = decodeManifest(mfile, bytes);
  } catch (e) {
    problem(mfile, e);
    return report();
  }
  /** A file the manifest names is not there: replaced by a checkpoint, or missing (damage). */
  const missing = (file: string) => {
    if (retry && manifestChanged(fs, mfile, sig, bytes)) throw new Replaced();
    return missingFile(file, m.gen);
  };

  // K4: the folder.
  const dataFile = path.join(dir, `data.${m.gen}`);
  const logFile = path.join(dir, `log.${m.gen}`);
  for (const name of fs.readdir(dir).sort()) {
    const file = path.join(dir, name);
    if (!isOurs(name)) notes.push({ file, detail: "not a psbase file (left alone)" });
    else if (name !== MANIFEST && file !== dataFile && file !== logFile) {
      notes.push({
        file,
        detail: "a stray of an earlier generation (removed by the next checkpoint)",
      });
    }
  }

  // K2: the data file.
  const versions = new Map<number, number>();
  let data: DataFile | undefined;
  try {
    data = new DataFile(fs, dataFile, m.fields, m.indexes, mfile);
  } catch (e) {
    problem(
      e instanceof CorruptionError ? e.file : dataFile,
      isNotFound(e) ? missing(dataFile) : e,
    );
  }
  if (data) {
    try {
      checkData(data, m, versions, (e) => problem(dataFile, e));
    } finally {
      data.close();
    }
  }

  // K3: the log, op by op against the state before it.
  let log: LogFile | undefined;
  try {
    log = new LogFile(fs, logFile, m.gen);
    const { commits, torn } = log.read(LOG_HEADER);
    if (torn) {
      notes.push({
        file: logFile,
        detail: `a torn tail of ${torn} bytes (a crash; the next writer cuts it off)`,
      });
    }
    for (const c of commits) {
      for (const op of c.ops) {
        if (op[0] === "u") {
          const id = op[1][0] as number;
          const before = versions.get(id);
          if (before !== undefined && op[1][1] !== before + 1) {
            problem(
              logFile,
              `the commit at offset ${c.at} updates ${id} to version ${op[1][1]}, not ${
                before + 1
              }`,
            );
          }
          versions.set(id, op[1][1] as number);
        } else if (op[0] === "i") versions.set(op[1][0] as number, 0);
        else if (op[0] === "d") versions.delete(op[1]);
      }
    }
  } catch (e) {
    problem(logFile, isNotFound(e) ? missing(logFile) : e);
  } finally {
    log?.close();
  }

  // The rest of F6 (op shapes, types, ids against the state): the replay itself.
  if (problems.length === 0) {
    try {
      FileStore.open(dir, { fs, sync: false, checkpointBytes: Infinity }).close();
    } catch (e) {
      problem(e instanceof CorruptionError ? e.file : dir, e);
    }
  }
  return report();
}

function checkData(
  data: DataFile,
  m: Manifest,
  versions: Map<number, number>,
  problem: (e: unknown) => void,
): void {
  const n = data.rows;
  try {
    data.checkPadding();
  } catch (e) {
    problem(e);
  }
  let ok = true;
  for (const name of ["__id__", "__version__", ...m.fields.map((f) => f.name)]) {
    try {
      data.column(name);
      for (let i = 0; i < n; i++) data.value(name, i);
    } catch (e) {
      problem(e);
      ok = false;
    }
  }
  if (!ok) return;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const id = data.value("__id__", i) as number;
    const v = data.value("__version__", i);
    if (id <= last) return problem(`column __id__ is not ascending at row ${i} (${id})`);
    if (v === null) return problem(`column __version__ is null at row ${i}`);
    versions.set(id, v as number);
    last = id;
  }
  if (last >= m.nextId) problem(`id ${last} is not below the manifest's nextId ${m.nextId}`);
  for (const ix of m.indexes) {
    try {
      const k = m.fields.findIndex((f) => f.name === ix.field);
      const values = Array.from({ length: n }, (_, i) => data.value(m.fields[k].name, i));
      const want = new Uint32Array(INDEX_KINDS[ix.kind].build(values).bytes.buffer);
      const got = data.index(ix.field)!;
      const have = got.section.u32s(0, Math.min(want.length, got.entries));
      if (want.length !== got.entries || want.some((x, j) => x !== have[j])) {
        problem(`the index on ${ix.field} does not match its column`);
      }
    } catch (e) {
      problem(e);
    }
  }
}
