// Copyright 2026 the psbase authors. MIT license.
// The `psbase` command's guarantees as scenarios, each run against the real
// command in subprocesses: `deno run cli.ts` (tests/cli_test.ts) and the
// installed npm package's `psbase` bin in Node (tests/npm_test.ts). The bases
// they work on are written by this (Deno) process through the library.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Base, PsBase } from "../mod.ts";
import { snapshotFiles } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dec = new TextDecoder();

/** What a run of the command gave. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** A way to run the `psbase` command. */
export interface Cli {
  /** "deno" or "node", for test names and logs. */
  name: string;
  run(args: string[], stdin?: string | Uint8Array): Promise<Ran>;
}

async function spawn(cmd: string, args: string[], stdin?: string | Uint8Array): Promise<Ran> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DATABASE_URL: "" }, // no database unless a test names one
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await w.close();
  }
  const r = await child.output();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** `deno run <permissions> cli.ts ...` from this checkout. */
export function denoCli(permissions: string[] = ["--allow-read", "--allow-write"]): Cli {
  return {
    name: "deno",
    run: (args, stdin) =>
      spawn(Deno.execPath(), ["run", ...permissions, join(ROOT, "cli.ts"), ...args], stdin),
  };
}

/** The installed npm package's `psbase` bin (`node_modules/.bin/psbase`), run as is. */
export function nodeCli(bin: string): Cli {
  return { name: "node", run: (args, stdin) => spawn(bin, args, stdin) };
}

