// Copyright 2026 the psbase authors. MIT license.
// The npm package, proven in Node: build it with scripts/build_npm.ts, install the
// tarball into a fresh temporary folder with `npm install <tarball>` (a real copy,
// not a link to these sources), run the Node suite (tests/node/*.test.mjs) there
// with `node --test`, compile a TypeScript consumer with `tsc --noEmit` against the
// installed types, and check that Deno and Node processes exclude each other on
// one lock file. Then, against that same installed package: 50 Node processes
// racing on one base (the harness's own child and scenarios, bundled for Node
// against the package by tests/_harness/node_child.ts: the seed scenario and the
// counter), 25 Deno + 25 Node processes racing on one base, Node processes killed
// at random moments (the kill campaign), power loss before each file call the
// package made (strace, replayed on the simulated disk) and the same file calls
// as Deno's,
// every field type written by Deno and read by Node and the reverse
// (tests/node/_fields.mjs), the `psbase` bin run through the scenarios of
// tests/_cli.ts, and the README's Node example run as written.
// Needs node, npm and strace on PATH and the npm registry (for koffi and
// TypeScript; npm's cache serves repeat runs).

import assert from "node:assert/strict";
import { existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LockTimeoutError, PsBase, PsLock } from "../mod.ts";
import {
  Child,
  type ChildCommand,
  DENO_CHILD,
  PLAIN_NODE_ENV,
  type Ran,
  run as runTool,
  runScenario,
  type ScenarioRun,
  secs as seconds,
} from "./_harness/mod.ts";
import { nodeHarnessChild } from "./_harness/node_child.ts";
import { assertPowerLoss, type PowerTrace, tracePower } from "./_power_loss.ts";
import { sum32 } from "../_file/_checksum.ts";
import { counterScenario } from "./_harness/scenarios/counter.ts";
import { seedRole, seedScenario } from "./_harness/scenarios/seed.ts";
import { killCampaign, killWithoutLock } from "./_harness/torture/kill.ts";
import { killText } from "./_harness/torture/report.ts";
import { dumpFields, writeFields } from "./node/_fields.mjs";
import {
  backupWhileWritingScenario,
  checkDamageScenario,
  type Cli,
  importBadLineScenario,
  nodeCli,
  roundTripScenario,
  usageScenario,
} from "./_cli.ts";
import { pgMissing, withPg } from "./_pg_server.ts";

/** Why the PgBase races are skipped here (PostgreSQL not installed, outside CI), if they are. */
const pgSkip = await pgMissing();

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NODE_SUITE = join(ROOT, "tests", "node");
/** Used when package.json has no devDependency for them. */
const DEFAULT_TYPESCRIPT = "~5.9.3";
const DEFAULT_TYPES_NODE = "^20.19.0";

const run = (cmd: string, args: string[], cwd: string, timeoutMs?: number): Promise<Ran> =>
  runTool(cmd, args, { cwd, timeoutMs, env: PLAIN_NODE_ENV });

function show(text: string): void {
  for (const line of text.trimEnd().split("\n")) console.log(`    ${line}`);
}

async function devDependency(name: string, fallback: string): Promise<string> {
  const pkg = JSON.parse(await Deno.readTextFile(join(ROOT, "package.json")));
  return pkg.devDependencies?.[name] ?? fallback;
}

/** A Node process running tests/node/_child.mjs from the install folder. */
function nodeChild(cwd: string, args: string[]): Child {
  return Child.spawn("node", [join(cwd, "_child.mjs"), ...args], cwd);
}

/** Processes in each race. */
const PROCESSES = 50;

