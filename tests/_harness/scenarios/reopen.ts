// Copyright 2026 the psbase authors. MIT license.
/**
 * Starts during checkpoints (issue 8, defect 1): one process loops
 * `cleanup()` (a new generation each time, the old files removed: FORMAT.md
 * W3, W5) for `--ms` milliseconds, while others loop `open(); count();
 * close()` (role `opener`) or `count()` on one long-lived `PsBase` (role
 * `refresher`) until `stop`. Every open or refresh of this healthy base must
 * succeed; each failure is counted with its message (the first few kept).
 *
 * @module
 */

import { PsBase } from "../../../mod.ts";
import type { ChildContext } from "../context.ts";
import type { ChildOutput } from "../child.ts";
import type { Scenario } from "../race.ts";
import { sleep } from "../time.ts";
import { seedRows } from "./_schema.ts";

/** What the openers and refreshers report. */
export interface ReopenTally {
  /** Opens (or refreshes) tried. */
  tries: number;
  /** Of those, how many failed. */
  failures: number;
  /** The first failures' messages. */
  messages: string[];
  /** Cleanups done. */
  cleanups: number;
}

/** Adds up what the children of a reopen race reported. */
export function tallyReopen(outputs: ChildOutput[]): ReopenTally {
  const t: ReopenTally = { tries: 0, failures: 0, messages: [], cleanups: 0 };
  for (const o of outputs) {
    t.tries += (o.data.tries as number) ?? 0;
    t.failures += (o.data.failures as number) ?? 0;
    t.cleanups += (o.data.cleanups as number) ?? 0;
    for (const m of (o.data.messages as string[]) ?? []) {
      if (t.messages.length < 10) t.messages.push(m);
    }
  }
  return t;
}

/**
 * The scenario: process 0 cleans up for `ms` milliseconds; the others are
 * openers (even index) and refreshers (odd), in the background.
 */
export function reopenScenario(o: { ms: number; records: number }): Scenario {
  return {
    name: "reopen",
    seed: (path) =>
      seedRows(
        path,
        Array.from({ length: o.records }, (_, k) => ({ key: k, a: k, b: k, note: `r${k}` })),
      ),
    args: (i) =>
      i === 0 ? ["--role=cleaner", `--ms=${o.ms}`] : [`--role=${i % 2 ? "refresher" : "opener"}`],
    background: (i) => i > 0,
    verify() {},
  };
}

/** The child half: the cleaner, an opener or a refresher, by `--role`. */
export async function child(ctx: ChildContext): Promise<void> {
  const role = ctx.opt.role;
  if (role === "cleaner") {
    const until = performance.now() + ctx.num("ms");
    const db = await new PsBase(ctx.base).open();
    try {
      let cleanups = 0;
      while (performance.now() < until) {
        await db.cleanup();
        cleanups++;
        if (cleanups % 8 === 0) await sleep(0);
      }
      ctx.data.cleanups = cleanups;
      return;
    } finally {
      await db.close();
    }
  }
  let tries = 0;
  let failures = 0;
  const messages: string[] = [];
  Object.assign(ctx.data, { messages });
  const long = role === "refresher" ? await new PsBase(ctx.base).open() : undefined;
  try {
    while (!ctx.stopRequested) {
      tries++;
      try {
        if (long) await long.count();
        else {
          const db = await new PsBase(ctx.base).open();
          await db.count();
          await db.close();
        }
      } catch (e) {
        failures++;
        if (messages.length < 5) {
          messages.push(`${role}: ${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      if (tries % 16 === 0) await sleep(0);
      ctx.data.tries = tries;
      ctx.data.failures = failures;
    }
  } finally {
    await long?.close();
  }
}
