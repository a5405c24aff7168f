// Copyright 2026 the psbase authors. MIT license.
// The error of a lock file the file system refused (no permission, a
// read-only disk): "Cannot take the lock on <path>: <why>", keeping the
// original's class name and code so callers can tell the cases apart.

import { LockTimeoutError } from "../_errors.ts";

/** `e` in the form "Cannot take the lock on `path`: ..."; returned as is when already in it. */
export function lockError(path: string, e: unknown): unknown {
  const err = e as Error & { code?: string };
  if (e instanceof LockTimeoutError || typeof err?.message !== "string") return e;
  if (err.message.startsWith("Cannot ")) return e;
  const out = new Error(`Cannot take the lock on ${path}: ${err.message}`, { cause: e });
  if (err.code) (out as Error & { code?: string }).code = err.code;
  out.name = err.name;
  return out;
}
