// Copyright 2026 the psbase authors. MIT license.
// The command line's grammar: `psbase <base> <command> [arguments] [options]`,
// parsed with node:util's parseArgs (Deno and Node alike); every command's
// help text; a usage error is one line and exit status 2.

import { parseArgs } from "node:util";
import type { Io } from "./_io.ts";

/** A bad command line: reported as one line, exit status 2. */
export class UsageError extends Error {
  /** Builds the error; `message` reads "Cannot <do what>: <why>" or names what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** The value's name in help (`--format <jsonl|csv>`), for string options. */
  value?: string;
  help: string;
}

/** What a command gets to run. */
export interface Context {
  /** The base folder, as given. */
  base: string;
  /** The arguments after the command. */
  args: string[];
  /** The options given (strings and booleans). */
  options: { [name: string]: string | boolean | undefined };
  io: Io;
}

/** One command of `psbase`. */
export interface Command {
  name: string;
  /** The arguments after the command, for usage lines: `[where...]`, `<dest>`. */
  args: string;
  /** How many arguments it takes after the command: [min, max]. */
  count: [number, number];
  /** One line, for the command list. */
  summary: string;
  /** Paragraphs after the usage line of its help. */
  description: string;
  options: { [name: string]: OptionSpec };
  /** Runs the command; resolves to the exit status. */
  run(ctx: Context): Promise<number>;
}

const HELP: OptionSpec = { type: "boolean", help: "show this help" };

/** The usage line of a command. */
function usage(c: Command): string {
  return `psbase <base> ${c.name}${c.args ? " " + c.args : ""}${
    Object.keys(c.options).length ? " [options]" : ""
  }`;
}

/** A command's help text. */
export function commandHelp(c: Command): string {
  const rows: Array<[string, string]> = Object.entries(c.options).map(([name, o]) => [
    `--${name}${o.value ? ` <${o.value}>` : ""}`,
    o.help,
  ]);
  rows.push(["-h, --help", HELP.help]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `Usage: ${usage(c)}`,
    "",
    c.description.trim(),
    "",
    "Options:",
    ...rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`),
    "",
  ].join("\n");
}

/** The help of `psbase` itself. */
export function mainHelp(commands: readonly Command[]): string {
  const rows = commands.map((c) => [`${c.name}${c.args ? " " + c.args : ""}`, c.summary]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    "Usage: psbase <base> <command> [arguments] [options]",
    "",
    "Look inside a psbase base (a folder), check it, dump it, import into it, back it up.",
    "",
    "Commands:",
    ...rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`),
    "",
    "Options:",
    "  -h, --help      show help (psbase <command> --help: a command's own)",
    "",
    "info, check, dump and backup only read the base: they take no lock and write nothing",
    "to it, and need only read permission. import and cleanup take the write lock",
    "(<base>.lock), as every writing process does.",
    "Exit status: 0 done; 1 failed, or check found damage; 2 bad usage.",
    "",
  ].join("\n");
}

/** What the command line asks for. */
export type Parsed =
  | { help: string }
  | { command: Command; ctx: Omit<Context, "io"> };

/**
 * Parses `args` against `commands`. Throws a UsageError for an unknown
 * command or option, a missing or extra argument, or an option value given
 * wrongly.
 */
export function parse(args: string[], commands: readonly Command[]): Parsed {
  // Every option of every command, so that parseArgs knows which ones take a value;
  // each is then checked against the command's own list.
  const all: { [name: string]: { type: "string" | "boolean"; short?: string } } = {
    help: { type: "boolean", short: "h" },
  };
  for (const c of commands) {
    for (const [name, o] of Object.entries(c.options)) all[name] = { type: o.type };
  }
  const { tokens } = parseArgs({
    args,
    options: all,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  const given: Array<{ name: string; raw: string; value: string | undefined; inline: boolean }> =
    [];
  for (const t of tokens ?? []) {
    if (t.kind === "positional") positionals.push(t.value);
    else if (t.kind === "option") {
      given.push({
        name: t.name,
        raw: t.rawName,
        value: t.value,
        inline: t.inlineValue === true,
      });
    }
  }
  const byName = new Map(commands.map((c) => [c.name, c]));
  if (given.some((g) => g.name === "help")) {
    const c = positionals.map((p) => byName.get(p)).find((c) => c);
    return { help: c ? commandHelp(c) : mainHelp(commands) };
  }
  if (positionals.length === 0 && given.length === 0) return { help: mainHelp(commands) };
  const [base, name, ...rest] = positionals;
  if (base === undefined) {
    throw new UsageError(`Cannot run psbase: ${given[0].raw} before the base folder and command`);
  }
  if (name === undefined) {
    throw new UsageError(
      byName.has(base)
        ? `Cannot run psbase ${base}: the base folder comes first: psbase <base> ${base}`
        : `Cannot run psbase: no command after the base folder (commands: ${
          [...byName.keys()].join(", ")
        })`,
    );
  }
  const command = byName.get(name);
  if (!command) {
    throw new UsageError(
      byName.has(base)
        ? `Cannot run psbase: the base folder comes first: psbase <base> ${base}`
        : `Cannot run psbase: unknown command "${name}" (commands: ${
          [...byName.keys()].join(", ")
        })`,
    );
  }
  const what = `psbase ${command.name}`;
  const options: { [name: string]: string | boolean | undefined } = {};
  for (const g of given) {
    const spec = command.options[g.name];
    if (!spec) {
      throw new UsageError(`Cannot run ${what}: unknown option ${g.raw} (see ${what} --help)`);
    }
    if (g.name in options) throw new UsageError(`Cannot run ${what}: ${g.raw} is given twice`);
    if (spec.type === "boolean") {
      if (g.value !== undefined) {
        throw new UsageError(`Cannot run ${what}: ${g.raw} takes no value, got "${g.value}"`);
      }
      options[g.name] = true;
    } else {
      if (g.value === undefined || (!g.inline && g.value.startsWith("--"))) {
        throw new UsageError(`Cannot run ${what}: ${g.raw} needs a value <${spec.value}>`);
      }
      options[g.name] = g.value;
    }
  }
  const [min, max] = command.count;
  if (rest.length < min) {
    throw new UsageError(`Cannot run ${what}: missing ${command.args} (usage: ${usage(command)})`);
  }
  if (rest.length > max) {
    throw new UsageError(
      `Cannot run ${what}: unexpected argument "${rest[max]}" (usage: ${usage(command)})`,
    );
  }
  // An empty path would be the current folder (path.resolve("")): never what was meant.
  if (base === "") {
    throw new UsageError(`Cannot run ${what}: the base folder is "" (an empty path)`);
  }
  if (rest.includes("")) {
    throw new UsageError(`Cannot run ${what}: an argument is "" (usage: ${usage(command)})`);
  }
  return { command, ctx: { base, args: rest, options } };
}

/** The value of a string option that must be one of `choices` (UsageError otherwise). */
export function choice<T extends string>(
  command: string,
  option: string,
  value: string | boolean | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) {
    throw new UsageError(
      `Cannot run psbase ${command}: --${option} is one of ${choices.join(", ")}, got "${value}"`,
    );
  }
  return value as T;
}

/** The value of a string option that must be an integer >= 0 (UsageError otherwise). */
export function count(
  command: string,
  option: string,
  value: string | boolean | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(
      `Cannot run psbase ${command}: --${option} is a whole number >= 0, got "${value}"`,
    );
  }
  return n;
}
