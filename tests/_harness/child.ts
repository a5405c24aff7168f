// Copyright 2026 the psbase authors. MIT license.
/**
 * One child process of the harness, driven through lines: stdin takes `go`
 * (the start barrier) and `stop` (end a background role); stdout gives
 * `ready`, scenario lines (`holding`, `committed 3`, ...) and one last
 * `result {json}` line ({ ok, error?, ops, ms, data }). Any program speaking
 * that protocol can be a child: tests/_harness/child_main.ts in Deno (the
 * default), the same child bundled for Node (node_child.ts), the benchmark's
 * children.
 * Children that speak only part of it (tests/lock_child.ts) use the same
 * class through {@linkcode Child.expect} and {@linkcode Child.close}.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * How to start one child: a program and the arguments that come before the
 * harness's own (`--engine=... --base=... ...`).
 */
export interface ChildCommand {
  /** The program, e.g. the `deno` binary or `node`. */
  program: string;
  /** Its arguments before the harness's, e.g. `["run", "--allow-all", script]`. */
  args: string[];
  /** Its working directory (default: this process's). */
  cwd?: string;
}

/** The generic child entry, which dispatches to the named scenario. */
export const CHILD_SCRIPT: string = fileURLToPath(new URL("./child_main.ts", import.meta.url));

/**
 * `deno run --allow-all <script>` (and `extra` Deno flags before the script).
 * The program is looked up when a child starts, not here: this module is also
 * bundled into Node children (child_node.ts), where `Deno` is absent.
 */
export function denoScript(script: string, extra: string[] = []): ChildCommand {
  return {
    get program() {
      return Deno.execPath();
    },
    args: ["run", "--allow-all", ...extra, script],
  };
}

/** The default child: `deno run --allow-all tests/_harness/child_main.ts` (the repo's mod.ts). */
export const DENO_CHILD: ChildCommand = denoScript(CHILD_SCRIPT);

/**
 * A Node child: `node <script>`, e.g. a script next to an installed psbase
 * package (it imports `"psbase"`).
 */
export function nodeChild(script: string, cwd?: string): ChildCommand {
  return { program: "node", args: [script], cwd };
}

/** How a child ended, and what it reported. */
export interface ChildOutput {
  /** Its index in the race. */
  index: number;
  /** True when it printed a result with `ok: true` and exited 0. */
  ok: boolean;
  /** Why not, when not ok. */
  error?: string;
  /** Operations (reads and writes on the base) it made. */
  ops: number;
  /** Milliseconds from `go` to its result, as it measured them. */
  ms: number;
  /** Its scenario's own results. */
  data: { [key: string]: unknown };
  /** The whole result line, parsed (for children with their own result shape). */
  result?: { [key: string]: unknown };
  /** Exit code and signal. */
  code: number;
  signal: string | null;
}

const encoder = new TextEncoder();

/** A child process and its protocol (see the module doc). Stderr is kept for error reports. */
export class Child implements AsyncDisposable {
  readonly index: number;
  readonly process: Deno.ChildProcess;
  readonly pid: number;
  /** Resolves once it exited and its output was read whole. */
  readonly exited: Promise<Deno.CommandStatus>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stdinClosed = false;
  #out = "";
  #err = "";
  #watchers: Array<() => void> = [];
  #ended = false;
  #pumps: Promise<void>;

