// Copyright 2026 the psbase authors. MIT license.
/**
 * Builds the npm package `psbase` from the same sources as the JSR/Deno one.
 *
 * `deno pack` does the heavy lifting (TS → JS, fast-check `.d.ts`, `.ts` → `.js`
 * specifiers); this script then fixes what it leaves out and re-packs:
 *
 * 1. `deno pack --allow-dirty --no-source-maps` into `dist/` (files from deno.json `publish.include`).
 * 2. Extract the tarball to `dist/npm/package/`; keep its `.d.ts` files and replace its `.js`
 *    by `deno bundle` output (scripts/_bundle.ts): one module per export over one core module,
 *    so a fresh `node` process importing `psbase` loads two files instead of fifty.
 * 3. Check it: the entry `.d.ts` exists and every `.d.ts` it reaches resolves (a slow type makes
 *    `deno pack` drop ALL `.d.ts` and still exit 0), relative specifiers end in `.js`, every bare
 *    specifier is `node:*` or an npm dependency, no `Deno.` in the public types, no
 *    `@deno/shim-deno`; drop stray raw `.ts` files that `publish.include` globbed in but nothing
 *    imports.
 * 4. Lower `using` / `await using` (Node 20 cannot parse them; `deno pack` keeps them) with the
 *    TypeScript compiler from `node_modules/typescript`, only when the output has them; write
 *    `"psbase"` for `"@psbase/psbase"` in the doc examples.
 * 5. Write the npm `package.json`: name `psbase`, version from deno.json, ESM `exports` + `types`,
 *    a `psbase` bin (`bin/psbase.js`, written here, running the `./cli` export's `main()`),
 *    `engines.node >= 20`, and `dependencies` from the `npm:` entries of deno.json `imports` that
 *    the emitted JS imports, directly or as a string literal fed to a computed `import()`
 *    (`deno pack` leaves them out when a package.json sits beside deno.json, as ours does, and
 *    cannot see computed imports at all).
 * 6. `node --check` every `.js` (when Node is on PATH), then `npm pack` into `dist/`.
 *
 * Run: `deno run -A scripts/build_npm.ts` (or `deno task build:npm`). Prints progress lines and,
 * last, `build:npm: tarball <absolute path>`.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { bundle } from "./_bundle.ts";

/** The npm package name (deno.json's is the JSR one, `@psbase/psbase`). */
export const NPM_NAME = "psbase";
/** The npm bin that runs the `./cli` export (`psbase <base> <command>`). */
export const BIN_FILE = "bin/psbase.js";
/** The JSR name as it appears in doc examples; rewritten to {@link NPM_NAME} in the npm output. */
const JSR_NAME = "@psbase/psbase";
const DEFAULT_DESCRIPTION =
  "A typed embedded table (Buzhug-style), safe across processes: Deno and Node.";
/** Node APIs newer than Node 20: used unguarded they crash there. Warned about, not fatal. */
const NODE_GT_20_APIS = [
  "Promise.withResolvers",
  "Array.fromAsync",
  "Object.groupBy",
  "Map.groupBy",
  "Iterator.from",
  "RegExp.escape",
  "Error.isError",
  "Math.sumPrecise",
  "Uint8Array.fromBase64",
  "Uint8Array.fromHex",
  "Float16Array",
];

/** What {@link buildNpm} produced. */
export interface BuildResult {
  /** Absolute path of the npm tarball. */
  tarball: string;
  /** The generated package.json. */
  packageJson: Record<string, unknown>;
  /** Files in the tarball, relative to `package/`. */
  files: string[];
  /** Non-fatal findings. */
  warnings: string[];
}

/** Options of {@link buildNpm}. */
export interface BuildOptions {
  /** Repository root (default: the parent of this script's folder). */
  root?: string;
  /** Output folder (default: `<root>/dist`). */
  outDir?: string;
  /** Progress sink (default: console.log). */
  log?: (line: string) => void;
}

class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildError";
  }
}