/** Logs a race and fails with the full report unless it found no anomaly. */
function checkRace(name: string, run: ScenarioRun, kinds: Array<"deno" | "node">): void {
  const nodes = kinds.filter((k) => k === "node").length;
  console.log(
    `  [${name}] ${nodes} Node + ${kinds.length - nodes} Deno processes, ${run.ops} ops: ${
      seconds(run.wallMs)
    } from go to last exit, ${
      seconds(run.totalMs)
    } with process start; anomalies: ${run.anomalies.summary()}`,
  );
  assert.equal(run.anomalies.total, 0, `anomalies found:\n${run.anomalies.report()}`);
  assert.equal(run.outputs.length, kinds.length);
  for (const o of run.outputs) {
    assert.ok(o.ok, `process ${o.index}: ${o.error}`);
    // Each child ran in the runtime it was meant to (the Node child says so).
    const runtime = o.data.runtime as string | undefined;
    if (kinds[o.index] === "node") assert.match(runtime ?? "", /^node v/, `process ${o.index}`);
    else assert.equal(runtime, undefined, `process ${o.index} should be Deno`);
  }
}

/** The counter values the children read before incrementing: all of them, or only Node's. */
function seenBy(run: ScenarioRun, only?: "node"): number[] {
  return run.outputs.filter((o) => !only || String(o.data.runtime).startsWith("node"))
    .flatMap((o) => (o.data.seen ?? []) as number | number[]);
}

/**
 * A trace's file calls, one normalised line each (`write B/log.1 38 <sum>`),
 * in order; a run of unlinks (stray files, removed in the order the folder
 * lists them) is sorted.
 */
function callList(trace: PowerTrace): string[] {
  const out: string[] = [];
  let unlinks: string[] = [];
  const at = (p: string) => "B" + p.slice(trace.base.length);
  for (const c of trace.calls) {
    if (c.call === "stdout" || c.call === "close") continue;
    if (c.call === "unlink") {
      unlinks.push(`unlink ${at(c.path)}`);
      continue;
    }
    out.push(...unlinks.sort());
    unlinks = [];
    if (c.call === "rename") out.push(`rename ${at(c.from)} ${at(c.to)}`);
    else if (c.call === "open") out.push(`open ${c.mode} ${at(c.path)}`);
    else if (c.call === "write") {
      out.push(`write ${at(c.path)} ${c.bytes.length} ${sum32(c.bytes)}`);
    } else if (c.call === "ftruncate") out.push(`ftruncate ${at(c.path)} ${c.length}`);
    else out.push(`${c.call} ${at(c.path)}`);
  }
  return [...out, ...unlinks.sort()];
}

/** Checks the seed race: the count, and the ids handed to inserting processes are new and distinct. */
function checkSeed(run: ScenarioRun): void {
  const roles = Array.from({ length: PROCESSES }, (_, i) => seedRole(i));
  const inserts = roles.filter((r) => r === "insert").length;
  const deletes = roles.filter((r) => r === "delete").length;
  assert.equal(run.inspection.count, 5001 + inserts - deletes);
  const seeded = run.seeded as { counter: number; ids: number[] };
  const old = new Set([seeded.counter, ...seeded.ids]);
  const told = run.outputs.filter((o) => seedRole(o.index) === "insert").map((o) =>
    o.data.inserted as number
  );
  assert.equal(told.length, inserts);
  assert.equal(new Set(told).size, inserts, `an id was handed out twice: ${told}`);
  for (const id of told) {
    assert.ok(Number.isSafeInteger(id) && !old.has(id), `insert got id ${id}, already used`);
    assert.equal(run.inspection.byId.get(id)?.note, "insert");
  }
  const counter = run.inspection.byId.get(seeded.counter)!;
  assert.equal(counter.n, PROCESSES);
  assert.equal(counter.__version__, PROCESSES);
}

/**
 * Checks the counter race: exactly 1000, and every transaction, Deno's or Node's, read a value
 * no other read (0 to 999, each once). Returns the values Node's transactions read.
 */
