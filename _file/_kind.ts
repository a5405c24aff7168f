// Copyright 2026 the psbase authors. MIT license.
// The file store as a kind of base (_table/_kind.ts): a base is a folder.

import { path } from "../_path.ts";
import type { StorageDriver } from "../_storage/_types.ts";
import type { TableKind } from "../_table/_kind.ts";
import { fileDriver } from "./_driver.ts";
import { defaultFs } from "./_fs_default.ts";
import type { Fs } from "./_fs.ts";

/** A file layer a test injected in place of the runtime's (tests/_crash_fs.ts). */
const injected = new WeakMap<object, Fs>();

/** Makes `base` use the file layer `fs` once opened (tests only: power-loss simulation). */
export function injectFs<B extends object>(base: B, fs: Fs): B {
  injected.set(base, fs);
  return base;
}

/** Bases stored as folders of files, no lock (`Base`). */
export const fileKind: TableKind = {
  options: ["sync", "checkpointBytes"],
  check: () => {},
  name: (p) => path.resolve(p),
  storage: async (_name, o, base) => ({
    driver: fileDriver as StorageDriver<unknown>,
    options: {
      fs: injected.get(base) ?? await defaultFs(),
      sync: (o.sync as boolean | undefined) ?? true,
      checkpointBytes: (o.checkpointBytes as number | undefined) ?? 16 * 1024, // W4
    },
  }),
};
