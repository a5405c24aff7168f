// Copyright 2026 the psbase authors. MIT license.
// Progress of a long job on stderr: a bar redrawn in place on a terminal,
// a plain line at every quarter otherwise (a log file, a pipe).

import type { Io } from "./_io.ts";

/** Jobs with fewer steps than this show no progress. */
export const LONG = 10_000;
const WIDTH = 30;

/**
 * Reports `done` of `total` steps of a job named `label`.
 *
 * @example
 * ```ts ignore
 * const p = new Progress(io, "import", 50_000, "lines");
 * for (let i = 1; i <= 50_000; i++) p.update(i);
 * p.end();
 * ```
 */
export class Progress {
  #io: Io;
  #label: string;
  #total: number;
  #unit: string;
  #shown = -1;
  #on: boolean;

  /** A progress report; silent when `total` is below {@linkcode LONG} or `quiet`. */
  constructor(io: Io, label: string, total: number, unit: string, quiet = false) {
    this.#io = io;
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
    this.#on = !quiet && total >= LONG;
  }

  /** `done` steps are done. */
  update(done: number): void {
    if (!this.#on) return;
    const pct = Math.floor((100 * done) / this.#total);
    const io = this.#io;
    if (io.errIsTerminal) {
      if (pct === this.#shown) return;
      this.#shown = pct;
      const full = Math.round((WIDTH * done) / this.#total);
      io.status(
        `${this.#label} [${"#".repeat(full)}${"-".repeat(WIDTH - full)}] ${pct}% ` +
          `${done}/${this.#total} ${this.#unit}`,
      );
    } else {
      const quarter = Math.floor(pct / 25) * 25;
      if (quarter === 0 || quarter <= this.#shown) return;
      this.#shown = quarter;
      io.err(`${this.#label}: ${quarter}% (${done} of ${this.#total} ${this.#unit})`);
    }
  }

  /** Ends the bar (a terminal's line is kept). */
  end(): void {
    if (this.#on && this.#io.errIsTerminal) this.#io.status("");
  }

  /** Tells the next phase of the job (a plain line, when progress is shown at all). */
  say(line: string): void {
    if (this.#on) this.#io.err(`${this.#label}: ${line}`);
  }
}