interface DenoJson {
  name?: string;
  version?: string;
  description?: string;
  license?: string;
  exports?: string | Record<string, string>;
  imports?: Record<string, string>;
  publish?: { include?: string[]; exclude?: string[] };
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], cwd: string): Promise<RunResult> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((l) => "    " + l).join("\n");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const full = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await listFiles(full, base));
    else out.push(relative(base, full).split("\\").join("/"));
  }
  return out.sort();
}

/**
 * Blanks out comments (keeping newlines and string literals) so that code can be searched.
 * Knows strings and template literals; does not know regex literals, so on JS it is only used
 * for warnings (imports in JS are found by `deno info`, which parses for real).
 */
export function stripComments(src: string): string {
  let out = "";
  let i = 0;
  const n = src.length;
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === "/" && d === "/") {
      const end = src.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === "/" && d === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === "\\") j++;
        else if (c !== "`" && src[j] === "\n") break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The module specifiers a `.d.ts` file refers to (imports, re-exports, `import("x")` types). */
export function dtsSpecifiers(src: string): string[] {
  const code = stripComments(src);
  const specs = new Set<string>();
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/gm;
  for (const m of code.matchAll(re)) specs.add(m[2]);
  // Triple-slash directives are comments, so look at the raw source for them.
  for (
    const m of src.matchAll(/^\/\/\/\s*<reference\s+(types|path|lib)\s*=\s*["']([^"']+)["']/gm)
  ) {
    specs.add(`<reference ${m[1]}="${m[2]}">`);
  }
  return [...specs];
}

/** The npm package name of a bare specifier (`@a/b/c` → `@a/b`, `x/y` → `x`). */
export function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** `npm:koffi@^3.3.4` → `{ name: "koffi", range: "^3.3.4" }`. */
export function parseNpmSpecifier(value: string): { name: string; range: string } | null {
  const m = /^npm:\/?(@[^/@]+\/[^/@]+|[^/@]+)(?:@([^/]+))?(?:\/.*)?$/.exec(value);
  if (!m) return null;
  return { name: m[1], range: m[2] ?? "*" };
}

