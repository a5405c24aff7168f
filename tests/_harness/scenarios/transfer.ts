// Copyright 2026 the psbase authors. MIT license.
/**
 * The kill campaign's workload (issue 8): an invariant-keeping transfer
 * table. `accounts` account records start at {@linkcode START_BALANCE} each,
 * so balances always sum to `accounts × START_BALANCE`. Every transfer is one
 * `transaction()`: read two accounts, move an amount from one to the other,
 * and insert a journal record naming the writer, its run and sequence number,
 * the two accounts and the amount. A commit counts as acknowledged once its
 * promise resolved: the writer then prints `ack <seq> <id> <src> <dst> <amt>`.
 *
 * Roles (`--role`):
 * - `writer --w=<k> --run=<r> [--checkpoint=<bytes>] [--commits=<n>]`: transfers
 *   until `stop` (or, with `--commits`, until it made n; then it exits cleanly,
 *   so that the campaign starts a new one: starts during checkpoints).
 * - `reader [--reads=<n>]`: reads in a loop until `stop` or n reads (now a fresh `PsBase` each time,
 *   now a long-lived one) and reports what it saw wrong: a sum that is not
 *   the constant (a half transfer), `count()` different from the rows of the
 *   same transaction, a duplicate id.
 * - `admin`: now and then `cleanup()`, an `addField` or a `dropField`, junk
 *   inserted and deleted, `setDefault`; until `stop`.
 *
 * {@linkcode verifyTransfer} checks a base after a round, given every
 * acknowledged commit.
 *
 * @module
 */

import { PsBase, type RecordOf, type Schema } from "../../../mod.ts";
import type { Anomalies } from "../anomalies.ts";
import { type ChildContext, must } from "../context.ts";
import type { Inspection } from "../inspect.ts";
import { sleep } from "../time.ts";

/** The balance every account starts with. */
export const START_BALANCE = 1000;

/**
 * The transfer table's schema. `pad` makes log records long enough to
 * checkpoint often; `kind` is indexed, so the readers' `find({ kind })` and
 * the check after each round read through an index the writers keep up.
 */
export const TRANSFER_SCHEMA: Schema = {
  kind: { type: "string", index: true },
  acct: "int",
  bal: "int",
  w: "int",
  run: "int",
  seq: "int",
  src: "int",
  dst: "int",
  amt: "int",
  pad: { type: "string", default: "" },
};

/** Creates the base at `path` with `accounts` accounts; returns their ids. */
export async function seedTransfer(path: string, accounts: number): Promise<number[]> {
  const db = await new PsBase(path).create(TRANSFER_SCHEMA);
  try {
    return await db.insertMany(
      Array.from({ length: accounts }, (_, k) => ({ kind: "acct", acct: k, bal: START_BALANCE })),
    );
  } finally {
    await db.close();
  }
}

/** One acknowledged commit, as a writer printed it. */
export interface Ack {
  w: number;
  run: number;
  seq: number;
  id: number;
  src: number;
  dst: number;
  amt: number;
}

