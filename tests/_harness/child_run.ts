// Copyright 2026 the psbase authors. MIT license.
/**
 * The body of every harness child, whatever its runtime: parses the
 * arguments, runs the named scenario (scenarios/mod.ts) behind the start
 * barrier and reports one `result` line (protocol: child.ts). The runtime's
 * side (arguments, stdin, stdout, exit) comes in as a {@linkcode ChildIo}:
 * child_main.ts gives Deno's, child_node.ts Node's.
 *
 * @module
 */

import { rng } from "../../scripts/_rng.ts";
import { type ChildContext, openEngine } from "./context.ts";
import type { Engine } from "./race.ts";
import { CHILDREN } from "./scenarios/mod.ts";

/** What a child needs from its runtime. */
export interface ChildIo {
  /** "deno" or "node", for messages. */
  runtime: "deno" | "node";
  /** What every report's `data` starts with (Node children: `runtime`, e.g. "node v20.20.2"). */
  data: { [key: string]: unknown };
  /** Its arguments (`--name=value`). */
  args: string[];
  /** An environment variable. */
  env(name: string): string | undefined;
  /** Writes one line on stdout, synchronously. */
  say(line: string): void;
  /** Calls `onText` with stdin's text as it arrives, then `onEnd` once it closes. */
  stdin(onText: (text: string) => void, onEnd: () => void): void;
  /** Exits the process. */
  exit(code: number): never;
}

/** Runs the child the arguments name, for the engines this runtime has; exits. */
export async function runChild(io: ChildIo, engines: readonly Engine[]): Promise<never> {
  const name = `child (${io.runtime})`;
  const opt: { [k: string]: string } = {};
  for (const a of io.args) {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (!m) throw new Error(`${name}: bad argument ${JSON.stringify(a)}`);
    opt[m[1]] = m[2];
  }
  const engine = opt.engine as Engine;
  if (!engines.includes(engine)) throw new Error(`${name}: bad --engine ${engine}`);
  const index = Number(opt.index ?? 0);

  // The start barrier and the stop signal, both on stdin.
  let stopRequested = false;
  let letGo!: () => void;
  const go = new Promise<void>((r) => letGo = r);
  let seen = "";
  io.stdin((text) => {
    seen += text;
    if (/(^|\n)go\n/.test(seen)) letGo();
    if (/(^|\n)stop\n/.test(seen)) stopRequested = true;
  }, () => {
    // Parent gone or stdin closed: start (if not yet) and stop.
    stopRequested = true;
    letGo();
  });

  const random = rng(opt.seed !== undefined ? Number(opt.seed) : index * 7919 + 17);
  const trace = io.env("RACE_TRACE") === "1";
  const ctx: ChildContext = {
    opt,
    engine,
    base: opt.base,
    index,
    num(n, dflt) {
      const v = opt[n] === undefined ? dflt : Number(opt[n]);
      if (v === undefined || !Number.isFinite(v)) throw new Error(`${name}: missing --${n}`);
      return v;
    },
    open: async (options = {}) => await (await openEngine(engine, opt.base, options)).open(),
    data: { ...io.data },
    ops: 0,
    get stopRequested() {
      return stopRequested;
    },
    random,
    pick: (list) => list[Math.floor(random() * list.length)],
    say: io.say,
    trace(msg) {
      if (trace) console.error(`[${index}] ${msg}`);
    },
  };
  const replacer = (_key: string, value: unknown) => value instanceof Map ? [...value] : value;

  const run = CHILDREN[opt.scenario];
  if (!run) throw new Error(`${name}: unknown --scenario ${opt.scenario}`);
  io.say("ready");
  await go;
  const t0 = performance.now();
  const report = (r: { ok: boolean; error?: string }) =>
    io.say(
      "result " +
        JSON.stringify(
          { ...r, ops: ctx.ops, ms: performance.now() - t0, data: ctx.data },
          replacer,
        ),
    );
  try {
    await run(ctx);
    report({ ok: true });
  } catch (e) {
    report({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
  return io.exit(0);
}
