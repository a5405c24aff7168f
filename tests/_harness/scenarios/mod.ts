// Copyright 2026 the psbase authors. MIT license.
/**
 * Every scenario's child half, by name: what the generic child entry
 * (../child_main.ts) runs for `--scenario=<name>`. Adding a scenario: one
 * file in this folder exporting its `child` (and its parent half: a
 * `Scenario` with `seed`/`args`/`verify`, or a check function), plus one line
 * here.
 *
 * @module
 */

import type { ChildBody } from "../context.ts";
import * as cmd from "./cmd.ts";
import * as copy from "./copy.ts";
import * as counter from "./counter.ts";
import * as crash from "./crash.ts";
import * as hold from "./hold.ts";
import * as insert from "./insert.ts";
import * as power from "./power.ts";
import * as rw from "./rw.ts";
import * as schema from "./schema.ts";
import * as seed from "./seed.ts";
import * as readall from "./readall.ts";
import * as reopen from "./reopen.ts";
import * as stream from "./stream.ts";
import * as transfer from "./transfer.ts";

/** The child half of each scenario, by its `--scenario` name. */
export const CHILDREN: { [name: string]: ChildBody } = {
  cmd: cmd.child,
  copy: copy.child,
  counter: counter.child,
  crash: crash.child,
  hold: hold.child,
  insert: insert.child,
  power: power.child,
  readall: readall.child,
  reopen: reopen.child,
  rw: rw.child,
  schema: schema.child,
  seed: seed.child,
  stream: stream.child,
  transfer: transfer.child,
};
