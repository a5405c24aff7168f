// Copyright 2026 the psbase authors. MIT license.
/**
 * Bundles psbase's exports (deno.json `exports`) into as few modules as a
 * fresh process can load: shared by `deno task build` (scripts/build.ts,
 * `dist/deno/`) and the npm build (scripts/build_npm.ts).
 *
 * A plain `deno bundle --code-splitting` splits the code that the exports
 * share into one chunk per set of entries (and of dynamic imports) reaching
 * it: the main export loaded ten modules, and each module costs a fresh
 * `node` about half a millisecond to resolve, read and compile (issue 16).
 * Here the core, everything the main export reaches (statically or by
 * `import()`), is one module, `_core.js`, bundled without splitting; every
 * export's module (`mod.js`, `pg.js`, `cli.js`) and the chunks that only the
 * other exports share import the core's bindings from it, so a class is one
 * class whichever export it is reached through. In two passes:
 *
 * 1. bundle the exports with code splitting, every core module external:
 *    their imports of the core stay as `import { name } from "<core file>"`;
 * 2. bundle a generated entry that exports exactly those names from their
 *    modules, without splitting, into `_core.js`; then point the first pass's
 *    imports at it.
 *
 * Inside the core, esbuild wraps every module that a dynamic `import()`
 * reaches (`_file/_check.ts`, the Node-only files) and every module those
 * import in a lazy initializer (`__esm({ "<file>"() { <module body> } })`),
 * a method V8 compiles only when it is called: in every process afresh, as
 * Deno's code cache holds only what V8 compiled with the module. Pass 3
 * ({@linkcode eagerInits}) writes each as a parenthesized function, which V8
 * compiles with the module, so it is cached (about 0.9 ms less CPU for a
 * fresh Deno process's import; bench/RESULTS.md).
 *
 * What this cannot link (a namespace, default or dynamic import of a core
 * module from outside the core, two core modules exporting the same needed
 * name) is a {@linkcode BundleError}, as is an entry that does not load.
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";

/** The core module's file name in the output. */
export const CORE = "_core.js";

/** The bundle could not be built or linked. */
export class BundleError extends Error {
  /** @param message What went wrong. */
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

async function deno(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new BundleError(`Cannot bundle psbase: deno ${args[0]} failed:\n${text}`);
  return new TextDecoder().decode(out.stdout);
}

/** The local files `entry` reaches, statically or by `import()` (absolute paths). */
async function reached(entry: string, cwd: string): Promise<string[]> {
  const info = JSON.parse(await deno(["info", "--json", entry], cwd)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file:"))
    .map((s) => decodeURIComponent(new URL(s).pathname));
}

/**
 * A module that only re-exports the core's bindings (the main export, once
 * linked: mod.ts is `export ... from` lines) as one `export ... from` line,
 * without the chunk esbuild imports beside them: all the main export reaches
 * is in the core, so that chunk holds only esbuild's helpers. One module less
 * for a fresh process. Null when the module holds anything else.
 */
function reexport(text: string): string | null {
  const from = new Map<string, string>(); // local name -> the core's name
  for (const m of text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*"\.\/_core\.js";$/gm)) {
    for (const part of m[1].split(",")) {
      const [name, local = name] = part.trim().split(/\s+as\s+/);
      if (name) from.set(local, name);
    }
  }
  const out: string[] = [];
  for (const m of text.matchAll(/^export\s*\{([^}]*)\};$/gm)) {
    for (const part of m[1].split(",")) {
      const [local, exported = local] = part.trim().split(/\s+as\s+/);
      if (!local) continue;
      const name = from.get(local);
      if (!name) return null;
      out.push(name === exported ? name : `${name} as ${exported}`);
    }
  }
  const rest = text
    .replace(/^import\s*(?:\{[^}]*\}\s*from\s*)?"\.\/[^"]+";$/gm, "")
    .replace(/^export\s*\{[^}]*\};$/gm, "")
    .replace(/^\/\/.*$/gm, "")
    .trim();
  if (rest !== "" || out.length === 0) return null;
  return `export { ${out.join(", ")} } from "./${CORE}";\n`;
}

/**
 * `core` with each lazy module initializer of esbuild (`var init_x =
 * __esm({\n  "<file>"() {` … `\n  }\n});`) written as a parenthesized
 * function (`"<file>": (function () {` … `})`), the same call for `__esm`,
 * which V8 compiles eagerly and Deno's code cache then holds. Throws a
 * BundleError when an initializer is not in that form. An `async`
 * initializer (a module with top-level `await`) is left as it is.
 *
 * @example
 * ```ts ignore
 * eagerInits('var init_a = __esm({\n  "a.ts"() {\n    x = 1;\n  }\n});');
 * // 'var init_a = __esm({\n  "a.ts": (function () {\n    x = 1;\n  })\n});'
 * ```
 */
