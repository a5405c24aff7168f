// Copyright 2026 the psbase authors. MIT license.
// Child process for tests/lock_test.ts: a second (or ninth) real process that
// takes the PsLock. Talks to the parent through stdin / stdout lines.
//
//   hold <lock> <exclusive|shared>
//       acquire, print "held", hold until stdin closes (or 20 s), release.
//   try <lock> <exclusive|shared> <timeoutMs>
//       print "held" if the lock was taken within timeoutMs, else
//       "timeout <path named by the error>"; release at once.
//   count <lock> <counter> <times> <lock|nolock>
//       print "ready", wait for "go" on stdin, then `times` times: (lock,) read
//       the counter, yield to the event loop, write it back plus one (, unlock).
//       "nolock" is the negative control: updates get lost.

import { LockTimeoutError } from "../_errors.ts";
import { PsLock } from "../lock.ts";

const [mode, lockPath, ...rest] = Deno.args;
const encoder = new TextEncoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(line + "\n"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when stdin contains `text`, or reaches end of file. */
async function stdinUntil(text?: string): Promise<void> {
  const decoder = new TextDecoder();
  let seen = "";
  for await (const chunk of Deno.stdin.readable) {
    seen += decoder.decode(chunk, { stream: true });
    if (text !== undefined && seen.includes(text)) return;
  }
}

const lock = new PsLock(lockPath);

if (mode === "hold") {
  const held = await lock.acquire({ exclusive: rest[0] !== "shared" });
  say("held");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([stdinUntil(), new Promise((r) => timer = setTimeout(r, 20_000))]);
  clearTimeout(timer);
  held.release();
  Deno.exit(0);
} else if (mode === "try") {
  try {
    const held = await lock.acquire({ exclusive: rest[0] !== "shared", timeoutMs: +rest[1] });
    say("held");
    held.release();
  } catch (e) {
    if (!(e instanceof LockTimeoutError)) throw e;
    say(`timeout ${e.path}`);
  }
  Deno.exit(0);
} else if (mode === "count") {
  const [counterPath, times, locking] = rest;
  const counter = Deno.openSync(counterPath, { read: true, write: true });
  const buf = new Uint8Array(16);
  say("ready");
  await stdinUntil("go");
  for (let i = 0; i < +times; i++) {
    const held = locking === "lock" ? await lock.acquire() : undefined;
    counter.seekSync(0, Deno.SeekMode.Start);
    let n = 0;
    while (n < buf.length) {
      const r = counter.readSync(buf.subarray(n));
      if (r === null) break;
      n += r;
    }
    const value = Number(new TextDecoder().decode(buf.subarray(0, n)));
    await sleep(0); // widen the read-modify-write window, as real work would
    counter.seekSync(0, Deno.SeekMode.Start);
    counter.writeSync(encoder.encode(String(value + 1).padStart(16, "0")));
    held?.release();
  }
  counter.close();
  say("done");
  Deno.exit(0);
} else {
  throw new Error(`lock_child.ts: unknown mode ${mode}`);
}
