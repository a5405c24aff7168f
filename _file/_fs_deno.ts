// Copyright 2026 the psbase authors. MIT license.
// File operations on Deno's own API (see _fs_types.ts).

import { type Fs, type Handle, isNotFound } from "./_fs.ts";

class DenoHandle implements Handle {
  #f: Deno.FsFile;
  constructor(f: Deno.FsFile) {
    this.#f = f;
  }
  read(buf: Uint8Array, pos: number): number {
    this.#f.seekSync(pos, Deno.SeekMode.Start);
    let got = 0;
    while (got < buf.length) {
      const n = this.#f.readSync(got ? buf.subarray(got) : buf);
      if (n === null || n === 0) break;
      got += n;
    }
    return got;
  }
  write(buf: Uint8Array): void {
    let off = 0;
    while (off < buf.length) off += this.#f.writeSync(off ? buf.subarray(off) : buf);
  }
  size(): number {
    return this.#f.statSync().size;
  }
  sync(): void {
    this.#f.syncSync();
  }
  datasync(): void {
    this.#f.syncDataSync();
  }
  truncate(len: number): void {
    this.#f.truncateSync(len);
  }
  close(): void {
    this.#f.close();
  }
}

const OPEN: { [mode: string]: Deno.OpenOptions } = {
  r: { read: true },
  a: { read: true, append: true },
  w: { write: true, create: true, truncate: true, mode: 0o644 },
};

/** Deno's implementation. */
export const denoFs: Fs = {
  open: (path, mode) => new DenoHandle(Deno.openSync(path, OPEN[mode])),
  readFile: (path) => Deno.readFileSync(path),
  signature: (path) => {
    const s = Deno.statSync(path);
    if (s.ino === null || !s.mtime || !s.ctime) return null;
    return `${s.dev}:${s.ino}:${s.size}:${s.mtime.getTime()}:${s.ctime.getTime()}`;
  },
  rename: (from, to) => Deno.renameSync(from, to),
  readdir: (dir) => [...Deno.readDirSync(dir)].map((e) => e.name),
  remove: (path) => {
    try {
      Deno.removeSync(path);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
  rmdir: (path) => Deno.removeSync(path),
  mkdirp: (dir) => Deno.mkdirSync(dir, { recursive: true }),
  exists: (path) => {
    try {
      Deno.statSync(path);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  },
  syncDir: (dir) => {
    if (Deno.build.os === "windows") return;
    const f = Deno.openSync(dir, { read: true });
    try {
      f.syncSync();
    } finally {
      f.close();
    }
  },
};