export function eagerInits(core: string): string {
  const out = core.replace(
    /^(var init_\w+ = __esm\(\{\n {2}"[^"\n]+")\(\) \{\n(?:([^]*?)\n)?? {2}\}\n\}\);$/gm,
    (_, head: string, body?: string) =>
      `${head}: (function () {\n${body === undefined ? "" : `${body}\n`}  })\n});`,
  );
  const left = out.match(/^var init_\w+ = __esm\(\{\n {2}"[^"\n]+"\(\) \{$/m);
  if (left) {
    throw new BundleError(
      `Cannot bundle psbase: a module initializer is not in the form expected: ${left[0]}`,
    );
  }
  return out;
}

const BUNDLE_FLAGS = ["--platform", "deno", "--external", "npm:*", "--keep-names"];

/** Where {@linkcode bundle} works. */
export interface BundleOptions {
  /** The repository root (deno.json's folder; the entries are under it). */
  root: string;
  /** The output folder, emptied first. */
  outDir: string;
}

/**
 * Bundles `entries` (absolute paths of `.ts` files; the first is the main
 * export, whose reach is the core) into `options.outDir`. Returns the files
 * written, sorted.
 *
 * @example
 * ```ts ignore
 * await bundle(["/repo/mod.ts", "/repo/cli.ts"], { root: "/repo", outDir: "/repo/dist/deno" });
 * ```
 */
export async function bundle(entries: string[], options: BundleOptions): Promise<string[]> {
  const { root, outDir } = options;
  const [main, ...others] = entries;
  const core = (await reached(main, root)).filter((f) => f !== main);
  const isCore = new Set(core);
  for (const e of others) {
    if (isCore.has(e)) {
      throw new BundleError(
        `Cannot bundle psbase: ${relative(root, main)} reaches the export ${relative(root, e)}`,
      );
    }
  }
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const work = await Deno.makeTempDir({ prefix: "psbase-bundle-" });
  try {
    // 1. The exports, the core external.
    const first = join(work, "exports");
    await deno([
      "bundle",
      ...BUNDLE_FLAGS,
      ...core.flatMap((f) => ["--external", f]),
      "--code-splitting",
      "--outdir",
      first,
      ...entries,
    ], root);
    const files = new Map<string, string>();
    for await (const e of Deno.readDir(first)) {
      if (e.isFile) files.set(e.name, await Deno.readTextFile(join(first, e.name)));
    }
    if (files.has(CORE)) throw new BundleError(`Cannot bundle psbase: an output is named ${CORE}`);

    // The core's bindings those modules import, by core file.
    const needed = new Map<string, Set<string>>();
    const from = new Map<string, string>(); // name -> core file exporting it
    for (const [name, text] of files) {
      for (const m of text.matchAll(/\b(?:import|export)\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
        if (!isCore.has(m[2])) continue;
        const names = needed.get(m[2]) ?? new Set();
        needed.set(m[2], names);
        for (const part of m[1].split(",")) {
          const binding = part.trim().split(/\s+as\s+/)[0];
          if (!binding) continue;
          const other = from.get(binding);
          if (other && other !== m[2]) {
            throw new BundleError(
              `Cannot bundle psbase: ${binding} is needed from both ${relative(root, other)} and ${
                relative(root, m[2])
              }`,
            );
          }
          from.set(binding, m[2]);
          names.add(binding);
        }
      }
      // Any other mention of a core file: what cannot be linked.
      const left = text.replace(
        /\b(?:import|export)\s*\{[^}]*\}\s*from\s*"([^"]+)"|\bimport\s*"([^"]+)"/g,
        "",
      );
      for (const f of core) {
        if (left.includes(`"${f}"`)) {
          throw new BundleError(
            `Cannot bundle psbase: ${name} imports ${
              relative(root, f)
            } as a namespace, a default or by import(): only named imports can be linked to ${CORE}`,
          );
        }
      }
    }

    // 2. The core: one module exporting those bindings.
    const entry = join(work, "_core.ts");
    await Deno.writeTextFile(
      entry,
      [...needed].map(([f, names]) =>
        `export { ${[...names].sort().join(", ")} } from ${
          JSON.stringify(pathToFileURL(f).href)
        };\n`
      ).join(""),
    );
    const second = join(work, "core");
    await deno(["bundle", ...BUNDLE_FLAGS, "--outdir", second, entry], root);
    files.set(CORE, eagerInits(await Deno.readTextFile(join(second, CORE))));

    const mainOut = relative(root, main).replace(/\.ts$/, ".js");
    await Deno.mkdir(outDir, { recursive: true });
    for (const [name, text] of files) {
      const to = join(outDir, name);
      await Deno.mkdir(dirname(to), { recursive: true });
      let linked = text;
      if (name !== CORE) {
        const rel = relative(dirname(to), join(outDir, CORE));
        const spec = JSON.stringify(rel.startsWith(".") ? rel : `./${rel}`);
        // Every mention left is a named or a side-effect import (checked above).
        for (const f of core) linked = linked.replaceAll(`"${f}"`, spec);
      }
      await Deno.writeTextFile(to, name === mainOut ? reexport(linked) ?? linked : linked);
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }

  // Every export loads and links (a name missing from the core fails here).
  const urls = entries.map((e) =>
    pathToFileURL(join(outDir, relative(root, e).replace(/\.ts$/, ".js"))).href
  );
  await deno([
    "eval",
    `for (const u of ${JSON.stringify(urls)}) await import(u);`,
  ], root);
  const out: string[] = [];
  for await (const e of Deno.readDir(outDir)) if (e.isFile) out.push(e.name);
  return out.sort();
}
