// Copyright 2026 the psbase authors. MIT license.
/**
 * The race benchmark's chart, as a hand-written SVG: wall time per N (left)
 * and each process's in-process time, p50 bar and p99 mark (right).
 *
 * @module
 */

/** One engine's medians at each N. */
export interface Series {
  label: string;
  points: Array<{ wall: number; total: number; p50: number; p99: number }>;
}

/** In pairs, dark then light: psbase, psbase indexed, SQLite, SQLite indexed, then others. */
const COLORS = ["#2563eb", "#93c5fd", "#ea580c", "#fdba74", "#16a34a", "#86efac", "#6b7280"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A round upper bound for an axis. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const num = (v: number) =>
  v === 0 ? "0" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);

/** The SVG text. */
export function raceChart(ns: number[], series: Series[], note: string): string {
  const W = 960;
  const H = 420;
  const panelW = 420;
  const top = 70;
  const plotH = 260;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600">` +
      `N processes at once, each: cold open of a 10K-record table, one read-modify-write ` +
      `(find by key), close</text>`,
    `<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(note)}</text>`,
  );
  const panel = (
    x0: number,
    title: string,
    value: (s: Series, i: number) => number,
    mark?: (s: Series, i: number) => number,
  ) => {
    const left = x0 + 50;
    const plotW = panelW - 60;
    let max = 0;
    for (const s of series) {
      ns.forEach((_, i) => max = Math.max(max, value(s, i), mark ? mark(s, i) : 0));
    }
    max = niceMax(max);
    const y = (v: number) => Math.round((top + plotH - (v / max) * plotH) * 10) / 10;
    out.push(
      `<text x="${left + plotW / 2}" y="${top - 10}" text-anchor="middle" font-weight="600">` +
        `${esc(title)}</text>`,
    );
    for (let k = 0; k <= 5; k++) {
      const v = (max * k) / 5;
      out.push(
        `<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${num(v)}</text>`,
      );
    }
    const groupW = plotW / ns.length;
    const barW = Math.min(36, (groupW - 20) / series.length);
    ns.forEach((n, i) => {
      const gx = left + i * groupW + (groupW - barW * series.length) / 2;
      series.forEach((s, k) => {
        const v = value(s, i);
        const x = gx + k * barW;
        if (Number.isFinite(v)) {
          out.push(
            `<rect x="${r1(x + 2)}" y="${y(v)}" width="${r1(barW - 4)}" ` +
              `height="${r1(top + plotH - y(v))}" ` +
              `fill="${COLORS[k % COLORS.length]}"><title>${esc(s.label)}, N=${n}: ${num(v)} ms` +
              `</title></rect>`,
            `<text x="${r1(x + barW / 2)}" y="${r1(y(v) - 4)}" text-anchor="middle" ` +
              `font-size="10">` +
              `${num(v)}</text>`,
          );
        }
        const m = mark?.(s, i);
        if (m !== undefined && Number.isFinite(m)) {
          out.push(
            `<line x1="${r1(x + barW / 2)}" x2="${r1(x + barW / 2)}" y1="${y(m)}" y2="${y(v)}" ` +
              `stroke="#111" stroke-dasharray="2,2"/>`,
            `<line x1="${r1(x + 6)}" x2="${r1(x + barW - 6)}" y1="${y(m)}" y2="${y(m)}" ` +
              `stroke="#111" ` +
              `stroke-width="2"><title>${esc(s.label)}, N=${n}: p99 ${num(m)} ms</title></line>`,
          );
        }
      });
      out.push(
        `<text x="${r1(left + i * groupW + groupW / 2)}" y="${top + plotH + 18}" ` +
          `text-anchor="middle">N = ${n}</text>`,
      );
    });
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" ` +
        `stroke="#111"/>`,
    );
  };
  panel(10, "wall time, barrier to last exit (ms)", (s, i) => s.points[i].wall);
  panel(
    W / 2 + 10,
    "each process, open to close (ms): p50 bar, p99 mark",
    (s, i) => s.points[i].p50,
    (s, i) => s.points[i].p99,
  );
  series.forEach((s, k) => {
    const x = 20 + k * Math.floor((W - 40) / series.length);
    out.push(
      `<rect x="${x}" y="${H - 30}" width="14" height="14" fill="${COLORS[k % COLORS.length]}"/>`,
      `<text x="${x + 20}" y="${H - 19}">${esc(s.label)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