/** Parses the `ack` lines a writer (`w`, `run`) printed. */
export function parseAcks(w: number, run: number, lines: string[]): Ack[] {
  const out: Ack[] = [];
  for (const l of lines) {
    const m = /^ack (\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(l);
    if (m) {
      const [seq, id, src, dst, amt] = m.slice(1).map(Number);
      out.push({ w, run, seq, id, src, dst, amt });
    }
  }
  return out;
}

/** The child half: a writer, a reader or the admin, by `--role`. */
export function child(ctx: ChildContext): Promise<void> {
  const role = ctx.opt.role;
  if (role === "writer") return writer(ctx);
  if (role === "reader") return reader(ctx);
  if (role === "admin") return admin(ctx);
  throw new Error(`transfer: bad --role ${role}`);
}

async function writer(ctx: ChildContext): Promise<void> {
  const accounts = ctx.opt.accounts.split(",").map(Number);
  const w = ctx.num("w");
  const run = ctx.num("run");
  const checkpoint = ctx.num("checkpoint", 0);
  const commits = ctx.opt.commits === undefined ? Infinity : ctx.num("commits");
  ctx.data.phase = "open";
  const db = await ctx.open(checkpoint ? { checkpointBytes: checkpoint } : {});
  ctx.data.phase = "work";
  try {
    for (let seq = 1; !ctx.stopRequested && seq <= commits; seq++) {
      const a = Math.floor(ctx.random() * accounts.length);
      const b = (a + 1 + Math.floor(ctx.random() * (accounts.length - 1))) % accounts.length;
      const amt = 1 + Math.floor(ctx.random() * 50);
      const id = await db.transaction(async (tx) => {
        const src = await must(ctx, tx, accounts[a]);
        const dst = await must(ctx, tx, accounts[b]);
        await tx.update(src, { bal: (src.bal as number) - amt });
        await tx.update(dst, { bal: (dst.bal as number) + amt });
        return await tx.insert({
          kind: "tx",
          w,
          run,
          seq,
          src: a,
          dst: b,
          amt,
          pad: "x".repeat(40 + Math.floor(ctx.random() * 80)),
        });
      });
      ctx.say(`ack ${seq} ${id} ${a} ${b} ${amt}`);
      // Now and then a macrotask, so that `stop` on stdin gets in.
      if (seq % 4 === 0) await sleep(0);
    }
  } finally {
    await db.close();
  }
}

/** Checks one consistent read of the whole table; returns what is wrong. */
function checkSnapshot(rows: RecordOf[], accounts: number, what: string): string[] {
  const wrong: string[] = [];
  const ids = new Set<number>();
  let sum = 0;
  let n = 0;
  for (const r of rows) {
    if (ids.has(r.__id__)) wrong.push(`${what}: id ${r.__id__} twice`);
    ids.add(r.__id__);
    if (r.kind === "acct") {
      n++;
      sum += r.bal as number;
    }
  }
  if (n !== accounts) wrong.push(`${what}: ${n} accounts, expected ${accounts}`);
  else if (sum !== accounts * START_BALANCE) {
    wrong.push(`${what}: balances sum to ${sum}, expected ${accounts * START_BALANCE}`);
  }
  return wrong;
}

async function reader(ctx: ChildContext): Promise<void> {
  const accounts = ctx.num("naccounts");
  const most = ctx.opt.reads === undefined ? Infinity : ctx.num("reads");
  const violations: string[] = [];
  ctx.data.violations = violations;
  const flag = (v: string[]) => {
    for (const x of v) {
      if (violations.length < 20) violations.push(x);
      ctx.say(`violation ${x}`); // now: a reader killed later reports no result
    }
  };
  ctx.data.phase = "open";
  let db = await ctx.open();
  ctx.data.phase = "work";
  let reads = 0;
  try {
    while (!ctx.stopRequested && reads < most) {
      const kind = reads % 4;
      if (kind === 0) {
        // A fresh process-like start: open, read, close.
        await db.close();
        ctx.data.phase = "open";
        db = await ctx.open();
        ctx.data.phase = "work";
        flag(checkSnapshot(await db.select(), accounts, "select() after open"));
      } else if (kind === 1) {
        const [count, all] = await db.transaction(async (tx) =>
          [await tx.count(), await tx.select()] as const
        );
        if (count !== all.length) flag([`count() ${count} != ${all.length} rows, in one tx`]);
        flag(checkSnapshot(all, accounts, "select() in a transaction"));
      } else if (kind === 2) {
        const rows: RecordOf[] = [];
        for await (const r of db) rows.push(r);
        flag(checkSnapshot(rows, accounts, "iteration"));
      } else {
        const accts = await db.find({ kind: "acct" });
        flag(checkSnapshot(accts, accounts, "find({ kind: 'acct' })"));
      }
      ctx.ops++;
      reads++;
      await sleep(1);
    }
  } finally {
    await db.close();
  }
  ctx.data.reads = reads;
}

async function admin(ctx: ChildContext): Promise<void> {
  const run = ctx.num("run");
  ctx.data.phase = "open";
  const db = await ctx.open();
  ctx.data.phase = "work";
  const done: string[] = [];
  ctx.data.done = done;
  try {
    for (let k = 0; !ctx.stopRequested; k++) {
      await sleep(20 + Math.floor(ctx.random() * 150));
      const step = Math.floor(ctx.random() * 5);
      if (step === 0) {
        await db.cleanup();
        done.push("cleanup");
      } else if (step === 1) {
        const extra = Object.keys(db.schema).filter((f) => f.startsWith("x_"));
        if (extra.length) {
          await db.dropField(extra[0]);
          done.push(`dropField ${extra[0]}`);
        } else {
          const name = `x_${run}_${k}`;
          await db.addField(name, "int", { default: k });
          done.push(`addField ${name}`);
        }
      } else if (step === 2) {
        const ids = await db.insertMany(
          Array.from({ length: 5 }, (_, j) => ({ kind: "junk", seq: j, pad: "junk" })),
        );
        await db.delete(ids);
        done.push("junk");
      } else if (step === 3) {
        await db.setDefault("pad", `d${k}`);
        done.push("setDefault");
      } else {
        await db.commit();
        done.push("commit");
      }
      ctx.ops++;
    }
  } finally {
    await db.close();
  }
}

/**
 * Checks the transfer table after a round: exactly the accounts, balances
 * summing to the constant, each balance equal to its start plus the journal's
 * transfers (no half transfer), every acknowledged commit there with what it
 * wrote, at most one unacknowledged commit per writer run (the one in flight),
 * no journal entry twice, no record of another kind. `inspection` is the base as read back
 * by {@linkcode inspectBase} (count, duplicates, decoding already checked).
 */
export function verifyTransfer(
  base: Inspection,
  accounts: number,
  acks: Ack[],
  found: Anomalies,
): void {
  const balances = new Map<number, number>();
  const journal = new Map<string, RecordOf>();
  const net = new Array(accounts).fill(0);
  for (const r of base.records) {
    if (r.kind === "acct") {
      if (balances.has(r.acct as number)) {
        found.add("duplicateIds", 1, `account ${r.acct} twice`);
      }
      balances.set(r.acct as number, r.bal as number);
    } else if (r.kind === "tx") {
      const key = `${r.w}/${r.run}/${r.seq}`;
      if (journal.has(key)) {
        found.add("duplicateIds", 1, `journal entry ${key} twice (ids ${r.__id__}, ...)`);
      }
      journal.set(key, r);
      net[r.src as number] -= r.amt as number;
      net[r.dst as number] += r.amt as number;
    } else if (r.kind !== "junk") { // junk: the admin may be killed between insert and delete
      found.add("damagedRecords", 1, `a record of kind ${r.kind}: ${JSON.stringify(r)}`);
    }
  }
  if (balances.size !== accounts) {
    found.add("damagedRecords", 1, `${balances.size} accounts, expected ${accounts}`);
  }
  let sum = 0;
  for (const b of balances.values()) sum += b;
  if (sum !== accounts * START_BALANCE) {
    found.add(
      "missingChanges",
      1,
      `balances sum to ${sum}, expected ${accounts * START_BALANCE}: a partial transaction`,
    );
  }
  let halves = 0;
  for (let a = 0; a < accounts; a++) {
    const want = START_BALANCE + net[a];
    if (balances.has(a) && balances.get(a) !== want) {
      halves++;
      if (halves <= 3) {
        found.add(
          "missingChanges",
          1,
          `account ${a} holds ${balances.get(a)}, its journal says ${want}: a half transfer`,
        );
      }
    }
  }
  if (halves > 3) found.add("missingChanges", halves - 3, `${halves - 3} more accounts`);
  let lost = 0;
  const lastAck = new Map<string, number>();
  for (const a of acks) {
    const run = `${a.w}/${a.run}`;
    lastAck.set(run, Math.max(lastAck.get(run) ?? 0, a.seq));
    const r = journal.get(`${run}/${a.seq}`);
    if (!r || r.__id__ !== a.id || r.src !== a.src || r.dst !== a.dst || r.amt !== a.amt) {
      lost++;
      if (lost <= 5) {
        found.add(
          "lostUpdates",
          1,
          `acknowledged commit ${run}/${a.seq} (id ${a.id}) reads ${JSON.stringify(r)}`,
        );
      }
    }
  }
  if (lost > 5) found.add("lostUpdates", lost - 5, `${lost - 5} more acknowledged commits`);
  for (const [key, r] of journal) {
    const run = `${r.w}/${r.run}`;
    const last = lastAck.get(run) ?? 0;
    if ((r.seq as number) > last + 1) {
      found.add("missingChanges", 1, `journal entry ${key} is past the run's last ack + 1`);
    }
  }
}
