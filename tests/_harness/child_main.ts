// Copyright 2026 the psbase authors. MIT license.
/**
 * The generic child entry of the harness: one real process working on a
 * shared base, running the child half of the named scenario
 * (scenarios/<name>.ts, listed in scenarios/mod.ts).
 *
 *   deno run --allow-all tests/_harness/child_main.ts --engine=ps|plain
 *     --base=<folder> --scenario=<name> --index=<i> [scenario options]
 *
 * `--engine=ps` uses PsBase; `--engine=plain` uses Base, with NO
 * cross-process lock: the negative control. Protocol: prints "ready", waits
 * for a "go" line on stdin (the start barrier), works, prints one line
 * "result <json>" with { ok, error?, ops, ms, data } and exits. Background
 * roles (readers) run until a "stop" line arrives on stdin.
 *
 * @module
 */

import { rng } from "../../scripts/_rng.ts";
import { type ChildContext, openEngine } from "./context.ts";
import { type Engine, ENGINES } from "./race.ts";
import { CHILDREN } from "./scenarios/mod.ts";

const opt: { [k: string]: string } = {};
for (const a of Deno.args) {
  const m = /^--([^=]+)=(.*)$/s.exec(a);
  if (!m) throw new Error(`child_main: bad argument ${JSON.stringify(a)}`);
  opt[m[1]] = m[2];
}
const engine = opt.engine as Engine;
if (!ENGINES.includes(engine)) throw new Error(`child_main: bad --engine ${engine}`);
const index = Number(opt.index ?? 0);

const encoder = new TextEncoder();
function say(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

// The start barrier and the stop signal, both on stdin.
let stopRequested = false;
let letGo!: () => void;
const go = new Promise<void>((r) => letGo = r);
(async () => {
  const decoder = new TextDecoder();
  let seen = "";
  for await (const chunk of Deno.stdin.readable) {
    seen += decoder.decode(chunk, { stream: true });
    if (/(^|\n)go\n/.test(seen)) letGo();
    if (/(^|\n)stop\n/.test(seen)) stopRequested = true;
  }
  // Parent gone or stdin closed: start (if not yet) and stop.
  stopRequested = true;
  letGo();
})();

const random = rng(opt.seed !== undefined ? Number(opt.seed) : index * 7919 + 17);
const TRACE = Deno.env.get("RACE_TRACE") === "1";

const ctx: ChildContext = {
  opt,
  engine,
  base: opt.base,
  index,
  num(name, dflt) {
    const v = opt[name] === undefined ? dflt : Number(opt[name]);
    if (v === undefined || !Number.isFinite(v)) throw new Error(`child_main: missing --${name}`);
    return v;
  },
  open: async (options = {}) => await (await openEngine(engine, opt.base, options)).open(),
  data: {},
  ops: 0,
  get stopRequested() {
    return stopRequested;
  },
  random,
  pick: (list) => list[Math.floor(random() * list.length)],
  say,
  trace(msg) {
    if (TRACE) console.error(`[${index}] ${msg}`);
  },
};

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value] : value;
}

const run = CHILDREN[opt.scenario];
if (!run) throw new Error(`child_main: unknown --scenario ${opt.scenario}`);
say("ready");
await go;
const t0 = performance.now();
const report = (r: { ok: boolean; error?: string }) =>
  say(
    "result " +
      JSON.stringify({ ...r, ops: ctx.ops, ms: performance.now() - t0, data: ctx.data }, replacer),
  );
try {
  await run(ctx);
  report({ ok: true });
} catch (e) {
  report({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}
Deno.exit(0);
