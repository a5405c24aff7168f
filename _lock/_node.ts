// Copyright 2026 the psbase authors. MIT license.
// Internal: the lock file in Node, which has no file lock of its own. libc's
// flock(2) is called through koffi (prebuilt FFI, no compiler), so Node and Deno
// processes exclude each other on the same kernel lock. Only `node:fs`,
// `node:module` (taken without an ES import, see _node_builtin.ts), the
// `process` global and koffi are used, so this file is valid in both runtimes.
// See lock.ts and FORMAT.md, invariant L1..L4.

import type * as NodeFs from "node:fs";
import type * as NodeModule from "node:module";
import { nodeBuiltin, type NodeProcess, nodeProcess } from "../_node_builtin.ts";
import { path } from "../_path.ts";
import type { LockFile } from "./_types.ts";

type FsModule = typeof NodeFs;

/** The `process` global (this file runs in Node only). */
const proc = (): NodeProcess => nodeProcess()!;

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/** `int flock(int fd, int operation)` as koffi binds it. */
interface FlockFunction {
  (fd: number, operation: number): number;
  async(fd: number, operation: number, callback: (err: unknown, result: number) => void): void;
}

/** The parts of koffi used here. */
interface Koffi {
  load(path: string | null): { func(signature: string): FlockFunction };
  errno(): number;
  os: { errno: Record<string, number> };
}

interface Libc {
  flock: FlockFunction;
  errno(): number;
  EWOULDBLOCK: number;
  EINTR: number;
}

let libc: Promise<Libc> | undefined;
let fsModule: Promise<FsModule> | undefined;