/** Whether JS code has `using` / `await using` declarations (Node 20 cannot parse them). */
export function hasUsingDeclaration(code: string): boolean {
  return /(?:^|[\s;{}(])(?:await\s+)?using\s+(?!(?:in|of|as|from|instanceof)\b)[A-Za-z_$][\w$]*\s*(?:=|\bof\b)/m
    .test(stripComments(code));
}

interface DenoInfoModule {
  specifier: string;
  local?: string;
  error?: string;
  dependencies?: { specifier: string; isDynamic?: boolean }[];
}

/** Builds the npm tarball; see the module doc. */
export async function buildNpm(options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const step = (s: string) => log(`build:npm: ${s}`);
  const warnings: string[] = [];
  const warn = (s: string) => {
    warnings.push(s);
    log(`build:npm: WARNING: ${s}`);
  };
  const root = resolve(options.root ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const outDir = resolve(options.outDir ?? join(root, "dist"));
  const deno = Deno.execPath();

  // --- 1. configuration -------------------------------------------------------------------
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as DenoJson;
  const version = config.version;
  if (!version) throw new BuildError("deno.json has no version");
  const include = config.publish?.include ?? [];
  for (const f of ["README.md", "LICENSE"]) {
    if (!include.includes(f)) {
      throw new BuildError(`deno.json publish.include must list ${f} (it goes in the package)`);
    }
    if (!await exists(join(root, f))) throw new BuildError(`${f} is missing at ${root}`);
  }
  step(`${NPM_NAME}@${version} from ${join(root, "deno.json")} (JSR name ${config.name})`);

  // --- 2. deno pack -----------------------------------------------------------------------
  await Deno.mkdir(outDir, { recursive: true });
  const work = join(outDir, "npm");
  await Deno.remove(work, { recursive: true }).catch(() => {});
  await Deno.mkdir(work, { recursive: true });
  const raw = join(work, "deno-pack.tgz");
  step("deno pack (type check, transpile, .d.ts) ...");
  const t0 = performance.now();
  const pack = await run(
    deno,
    ["pack", "--allow-dirty", "--no-source-maps", "--output", raw],
    root,
  );
  const packLog = (pack.stdout + pack.stderr).trim();
  if (pack.code !== 0) {
    throw new BuildError(`deno pack failed (exit ${pack.code}):\n${indent(packLog)}`);
  }
  // "Could not generate types for X" is normal for modules that no public type refers to
  // (fast check only emits the type closure of the exports); a slow type in the public API
  // drops ALL .d.ts, which the checks below catch.
  if (/error\[/.test(packLog)) {
    throw new BuildError(
      "deno pack reported errors (slow types drop every .d.ts; see " +
        "`deno publish --dry-run --allow-dirty`):\n" + indent(packLog),
    );
  }
  step(`deno pack done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // --- 3. extract and check ----------------------------------------------------------------
  const tar = await run("tar", ["-xzf", raw, "-C", work], root);
  if (tar.code !== 0) throw new BuildError(`tar -xzf failed:\n${indent(tar.stderr)}`);
  await Deno.remove(raw);
  const pkgDir = join(work, "package");
  let files = await listFiles(pkgDir);
  step(`deno pack emitted ${files.length} files: ${files.join(" ")}`);

  for (const f of files) {
    if (f.endsWith(".ts") && !f.endsWith(".d.ts")) {
      warn(`dropping ${f}: raw TypeScript matched by publish.include but imported by nothing`);
      await Deno.remove(join(pkgDir, f));
    }
  }
  files = await listFiles(pkgDir);
  const jsFiles = files.filter((f) => f.endsWith(".js"));
  const dtsFiles = files.filter((f) => f.endsWith(".d.ts"));
  // deno pack drops `/// <reference lib>` lines: put back the one the public
  // types need, so a consumer whose lib lacks it (TypeScript 7's defaults) compiles.
  for (const f of dtsFiles) {
    const path = join(pkgDir, f);
    const text = await Deno.readTextFile(path);
    if (
      /\b(AsyncDisposable|Disposable|asyncDispose)\b/.test(text) &&
      !text.includes("esnext.disposable")
    ) {
      await Deno.writeTextFile(path, `/// <reference lib="esnext.disposable" />\n${text}`);
    }
  }
  const problems: string[] = [];

  const packed = JSON.parse(await Deno.readTextFile(join(pkgDir, "package.json"))) as {
    exports?: Record<string, Record<string, string>>;
    dependencies?: Record<string, string>;
  };
  const exportsMap = packed.exports ?? {};
  const entries = Object.values(exportsMap).map((c) => c.import ?? c.default).filter(Boolean);
  if (entries.length === 0) throw new BuildError("deno pack wrote no exports");
  for (const cond of Object.values(exportsMap)) {
    const types = cond.types ?? "";
    if (!types || !files.includes(types.replace(/^\.\//, ""))) {
      throw new BuildError(
        `deno pack emitted no types for ${cond.import ?? cond.default} (a slow type in the ` +
          "public API drops every .d.ts; run `deno publish --dry-run --allow-dirty`):\n" +
          indent(packLog),
      );
    }
  }

  // --- 3b. bundle ---------------------------------------------------------------------------
  // One module per entry over one core module (scripts/_bundle.ts), in place of deno pack's
  // one .js per source file: a fresh `node` process importing the package reads and compiles
  // two files instead of fifty (README, Performance). The .d.ts files stay as deno pack wrote
  // them.
  const exported = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
  const sources = Object.entries(exported ?? {}).map(([key, src]) => ({
    key,
    src: join(root, src),
    out: exportsMap[key]?.import ?? exportsMap[key]?.default,
  }));
  const bundleDir = join(work, "bundle");
  try {
    // The main export first: its reach is the core (scripts/_bundle.ts).
    await bundle(
      [...sources].sort((a, b) => Number(b.key === ".") - Number(a.key === ".")).map((e) => e.src),
      { root, outDir: bundleDir },
    );
  } catch (e) {
    throw new BuildError(String((e as Error)?.message ?? e));
  }
  for (const js of jsFiles) await Deno.remove(join(pkgDir, js));
  for (const f of await listFiles(bundleDir)) {
    // npm packages stay imports (the package's dependencies), by their npm name.
    const code = await Deno.readTextFile(join(bundleDir, f));
    await Deno.writeTextFile(
      join(pkgDir, f),
      code.replace(/(["'])npm:(@?[^@"'/]+(?:\/[^@"'/]+)?)(?:@[^"'/]*)?(\/[^"']*)?\1/g, "$1$2$3$1"),
    );
  }
  for (const e of sources) {
    const name = e.src.slice(root.length + 1).replace(/\.ts$/, ".js");
    if (!e.out || e.out.replace(/^\.\//, "") !== name) {
      throw new BuildError(
        `export ${e.key}: the bundle wrote ${name}, package.json names ${e.out}`,
      );
    }
  }
  await Deno.remove(bundleDir, { recursive: true });
  files = await listFiles(pkgDir);
  jsFiles.splice(0, jsFiles.length, ...files.filter((f) => f.endsWith(".js")));
  step(`bundled ${sources.length} entries into ${jsFiles.length} modules: ${jsFiles.join(" ")}`);

  // The npm dependencies we may use: deno.json `imports` entries that map to npm:.
  const known = new Map<string, string>();
  for (const value of Object.values(config.imports ?? {})) {
    const p = parseNpmSpecifier(value);
    if (p) known.set(p.name, p.range);
  }
  for (const [name, range] of Object.entries(packed.dependencies ?? {})) {
    if (!known.has(name)) known.set(name, range);
  }

  // JS: parse the real module graph from every entry with `deno info` (no config, no npm).
  const reachable = new Set<string>();
  const bare = new Map<string, Set<string>>(); // package name -> importing files
  for (const entry of entries) {
    const info = await run(deno, [
      "info",
      "--json",
      "--no-config",
      "--no-lock",
      "--no-npm",
      "--no-remote",
      join(pkgDir, entry),
    ], pkgDir);
    if (info.code !== 0) throw new BuildError(`deno info ${entry} failed:\n${indent(info.stderr)}`);
    const graph = JSON.parse(info.stdout) as { modules: DenoInfoModule[] };
    for (const mod of graph.modules) {
      if (!mod.specifier.startsWith("file:")) continue;
      const rel = relative(pkgDir, fileURLToPath(mod.specifier)).split("\\").join("/");
      if (mod.error) problems.push(`${rel}: ${mod.error}`);
      reachable.add(rel);
      for (const dep of mod.dependencies ?? []) {
        const s = dep.specifier;
        if (s.startsWith("./") || s.startsWith("../")) {
          if (!s.endsWith(".js")) problems.push(`${rel} imports ${s} (not a .js specifier)`);
          continue;
        }
        if (s.startsWith("node:")) continue;
        if (/^[a-z]+:/.test(s)) {
          problems.push(`${rel} imports ${s}: ${s.split(":")[0]}: specifiers do not work in Node`);
          continue;
        }
        const name = packageName(s);
        if (!bare.has(name)) bare.set(name, new Set());
        bare.get(name)!.add(rel + (dep.isDynamic ? " (dynamic import)" : ""));
      }
    }
  }
  for (const js of jsFiles) {
    if (reachable.has(js)) continue;
    const code = stripComments(await Deno.readTextFile(join(pkgDir, js))).trim();
    if (code === "" || code === "export { };" || code === "export {};") {
      step(`${js}: type-only module (empty at run time)`);
    } else {
      warn(`${js} is not reachable from the exports`);
    }
  }

  // A dynamic import through a variable (`const s = "koffi"; await import(s)`, which keeps
  // koffi out of Deno's type-check graph) is invisible to the graph: count an npm: entry of
  // deno.json imports as used when its name appears as a string literal in reachable JS.
  for (const js of reachable) {
    if (!js.endsWith(".js")) continue;
    const code = stripComments(await Deno.readTextFile(join(pkgDir, js)));
    for (const name of known.keys()) {
      if (bare.has(name)) continue;
      if (code.includes(`"${name}"`) || code.includes(`'${name}'`)) {
        bare.set(name, new Set([`${js} (string literal "${name}", computed import)`]));
      }
    }
  }

  const dependencies: Record<string, string> = {};
  for (const [name, importers] of [...bare].sort()) {
    const range = known.get(name);
    if (name === "@deno/shim-deno") {
      problems.push(`@deno/shim-deno is imported by ${[...importers].join(", ")}`);
    } else if (range === undefined) {
      problems.push(
        `${
          [...importers].join(", ")
        } import "${name}", which is no npm: entry of deno.json imports`,
      );
    } else {
      dependencies[name] = range;
      step(`dependency ${name}@${range} (imported by ${[...importers].join(", ")})`);
    }
  }

  // .d.ts: specifiers must resolve inside the package or to a dependency; no Deno types.
  for (const dts of dtsFiles) {
    const src = await Deno.readTextFile(join(pkgDir, dts));
    for (const s of dtsSpecifiers(src)) {
      if (s.startsWith("<reference")) {
        if (/deno/i.test(s)) problems.push(`${dts} has ${s} (Deno-only types)`);
        continue;
      }
      if (s.startsWith("./") || s.startsWith("../")) {
        const target = join(dirname(dts), s).split("\\").join("/");
        if (!s.endsWith(".js")) problems.push(`${dts} refers to ${s} (not a .js specifier)`);
        else if (!files.includes(target.replace(/\.js$/, ".d.ts"))) {
          problems.push(`${dts} refers to ${s}, which has no .d.ts in the package`);
        }
      } else if (!s.startsWith("node:") && !(packageName(s) in dependencies)) {
        problems.push(`${dts} refers to "${s}", which is no dependency of the package`);
      }
    }
    const code = stripComments(src);
    const denoLine = code.split("\n").findIndex((l) => /\bDeno\s*\./.test(l));
    if (denoLine >= 0) {
      problems.push(
        `${dts}:${denoLine + 1} uses the Deno namespace in a public type ` +
          `(Node consumers' tsc fails): ${src.split("\n")[denoLine].trim()}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new BuildError(
      "the packed output is not a working npm package:\n" +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }

  // --- 4. JS fix-ups: lower `using`, npm name in doc examples, notes -------------------------
  let ts: TypeScriptApi | null = null;
  for (const f of [...jsFiles, ...dtsFiles]) {
    const path = join(pkgDir, f);
    let text = await Deno.readTextFile(path);
    const before = text;
    text = text.replaceAll(`"${JSR_NAME}"`, `"${NPM_NAME}"`);
    if (f.endsWith(".js")) {
      if (hasUsingDeclaration(text)) {
        ts ??= loadTypeScript(root);
        text = ts.transpileModule(text, {
          fileName: f,
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.ESNext,
            removeComments: false,
          },
          reportDiagnostics: false,
        }).outputText;
        step(`${f}: lowered using/await using for Node 20 (TypeScript ${ts.version})`);
      }
      const code = stripComments(text);
      const denoRefs = code.split("\n").filter((l) => /\bDeno\s*\./.test(l)).length;
      if (denoRefs > 0) {
        step(`${f}: ${denoRefs} line(s) name Deno.*, meant for the Deno side of runtime checks`);
      }
      for (const api of NODE_GT_20_APIS) {
        if (code.includes(api)) warn(`${f} uses ${api}, which Node 20 lacks`);
      }
    }
    if (text !== before) await Deno.writeTextFile(path, text);
  }

  // --- 5. package.json --------------------------------------------------------------------
  const exportsOut: Record<string, Record<string, string>> = {};
  for (const [key, cond] of Object.entries(exportsMap)) {
    const js = cond.import ?? cond.default;
    const types = cond.types ?? js.replace(/\.js$/, ".d.ts");
    exportsOut[key] = { types, import: js, default: js };
  }
  const main = exportsOut["."];
  if (!main) throw new BuildError('deno pack wrote no "." export');
  // The `psbase` command: a bin that runs the `./cli` export's main() (cli.ts runs itself
  // only under `import.meta.main`, which Node 20 lacks).
  const bin: Record<string, string> = {};
  const cli = exportsOut["./cli"];
  if (cli) {
    await Deno.mkdir(join(pkgDir, "bin"), { recursive: true });
    await Deno.writeTextFile(
      join(pkgDir, BIN_FILE),
      [
        "#!/usr/bin/env node",
        `// The \`${NPM_NAME}\` command (see ${cli.import}).`,
        'import process from "node:process";',
        `import { main } from ".${cli.import}";`,
        "process.exitCode = await main(process.argv.slice(2));",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    bin[NPM_NAME] = `./${BIN_FILE}`;
    files.push(BIN_FILE);
    jsFiles.push(BIN_FILE);
    step(`bin: ${NPM_NAME} -> ./${BIN_FILE} (runs main() of ${cli.import})`);
  }
  const packageJson: Record<string, unknown> = {
    name: NPM_NAME,
    version,
    description: config.description ?? DEFAULT_DESCRIPTION,
    license: config.license ?? "MIT",
    keywords: ["database", "embedded", "table", "buzhug", "flock", "deno", "multi-process"],
    type: "module",
    main: main.import,
    types: main.types,
    exports: exportsOut,
    ...(Object.keys(bin).length ? { bin } : {}),
    files: files.filter((f) => f !== "package.json"),
    engines: { node: ">=20" },
    dependencies,
  };
  await Deno.writeTextFile(
    join(pkgDir, "package.json"),
    JSON.stringify(packageJson, null, 2) + "\n",
  );
  step(`package.json: ${NPM_NAME}@${version}, deps ${JSON.stringify(dependencies)}`);

  // --- 6. node --check, npm pack ------------------------------------------------------------
  const nodeOk = await run("node", ["--version"], pkgDir).catch(() => null);
  if (nodeOk?.code === 0) {
    for (const js of jsFiles) {
      const check = await run("node", ["--check", join(pkgDir, js)], pkgDir);
      if (check.code !== 0) {
        throw new BuildError(
          `node ${nodeOk.stdout.trim()} cannot parse ${js}:\n${indent(check.stderr)}`,
        );
      }
    }
    step(`node ${nodeOk.stdout.trim()} parses all ${jsFiles.length} .js files`);
  } else {
    warn("node is not on PATH: skipped `node --check` of the output");
  }

  const tarball = join(outDir, `${NPM_NAME}-${version}.tgz`);
  await Deno.remove(tarball).catch(() => {});
  const npmPack = await run(
    "npm",
    ["pack", "--json", "--ignore-scripts", "--pack-destination", outDir],
    pkgDir,
  );
  if (npmPack.code !== 0) {
    throw new BuildError(`npm pack failed:\n${indent(npmPack.stdout + npmPack.stderr)}`);
  }
  const report = JSON.parse(npmPack.stdout) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  const written = join(outDir, report[0].filename);
  if (written !== tarball) throw new BuildError(`npm pack wrote ${written}, expected ${tarball}`);
  const packedFiles = report[0].files.map((f) => f.path).sort();
  step(
    `npm pack: ${packedFiles.length} files, ${(report[0].size / 1024).toFixed(1)} KiB: ` +
      packedFiles.join(" "),
  );
  return { tarball, packageJson, files: packedFiles, warnings };
}

/** The part of the TypeScript compiler API used to lower `using`. */
interface TypeScriptApi {
  version: string;
  ScriptTarget: { ES2022: number };
  ModuleKind: { ESNext: number };
  transpileModule(
    input: string,
    options: {
      fileName: string;
      compilerOptions: Record<string, unknown>;
      reportDiagnostics: boolean;
    },
  ): { outputText: string };
}

function loadTypeScript(root: string): TypeScriptApi {
  try {
    return createRequire(join(root, "package.json"))("typescript") as TypeScriptApi;
  } catch (e) {
    throw new BuildError(
      "the output uses `using` / `await using`, which Node 20 cannot parse, and lowering it " +
        "needs the TypeScript compiler: add `typescript` to package.json devDependencies and " +
        `run npm install (${e instanceof Error ? e.message : e})`,
    );
  }
}

if (import.meta.main) {
  try {
    const { tarball } = await buildNpm();
    console.log(`build:npm: tarball ${tarball}`);
  } catch (e) {
    if (e instanceof BuildError) {
      console.error(`build:npm: FAILED: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
