// Copyright 2026 the psbase authors. MIT license.
// The file store as a storage driver (_storage/_types.ts): a base is a folder.

import type { StorageDriver } from "../_storage/_types.ts";
import { MANIFEST } from "./_manifest.ts";
import { FileStore, type FileStoreOptions } from "./_store.ts";

/** Opens, creates, destroys and checks bases stored as folders of files. */
export const fileDriver: StorageDriver<FileStoreOptions> = {
  exists: (dir, o) => o.fs.exists(`${dir}/${MANIFEST}`),
  checkCreate: (dir, _fields, o) => FileStore.checkFolder(o.fs, dir),
  open: (dir, o) => FileStore.open(dir, o),
  create: (dir, fields, indexes, o) => FileStore.create(dir, fields, indexes, o),
  destroy: (dir, o) => FileStore.destroy(o.fs, dir),
  // Loaded only when asked for: a short-lived process never needs it.
  check: async (dir, o) => (await import("./_check.ts")).checkBase(o.fs, dir),
};