/** Every file under `dir` with its bytes (base64), and every folder (a trailing /), by relative path. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(join(dir, rel), { withFileTypes: true })) {
      const at = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.set(at + "/", "");
        walk(at);
      } else out.set(at, fs.readFileSync(join(dir, at)).toString("base64"));
    }
  };
  walk("");
  return out;
}

/** Fails with the run's output unless it exited with `code`. */
export function expectCode(r: Ran, code: number, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, expected ${code}\n${r.out}\n${r.err}`);
}

// --- A base with every field type, nulls, dates, unicode and links ---------------------

/** What each record of the sample base must dump as (JSON), in id order. */
export const SAMPLE_DUMP = [
  {
    __id__: 1,
    __version__: 2,
    name: "Ada",
    n: 36,
    x: 1.5,
    day: "1815-12-10",
    at: "2024-05-01T12:34:56.789Z",
    ok: true,
    owner: 1,
  },
  {
    __id__: 2,
    __version__: 0,
    name: "\uFEFFBOM first, then \u{1D11E}\u{1F600} astral",
    n: -(2 ** 53 - 1),
    x: 5e-324,
    day: "1970-01-01",
    at: "1970-01-01T00:00:00.000Z",
    ok: false,
    owner: 2, // a deleted owner: a link dumps as the id it stores
  },
  {
    __id__: 3,
    __version__: 0,
    name: "",
    n: null,
    x: null,
    day: null,
    at: null,
    ok: null,
    owner: null,
  },
  {
    __id__: 4,
    __version__: 0,
    name: null,
    n: 7,
    x: null,
    day: null,
    at: null,
    ok: null,
    owner: null,
  },
  {
    __id__: 6,
    __version__: 1,
    name: 'a "quoted", comma\nnew line\r\nCRLF, tab\t and 1..2',
    n: 2 ** 53 - 1,
    x: 1e21,
    day: "+275760-09-13",
    at: "-271821-04-20T00:00:00.000Z",
    ok: true,
    owner: 99, // never existed
  },
  {
    __id__: 7,
    __version__: 0,
    name: "null",
    n: 0,
    x: -1.5e-300,
    day: "2024-02-29",
    at: "2024-02-29T23:59:59.999Z",
    ok: false,
    owner: 1,
  },
  {
    __id__: 8,
    __version__: 0,
    name: " spaces ",
    n: 7,
    x: 0.1,
    day: null,
    at: "2000-01-01T00:00:00.001Z",
    ok: null,
    owner: null,
  },
];

/**
 * Writes the sample base at `<dir>/pets` (linking to `<dir>/owners`): some
 * records in the data file, some in the log, an updated one, deleted ones
 * (gaps in the ids), every type, nulls, unicode. Returns the base's folder.
 */
export async function writeSample(dir: string): Promise<string> {
  await using owners = await new PsBase(join(dir, "owners")).create({ name: "string" });
  await owners.insertMany([{ name: "Ann" }, { name: "Bob" }]);
  await owners.delete(2);
  const path = join(dir, "pets");
  await using db = await new PsBase(path).create({
    name: { type: "string", index: true },
    n: { type: "int", default: 7, index: true },
    x: "float",
    day: "date",
    at: "datetime",
    ok: "bool",
    owner: { type: owners },
  });
  const date = (s: string | null) => s === null ? null : new Date(s);
  const values = (r: (typeof SAMPLE_DUMP)[number]) => ({
    name: r.name,
    n: r.n,
    x: r.x,
    day: date(r.day),
    at: date(r.at),
    ok: r.ok,
    owner: r.owner,
  });
  const [ada, bom, empty, , late, nul, spaces] = SAMPLE_DUMP;
  await db.insertMany([{ ...values(ada), n: 1 }, values(bom), values(empty)]);
  await db.insert({ name: null }); // 4: every default
  await db.delete(await db.insert({ name: "deleted" })); // 5: a gap
  await db.update((await db.get(1))!, { n: 2 });
  await db.cleanup(); // 1-4 in the data file; the rest in the log
  await db.insert({ ...values(late), name: "first" });
  await db.update((await db.get(6))!, { name: late.name });
  await db.insertMany([values(nul), values(spaces)]);
  await db.update((await db.get(1))!, { n: 36 });
  await db.delete(await db.insert({ name: "deleted too" })); // 9
  return path;
}

/** The dump's lines, parsed. */
function parseLines(text: string): unknown[] {
  return text.trimEnd().split("\n").map((l) => JSON.parse(l));
}

/** Every record of a base through the library, links resolved (for deepEqual across bases). */
async function records(path: string): Promise<unknown[]> {
  await using db = await new Base(path).open();
  return [...await db.select()];
}

/** dump → import → dump gives the same bytes, in JSON Lines and CSV, and the same records. */
export async function roundTripScenario(cli: Cli, dir: string): Promise<void> {
  const pets = await writeSample(dir);
  const info = await cli.run([pets, "info", "--json"]);
  expectCode(info, 0, "info --json");
  const schemaFile = join(dir, "schema.json");
  fs.writeFileSync(schemaFile, JSON.stringify(JSON.parse(info.out).schema));

  const jsonl = await cli.run([pets, "dump"]);
  expectCode(jsonl, 0, "dump");
  assert.deepEqual(parseLines(jsonl.out), SAMPLE_DUMP, "the dump holds the values as stored");

  const csv = await cli.run([pets, "dump", "--format", "csv"]);
  expectCode(csv, 0, "dump --format csv");
  const csvLines = csv.out.split("\n");
  assert.equal(csvLines[0], "__id__,__version__,name,n,x,day,at,ok,owner");
  assert.equal(csvLines[3], '3,0,"",,,,,,', 'an empty string is "", a null an empty cell');
  assert.equal(csvLines[4], "4,0,,7,,,,,", "a null string is an empty cell");
  assert.ok(csvLines[2].startsWith('2,0,"\uFEFFBOM first,'), "a BOM inside a value is kept");

  // JSON Lines: into a new base (created from the schema info printed), from a file.
  const file = join(dir, "pets.jsonl");
  fs.writeFileSync(file, jsonl.out);
  const imported = await cli.run([join(dir, "copy"), "import", file, "--schema-file", schemaFile]);
  expectCode(imported, 0, "import of the JSON Lines dump");
  assert.match(imported.out, /imported 7 records .*ids kept/);
  const again = await cli.run([join(dir, "copy"), "dump"]);
  expectCode(again, 0, "dump of the copy");
  assert.equal(again.out, jsonl.out, "dump → import → dump gives the same bytes");

  // CSV: from stdin, with a file BOM in front (dropped, unlike the one inside a value).
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(csv.out)]);
  const fromCsv = await cli.run(
    [join(dir, "copy-csv"), "import", "--format", "csv", "--schema-file", schemaFile],
    bom,
  );
  expectCode(fromCsv, 0, "import of the CSV dump");
  const csvAgain = await cli.run([join(dir, "copy-csv"), "dump", "--format", "csv"]);
  assert.equal(csvAgain.out, csv.out, "CSV: dump → import → dump gives the same bytes");
  assert.equal((await cli.run([join(dir, "copy-csv"), "dump"])).out, jsonl.out, "CSV = JSONL");

  // The library reads the same records from all three (links resolved the same way).
  const want = await records(pets);
  assert.deepEqual(await records(join(dir, "copy")), want);
  assert.deepEqual(await records(join(dir, "copy-csv")), want);
  for (const copy of ["copy", "copy-csv"]) {
    expectCode(await cli.run([join(dir, copy), "check"]), 0, `check of ${copy}`);
  }
}

// --- check ---------------------------------------------------------------------------

/** Flips the low bit of the byte at `at` in `file`. */
function flip(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  assert.ok(at < bytes.length, `${file} has a byte at ${at}`);
  bytes[at] ^= 1;
  fs.writeFileSync(file, bytes);
}

/** The offset of a byte inside the column `name` of a data file (FORMAT.md, F3). */
function columnByte(file: string, name: string): number {
  const bytes = fs.readFileSync(file);
  const h = bytes.readUInt32LE(8);
  const header = JSON.parse(dec.decode(bytes.subarray(20, 20 + h)));
  const col = header.columns.find((c: { name: string }) => c.name === name);
  return col.off + Math.floor(col.len / 2);
}

/** `check` exits 0 on a whole base and 1 on a damaged data file, log or manifest, naming it. */
export async function checkDamageScenario(cli: Cli, dir: string): Promise<void> {
  const whole = join(dir, "whole");
  {
    await using db = await new PsBase(whole).create({ name: "string", n: "int" });
    await db.insertMany(Array.from({ length: 300 }, (_, i) => ({ name: `r${i}`, n: i })));
    for (let i = 0; i < 3; i++) await db.insert({ name: `logged ${i}`, n: i });
  }
  const ok = await cli.run([whole, "check"]);
  expectCode(ok, 0, "check of a whole base");
  assert.equal(ok.out, `ok: ${whole} is whole\n`);
  const gen = JSON.parse(fs.readFileSync(join(whole, "manifest.json"), "utf8")).gen;
  const damages: Array<[string, string, (file: string) => number]> = [
    ["data file", `data.${gen}`, (f) => columnByte(f, "name")],
    ["log", `log.${gen}`, () => 16 + 13 + 2], // the body of the first commit (F6)
    ["manifest", "manifest.json", () => 12], // inside "format" (F2)
  ];
  for (const [what, name, at] of damages) {
    const base = join(dir, `damaged-${name}`);
    fs.cpSync(whole, base, { recursive: true });
    const file = join(base, name);
    flip(file, at(file));
    const before = snapshotFiles(base);
    const r = await cli.run([base, "check"]);
    expectCode(r, 1, `check of a base with a damaged ${what}`);
    assert.match(r.out, new RegExp(`^damaged: ${base}: \\d+ problems?\\n`));
    assert.ok(r.out.includes(`  ${file}: `), `check names ${file}:\n${r.out}`);
    const json = await cli.run([base, "check", "--json"]);
    expectCode(json, 1, `check --json of a base with a damaged ${what}`);
    const report = JSON.parse(json.out);
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((p: { file: string }) => p.file === file),
      `--json names ${file}: ${json.out}`,
    );
    assert.deepEqual(snapshotFiles(base), before, "check wrote nothing");
    assert.ok(!fs.existsSync(base + ".lock"), "check created no lock file");
  }
}

// --- import: all or nothing ----------------------------------------------------------

/** An import with a bad line leaves the base's folder byte-identical. */
export async function importBadLineScenario(cli: Cli, dir: string): Promise<void> {
  const path = join(dir, "base");
  {
    await using db = await new PsBase(path).create({ name: "string", n: "int", day: "date" });
    await db.insertMany(Array.from({ length: 300 }, (_, i) => ({ name: `r${i}`, n: i })));
    await db.insert({ name: "in the log", n: -1 });
  }
  const before = snapshotFiles(path);
  const good = (i: number) => JSON.stringify({ name: `new ${i}`, n: i, day: "2024-01-01" });
  const cases: Array<[string, string | Uint8Array, string[], RegExp]> = [
    [
      "a value of the wrong type",
      [good(1), good(2), good(3), '{"name":5}', good(5)].join("\n"),
      [],
      /^psbase import: Cannot import .*: line 4, field "name": expected a string, got 5$/,
    ],
    [
      "a date that is no day",
      [good(1), '{"day":"2024-02-30"}'].join("\n"),
      ["--new-ids"],
      /line 2, field "day": expected a date/,
    ],
    ["a line that is not JSON", [good(1), "{name:"].join("\n"), [], /line 2: not valid JSON/],
    ["an unknown field", [good(1), '{"nme":"x"}'].join("\n"), [], /line 2: unknown field "nme"/],
    [
      "a bad CSV cell",
      "name,n\nfine,1\nbad,1.5\n",
      ["--format", "csv"],
      /line 3, field "n": expected an integer from -\(2\^53 - 1\) to 2\^53 - 1, got "1.5"$/m,
    ],
    [
      '"" (the empty string) in a CSV int column',
      'name,n\nfine,1\nempty,""\n',
      ["--format", "csv"],
      /^psbase import: Cannot import .*input\.txt: line 3, field "n": expected an integer .*, got ""$/,
    ],
    [
      "an empty CSV file",
      "",
      ["--format", "csv"],
      /^psbase import: Cannot import .*input\.txt: it is empty \(CSV starts with a header line/,
    ],
    [
      "a line that is not UTF-8",
      new Uint8Array([...new TextEncoder().encode(good(1) + "\n"), 0x7b, 0xff, 0xfe, 0x7d]),
      [],
      /^psbase import: Cannot import .*input\.txt: line 2: not UTF-8 text$/,
    ],
    [
      "a string with a lone surrogate (JSON's \\ud800)",
      [good(1), '{"name":"\\ud800"}'].join("\n"),
      [],
      /^psbase import: Cannot import .*: line 2, field "name": expected a string of well-formed UTF-16 \(no lone surrogate\), got "\\ud800"$/,
    ],
    [
      "an integer beyond 2^53 (JSON rounds it)",
      [good(1), '{"name":"big","n":9007199254740993}'].join("\n"),
      [],
      /line 2, field "n": .*got 9007199254740992 \(as JSON reads it: an integer this large is rounded\)/,
    ],
    [
      "ids that are not new to the base",
      '{"__id__":3,"__version__":0,"name":"old id"}',
      [],
      /line 1: __id__ 3 is not new to the base/,
    ],
    [
      "the same id twice",
      '{"__id__":900,"name":"a"}\n{"__id__":900,"name":"b"}',
      [],
      /lines 1 and 2 have the same __id__ 900/,
    ],
  ];
  for (const [what, input, args, message] of cases) {
    const file = join(dir, "input.txt");
    fs.writeFileSync(file, input);
    const r = await cli.run([path, "import", file, ...args]);
    expectCode(r, 1, `import with ${what}`);
    assert.equal(r.out, "", `import with ${what} printed on stdout`);
    assert.equal(r.err.trimEnd().split("\n").length, 1, `one line: ${r.err}`);
    assert.match(r.err.trimEnd(), message);
    assert.deepEqual(snapshotFiles(path), before, `import with ${what} changed the base`);
  }
  // Into a missing base: nothing is created.
  const missing = join(dir, "missing");
  const r = await cli.run(
    [missing, "import", "--schema", "name:string,n:int"],
    [good(1), '{"n":"x"}'].join("\n"),
  );
  expectCode(r, 1, "import of a bad line into a new base");
  assert.ok(!fs.existsSync(missing), "no base was created");
}

// --- usage ---------------------------------------------------------------------------

/** --help on every command exits 0; unknown options and bad arguments: one line, exit 2. */
export async function usageScenario(cli: Cli, dir: string): Promise<void> {
  const path = join(dir, "b");
  {
    await using db = await new PsBase(path).create({ name: "string", n: "int" });
    await db.insert({ name: "x", n: 1 });
  }
  for (const [args, r] of await runAll(cli, [[], ["--help"], ["-h"]])) {
    expectCode(r, 0, `psbase ${args.join(" ")}`);
    assert.match(r.out, /^Usage: psbase <base> <command>/);
    for (const c of ["info", "check", "dump", "import", "backup", "cleanup"]) {
      assert.match(r.out, new RegExp(`^  ${c}\\b`, "m"), `the help lists ${c}`);
    }
  }
  const helps = ["info", "check", "dump", "import", "backup", "cleanup"].flatMap((c) => [
    [path, c, "--help"],
    [c, "--help"],
    [path, c, "-h"],
  ]);
  for (const [args, r] of await runAll(cli, helps)) {
    expectCode(r, 0, args.join(" "));
    const c = args.find((a) => a !== path && !a.startsWith("-"));
    assert.match(r.out, new RegExp(`^Usage: psbase <base> ${c}\\b`));
    assert.match(r.out, /-h, --help/);
    assert.equal(r.err, "");
  }
  const bad: string[][] = [
    [path, "info", "--bogus"],
    [path, "check", "--format", "csv"], // an option of another command
    [path, "check", "-x"],
    [path, "info", "--json=yes"],
    [path, "dump", "--format", "xml"],
    [path, "dump", "--format"],
    [path, "dump", "--fields", "name,nope"],
    [path, "dump", "nope=1"],
    [path, "dump", "n=abc"],
    [path, "dump", "n=5..1"],
    [path, "dump", "justtext"],
    [path, "backup"],
    ["", "info"], // "" would be the current folder
    [path, "backup", ""],
    [path, "copy", ""],
    [path, "import", ""],
    [path, "backup", join(dir, "a"), join(dir, "b2")],
    [path, "import", "--timeout", "soon"],
    [path, "import", "--schema"],
    [path, "cleanup", "--json"],
    [path, "copy", "pg:bad-name", "--url", "postgres://nobody@127.0.0.1:9/none"],
    [path, "copy", "pg:good_name"], // no --url, and DATABASE_URL empty (spawn)
    [join(dir, "new"), "import", "--schema", "name:strng"],
    [path, "frobnicate"],
    [path],
    ["info", path],
    ["--json"],
  ];
  for (const [args, r] of await runAll(cli, bad)) {
    expectCode(r, 2, `psbase ${args.join(" ")}`);
    assert.equal(r.out, "", `nothing on stdout for ${args.join(" ")}`);
    const lines = r.err.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line for ${args.join(" ")}: ${r.err}`);
    assert.match(lines[0], /^Cannot run psbase\b.*: /, r.err);
  }
  // A base path that is a file: a bad argument, one line naming it.
  const file = join(dir, "a-file");
  await Deno.writeTextFile(file, "x");
  for (const [args, r] of await runAll(cli, [[file, "info"], [join(file, "b"), "dump"]])) {
    expectCode(r, 2, `psbase ${args.join(" ")}`);
    assert.equal(
      r.err,
      `Cannot use ${args[0]}: it (or a folder above it) is a file, not a folder\n`,
    );
  }
  // A run-time failure is exit 1, also one line.
  const missing = await cli.run([join(dir, "nothing-here"), "info"]);
  expectCode(missing, 1, "info of a missing base");
  assert.match(missing.err, /^psbase info: Cannot open .*there is no base there.*\n$/);
}

