// Copyright 2026 the psbase authors. MIT license.
// CSV as `psbase dump` writes it and `psbase import` reads it (RFC 4180): a
// header of field names, then one record a line. A cell holding `"`, `,`,
// CR or LF is quoted, `"` doubled. A null is an empty cell, `a,,b`; the
// empty string is a quoted one, `a,"",b`: the reader tells them apart.

/** A cell of a CSV record: null for an empty unquoted cell. */
export type Cell = string | null;

/** A CSV cell: null empty, the empty string `""`, quoted when it holds `"`, `,`, CR or LF. */
export function csvCell(text: string | null): string {
  if (text === null) return "";
  if (text === "") return '""';
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A record of cells, one line (with its line break). */
export function csvLine(cells: Cell[]): string {
  return cells.map(csvCell).join(",") + "\n";
}

/** A record read from CSV, with the line it starts on (from 1). */
export interface CsvRecord {
  line: number;
  cells: Cell[];
}

/**
 * Parses CSV text (LF or CRLF line breaks; a line break at the very end ends
 * the last record, it starts none). Throws an Error naming the line when a
 * quote is misplaced or never closed.
 */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: Cell[] = [];
    for (;;) {
      // One cell, at i.
      if (text[i] === '"') {
        let value = "";
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new Error(`line ${start}: a quoted value is never closed`);
          const chunk = text.slice(j, q);
          for (const c of chunk) if (c === "\n") line++;
          value += chunk;
          if (text[q + 1] === '"') {
            value += '"';
            j = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        cells.push(value);
        const c = text[i];
        if (i < n && c !== "," && c !== "\n" && !(c === "\r" && text[i + 1] === "\n")) {
          throw new Error(`line ${line}: text after a closing quote (a " inside a value is "")`);
        }
      } else {
        let j = i;
        while (j < n && text[j] !== "," && text[j] !== "\n") j++;
        let value = text.slice(i, j);
        if (text[j] === "\n" && value.endsWith("\r")) value = value.slice(0, -1);
        if (value.includes('"')) {
          throw new Error(`line ${line}: a " inside a value that is not quoted`);
        }
        cells.push(value === "" ? null : value);
        i = j;
      }
      if (i >= n) break;
      if (text[i] === ",") {
        i++;
        if (i >= n) {
          cells.push(null);
          break;
        }
        continue;
      }
      // A line break: CRLF or LF.
      i += text[i] === "\r" ? 2 : 1;
      line++;
      break;
    }
    out.push({ line: start, cells });
  }
  return out;
}
