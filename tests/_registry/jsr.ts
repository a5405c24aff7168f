// Copyright 2026 the psbase authors. MIT license.
/**
 * A small JSR registry on a free loopback port, for tests/jsr_test.ts: what `deno publish`
 * calls and what `deno add` / `deno install` / `deno run` fetch, kept in memory. Point Deno at
 * it with `JSR_URL=<url>`.
 *
 * The publish API (under `/api/`, which Deno derives from `JSR_URL`):
 * - `GET scopes/<scope>` and `GET scopes/<scope>/packages/<name>`: 200 for the packages the
 *   registry was started with, 404 otherwise (`deno publish` then stops: it does not create
 *   packages, and neither does JSR).
 * - `POST scopes/<scope>/packages/<name>/versions/<version>?config=/deno.json`: the gzipped
 *   tarball, `Authorization: Bearer <token>`. Answers a publishing task (`pending`), processed
 *   after the answer: the config file must name this package and version, and every export
 *   must be in the tarball; the task ends `success` or `failure` with an error, as JSR's do.
 * - `GET publish_status/<task id>`: the task, which `deno publish` polls (every 2 s).
 *
 * What Deno fetches:
 * - `@<scope>/<name>/meta.json`: `{ scope, name, latest, versions: { <v>: { createdAt } } }`
 *   (`latest`: the version published last, where JSR takes the highest stable one).
 * - `@<scope>/<name>/<v>_meta.json`: `{ manifest: { "/<path>": { size, checksum } }, exports }`,
 *   each checksum `sha256-<hex>` of the file's bytes, which Deno checks every file against.
 * - `@<scope>/<name>/<v>/<path>`: the files, with a content type from their extension.
 *
 * @module
 */

import { gunzip, readTar } from "./tar.ts";

/** Options of {@link startJsrRegistry}. */
export interface JsrRegistryOptions {
  /** The packages that exist (created, not yet published), as `@scope/name`. */
  packages: string[];
  /** The token `deno publish --token` must present. */
  token: string;
  /**
   * How long before its upload each version says it was created (`createdAt`), in ms; default 0.
   * Deno 2.9 skips versions younger than a day unless told otherwise (`--min-dep-age`), so a
   * test that installs what a user would, a release some days old, dates it back.
   */
  ageMs?: number;
}

/** One request the registry answered, for the tests to inspect. */
export interface JsrRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  status: number;
}

/** A running registry; `await using` (or {@link JsrRegistry.close}) stops it. */
export interface JsrRegistry extends AsyncDisposable {
  /** The base URL, with a trailing slash: the value for `JSR_URL`. */
  url: string;
  /** Every request answered, in order. */
  requests: JsrRequest[];
  /** The files of a published version (`/path` → bytes), or `undefined`. */
  files(pkg: string, version: string): Map<string, Uint8Array<ArrayBuffer>> | undefined;
  /** Stops listening and waits for open requests to finish; idempotent. */
  close(): Promise<void>;
}

interface Version {
  files: Map<string, Uint8Array<ArrayBuffer>>;
  manifest: { [path: string]: { size: number; checksum: string } };
  exports: { [key: string]: string };
  createdAt: string;
}

interface Task {
  id: string;
  packageScope: string;
  packageName: string;
  packageVersion: string;
  status: "pending" | "processing" | "success" | "failure";
  error: { code: string; message: string } | null;
}

const CONTENT_TYPES: { [ext: string]: string } = {
  ts: "application/typescript; charset=utf-8",
  mts: "application/typescript; charset=utf-8",
  tsx: "text/tsx; charset=utf-8",
  js: "application/javascript; charset=utf-8",
  mjs: "application/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  md: "text/markdown; charset=utf-8",
};

