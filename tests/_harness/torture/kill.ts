// Copyright 2026 the psbase authors. MIT license.
/**
 * The kill campaign (issue 8): rounds of writers, readers and (in some rounds)
 * an admin on a transfer table (scenarios/transfer.ts), `kill -9` of a random
 * process at random moments, each killed process started again at once; a
 * small `checkpointBytes` in some rounds. After every round, with every
 * process gone: every acknowledged commit present, no partial transaction, no
 * duplicate, `count()` equal to the records iterated; and every process that
 * ended by itself (an error opening or reading a healthy base) is counted as a
 * spurious error, with its message.
 *
 * @module
 */

import { join } from "node:path";
import { rng } from "../../../scripts/_rng.ts";
import { Anomalies } from "../anomalies.ts";
import { Child, type ChildCommand } from "../child.ts";
import { inspectBase } from "../inspect.ts";
import { type Ack, parseAcks, seedTransfer, verifyTransfer } from "../scenarios/transfer.ts";
import { sleep } from "../time.ts";

/** Options of {@linkcode killCampaign}. */
export interface KillOptions {
  /** A folder for the rounds' bases. */
  dir: string;
  /** Rounds (a fresh base each). */
  rounds: number;
  /** Kills in all, spread over the rounds. */
  kills: number;
  /** Seeds kill times, victims, round settings and the children's PRNGs. */
  seed: number;
  /** Writers and readers per round (default 4 and 2). */
  writers?: number;
  readers?: number;
  /** Accounts in the transfer table (default 16). */
  accounts?: number;
  /** Writers and readers end after 1..churn commits or reads (default 40; 0: never). */
  churn?: number;
  /** Pause between two kills: uniform in [min, max] ms (default 10..250). */
  gapMs?: [number, number];
  /** Called after each kill and each round. */
  onProgress?: (s: KillStats) => void;
  /** Keep each round's base (default: removed once verified). */
  keep?: boolean;
  /** How to start each process (default: the Deno child; see node_child.ts for Node's). */
  command?: ChildCommand;
  /**
   * `ps` (the default) or `plain`: `Base`, with no cross-process lock, the
   * negative control, whose rounds must show the damage.
   */
  engine?: "ps" | "plain";
}

/** A process that ended by itself: an error the engine should not have raised. */
export interface Spurious {
  round: number;
  role: string;
  /** `open` when it failed opening the base, `work` when later. */
  phase: string;
  message: string;
}

/** What a kill campaign found. */
export interface KillStats {
  rounds: number;
  /** Processes killed at random moments during rounds. */
  kills: number;
  /** Processes killed at the end of a round (also with SIGKILL, at a random moment of their own). */
  endKills: number;
  /** Processes started (each restart counts). */
  starts: number;
  /** Processes that ended cleanly after their commits or reads (then started again). */
  cleanExits: number;
  /** Commits acknowledged to writers. */
  acked: number;
  /** Rounds run with a 1 KiB checkpointBytes, and with an admin. */
  smallCheckpointRounds: number;
  adminRounds: number;
  spurious: Spurious[];
  /** Anomalies found by the checks after each round (lost commits, partial transactions...). */
  anomalies: Anomalies;
}

interface Slot {
  role: "writer" | "reader" | "admin";
  w: number;
  run: number;
  child?: Child;
  killed: boolean;
}

