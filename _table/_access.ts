// Copyright 2026 the psbase authors. MIT license.
// The hooks by which PsBase runs Base's work under the cross-process lock.

/** What a call does: read (shared lock) or write (exclusive lock). FORMAT.md, L3. */
export type AccessMode = "read" | "write";

/**
 * Runs one call's work. `Base` runs `body` directly; `PsBase` takes the lock
 * for `mode`, calls `refresh` (pick up others' commits: R3), then `body`.
 */
export const kAccess: unique symbol = Symbol("psbase.access");

/** Reads many records by id in one call (used to resolve links). */
export const kGetMany: unique symbol = Symbol("psbase.getMany");

/** The option names a base class's constructor accepts (PsBase adds its own). */
export const kOptionNames: unique symbol = Symbol("psbase.optionNames");