function checkCounter(run: ScenarioRun): number[] {
  const [counter] = run.inspection.records;
  assert.equal(run.inspection.records.length, 1);
  assert.equal(counter.n, PROCESSES * 20);
  assert.equal(counter.__version__, PROCESSES * 20);
  const seen = seenBy(run).sort((a, b) => a - b);
  assert.deepEqual(seen, [...Array(PROCESSES * 20).keys()], "two transactions read one value");
  return seenBy(run, "node");
}

Deno.test("npm package: build, install fresh, node --test, tsc, Deno/Node lock, Node and mixed races, field types, README", async (t) => {
  const started = performance.now();
  // Elapsed since this test began (not the step's own time).
  const secs = () => `at ${((performance.now() - started) / 1000).toFixed(1)} s`;
  let tarball = "";
  const dir = await Deno.makeTempDir({ prefix: "psbase-npm-" });
  const suite = join(dir, "node-tests");
  let installed = false;
  try {
    await t.step("build the tarball with scripts/build_npm.ts", async () => {
      const build = await run(
        Deno.execPath(),
        ["run", "--allow-all", join(ROOT, "scripts", "build_npm.ts")],
        ROOT,
      );
      show(build.out);
      assert.equal(build.code, 0, "build_npm.ts failed");
      const m = /^build:npm: tarball (.+)$/m.exec(build.out);
      assert.ok(m, "build_npm.ts printed no tarball path");
      tarball = m[1].trim();
      assert.ok(existsSync(tarball), `${tarball} exists`);
      console.log(`  built ${tarball} (${secs()})`);
    });

    await t.step({
      name: "npm install <tarball> into a fresh folder",
      ignore: tarball === "",
      fn: async () => {
        await Deno.writeTextFile(
          join(dir, "package.json"),
          JSON.stringify({ name: "psbase-npm-consumer", private: true, type: "module" }),
        );
        const ts = await devDependency("typescript", DEFAULT_TYPESCRIPT);
        const types = await devDependency("@types/node", DEFAULT_TYPES_NODE);
        const install = await run("npm", [
          "install",
          "--no-audit",
          "--no-fund",
          "--prefer-offline",
          "--loglevel=error",
          tarball,
          `typescript@${ts}`,
          `@types/node@${types}`,
        ], dir);
        if (install.code !== 0) show(install.out);
        assert.equal(install.code, 0, "npm install failed");

        const pkgDir = join(dir, "node_modules", "psbase");
        assert.equal(lstatSync(pkgDir).isSymbolicLink(), false, "psbase is a real copy");
        assert.ok(!realpathSync(pkgDir).startsWith(ROOT), "psbase is not the source tree");
        const pkg = JSON.parse(await Deno.readTextFile(join(pkgDir, "package.json")));
        const deno = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
        assert.equal(pkg.name, "psbase");
        assert.equal(pkg.version, deno.version);
        assert.equal(pkg.type, "module");
        assert.deepEqual(pkg.engines, { node: ">=20" });
        assert.deepEqual(Object.keys(pkg.dependencies ?? {}).sort(), ["koffi", "postgres"]);
        assert.equal(pkg.types, "./mod.d.ts");
        assert.deepEqual(pkg.exports["."], {
          types: "./mod.d.ts",
          import: "./mod.js",
          default: "./mod.js",
        });
        const files = readdirSync(pkgDir);
        for (const f of ["README.md", "LICENSE", "mod.js", "mod.d.ts"]) {
          assert.ok(files.includes(f), `package has ${f}`);
        }
        assert.deepEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
        // The engine takes Node's built-ins through _node_builtin.ts: an ES import of one makes
        // Node read all its exports, milliseconds of a fresh process (issue 16). The CLI may.
        for (const f of files.filter((f) => f.endsWith(".js") && f !== "cli.js")) {
          const text = await Deno.readTextFile(join(pkgDir, f));
          assert.ok(
            !/^\s*import\b[^;()]*\bfrom\s*["']node:/m.test(text),
            `${f} imports a Node built-in as an ES module`,
          );
        }
        assert.deepEqual(pkg.exports["./pg"], {
          types: "./pg.d.ts",
          import: "./pg.js",
          default: "./pg.js",
        });
        assert.ok(existsSync(join(dir, "node_modules", "koffi")), "koffi installed");
        assert.ok(existsSync(join(dir, "node_modules", "postgres")), "postgres installed");
        assert.ok(!existsSync(join(dir, "node_modules", "@deno")), "no @deno/* package");

        await Deno.mkdir(suite);
        for (const entry of Deno.readDirSync(NODE_SUITE)) {
          if (entry.isFile) {
            await Deno.copyFile(join(NODE_SUITE, entry.name), join(suite, entry.name));
          }
        }
        installed = true;
        console.log(`  installed in ${dir} (${secs()})`);
      },
    });

    await t.step({
      name: "node --test tests/node/*.test.mjs against the installed package",
      ignore: !installed,
      fn: async () => {
        const files = readdirSync(suite).filter((f) => f.endsWith(".test.mjs")).sort();
        assert.ok(files.length > 0, "no Node test files");
        const node = await run("node", ["--test", "--test-reporter=spec", ...files], suite);
        const counts: { [k: string]: number } = {};
        for (
          const m of node.out.matchAll(
            /^[ℹ#]\s*(tests|pass|fail|cancelled|skipped|todo)\s+(\d+)\s*$/gm,
          )
        ) {
          counts[m[1]] = Number(m[2]);
        }
        const version = (await run("node", ["--version"], suite)).out.trim();
        if (node.code !== 0 || !counts.pass || counts.fail) show(node.out);
        else show(node.out.split("\n").filter((l) => /^\s*(▶|✔|﹣|✖)/.test(l)).join("\n"));
        console.log(
          `  node ${version} --test summary: tests ${counts.tests}, pass ${counts.pass}, ` +
            `fail ${counts.fail}, skipped ${counts.skipped ?? 0}, cancelled ${
              counts.cancelled ?? 0
            }` +
            ` (${secs()})`,
        );
        assert.equal(node.code, 0, "node --test failed");
        assert.ok((counts.pass ?? 0) > 0, "node ran no test");
        assert.equal(counts.fail ?? 0, 0);
        assert.equal(counts.cancelled ?? 0, 0);
      },
    });

    await t.step({
      name: "tsc --noEmit (NodeNext) of a TypeScript consumer against the installed types",
      ignore: !installed,
      fn: async () => {
        await Deno.writeTextFile(
          join(suite, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: {
              module: "NodeNext",
              moduleResolution: "NodeNext",
              target: "ES2022",
              lib: ["ES2022"],
              types: ["node"],
              strict: true,
              noEmit: true,
              skipLibCheck: false,
              exactOptionalPropertyTypes: true,
            },
            files: ["consumer.ts"],
          }),
        );
        const tsc = await run(
          "node",
          [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
          suite,
        );
        const version = (await run(
          "node",
          [join(dir, "node_modules", "typescript", "bin", "tsc"), "--version"],
          suite,
        )).out.trim();
        if (tsc.code !== 0) show(tsc.out);
        assert.equal(tsc.code, 0, "tsc found errors in the consumer or in the package's .d.ts");
        console.log(
          `  tsc (${version}) --noEmit: consumer.ts and psbase's .d.ts are clean (${secs()})`,
        );
      },
    });

    await t.step({
      name:
        "TypeScript 7 with its defaults (types: []) compiles the consumer and the README's Node example saved as .ts, without a cast",
      ignore: !installed,
      fn: async () => {
        const readme = await Deno.readTextFile(join(ROOT, "README.md"));
        const section = /^## Node\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
        const example = /^```js\n([\s\S]*?)^```$/m.exec(section)?.[1] ?? "";
        assert.ok(!/ as [A-Za-z]/.test(example), "the README's Node example casts");
        await Deno.writeTextFile(join(suite, "readme_node.mts"), example);
        await Deno.writeTextFile(
          join(suite, "tsconfig7.json"),
          JSON.stringify({
            compilerOptions: { module: "nodenext", strict: true, noEmit: true, types: [] },
            files: ["consumer.ts", "readme_node.mts"],
          }),
        );
        const tsc7 = join(ROOT, "node_modules", "typescript7", "bin", "tsc");
        const out = await run("node", [tsc7, "-p", "tsconfig7.json"], suite);
        const version = (await run("node", [tsc7, "--version"], suite)).out.trim();
        if (out.code !== 0) show(out.out);
        assert.equal(out.code, 0, "TypeScript 7 found errors");
        console.log(`  tsc (${version}, types: []): consumer.ts and the README example are clean`);
      },
    });

    await t.step({
      name: "a Deno process and a Node process exclude each other on one lock file",
      ignore: !installed,
      fn: async () => {
        const path = join(dir, "cross.lock");
        // Deno holds, Node waits.
        const held = await new PsLock(path).acquire();
        const tried = await run("node", [join(suite, "_child.mjs"), "try", path, "200"], suite);
        assert.equal(tried.out.trim(), "timeout", `node acquired a lock Deno holds: ${tried.out}`);
        held.release();
        const got = await run("node", [join(suite, "_child.mjs"), "try", path, "5000"], suite);
        assert.equal(got.out.trim(), "acquired", got.out);

        // Node holds, Deno waits.
        const holder = nodeChild(suite, ["hold", path]);
        await holder.expect("held");
        await assert.rejects(new PsLock(path).acquire({ timeoutMs: 200 }), LockTimeoutError);
        await holder.closeStdin();
        const { code } = await holder.exited;
        assert.equal(code, 0, holder.output + holder.stderr);
        const again = await new PsLock(path).acquire({ timeoutMs: 5000 });
        again.release();
        console.log(`  Deno and Node exclude each other (${secs()})`);
      },
    });

    await t.step({
      name:
        "Node loads koffi's native module without koffi's loader, and falls back to the loader when koffi's version differs: the lock excludes Deno both ways",
      ignore: !installed,
      fn: async () => {
        const path = join(dir, "koffi.lock");
        const koffiPkg = join(dir, "node_modules", "koffi", "package.json");
        const original = await Deno.readTextFile(koffiPkg);
        const tryIt = async (timeoutMs: number) =>
          (await run(
            "node",
            [join(suite, "_child.mjs"), "try-koffi", path, String(timeoutMs)],
            suite,
          ))
            .out.trim();
        const held = await new PsLock(path).acquire();
        try {
          assert.equal(await tryIt(200), "timeout native");
          // A koffi whose package.json names another version than its native
          // module: the direct path must not be taken.
          await Deno.writeTextFile(
            koffiPkg,
            JSON.stringify({ ...JSON.parse(original), version: "0.0.0-psbase-test" }),
          );
          assert.equal(await tryIt(200), "timeout loader");
        } finally {
          held.release();
        }
        try {
          assert.equal(await tryIt(5000), "acquired loader");
        } finally {
          await Deno.writeTextFile(koffiPkg, original);
        }
        assert.equal(await tryIt(5000), "acquired native");
        console.log(`  koffi: native module directly, koffi's loader as the fallback (${secs()})`);
      },
    });

    const races = join(dir, "races");
    const kinds = (kind: (i: number) => "deno" | "node") =>
      Array.from({ length: PROCESSES }, (_, i) => kind(i));
    const allNode = kinds(() => "node");
    const mixed = kinds((i) => i % 2 ? "node" : "deno"); // every seed role in both runtimes
    // The harness's own child, bundled for Node against the installed package (node_child.ts).
    const node = installed ? await nodeHarnessChild(dir) : DENO_CHILD;
    const command = (k: Array<"deno" | "node">) => (i: number): ChildCommand =>
      k[i] === "node" ? node : DENO_CHILD;

    await t.step({
      name: "50 Node processes (installed package), the seed scenario on a 5K base: nothing lost",
      ignore: !installed,
      fn: async () => {
        await Deno.mkdir(races, { recursive: true });
        const run = await runScenario(seedScenario(5000), {
          engine: "ps",
          processes: PROCESSES,
          dir: races,
          command: command(allNode),
        });
        checkRace("seed, Node", run, allNode);
        checkSeed(run);
        // Every transaction read a different counter value: 0..49, each once.
        assert.deepEqual(seenBy(run).sort((a, b) => a - b), [...Array(PROCESSES).keys()]);
        console.log(`  (${secs()})`);
      },
    });

    await t.step({
      name: "50 Node processes × 20 increments in transactions: the counter ends at exactly 1000",
      ignore: !installed,
      fn: async () => {
        const run = await runScenario(counterScenario(20), {
          engine: "ps",
          processes: PROCESSES,
          dir: races,
          command: command(allNode),
        });
        checkRace("counter, Node", run, allNode);
        const seen = checkCounter(run);
        assert.deepEqual(seen.sort((a, b) => a - b), [...Array(PROCESSES * 20).keys()]);
        console.log(`  (${secs()})`);
      },
    });

    await t.step({
      name: "25 Deno + 25 Node processes × 20 increments on one base: exactly 1000",
      ignore: !installed,
      fn: async () => {
        const run = await runScenario(counterScenario(20), {
          engine: "ps",
          processes: PROCESSES,
          dir: races,
          command: command(mixed),
        });
        checkRace("counter, Deno + Node", run, mixed);
        const seen = checkCounter(run).sort((a, b) => a - b);
        assert.equal(seen.length, (PROCESSES / 2) * 20);
        // The runtimes really took turns: Deno increments fall between Node ones.
        let turns = 0;
        for (let k = 1; k < seen.length; k++) if (seen[k] !== seen[k - 1] + 1) turns++;
        console.log(
          `  [counter, Deno + Node] Node's 500 increments came in ${turns + 1} runs (${secs()})`,
        );
        assert.ok(turns > 0, "the Node increments were never interleaved with Deno ones");
      },
    });

    await t.step({
      name: "25 Deno + 25 Node processes, the seed scenario on a 5K base: nothing lost",
      ignore: !installed,
      fn: async () => {
        const run = await runScenario(seedScenario(5000), {
          engine: "ps",
          processes: PROCESSES,
          dir: races,
          command: command(mixed),
        });
        checkRace("seed, Deno + Node", run, mixed);
        checkSeed(run);
        // Every transaction, Deno's or Node's, read a different counter value: 0..49, each once.
        assert.deepEqual(seenBy(run).sort((a, b) => a - b), [...Array(PROCESSES).keys()]);
        assert.equal(seenBy(run, "node").length, PROCESSES / 2);
        console.log(`  (${secs()})`);
      },
    });

    await t.step({
      name:
        "Node processes kill -9'd at random moments (the transfer campaign on the installed package): every acknowledged commit kept, no partial transfer, no spurious error; without the lock the same campaign fails",
      ignore: !installed,
      fn: async () => {
        const work = join(dir, "kills");
        await Deno.mkdir(work);
        const k = await killCampaign({ dir: work, rounds: 3, kills: 30, seed: 7, command: node });
        console.log(`  ${killText(k).join("\n  ")} (${secs()})`);
        assert.equal(k.kills, 30);
        assert.ok(k.acked > 0, "no commit was acknowledged: the Node children did not work");
        assert.deepEqual(k.spurious, []);
        assert.equal(k.anomalies.total, 0, k.anomalies.details.join(" | "));
        const control = await killWithoutLock({ dir: work, seed: 5, command: node });
        console.log(`  ${control.line}`);
        assert.ok(control.found > 0, "the campaign found nothing wrong without the lock");
      },
    });

    await t.step({
      name:
        "power loss before each file call the npm build made (strace, replayed): every acknowledged commit kept; and its file calls are Deno's, in the same order",
      ignore: !installed,
      fn: async () => {
        // power_loss_test does the same for Deno's file layer, from the sources.
        const probe = await run("strace", ["-V"], dir).catch(() => undefined);
        assert.ok(probe?.code === 0, "strace is needed for this step (apt-get install strace)");
        const work = join(dir, "power");
        await Deno.mkdir(join(work, "deno"), { recursive: true });
        await Deno.mkdir(join(work, "node"));
        const fromNode = await tracePower(node, join(work, "node"));
        for (const line of await assertPowerLoss(fromNode)) console.log(`  ${line} (${secs()})`);

        // The same scenario in Deno: the same calls, with the same bytes, in the same order.
        const fromDeno = await tracePower(DENO_CHILD, join(work, "deno"));
        const [d, n] = [callList(fromDeno), callList(fromNode)];
        assert.ok(d.some((l) => l.startsWith("fdatasync ")), "the scenario made no commit");
        assert.deepEqual(n, d);
        console.log(
          `  ${d.length} file calls each: ${
            ["write", "fsync", "fdatasync", "rename"].map((c) =>
              `${d.filter((l) => l.startsWith(c + " ")).length} ${c}`
            ).join(", ")
          }`,
        );
      },
    });

    await t.step({
      name:
        "every field type and nulls: Deno writes, Node reads identical records; and the reverse",
      ignore: !installed,
      fn: async () => {
        const child = async (mode: string, path: string) => {
          const r = await run("node", [join(suite, "_child.mjs"), mode, path], suite);
          assert.equal(r.code, 0, `node _child.mjs ${mode}: ${r.out}`);
          return JSON.parse(r.out);
        };
        const byDeno = join(dir, "fields-deno");
        const byNode = join(dir, "fields-node");
        const wantDeno = await writeFields(PsBase, byDeno);
        const wantNode = await child("fields-write", byNode);
        assert.deepEqual(wantNode, wantDeno, "both runtimes expect the same records");

        const denoReadsDeno = await dumpFields(PsBase, byDeno);
        const nodeReadsDeno = await child("fields-dump", byDeno);
        const denoReadsNode = await dumpFields(PsBase, byNode);
        const nodeReadsNode = await child("fields-dump", byNode);
        // Deno's records are the ones written, with every type; read, iterated, got, found alike.
        assert.deepEqual(denoReadsDeno.records, wantDeno);
        assert.deepEqual(denoReadsDeno.iterated, wantDeno);
        assert.deepEqual(denoReadsDeno.got, wantDeno);
        assert.equal(denoReadsDeno.count, wantDeno.length);
        assert.deepEqual(nodeReadsDeno, denoReadsDeno, "Node reads Deno's base differently");
        assert.deepEqual(denoReadsNode, nodeReadsNode, "Deno reads Node's base differently");
        assert.deepEqual(nodeReadsNode, denoReadsDeno, "Node's base differs from Deno's");
        // The same calls leave byte-identical files in either runtime.
        for (const base of ["people", "cities"]) {
          const files = readdirSync(join(byDeno, base)).sort();
          assert.deepEqual(readdirSync(join(byNode, base)).sort(), files);
          for (const f of files) {
            assert.deepEqual(
              await Deno.readFile(join(byNode, base, f)),
              await Deno.readFile(join(byDeno, base, f)),
              `${base}/${f} differs between the Deno-written and the Node-written base`,
            );
          }
        }
        const types = denoReadsDeno.schema.map((s: unknown[]) => s[1]).join(", ");
        console.log(
          `  ${wantDeno.length} records (${types}) identical both ways; files identical (${secs()})`,
        );
      },
    });

    await t.step({
      name:
        "the psbase bin in Node: dump/import round trip, check on damage, import all or nothing, usage, backup while 20 writers run",
      ignore: !installed,
      fn: async () => {
        const bin = join(dir, "node_modules", ".bin", "psbase");
        assert.ok(existsSync(bin), "npm installed the psbase bin");
        const cli = nodeCli(bin);
        const version = (await run("node", ["--version"], dir)).out.trim();
        const scenarios: Array<[string, (cli: Cli, dir: string) => Promise<unknown>]> = [
          ["round trip", roundTripScenario],
          ["check", checkDamageScenario],
          ["import bad line", importBadLineScenario],
          ["usage", usageScenario],
          ["backup while writing", backupWhileWritingScenario],
        ];
        for (const [name, scenario] of scenarios) {
          const sub = join(dir, "cli", name.replaceAll(" ", "-"));
          await Deno.mkdir(sub, { recursive: true });
          const out = await scenario(cli, sub);
          const backups = out as { ks?: number[]; total?: number } | undefined;
          console.log(
            `  psbase bin (node ${version}): ${name} ok${
              backups?.ks
                ? ` (backups hold the first ${backups.ks.join(", ")} of ${backups.total} commits)`
                : ""
            } (${secs()})`,
          );
        }
      },
    });

    await t.step({
      name:
        "25 Deno + 25 Node processes on one PgBase (psbase/pg): 20 increments each end at exactly 1000, and the seed scenario loses nothing",
      ignore: !installed || pgSkip !== undefined,
      fn: async () => {
        await withPg(async ({ url }) => {
          const before = Deno.env.get("DATABASE_URL");
          Deno.env.set("DATABASE_URL", url); // the children's database
          try {
            const counter = await runScenario(counterScenario(20), {
              engine: "pg",
              processes: PROCESSES,
              dir: races,
              command: command(mixed),
            });
            checkRace("counter, Deno + Node, PgBase", counter, mixed);
            assert.equal(checkCounter(counter).length, (PROCESSES / 2) * 20);
            const seed = await runScenario(seedScenario(5000), {
              engine: "pg",
              processes: PROCESSES,
              dir: races,
              command: command(mixed),
            });
            checkRace("seed, Deno + Node, PgBase", seed, mixed);
            checkSeed(seed);
          } finally {
            if (before === undefined) Deno.env.delete("DATABASE_URL");
            else Deno.env.set("DATABASE_URL", before);
          }
        });
        console.log(`  (${secs()})`);
      },
    });

    await t.step({
      name: "the README's Node example, copied verbatim, runs in the install folder",
      ignore: !installed,
      fn: async () => {
        const readme = await Deno.readTextFile(join(ROOT, "README.md"));
        const section = /^## Node\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
        const example = /^```js\n([\s\S]*?)^```$/m.exec(section)?.[1];
        assert.ok(example, "README's ## Node section has a ```js block");
        const file = join(dir, "readme_node.mjs");
        await Deno.writeTextFile(file, example);
        assert.ok(!existsSync(join(dir, "data")), "./data must not exist before the first run");
        const first = await run("node", [file], dir);
        assert.equal(first.code, 0, `node readme_node.mjs failed: ${first.out}`);
        assert.equal(first.out, "1 ConflictError\n");
        // Run again: mode "open" opens the same base; one more Ada, the first one visited twice.
        const second = await run("node", [file], dir);
        assert.equal(second.code, 0, `node readme_node.mjs failed: ${second.out}`);
        assert.equal(second.out, "2 ConflictError\n");
        await using db = await new PsBase(join(dir, "data", "people")).open();
        assert.deepEqual(
          (await db.select()).map((r) => [r.name, r.visits, r.__version__]),
          [["Ada", 2, 2], ["Ada", 0, 0]],
        );
        console.log(`  README's Node example printed "1 ConflictError", then "2 ..." (${secs()})`);
      },
    });
  } finally {
    if (Deno.env.get("PSBASE_KEEP_NPM_TEST")) console.log(`  kept ${dir}`);
    else await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