/** Runs the kill campaign; returns what it found. */
export async function killCampaign(o: KillOptions): Promise<KillStats> {
  const random = rng(o.seed);
  const writers = o.writers ?? 4;
  const readers = o.readers ?? 2;
  const accounts = o.accounts ?? 16;
  const [gapMin, gapMax] = o.gapMs ?? [10, 250];
  const churn = o.churn ?? 40;
  const stats: KillStats = {
    rounds: 0,
    kills: 0,
    endKills: 0,
    starts: 0,
    cleanExits: 0,
    acked: 0,
    smallCheckpointRounds: 0,
    adminRounds: 0,
    spurious: [],
    anomalies: new Anomalies(10),
  };
  for (let round = 0; round < o.rounds; round++) {
    const killsHere = Math.floor(o.kills * (round + 1) / o.rounds) -
      Math.floor(o.kills * round / o.rounds);
    const base = join(o.dir, `kill-round-${round}`);
    const ids = await seedTransfer(base, accounts);
    const checkpoint = random() < 0.5 ? 1024 : 0;
    const admin = random() < 0.6;
    if (checkpoint) stats.smallCheckpointRounds++;
    if (admin) stats.adminRounds++;
    const slots: Slot[] = [
      ...Array.from({ length: writers }, (_, w) => ({ role: "writer" as const, w, run: 0 })),
      ...Array.from({ length: readers }, (_, w) => ({ role: "reader" as const, w, run: 0 })),
      ...(admin ? [{ role: "admin" as const, w: 0, run: 0 }] : []),
    ].map((s) => ({ ...s, killed: false }));
    const acks: Ack[] = [];
    const found = new Anomalies();
    let closing = false;

    /** Collects what a gone process printed; counts it as spurious unless it was killed. */
    const reaped = new WeakSet<Child>();
    const reap = async (s: Slot, c: Child) => {
      if (reaped.has(c)) return;
      reaped.add(c);
      const out = await c.finish();
      if (s.role === "writer") acks.push(...parseAcks(s.w, s.run, c.lines));
      for (const l of c.lines) {
        if (l.startsWith("violation ")) {
          found.add("readerViolations", 1, `${s.role} ${s.w} run ${s.run}: ${l.slice(10)}`);
        }
      }
      if (!s.killed && out.ok) stats.cleanExits++;
      else if (!s.killed && out.signal !== "SIGKILL") {
        stats.spurious.push({
          round,
          role: s.role,
          phase: String(out.data.phase ?? "start"),
          message: String(out.error),
        });
      }
    };

    const start = (s: Slot) => {
      s.run++;
      s.killed = false;
      stats.starts++;
      const childSeed = (o.seed * 7919 + round * 104_729 + s.w * 1009 + s.run * 31) >>> 0;
      const args = [
        `--engine=${o.engine ?? "ps"}`,
        `--base=${base}`,
        "--scenario=transfer",
        `--role=${s.role}`,
        `--index=${s.w}`,
        `--seed=${childSeed}`,
        `--run=${s.run}`,
      ];
      if (s.role === "writer") {
        args.push(`--w=${s.w}`, `--accounts=${ids.join(",")}`);
        if (checkpoint) args.push(`--checkpoint=${checkpoint}`);
      }
      if (s.role === "reader") args.push(`--naccounts=${accounts}`);
      if (churn && s.role !== "admin") {
        args.push(
          `--${s.role === "writer" ? "commits" : "reads"}=${
            1 + Math.floor(rng(childSeed ^ 0x5bd1e995)() * churn)
          }`,
        );
      }
      const c = new Child(stats.starts, args, o.command);
      s.child = c;
      c.waitFor("ready").then(async (ok) => {
        if (ok) await c.send("go");
      });
      // A process that ends by itself is reaped and started again.
      c.exited.then(async () => {
        if (s.killed || closing || s.child !== c) return;
        await reap(s, c);
        if (!closing) start(s);
      });
    };

    slots.forEach(start);
    for (let k = 0; k < killsHere; k++) {
      await sleep(gapMin + random() * (gapMax - gapMin));
      const s = slots[Math.floor(random() * slots.length)];
      const c = s.child!;
      if (c.ended) continue; // it ended by itself just now: reaped and restarted
      s.killed = true;
      c.kill("SIGKILL");
      await c.exited;
      stats.kills++;
      await reap(s, c);
      start(s);
      o.onProgress?.(stats);
    }
    closing = true;
    for (const s of slots) {
      if (s.child!.ended) continue; // ended by itself: reaped below as spurious
      s.killed = true;
      s.child!.kill("SIGKILL");
    }
    for (const s of slots) {
      await s.child!.exited;
      if (s.killed) stats.endKills++;
      await reap(s, s.child!);
    }
    const inspection = await inspectBase(base, found);
    verifyTransfer(inspection, accounts, acks, found);
    stats.acked += acks.length;
    for (const k of Object.keys(found.counts) as Array<keyof typeof found.counts>) {
      if (found.counts[k]) {
        stats.anomalies.add(k, found.counts[k], `round ${round}: ${found.details.join(" | ")}`);
      }
    }
    stats.rounds++;
    if (!o.keep) await Deno.remove(base, { recursive: true });
    o.onProgress?.(stats);
  }
  return stats;
}

/** What {@linkcode killWithoutLock} found. */
export interface ControlResult {
  stats: KillStats;
  /** Anomalies plus refused writers: more than 0 when the harness can see the damage. */
  found: number;
  /** One line saying so. */
  line: string;
}

/**
 * The kill campaign's negative control: two rounds of 10 kills on `Base`,
 * with no cross-process lock, eight writers on two accounts so that they
 * collide. Its writers lose updates, or `Base` notices that another process
 * wrote and refuses (`BaseChangedError`, a spurious error here): a campaign
 * that finds neither proves nothing.
 */
export async function killWithoutLock(
  o: { dir: string; seed: number; command?: ChildCommand },
): Promise<ControlResult> {
  const stats = await killCampaign({
    ...o,
    rounds: 2,
    kills: 10,
    engine: "plain",
    writers: 8,
    accounts: 2,
    churn: 0,
  });
  return {
    stats,
    found: stats.anomalies.total + stats.spurious.length,
    line: `without the lock: ${stats.anomalies.total} anomalies (${stats.anomalies.summary()}), ` +
      `${stats.spurious.length} refused writers, of ${stats.acked} acknowledged commits`,
  };
}
