// Copyright 2026 the psbase authors. MIT license.
// The npm package, proven in Node: build it with scripts/build_npm.ts, install the
// tarball into a fresh temporary folder with `npm install <tarball>` (a real copy,
// not a link to these sources), run the Node suite (tests/node/*.test.mjs) there
// with `node --test`, compile a TypeScript consumer with `tsc --noEmit` against the
// installed types, and check that Deno and Node processes exclude each other on
// one lock file. Needs node and npm on PATH and the npm registry (for koffi and
// TypeScript; npm's cache serves repeat runs).

import assert from "node:assert/strict";
import { existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LockTimeoutError, PsLock } from "../mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NODE_SUITE = join(ROOT, "tests", "node");
/** Used when package.json has no devDependency for them. */
const DEFAULT_TYPESCRIPT = "~5.9.3";
const DEFAULT_TYPES_NODE = "^20.19.0";

interface Ran {
  code: number;
  out: string;
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs = 120_000,
): Promise<Ran> {
  const res = await new Deno.Command(cmd, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", NODE_OPTIONS: "", NODE_PATH: "", FORCE_COLOR: "0" },
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const dec = new TextDecoder();
  return { code: res.code, out: dec.decode(res.stdout) + dec.decode(res.stderr) };
}

function show(text: string): void {
  for (const line of text.trimEnd().split("\n")) console.log(`    ${line}`);
}

async function devDependency(name: string, fallback: string): Promise<string> {
  const pkg = JSON.parse(await Deno.readTextFile(join(ROOT, "package.json")));
  return pkg.devDependencies?.[name] ?? fallback;
}

/** A Node process running tests/node/_child.mjs from the install folder. */
function nodeChild(cwd: string, args: string[]) {
  const proc = new Deno.Command("node", {
    args: [join(cwd, "_child.mjs"), ...args],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    proc,
    /** Resolves when `line` arrives on stdout (rejects when stdout ends first). */
    async waitFor(line: string): Promise<void> {
      while (!buffered.split("\n").includes(line)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`node child ended before printing "${line}": ${buffered}`);
        buffered += value;
      }
    },
    /** Closes stdin, reads the rest, and resolves to the exit code and output. */
    async finish(): Promise<{ code: number; out: string }> {
      await proc.stdin.close();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
      }
      const err = await new Response(proc.stderr).text();
      const { code } = await proc.status;
      return { code, out: buffered + err };
    },
  };
}

Deno.test("npm package: build, install fresh, node --test, tsc, Deno/Node lock", async (t) => {
  const started = performance.now();
  const secs = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
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
        assert.deepEqual(Object.keys(pkg.dependencies ?? {}), ["koffi"]);
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
        assert.ok(existsSync(join(dir, "node_modules", "koffi")), "koffi installed");
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
        await holder.waitFor("held");
        await assert.rejects(new PsLock(path).acquire({ timeoutMs: 200 }), LockTimeoutError);
        const { code, out } = await holder.finish();
        assert.equal(code, 0, out);
        const again = await new PsLock(path).acquire({ timeoutMs: 5000 });
        again.release();
        console.log(`  Deno and Node exclude each other (${secs()})`);
      },
    });
  } finally {
    if (Deno.env.get("PSBASE_KEEP_NPM_TEST")) console.log(`  kept ${dir}`);
    else await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
