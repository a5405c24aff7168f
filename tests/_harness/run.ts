// Copyright 2026 the psbase authors. MIT license.
/**
 * Runs a tool (npm, node, tsc, deno...) to its end and keeps what it printed,
 * to show when it fails: the install tests (tests/jsr_test.ts,
 * tests/npm_registry_test.ts, tests/npm_test.ts) and the benchmark's Node
 * install (bench/_node_install.ts).
 *
 * @module
 */

/**
 * Node's environment cleared of what would change how it resolves or runs
 * (`NODE_OPTIONS`, `NODE_PATH`) and of colours: `env` for {@link run}.
 */
export const PLAIN_NODE_ENV: { [name: string]: string } = {
  NODE_OPTIONS: "",
  NODE_PATH: "",
  FORCE_COLOR: "0",
};

/** What a command did. */
export interface Ran {
  /** The exit code. */
  code: number;
  /** stdout, then stderr. */
  out: string;
  /** The command line, for messages. */
  line: string;
  /** Seconds it took. */
  seconds: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** The working folder. */
  cwd: string;
  /** Variables added to the inherited environment. */
  env?: { [name: string]: string };
  /** Start from an empty environment instead of the inherited one. */
  clearEnv?: boolean;
  /** Killed after this long (default 120 s). */
  timeoutMs?: number;
}

/** Runs `cmd args...` to its end, with no stdin; never throws for a non-zero exit. */
export async function run(cmd: string, args: string[], options: RunOptions): Promise<Ran> {
  const started = performance.now();
  const res = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
    clearEnv: options.clearEnv ?? false,
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  }).output();
  const dec = new TextDecoder();
  return {
    code: res.code,
    out: dec.decode(res.stdout) + dec.decode(res.stderr),
    line: [cmd.split("/").at(-1), ...args].join(" "),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Fails with the command's output unless it exited 0; returns it. */
export function succeeded(ran: Ran): Ran {
  if (ran.code !== 0) {
    const out = ran.out.trimEnd().split("\n").map((l) => `    ${l}`).join("\n");
    throw new Error(`\`${ran.line}\` exited ${ran.code}:\n${out}`);
  }
  return ran;
}
