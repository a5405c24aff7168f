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
 * roles (readers) run until a "stop" line arrives on stdin. The body is
 * child_run.ts, shared with the Node entry (child_node.ts).
 *
 * @module
 */

import { runChild } from "./child_run.ts";
import { ENGINES } from "./race.ts";

const encoder = new TextEncoder();

await runChild({
  runtime: "deno",
  data: {},
  args: Deno.args,
  env: (name) => Deno.env.get(name),
  say(line) {
    const bytes = encoder.encode(line + "\n");
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  },
  stdin(onText, onEnd) {
    (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of Deno.stdin.readable) {
        onText(decoder.decode(chunk, { stream: true }));
      }
      onEnd();
    })();
  },
  exit: (code) => Deno.exit(code),
}, ENGINES);