/** Runs the command once for each argument list, a few at a time; results in order. */
async function runAll(
  cli: Cli,
  lists: string[][],
  concurrency = 4,
): Promise<Array<[string[], Ran]>> {
  const out: Array<[string[], Ran]> = [];
  for (let i = 0; i < lists.length; i += concurrency) {
    const batch = lists.slice(i, i + concurrency);
    const ran = await Promise.all(batch.map((args) => cli.run(args)));
    batch.forEach((args, j) => out.push([args, ran[j]]));
  }
  return out;
}

// --- backup while 20 writers run -------------------------------------------------------

interface Writer {
  acks: number[];
  exited: boolean;
  status: Promise<Deno.CommandStatus>;
  output: Promise<void>;
  err: Promise<string>;
}

function startWriter(base: string, i: number, stop: string): Writer {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      join(ROOT, "tests", "cli_writer_child.ts"),
      base,
      String(i),
      stop,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w: Writer = {
    acks: [],
    exited: false,
    status: child.status,
    output: Promise.resolve(),
    err: new Response(child.stderr).text(),
  };
  w.status.then(() => w.exited = true);
  w.output = (async () => {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith("ack ")) w.acks.push(Number(l.slice(4)));
    }
  })();
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Backups taken while `writers` processes commit hold exactly the first K
 * commits for some K (every commit is one row plus the counter), including
 * every commit acknowledged before the backup started; each opens and passes
 * check. Returns the K of each backup and the commits made in all.
 */
