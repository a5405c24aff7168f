// Copyright 2026 the psbase authors. MIT license.
// `node:sqlite`, typed by _sqlite.d.ts (see there why).

/// <reference path="./_sqlite.d.ts" />
import { DatabaseSync, type StatementSync } from "node:sqlite";

export { DatabaseSync, type StatementSync };
