// Copyright 2026 the psbase authors. MIT license.
// The error of a lock file the file system refused (no permission, a
// read-only disk): "Cannot take the lock on <path>: <why>", keeping the
// original's class name and code so callers can tell the cases apart.

import { LockTimeoutError, osReason } from "../_errors.ts";

/** `e` in the form "Cannot take the lock on `path`: ..."; returned as is when already in it. */
export function lockError(path: string, e: unknown): unknown {
  const err = e as Error & { code?: string };
  if (e instanceof LockTimeoutError || typeof err?.message !== "string") return e;
  if (err.message.startsWith("Cannot ")) return e;
  // mkdir of the lock file's folder meets a file on the way (EEXIST, or ENOTDIR further down).
  const onFile = ["AlreadyExists", "NotADirectory"].includes(err.name) ||
    err.code === "EEXIST" || err.code === "ENOTDIR";
  const why = onFile
    ? `a folder above it is a file, not a folder (${osReason(err)})`
    : osReason(err);
  const out = new Error(`Cannot take the lock on ${path}: ${why}`, { cause: e });
  if (err.code) (out as Error & { code?: string }).code = err.code;
  out.name = err.name;
  return out;
}
