// Copyright 2026 the psbase authors. MIT license.
/**
 * The Node side of the benchmarks: psbase as a Node user gets it, and
 * better-sqlite3 beside it, in a folder the Node children run from.
 *
 * - psbase: the npm tarball built by scripts/build_npm.ts (`deno task
 *   build:npm`), installed with `npm install <tarball>` into the folder (a
 *   real copy, as tests/npm_test.ts does; koffi comes from the registry or
 *   npm's cache).
 * - better-sqlite3 12.x (13.x needs Node 22): installed once per Node version
 *   into node_modules/.cache/psbase-bench/ (ignored by git) and linked into
 *   the folder, since where no prebuilt binary can be downloaded npm compiles
 *   it from source, which takes minutes. How long its install took, and
 *   whether it was compiled, is kept beside it and reported.
 * - bench/node/*.mjs, the Node children, copied into the folder.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { PLAIN_NODE_ENV, run as runTool, succeeded } from "../tests/_harness/run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = `${ROOT}node_modules/.cache/psbase-bench`;
/** The better-sqlite3 versions that install on Node 20 (13.x needs Node 22). */
export const BETTER_SQLITE3 = "^12.0.0";

/** What {@linkcode installNode} set up. */
export interface NodeSetup {
  /** `node --version`. */
  node: string;
  /** psbase's installed version, and how long build + install took (s). */
  psbase: { version: string; buildSeconds: number; installSeconds: number };
  /** better-sqlite3's installed version and SQLite's; how its install went. */
  betterSqlite3: {
    version: string;
    sqlite: string;
    /** Seconds its `npm install` took (when it was first installed into the cache). */
    installSeconds: number;
    /** True when npm compiled it from source (no prebuilt binary reachable). */
    compiled: boolean;
    /** When it was installed into the cache (ISO), and whether this run reused it. */
    installedAt: string;
    reused: boolean;
  };
}

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return succeeded(
    // better-sqlite3 may compile from source: a minute here, more on a slow machine.
    await runTool(cmd, args, { cwd, env: PLAIN_NODE_ENV, timeoutMs: 15 * 60_000 }),
  ).out;
}

const npmInstall = (cwd: string, ...specs: string[]) =>
  run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    ...specs,
  ], cwd);

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function betterSqlite3(node: string): Promise<[string, NodeSetup["betterSqlite3"]]> {
  const dir = `${CACHE}/node-${node}`;
  const pkg = `${dir}/node_modules/better-sqlite3`;
  const stamp = `${dir}/install.json`;
  let reused = true;
  if (!exists(stamp) || !exists(`${pkg}/package.json`)) {
    reused = false;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/package.json`,
      JSON.stringify({ name: "psbase-bench-node-deps", private: true }),
    );
    console.log(`installing better-sqlite3@${BETTER_SQLITE3} into ${dir} (once per Node) ...`);
    const t0 = performance.now();
    await npmInstall(dir, `better-sqlite3@${BETTER_SQLITE3}`);
    const installSeconds = (performance.now() - t0) / 1000;
    // prebuild-install downloads only the .node file; node-gyp leaves its object files.
    const compiled = exists(`${pkg}/build/Release/obj.target`) ||
      exists(`${pkg}/build/Release/obj`);
    await Deno.writeTextFile(
      stamp,
      JSON.stringify({ installSeconds, compiled, installedAt: new Date().toISOString() }),
    );
  }
  const info = JSON.parse(await Deno.readTextFile(stamp));
  const version = JSON.parse(await Deno.readTextFile(`${pkg}/package.json`)).version as string;
  const sqlite = (await run("node", [
    "-e",
    `const D = require(${JSON.stringify(pkg)}); const d = new D(":memory:");` +
    `process.stdout.write(d.prepare("SELECT sqlite_version() AS v").get().v)`,
  ], dir)).trim();
  return [pkg, { version, sqlite, reused, ...info }];
}

/**
 * Builds the psbase tarball, installs it into `dir`, links better-sqlite3
 * (installing it into the cache first if needed) and copies the Node
 * children. Needs node and npm on PATH, and the npm registry or npm's cache.
 */
export async function installNode(dir: string): Promise<NodeSetup> {
  const node = (await run("node", ["--version"], dir)).trim();
  const [bsqlite, betterSqlite3Info] = await betterSqlite3(node);

  let t0 = performance.now();
  const build = await run(Deno.execPath(), ["run", "--allow-all", "scripts/build_npm.ts"], ROOT);
  const tarball = /^build:npm: tarball (.+)$/m.exec(build)?.[1]?.trim();
  if (!tarball) throw new Error(`scripts/build_npm.ts printed no tarball:\n${build}`);
  const buildSeconds = (performance.now() - t0) / 1000;

  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify({ name: "psbase-bench-node", private: true, type: "module" }),
  );
  t0 = performance.now();
  await npmInstall(dir, tarball);
  const installSeconds = (performance.now() - t0) / 1000;
  const installed = `${dir}/node_modules/psbase`;
  if (Deno.lstatSync(installed).isSymlink) throw new Error("psbase was linked, not installed");
  const version = JSON.parse(await Deno.readTextFile(`${installed}/package.json`)).version;

  await Deno.symlink(bsqlite, `${dir}/node_modules/better-sqlite3`);
  const children = fileURLToPath(new URL("./node/", import.meta.url));
  for (const e of Deno.readDirSync(children)) {
    if (e.isFile && e.name.endsWith(".mjs")) {
      await Deno.copyFile(`${children}${e.name}`, `${dir}/${e.name}`);
    }
  }
  return {
    node,
    psbase: { version, buildSeconds, installSeconds },
    betterSqlite3: betterSqlite3Info,
  };
}

/** A sentence for the reports (no final period): versions, and what installing better-sqlite3 cost. */
export function describeNode(s: NodeSetup): string {
  const b = s.betterSqlite3;
  return `Node ${s.node}; psbase ${s.psbase.version} from the packed tarball (\`deno task ` +
    `build:npm\`, ${s.psbase.buildSeconds.toFixed(0)} s) installed with npm ` +
    `(${
      s.psbase.installSeconds.toFixed(1)
    } s); better-sqlite3 ${b.version} (SQLite ${b.sqlite}), ` +
    `whose \`npm install\` took ${b.installSeconds.toFixed(0)} s${
      b.compiled ? " (compiled from source: no prebuilt binary could be downloaded)" : ""
    }${b.reused ? `, done once on ${b.installedAt.slice(0, 10)} and reused` : ""}`;
}
