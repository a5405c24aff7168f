// Copyright 2026 the psbase authors. MIT license.
// Every index kind, by the name the manifest uses. A new kind is one file in
// this folder and one line here.

import { hash } from "./hash.ts";
import type { IndexKind } from "./_types.ts";
import { sorted } from "./sorted.ts";

/** The index kinds. */
export const INDEX_KINDS: { readonly [name: string]: IndexKind } = { hash, sorted };