function cannotLock(detail: string, cause?: unknown): Error {
  return new Error(
    `Cannot take a file lock on ${proc().platform}: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

/** koffi's version and its native module's path, for this platform. */
interface KoffiFiles {
  version: string;
  native: string;
}

/**
 * Finds koffi as Node's lookup from this file would, without the lookup: the
 * `node_modules` folders from this file's folder up, the first holding
 * `koffi/package.json`, and the platform package beside koffi or inside it.
 * Resolving through `require.resolve` reads each package's "exports" and costs
 * a fresh Node process about 2 ms of CPU (issue 16); this costs a few failed
 * reads. Undefined when the layout is another (pnpm's, a bundler's).
 */
function koffiBeside(fs: FsModule): KoffiFiles | undefined {
  const { arch } = proc();
  let dir = path.dirname(decodeURIComponent(new URL(import.meta.url).pathname));
  for (;;) {
    if (path.basename(dir) !== "node_modules") {
      const modules = path.join(dir, "node_modules");
      let version: string | undefined;
      try {
        version = JSON.parse(fs.readFileSync(path.join(modules, "koffi", "package.json"), "utf8"))
          .version;
      } catch {
        // Not here.
      }
      if (version !== undefined) {
        const file = path.join("@koromix", `koffi-linux-${arch}`, `linux_${arch}`, "koffi.node");
        for (
          const native of [
            path.join(modules, file),
            path.join(modules, "koffi", "node_modules", file),
          ]
        ) {
          if (fs.existsSync(native)) return { version, native };
        }
        return undefined;
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Finds koffi through `require.resolve`, for the layouts {@linkcode koffiBeside} does not know. */
function koffiResolved(fs: FsModule, module: typeof NodeModule): KoffiFiles {
  const { arch } = proc();
  const koffiMain = module.createRequire(import.meta.url).resolve("koffi");
  const version = JSON.parse(
    fs.readFileSync(path.join(path.dirname(koffiMain), "package.json"), "utf8"),
  ).version;
  const dir = path.dirname(module.createRequire(koffiMain).resolve(`@koromix/koffi-linux-${arch}`));
  return { version, native: path.join(dir, `linux_${arch}`, "koffi.node") };
}

/**
 * koffi's native module, loaded straight from the platform package koffi
 * installs beside it (`@koromix/koffi-linux-<arch>/linux_<arch>/koffi.node`),
 * or undefined. Importing koffi (its ES module finds the platform, the libc
 * and the file, then wraps the module) costs a fresh Node process about 9 ms
 * of CPU where loading the native module alone costs about 2; the seed's job
 * in Node costs 4–6 ms less this way (bench/RESULTS.md, issue 16). Taken on a
 * glibc Linux, and only when the module is the version of the koffi that is
 * installed; otherwise (another layout, musl, macOS, any error) undefined, and
 * the caller imports koffi itself.
 */
function koffiNative(fs: FsModule, module: typeof NodeModule): Koffi | undefined {
  if (proc().platform !== "linux") return undefined;
  try {
    // musl needs koffi's musl build, which koffi's loader picks.
    if (fs.readdirSync("/lib").some((f) => f.startsWith("ld-musl-"))) return undefined;
    const { version, native: file } = koffiBeside(fs) ?? koffiResolved(fs, module);
    // Through require, so that a koffi the application loads itself shares the module.
    const native = module.createRequire(import.meta.url)(file) as Koffi & { version?: string };
    return native.version === version && typeof native.load === "function" ? native : undefined;
  } catch {
    return undefined;
  }
}

async function loadLibc(fs: FsModule): Promise<Libc> {
  const { platform } = proc();
  const names = platform === "linux"
    // glibc; then the process's own symbols, which include libc on musl.
    ? ["libc.so.6", null]
    : platform === "darwin"
    ? ["libSystem.B.dylib", "/usr/lib/libSystem.B.dylib"]
    : [];
  if (names.length === 0) {
    throw cannotLock("only Linux and macOS are supported (flock(2) through koffi)");
  }
  let koffi: Koffi;
  try {
    // Dynamic, so that Deno never loads koffi (it uses Deno.FsFile locks); and
    // through a variable, so that type-checking this file does not pull koffi
    // (and @types/node, which its types need) into Deno's module graph.
    const module = await nodeBuiltin<typeof NodeModule>("node:module");
    koffi = koffiNative(fs, module) ?? await (async () => {
      const specifier = "koffi";
      const mod = await import(specifier) as { default?: Koffi } & Koffi;
      return mod.default ?? mod;
    })();
  } catch (e) {
    throw cannotLock(
      `the "koffi" package could not be loaded (${(e as Error)?.message ?? e}); ` +
        `install it with "npm install koffi"`,
      e,
    );
  }
  const failures: string[] = [];
  for (const name of names) {
    try {
      const flock = koffi.load(name).func("int flock(int fd, int operation)");
      return {
        flock,
        errno: () => koffi.errno(),
        EWOULDBLOCK: koffi.os.errno.EWOULDBLOCK ?? koffi.os.errno.EAGAIN ?? 11,
        EINTR: koffi.os.errno.EINTR ?? 4,
      };
    } catch (e) {
      failures.push(`${name ?? "<process>"}: ${(e as Error)?.message ?? e}`);
    }
  }
  throw cannotLock(`flock(2) could not be loaded from libc (${failures.join("; ")})`);
}

/**
 * Opens (creating it with mode 0o644 if missing, never unlinking it) the lock
 * file at `path`, with flock(2) from libc through koffi. Rejects with a clear
 * error, never an unlocked file, when flock cannot be reached. With `probe`,
 * opens an existing lock file read-only, creating nothing: enough to test
 * whether a lock is held (`psbase info`), on a base the caller may only read.
 *
 * @example
 * ```ts ignore
 * const file = await openNodeLockFile("/tmp/x.lock");
 * if (!file.tryLock(true)) await file.lock(true);
 * file.close();
 * ```
 */
export async function openNodeLockFile(path: string, probe = false): Promise<LockFile> {
  const fs = await (fsModule ??= nodeBuiltin<FsModule>("node:fs"));
  libc ??= loadLibc(fs);
  const c = await libc;
  const { O_RDONLY, O_RDWR, O_CREAT } = fs.constants;
  const fd = fs.openSync(path, probe ? O_RDONLY : O_RDWR | O_CREAT, 0o644);
  return new NodeLockFile(fs, path, fd, c);
}

class NodeLockFile implements LockFile {
  #fs: FsModule;
  #path: string;
  #fd: number;
  #libc: Libc;
  #locked = false;
  #closed = false;

  constructor(fs: FsModule, path: string, fd: number, c: Libc) {
    this.#fs = fs;
    this.#path = path;
    this.#fd = fd;
    this.#libc = c;
  }

  tryLock(exclusive: boolean): boolean {
    const operation = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
    for (;;) {
      if (this.#libc.flock(this.#fd, operation) === 0) {
        this.#locked = true;
        return true;
      }
      const errno = this.#libc.errno();
      if (errno === this.#libc.EWOULDBLOCK) return false;
      if (errno !== this.#libc.EINTR) {
        throw new Error(`Cannot lock ${this.#path}: flock(2) failed (errno ${errno})`);
      }
    }
  }

  lock(exclusive: boolean): Promise<void> {
    const operation = exclusive ? LOCK_EX : LOCK_SH;
    return new Promise((resolve, reject) => {
      const wait = () => {
        // Blocks a koffi worker thread, not the event loop.
        this.#libc.flock.async(this.#fd, operation, (err, result) => {
          if (err) return reject(err);
          if (result === 0) {
            this.#locked = true;
            return resolve();
          }
          // The worker thread's errno is not visible here (EINTR is the usual
          // cause): ask again without blocking, which throws on a real error.
          try {
            if (this.tryLock(exclusive)) resolve();
            else wait();
          } catch (e) {
            reject(e);
          }
        });
      };
      wait();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // Unlock explicitly: closing only drops the lock when no duplicate of
      // the descriptor survives (e.g. one inherited by a child process).
      if (this.#locked) this.#libc.flock(this.#fd, LOCK_UN);
    } finally {
      this.#fs.closeSync(this.#fd);
    }
  }
}