  constructor(index: number, args: string[], command: ChildCommand = DENO_CHILD) {
    this.index = index;
    this.process = new Deno.Command(command.program, {
      args: [...command.args, ...args],
      cwd: command.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.process.pid;
    this.#stdin = this.process.stdin.getWriter();
    this.#stdin.closed.catch(() => {}); // a killed child's stdin breaks; that is fine
    const pump = async (stream: ReadableStream<Uint8Array>, into: "out" | "err") => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        if (into === "out") this.#out += text;
        else this.#err = (this.#err + text).slice(-4000);
        this.#notify();
      }
    };
    this.#pumps = Promise.all([
      pump(this.process.stdout, "out"),
      pump(this.process.stderr, "err"),
    ]).then(() => {});
    this.exited = this.process.status.then(async (s) => {
      await this.#pumps;
      this.#ended = true;
      this.#notify();
      return s;
    });
  }

  /** A child running `program args...` (no harness arguments). */
  static spawn(program: string, args: string[], cwd?: string): Child {
    return new Child(0, args, { program, args: [], cwd });
  }

  #notify(): void {
    for (const w of this.#watchers.splice(0)) w();
  }

  /** Everything it printed on stdout so far. */
  get output(): string {
    return this.#out;
  }

  /** Complete stdout lines so far. */
  get lines(): string[] {
    return this.#out.split("\n").slice(0, -1);
  }

  /** The tail of its stderr. */
  get stderr(): string {
    return this.#err;
  }

  /** True once it exited and its output was read. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves true once stdout has the line `line` (or a line starting with it), false if the child ended first or `timeoutMs` passed. */
  async waitFor(line: string, timeoutMs = 120_000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.lines.some((l) => l === line || l.startsWith(line + " "))) return true;
      if (this.#ended) return false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#watchers.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Like {@linkcode waitFor}, but throws (with what it printed) when the line does not come. */
  async expect(line: string, timeoutMs = 15_000): Promise<void> {
    if (!(await this.waitFor(line, timeoutMs))) {
      throw new Error(
        `child never printed ${JSON.stringify(line)}; it printed ${this.#out}${
          this.#err ? ` | stderr: ${this.#err}` : ""
        }`,
      );
    }
  }

  /** Writes `line` and a newline to its stdin (ignored once it has ended). */
  async send(line: string): Promise<void> {
    if (this.#ended || this.#stdinClosed) return;
    try {
      await this.#stdin.write(encoder.encode(line + "\n"));
    } catch {
      // It exited meanwhile.
    }
  }

  /** Closes its stdin (end of input; children treat it as `stop`). */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    await this.#stdin.close().catch(() => {}); // the child may be gone already
  }

  /** Sends `signal` (ignored once it has ended). */
  kill(signal: Deno.Signal = "SIGKILL"): void {
    try {
      this.process.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * Closes its stdin and waits for it to exit (killing it and throwing after
   * `timeoutMs`); throws unless it exited with code 0. Returns its stdout.
   */
  async close(timeoutMs = 15_000): Promise<string> {
    await this.closeStdin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.kill("SIGKILL");
          reject(new Error(`child did not exit (after ${timeoutMs} ms)`));
        }, timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (status.code !== 0) {
      throw new Error(`child failed (code ${status.code}); it printed ${this.#out}${this.#err}`);
    }
    return this.#out;
  }

  /** Closes its stdin and gives it 5 s to exit, then kills it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeStdin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.exited,
      new Promise<void>((r) => timer = setTimeout(r, 5_000)),
    ]);
    clearTimeout(timer);
    this.kill("SIGKILL");
    await this.exited;
  }

  #diagnose(): void {
    try {
      const tasks = Deno.readDirSync(`/proc/${this.pid}/task`);
      const states = [...tasks].map((t) => {
        const st = Deno.readTextFileSync(`/proc/${this.pid}/task/${t.name}/stat`).split(" ");
        const wchan = Deno.readTextFileSync(`/proc/${this.pid}/task/${t.name}/wchan`);
        return `${t.name}:${st[2]}:${wchan}`;
      });
      console.error(`[diag ${this.index} pid ${this.pid}] threads ${states.join(" ")}`);
      console.error(`[diag] /proc/locks:\n${Deno.readTextFileSync("/proc/locks")}`);
      console.error(`[diag] stdout tail: ${this.lines.slice(-3).join(" / ")}`);
      console.error(`[diag] stderr tail: ${this.#err.slice(-1500)}`);
    } catch (e) {
      console.error("[diag] failed", e);
    }
  }

  /** Waits for it to end (killing it after `timeoutMs`) and parses its result. */
  async finish(timeoutMs = 180_000): Promise<ChildOutput> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const status = await Promise.race([
      this.exited,
      new Promise<never>(() => {
        timer = setTimeout(() => {
          timedOut = true;
          if (Deno.env.get("RACE_TRACE") === "1") this.#diagnose();
          this.kill("SIGKILL");
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await this.closeStdin();
    const out: ChildOutput = {
      index: this.index,
      ok: false,
      ops: 0,
      ms: 0,
      data: {},
      code: status.code,
      signal: status.signal,
    };
    const line = this.lines.find((l) => l.startsWith("result "));
    if (line) {
      try {
        const r = JSON.parse(line.slice(7));
        out.result = r;
        out.ok = r.ok === true;
        out.error = r.error;
        out.ops = r.ops ?? 0;
        out.ms = r.ms ?? 0;
        out.data = r.data ?? {};
      } catch (e) {
        out.error = `unparsable result line: ${(e as Error).message}`;
      }
    }
    if (timedOut) out.error = `killed after ${timeoutMs} ms without finishing`;
    else if (!line) {
      out.error = `exited (code ${status.code}, signal ${status.signal}) without a result`;
    }
    if (out.ok && status.code !== 0) {
      out.ok = false;
      out.error = `exit code ${status.code} after an ok result`;
    }
    if (!out.ok && this.#err.trim()) {
      out.error += ` | stderr: ${this.#err.trim().split("\n").slice(-6).join(" / ")}`;
    }
    return out;
  }
}
