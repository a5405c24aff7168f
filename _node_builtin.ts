// Copyright 2026 the psbase authors. MIT license.
// Internal: Node's built-in modules for the Node-only files (_file/_fs_node.ts,
// _lock/_node.ts), taken without an ES `import` of them. An ES import of a
// built-in makes Node build an ES facade that reads every export, lazy ones
// included: `node:process` cost a fresh Node process about 3.8 ms of CPU that
// way (its `allowedNodeEnvironmentFlags`), `node:fs` about 1.5 (it loads the
// streams); `process.getBuiltinModule` (Node 20.16+) hands over the module
// itself for a fraction of that (bench/RESULTS.md, issue 16).

/** The Node (or Deno) `process` global; undefined in a runtime without one. */
export function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** The parts of `process` the Node-only files use. */
export interface NodeProcess {
  platform: string;
  arch: string;
  getBuiltinModule?(id: string): unknown;
}

/**
 * The built-in module `id` (`"node:fs"`): `process.getBuiltinModule(id)`
 * where there is one, else a dynamic import of it.
 *
 * @example
 * ```ts ignore
 * const fs = await nodeBuiltin<typeof import("node:fs")>("node:fs");
 * ```
 */
export function nodeBuiltin<T>(id: string): Promise<T> {
  const m = nodeProcess()?.getBuiltinModule?.(id);
  return m ? Promise.resolve(m as T) : import(id) as Promise<T>;
}