/** A JSON response. */
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** A JSR-style API error (`{ code, message }`, which Deno prints). */
function apiError(status: number, code: string, message: string, extra = {}): Response {
  return json({ code, message, ...extra }, status);
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return "sha256-" + Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Normalises `deno.json` exports (a string or a map) to a map. */
function exportsMap(value: unknown): { [key: string]: string } {
  if (typeof value === "string") return { ".": value };
  if (value && typeof value === "object") return value as { [key: string]: string };
  return {};
}

/** Starts a registry on a free port of 127.0.0.1. */
export function startJsrRegistry(options: JsrRegistryOptions): Promise<JsrRegistry> {
  const known = new Set(options.packages);
  const versions = new Map<string, Map<string, Version>>(); // "@scope/name" -> version -> data
  const tasks = new Map<string, Task>();
  const requests: JsrRequest[] = [];
  const processing: Promise<void>[] = [];

  /** Checks and stores an uploaded version; the task says how it went. */
  async function processUpload(
    task: Task,
    pkg: string,
    version: string,
    config: string,
    body: Uint8Array<ArrayBuffer>,
  ) {
    task.status = "processing";
    try {
      const files = new Map<string, Uint8Array<ArrayBuffer>>();
      for (const f of readTar(await gunzip(body))) files.set("/" + f.path, f.bytes);
      const configBytes = files.get(config);
      if (!configBytes) throw new Error(`the tarball has no ${config}`);
      const meta = JSON.parse(new TextDecoder().decode(configBytes));
      if (meta.name !== pkg) throw new Error(`${config} names "${meta.name}", not "${pkg}"`);
      if (meta.version !== version) {
        throw new Error(`${config} has version "${meta.version}", not "${version}"`);
      }
      const exports = exportsMap(meta.exports);
      if (Object.keys(exports).length === 0) throw new Error(`${config} has no exports`);
      for (const [key, target] of Object.entries(exports)) {
        if (!files.has(target.replace(/^\.\//, "/"))) {
          throw new Error(`export "${key}" is ${target}, which is not in the tarball`);
        }
      }
      const manifest: Version["manifest"] = {};
      for (const [path, bytes] of files) {
        manifest[path] = { size: bytes.length, checksum: await sha256(bytes) };
      }
      if (!versions.has(pkg)) versions.set(pkg, new Map());
      versions.get(pkg)!.set(version, {
        files,
        manifest,
        exports,
        createdAt: new Date(Date.now() - (options.ageMs ?? 0)).toISOString(),
      });
      task.status = "success";
    } catch (e) {
      task.status = "failure";
      task.error = { code: "invalidTarball", message: e instanceof Error ? e.message : String(e) };
    }
  }

  async function publish(req: Request, pkg: string, version: string, config: string) {
    if (req.headers.get("authorization") !== `Bearer ${options.token}`) {
      return apiError(401, "invalidBearerToken", "the token is not valid for this registry");
    }
    if (!known.has(pkg)) return apiError(404, "packageNotFound", `${pkg} does not exist`);
    const existing = [...tasks.values()].find((t) =>
      `@${t.packageScope}/${t.packageName}` === pkg && t.packageVersion === version &&
      t.status !== "failure"
    );
    if (existing) {
      return apiError(409, "duplicateVersionPublish", `${pkg}@${version} exists`, {
        task: existing,
      });
    }
    const body = new Uint8Array(await req.arrayBuffer());
    const [scope, name] = pkg.slice(1).split("/");
    const task: Task = {
      id: crypto.randomUUID(),
      packageScope: scope,
      packageName: name,
      packageVersion: version,
      status: "pending",
      error: null,
    };
    tasks.set(task.id, task);
    // Processed once answered, like JSR's: `deno publish` has to poll the task.
    processing.push(
      new Promise((r) => setTimeout(r, 0)).then(() =>
        processUpload(task, pkg, version, config, body)
      ),
    );
    return json(task);
  }

  async function api(req: Request, path: string): Promise<Response> {
    let m = /^scopes\/([^/]+)\/packages\/([^/]+)\/versions\/([^/]+)$/.exec(path);
    if (m && req.method === "POST") {
      const config = new URL(req.url).searchParams.get("config") ?? "/deno.json";
      return await publish(req, `@${m[1]}/${m[2]}`, m[3], config);
    }
    if (req.method !== "GET") return apiError(405, "methodNotAllowed", `${req.method} ${path}`);
    if (m) {
      const [, scope, name, version] = m;
      return versions.get(`@${scope}/${name}`)?.has(version)
        ? json({ scope, package: name, version, yanked: false })
        : apiError(404, "packageVersionNotFound", `@${scope}/${name}@${version} is not published`);
    }
    if ((m = /^scopes\/([^/]+)$/.exec(path))) {
      const scope = m[1];
      return [...known].some((p) => p.startsWith(`@${scope}/`))
        ? json({ scope })
        : apiError(404, "scopeNotFound", `@${scope} does not exist`);
    }
    if ((m = /^scopes\/([^/]+)\/packages\/([^/]+)$/.exec(path))) {
      return known.has(`@${m[1]}/${m[2]}`)
        ? json({ scope: m[1], name: m[2] })
        : apiError(404, "packageNotFound", `@${m[1]}/${m[2]} does not exist`);
    }
    if ((m = /^publish_status\/(.+)$/.exec(path))) {
      const task = tasks.get(decodeURIComponent(m[1]));
      return task ? json(task) : apiError(404, "publishNotFound", `no task ${m[1]}`);
    }
    return apiError(404, "notFound", `no API route ${path}`);
  }

  function serveRegistry(path: string): Response {
    const m = /^(@[^/]+\/[^/]+)\/(.+)$/.exec(path);
    const pkg = m && versions.get(m[1]);
    if (!m || !pkg) return new Response("not found", { status: 404 });
    const [, name, rest] = m;
    if (rest === "meta.json") {
      const all = [...pkg.keys()];
      return json({
        scope: name.slice(1).split("/")[0],
        name: name.split("/")[1],
        latest: all.at(-1) ?? null,
        versions: Object.fromEntries([...pkg].map(([v, d]) => [v, { createdAt: d.createdAt }])),
      });
    }
    const meta = /^([^/]+)_meta\.json$/.exec(rest);
    if (meta) {
      const v = pkg.get(meta[1]);
      return v
        ? json({ manifest: v.manifest, exports: v.exports })
        : new Response("not found", { status: 404 });
    }
    const slash = rest.indexOf("/");
    const file = slash > 0
      ? pkg.get(rest.slice(0, slash))?.files.get(rest.slice(slash))
      : undefined;
    if (!file) return new Response("not found", { status: 404 });
    const ext = rest.slice(rest.lastIndexOf(".") + 1);
    return new Response(file.slice(), {
      headers: { "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream" },
    });
  }

  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => {
        const url = `http://127.0.0.1:${port}/`;
        let closing: Promise<void> | undefined;
        const close = () =>
          closing ??= server.shutdown().then(async () => {
            await Promise.all(processing);
          });
        resolve({
          url,
          requests,
          files: (pkg, version) => versions.get(pkg)?.get(version)?.files,
          close,
          [Symbol.asyncDispose]: close,
        });
      },
    }, async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname).slice(1);
      const res = path.startsWith("api/") ? await api(req, path.slice(4)) : serveRegistry(path);
      requests.push({ method: req.method, path: "/" + path, status: res.status });
      return res;
    });
  });
}
