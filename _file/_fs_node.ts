// Copyright 2026 the psbase authors. MIT license.
// File operations on node:fs, for Node (see _fs.ts). node:fs is passed in,
// taken without an ES import of it (see _node_builtin.ts).

import type * as NodeFs from "node:fs";
import type { Fs, Handle } from "./_fs.ts";
import { nodeBuiltin, nodeProcess } from "../_node_builtin.ts";

type FsModule = typeof NodeFs;

class NodeHandle implements Handle {
  #fs: FsModule;
  #fd: number;
  constructor(fs: FsModule, fd: number) {
    this.#fs = fs;
    this.#fd = fd;
  }
  read(buf: Uint8Array, pos: number): number {
    let got = 0;
    while (got < buf.length) {
      const n = this.#fs.readSync(this.#fd, buf, got, buf.length - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }
  write(buf: Uint8Array): void {
    let off = 0;
    while (off < buf.length) off += this.#fs.writeSync(this.#fd, buf, off, buf.length - off);
  }
  size(): number {
    return this.#fs.fstatSync(this.#fd).size;
  }
  sync(): void {
    this.#fs.fsyncSync(this.#fd);
  }
  datasync(): void {
    this.#fs.fdatasyncSync(this.#fd);
  }
  truncate(len: number): void {
    this.#fs.ftruncateSync(this.#fd, len);
  }
  close(): void {
    this.#fs.closeSync(this.#fd);
  }
}

/** Node's implementation on `fs`, the node:fs module. */
export function nodeFsOn(fs: FsModule): Fs {
  const { O_RDONLY, O_RDWR, O_APPEND, O_WRONLY, O_CREAT, O_TRUNC } = fs.constants;
  const modes = { r: O_RDONLY, a: O_RDWR | O_APPEND, w: O_WRONLY | O_CREAT | O_TRUNC };
  const win32 = nodeProcess()?.platform === "win32";
  return {
    open: (path, mode) => new NodeHandle(fs, fs.openSync(path, modes[mode], 0o644)),
    readFile: (path) => new Uint8Array(fs.readFileSync(path)),
    signature: (path) => {
      const s = fs.statSync(path, { bigint: true });
      if (win32) return null;
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    },
    rename: (from, to) => fs.renameSync(from, to),
    readdir: (dir) => fs.readdirSync(dir),
    remove: (path) => fs.rmSync(path, { force: true }),
    rmdir: (path) => fs.rmdirSync(path),
    mkdirp: (dir) => void fs.mkdirSync(dir, { recursive: true }),
    exists: (path) => fs.existsSync(path),
    syncDir: (dir) => {
      if (win32) return;
      const fd = fs.openSync(dir, "r");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** Node's implementation, on the runtime's node:fs. */
export async function nodeFs(): Promise<Fs> {
  return nodeFsOn(await nodeBuiltin<FsModule>("node:fs"));
}