export async function backupWhileWritingScenario(
  cli: Cli,
  dir: string,
  writers = 20,
  backups = 3,
): Promise<{ ks: number[]; total: number; outputs: string[] }> {
  const base = join(dir, "shared");
  {
    await using db = await new PsBase(base).create({
      kind: "string",
      writer: "int",
      seq: "int",
      n: "int",
    });
    await db.insert({ kind: "counter", n: 0 });
  }
  const stop = join(dir, "stop");
  const ws = Array.from({ length: writers }, (_, i) => startWriter(base, i, stop));
  const taken: Array<{ dest: string; acked: number[]; out: string }> = [];
  try {
    // Every writer has committed: they all run now (a wait, not a timed assertion).
    while (ws.some((w) => w.acks.length < 2)) {
      const dead = ws.findIndex((w) => w.exited);
      if (dead >= 0) assert.fail(`writer ${dead} ended early: ${await ws[dead].err}`);
      await sleep(10);
    }
    for (let b = 0; b < backups; b++) {
      const acked = ws.map((w) => w.acks.length);
      const dest = join(dir, `backup-${b}`);
      const r = await cli.run([base, "backup", dest]);
      expectCode(r, 0, `backup ${b}`);
      taken.push({ dest, acked, out: r.out.trim() });
    }
    assert.ok(ws.every((w) => !w.exited), "every writer still ran when the backups ended");
  } finally {
    fs.writeFileSync(stop, "");
    await Promise.all(ws.map((w) => w.status));
    await Promise.all(ws.map((w) => w.output));
  }
  for (const [i, w] of ws.entries()) {
    assert.equal((await w.status).code, 0, `writer ${i}: ${await w.err}`);
  }
  const final = await allRows(base);
  const total = final.length;
  assert.deepEqual(final.map((r) => r.n), Array.from({ length: total }, (_, i) => i + 1));
  assert.equal(total, ws.reduce((s, w) => s + w.acks.length, 0), "every ack is in the base");
  const ks: number[] = [];
  for (const { dest, acked } of taken) {
    expectCode(await cli.run([dest, "check"]), 0, `check of ${dest}`);
    await using db = await new PsBase(dest).open();
    const counter = (await db.get(1))!;
    const k = counter.n as number;
    assert.equal(counter.__version__, k, "the counter was updated once per commit");
    const rows = await allRows(dest);
    // Exactly the first k commits: the rows n = 1..k, each as in the final base.
    assert.deepEqual(rows, final.slice(0, k), `${dest} holds the first ${k} commits`);
    for (const [i, n] of acked.entries()) {
      for (let seq = 1; seq <= n; seq++) {
        assert.ok(
          rows.some((r) => r.writer === i && r.seq === seq),
          `${dest} lacks writer ${i}'s commit ${seq}, acknowledged before the backup began`,
        );
      }
    }
    ks.push(k);
  }
  return { ks, total, outputs: taken.map((t) => t.out) };
}

/** The rows of a backup scenario's base, ordered by n (commit order). */
async function allRows(path: string): Promise<Array<{ [k: string]: unknown }>> {
  await using db = await new Base(path).open();
  return [...await db.find({ kind: "row" }, { orderBy: "n" })];
}
