// Copyright 2026 the psbase authors. MIT license.
// File operations on node:fs, for Node (see _fs_types.ts).

import * as fs from "node:fs";
import process from "node:process";
import type { Fs, Handle } from "./_fs.ts";

class NodeHandle implements Handle {
  #fd: number;
  constructor(fd: number) {
    this.#fd = fd;
  }
  read(buf: Uint8Array, pos: number): number {
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(this.#fd, buf, got, buf.length - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }
  write(buf: Uint8Array): void {
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.#fd, buf, off, buf.length - off);
  }
  size(): number {
    return fs.fstatSync(this.#fd).size;
  }
  sync(): void {
    fs.fsyncSync(this.#fd);
  }
  datasync(): void {
    fs.fdatasyncSync(this.#fd);
  }
  truncate(len: number): void {
    fs.ftruncateSync(this.#fd, len);
  }
  close(): void {
    fs.closeSync(this.#fd);
  }
}

const { O_RDONLY, O_RDWR, O_APPEND, O_WRONLY, O_CREAT, O_TRUNC } = fs.constants;
const MODES = { r: O_RDONLY, a: O_RDWR | O_APPEND, w: O_WRONLY | O_CREAT | O_TRUNC };

/** Node's implementation. */
export const nodeFs: Fs = {
  open: (path, mode) => new NodeHandle(fs.openSync(path, MODES[mode], 0o644)),
  readFile: (path) => new Uint8Array(fs.readFileSync(path)),
  signature: (path) => {
    const s = fs.statSync(path, { bigint: true });
    if (process.platform === "win32") return null;
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  },
  rename: (from, to) => fs.renameSync(from, to),
  readdir: (dir) => fs.readdirSync(dir),
  remove: (path) => fs.rmSync(path, { force: true }),
  rmdir: (path) => fs.rmdirSync(path),
  mkdirp: (dir) => void fs.mkdirSync(dir, { recursive: true }),
  exists: (path) => fs.existsSync(path),
  syncDir: (dir) => {
    if (process.platform === "win32") return;
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};
