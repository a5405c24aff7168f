// Copyright 2026 the psbase authors. MIT license.
// A process's file calls as strace saw them: `straced` wraps a child's
// command in strace, `fileCalls` reads the trace back as the calls that
// change a file or a folder under one base (or make them durable), in order,
// with the bytes each write wrote, plus the lines the process printed on
// stdout. tests/_power_loss.ts replays them on the simulated disk;
// npm_test compares Deno's and Node's.

import type { ChildCommand } from "./_harness/child.ts";

/** The calls traced: those that change files and folders or make them durable, and `write`. */
const CALLS = [
  "openat",
  "open",
  "creat",
  "write",
  "pwrite64",
  "writev",
  "pwritev",
  "fsync",
  "fdatasync",
  "ftruncate",
  "truncate",
  "rename",
  "renameat",
  "renameat2",
  "unlink",
  "unlinkat",
  "mkdir",
  "mkdirat",
  "rmdir",
  "close",
];

/** `command` run under strace, which writes its trace to `out`: every thread, every byte written. */
export function straced(command: ChildCommand, out: string): ChildCommand {
  return {
    program: "strace",
    args: [
      "-f",
      "-y",
      "-xx",
      "-s",
      String(1 << 24),
      "-e",
      `trace=${CALLS.join(",")}`,
      "-o",
      out,
      command.program,
      ...command.args,
    ],
    cwd: command.cwd,
  };
}

/** One call, as the simulated disk replays it. Paths are absolute. */
export type FileCall =
  | { call: "open"; fd: number; path: string; mode: "w" | "a" }
  | { call: "write"; fd: number; path: string; bytes: Uint8Array }
  | { call: "fsync" | "fdatasync"; fd: number; path: string }
  | { call: "ftruncate"; fd: number; path: string; length: number }
  | { call: "rename"; from: string; to: string }
  | { call: "unlink" | "mkdir" | "rmdir"; path: string }
  | { call: "close"; fd: number; path: string }
  | { call: "stdout"; text: string };

const decoder = new TextDecoder();

/** The bytes of a `-xx` string (`\x41\x42`). */
function bytesOf(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(4 * i + 2, 4 * i + 4), 16);
  return out;
}

/** An argument's string (`"\x2f..."`) or annotation (`3<\x2f...>`) as text; undefined if none. */
function textOf(arg: string, kind: "string" | "annotation"): string | undefined {
  const m = kind === "string" ? /^"((?:\\x[0-9a-f]{2})*)"$/.exec(arg) : /<((?:\\x[0-9a-f]{2})*)>$/
    .exec(arg);
  return m ? decoder.decode(bytesOf(m[1])) : undefined;
}

/** The calls of `trace` (strace's output, from {@linkcode straced}) on `base` and the folder holding it. */
export function fileCalls(trace: string, base: string): FileCall[] {
  const parent = base.slice(0, base.lastIndexOf("/")) || "/";
  const ours = (p: string | undefined): p is string =>
    p !== undefined && (p === base || p.startsWith(base + "/") || p === parent);
  // A call interrupted by another thread's comes in two lines: join them.
  const pending = new Map<string, string>();
  const lines: string[] = [];
  for (const raw of trace.split("\n")) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const [, pid, rest] = m;
    if (rest.endsWith(" <unfinished ...>")) {
      pending.set(pid, rest.slice(0, -" <unfinished ...>".length));
    } else if (rest.startsWith("<... ")) {
      const head = pending.get(pid);
      pending.delete(pid);
      if (head !== undefined) lines.push(head + rest.replace(/^<\.\.\. \w+ resumed>/, ""));
    } else lines.push(rest);
  }
  const out: FileCall[] = [];
  for (const line of lines) {
    const m = /^(\w+)\((.*)\)\s+=\s+(-?\d+)(<[^>]*>)?/.exec(line);
    if (!m) continue;
    const [, name, argText, retText, retNote] = m;
    const ret = Number(retText);
    if (ret < 0) continue;
    const args = argText.split(", ");
    if (args.some((a) => /^"(?:\\x[0-9a-f]{2})*"\.\.\.$/.test(a))) {
      throw new Error(`Cannot replay ${name}: strace cut a string short (raise -s): ${line}`);
    }
    const fd = parseInt(args[0]);
    const fdPath = textOf(args[0], "annotation");
    // A name relative to a folder's descriptor (the *at calls), made absolute.
    const at = (dirArg: string, nameArg: string) => {
      const name = textOf(nameArg, "string");
      if (name === undefined || name.startsWith("/")) return name;
      const dir = textOf(dirArg, "annotation");
      return dir === undefined ? undefined : `${dir}/${name}`;
    };
    switch (name) {
      case "openat":
      case "open": {
        const flags = args[name === "openat" ? 2 : 1];
        const path = textOf(retNote ?? "", "annotation");
        if (!ours(path)) break;
        if (/O_TRUNC/.test(flags)) out.push({ call: "open", fd: ret, path, mode: "w" });
        else if (/O_APPEND/.test(flags)) out.push({ call: "open", fd: ret, path, mode: "a" });
        else if (/O_CREAT/.test(flags)) {
          throw new Error(`Cannot replay ${name}: ${path} opened with ${flags}`);
        }
        break;
      }
      case "write": {
        if (fd !== 1 && !ours(fdPath)) break;
        const bytes = bytesOf(/^"((?:\\x[0-9a-f]{2})*)"$/.exec(args[1])?.[1] ?? "").subarray(
          0,
          ret,
        );
        if (fd === 1) out.push({ call: "stdout", text: decoder.decode(bytes) });
        else out.push({ call: "write", fd, path: fdPath!, bytes });
        break;
      }
      case "fsync":
      case "fdatasync":
        if (ours(fdPath)) out.push({ call: name, fd, path: fdPath });
        break;
      case "close":
        if (ours(fdPath)) out.push({ call: "close", fd, path: fdPath });
        break;
      case "ftruncate":
        if (ours(fdPath)) {
          out.push({ call: "ftruncate", fd, path: fdPath, length: Number(args[1]) });
        }
        break;
      case "rename":
      case "renameat":
      case "renameat2": {
        const [from, to] = name === "rename"
          ? [textOf(args[0], "string"), textOf(args[1], "string")]
          : [at(args[0], args[1]), at(args[2], args[3])];
        if (ours(from) || ours(to)) out.push({ call: "rename", from: from!, to: to! });
        break;
      }
      case "unlink":
      case "unlinkat":
      case "rmdir":
      case "mkdir":
      case "mkdirat": {
        const path = name === "unlinkat" || name === "mkdirat"
          ? at(args[0], args[1])
          : textOf(args[0], "string");
        if (!ours(path)) break;
        const call = name.startsWith("mkdir")
          ? "mkdir"
          : name === "rmdir" || /AT_REMOVEDIR/.test(args[2] ?? "")
          ? "rmdir"
          : "unlink";
        out.push({ call, path });
        break;
      }
      case "pwrite64":
      case "writev":
      case "pwritev":
      case "creat":
      case "truncate":
        if (ours(fdPath) || ours(textOf(args[0], "string"))) {
          throw new Error(`Cannot replay ${name} on ${fdPath}: the file layers do not use it`);
        }
    }
  }
  return out;
}
