// Copyright 2026 the psbase authors. MIT license.
/**
 * Runs the commands of the install tests (tests/jsr_test.ts, tests/npm_registry_test.ts) and
 * keeps what they printed, to show when one fails.
 *
 * @module
 */

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

/**
 * Whether two byte strings are equal. (`assert.deepEqual` on two long arrays that differ spends
 * minutes computing its diff.)
 */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
