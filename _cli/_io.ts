// Copyright 2026 the psbase authors. MIT license.
// The command line's input and output, the same in Deno and Node (node:fs,
// node:process): stdout with backpressure, stderr lines, whether stderr is a
// terminal, and reading an input file or stdin whole.

import * as fs from "node:fs";
import process from "node:process";
import { isatty } from "node:tty";

/** What a command reads and writes, besides the base. */
export interface Io {
  /** Writes text to stdout, waiting when the reader is slower. */
  out(text: string): Promise<void>;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Rewrites the current stderr line (a progress bar); `""` ends it. */
  status(text: string): void;
  /** Whether stderr is a terminal (progress is drawn as a bar, else printed as lines). */
  readonly errIsTerminal: boolean;
  /** Whether stdin is a terminal (nothing is piped in). */
  readonly inIsTerminal: boolean;
  /** The bytes of a file, or of stdin for `-`. */
  read(file: string): Promise<Uint8Array>;
}

/** Thrown by `out` when the reader of stdout went away (`psbase dump | head`). */
export class ClosedOutput extends Error {
  /** Builds the error. */
  constructor() {
    super("Cannot write to stdout: the reader closed it");
    this.name = "ClosedOutput";
  }
}

/** Whether `e` says the reader of a pipe went away. */
function isClosed(e: unknown): boolean {
  const err = e as { code?: string; name?: string } | null;
  return err?.code === "EPIPE" || err?.name === "BrokenPipe";
}

/** Writes all of `text` to file descriptor `fd`, synchronously (stderr). */
function writeAll(fd: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length;) {
    try {
      at += fs.writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") return; // stderr gone: nothing to tell
    }
  }
}

/** The process's own stdin, stdout and stderr. */
export function processIo(): Io {
  const stdout = process.stdout;
  let closed = false;
  stdout.on("error", (e: unknown) => {
    if (isClosed(e)) closed = true;
  });
  let statusShown = false;
  return {
    async out(text) {
      if (closed) throw new ClosedOutput();
      let ok: boolean;
      try {
        ok = stdout.write(text);
      } catch (e) {
        if (!isClosed(e)) throw e;
        closed = true;
        ok = true;
      }
      if (!ok) {
        // Wait until the reader took it, or went away ("drain" then never comes).
        await new Promise<void>((resolve) => {
          const done = () => {
            stdout.off("drain", done);
            stdout.off("error", done);
            stdout.off("close", done);
            resolve();
          };
          stdout.on("drain", done);
          stdout.on("error", done);
          stdout.on("close", done);
        });
      }
      if (closed) throw new ClosedOutput();
    },
    err(line) {
      if (statusShown) writeAll(2, "\n");
      statusShown = false;
      writeAll(2, line + "\n");
    },
    status(text) {
      if (text === "") {
        if (statusShown) writeAll(2, "\n");
        statusShown = false;
        return;
      }
      writeAll(2, `\r${text}\x1b[K`);
      statusShown = true;
    },
    errIsTerminal: isatty(2),
    inIsTerminal: isatty(0),
    async read(file) {
      if (file !== "-") {
        try {
          return new Uint8Array(fs.readFileSync(file));
        } catch (e) {
          const why = (e as { code?: string }).code === "ENOENT"
            ? "there is no such file"
            : (e as Error).message;
          throw new Error(`Cannot read ${file}: ${why}`, { cause: e });
        }
      }
      const chunks: Uint8Array[] = [];
      let n = 0;
      for await (const chunk of process.stdin) {
        const c = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
        chunks.push(c);
        n += c.length;
      }
      const out = new Uint8Array(n);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    },
  };
}
