// Copyright 2026 the psbase authors. MIT license.
/**
 * A minimal npm registry on a free loopback port, for tests/npm_registry_test.ts: what
 * `npm publish` sends and what `npm install` fetches, kept in memory. Point npm at it with the
 * `registry` setting and an `_authToken` for its URL.
 *
 * - `PUT /<name>`: `npm publish`'s document (`versions` with one version, its tarball in
 *   `_attachments`, base64), `Authorization: Bearer <token>`. Refused unless the tarball matches
 *   the `dist.integrity` (sha512) and `dist.shasum` (sha1) npm computed, and its
 *   `package/package.json` has the published name and version; a version is published once.
 * - `GET /<name>`: the packument (`name`, `dist-tags`, `versions`, `time`), each version's
 *   `dist.tarball` on this registry.
 * - `GET /<name>/-/<file>.tgz`: a published tarball.
 * - Anything else read (`GET`) goes to `upstream` when given, as Verdaccio's uplinks do: the
 *   dependencies of a package published here (koffi for psbase) come from the real registry.
 *   The names in `local` never do.
 *
 * @module
 */

import { gunzip, readTar } from "./tar.ts";

/** Options of {@link startNpmRegistry}. */
export interface NpmRegistryOptions {
  /** The token `npm publish` must present (the registry's `_authToken` in the npm config). */
  token: string;
  /** Where to read the packages not published here (a registry URL); none: 404. */
  upstream?: string;
  /**
   * Names that belong to this registry: never read from `upstream`, so that before they are
   * published here they are not found at all (a package of that name elsewhere cannot stand in).
   */
  local?: string[];
}

/** One request the registry answered, for the tests to inspect. */
export interface NpmRequest {
  method: string;
  /** The path as requested (scoped names keep their `%2f`). */
  path: string;
  status: number;
  /** Whether it was answered by `upstream`. */
  proxied: boolean;
}

/** A running registry; `await using` (or {@link NpmRegistry.close}) stops it. */
export interface NpmRegistry extends AsyncDisposable {
  /** The base URL, with a trailing slash: the value for npm's `registry` setting. */
  url: string;
  /** Every request answered, in order. */
  requests: NpmRequest[];
  /** The tarball of a version published here, or `undefined`. */
  tarball(name: string, version: string): Uint8Array<ArrayBuffer> | undefined;
  /** Stops listening and waits for open requests to finish; idempotent. */
  close(): Promise<void>;
}

// deno-lint-ignore no-explicit-any
type Json = any;

interface Package {
  name: string;
  distTags: { [tag: string]: string };
  versions: Map<string, Json>;
  tarballs: Map<string, Uint8Array<ArrayBuffer>>;
  time: { [key: string]: string };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** npm prints `error` of a failed request. */
function failure(status: number, error: string): Response {
  return json({ error }, status);
}

async function digest(algorithm: "SHA-1" | "SHA-512", bytes: Uint8Array<ArrayBuffer>) {
  return new Uint8Array(await crypto.subtle.digest(algorithm, bytes));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Encodes a short byte string (a digest) as standard base64. */
function encodeBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Decodes standard base64 (what `npm publish` sends). */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** `/psbase/...` → `psbase`; `/@scope%2fname/...` or `/@scope/name/...` → `@scope/name`. */
function nameOf(path: string): { name: string; rest: string } | null {
  const parts = path.slice(1).split("/").map(decodeURIComponent);
  if (parts[0] === "") return null;
  if (parts[0].startsWith("@")) {
    if (parts[0].includes("/")) return { name: parts[0], rest: parts.slice(1).join("/") };
    if (parts.length < 2) return null;
    return { name: `${parts[0]}/${parts[1]}`, rest: parts.slice(2).join("/") };
  }
  return { name: parts[0], rest: parts.slice(1).join("/") };
}

/** Starts a registry on a free port of 127.0.0.1. */
export function startNpmRegistry(options: NpmRegistryOptions): Promise<NpmRegistry> {
  const packages = new Map<string, Package>();
  const requests: NpmRequest[] = [];
  let url = "";

  async function publish(req: Request, name: string): Promise<Response> {
    if (req.headers.get("authorization") !== `Bearer ${options.token}`) {
      return failure(401, "authentication required: the token is not valid for this registry");
    }
    const doc: Json = await req.json();
    if (doc.name !== name) return failure(400, `the document names ${doc.name}, not ${name}`);
    const versions = Object.entries(doc.versions ?? {}) as [string, Json][];
    const attachments = Object.values(doc._attachments ?? {}) as Json[];
    if (versions.length !== 1 || attachments.length !== 1) {
      return failure(400, "publish one version with its tarball");
    }
    const [[version, manifest]] = versions;
    const bytes = decodeBase64(attachments[0].data ?? "");
    if (attachments[0].length !== undefined && attachments[0].length !== bytes.length) {
      return failure(400, `the tarball has ${bytes.length} bytes, not ${attachments[0].length}`);
    }
    const integrity = "sha512-" + encodeBase64(await digest("SHA-512", bytes));
    if (manifest.dist?.integrity !== integrity) {
      return failure(
        400,
        `the tarball's integrity is ${integrity}, not ${manifest.dist?.integrity}`,
      );
    }
    if (manifest.dist?.shasum !== hex(await digest("SHA-1", bytes))) {
      return failure(400, "the tarball's shasum does not match");
    }
    let inner: Json;
    try {
      const file = readTar(await gunzip(bytes)).find((f) => f.path === "package/package.json");
      if (!file) return failure(400, "the tarball has no package/package.json");
      inner = JSON.parse(new TextDecoder().decode(file.bytes));
    } catch (e) {
      return failure(400, `the tarball cannot be read: ${e instanceof Error ? e.message : e}`);
    }
    if (inner.name !== name || inner.version !== version) {
      return failure(
        400,
        `the tarball holds ${inner.name}@${inner.version}, not ${name}@${version}`,
      );
    }
    let pkg = packages.get(name);
    if (pkg?.versions.has(version)) {
      return failure(403, `You cannot publish over the previously published versions: ${version}.`);
    }
    const now = new Date().toISOString();
    if (!pkg) {
      pkg = {
        name,
        distTags: {},
        versions: new Map(),
        tarballs: new Map(),
        time: { created: now },
      };
      packages.set(name, pkg);
    }
    const file = `${name.split("/").at(-1)}-${version}.tgz`;
    pkg.versions.set(version, {
      ...manifest,
      dist: { ...manifest.dist, tarball: `${url}${name}/-/${file}` },
    });
    pkg.tarballs.set(version, bytes);
    Object.assign(pkg.distTags, doc["dist-tags"] ?? { latest: version });
    pkg.time[version] = now;
    pkg.time.modified = now;
    return json({ ok: true, id: name }, 201);
  }

  function serve(pkg: Package, rest: string): Response {
    if (rest === "") {
      return json({
        _id: pkg.name,
        name: pkg.name,
        "dist-tags": pkg.distTags,
        versions: Object.fromEntries(pkg.versions),
        time: pkg.time,
      });
    }
    const m = /^-\/(.+)\.tgz$/.exec(rest);
    const version = m &&
      [...pkg.versions.keys()].find((v) => m[1] === `${pkg.name.split("/").at(-1)}-${v}`);
    const bytes = version ? pkg.tarballs.get(version) : undefined;
    if (!bytes) return failure(404, `no ${rest} in ${pkg.name}`);
    return new Response(bytes.slice(), { headers: { "content-type": "application/octet-stream" } });
  }

  async function proxy(req: Request, path: string): Promise<Response> {
    if (!options.upstream) return failure(404, "not found");
    const res = await fetch(new URL(path.slice(1), options.upstream), {
      headers: { accept: req.headers.get("accept") ?? "application/json" },
      signal: AbortSignal.timeout(60_000),
    });
    return new Response(res.body, {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") ?? "application/octet-stream" },
    });
  }

  async function handle(req: Request, path: string): Promise<[Response, boolean]> {
    const target = path.startsWith("/-/") ? null : nameOf(path);
    if (req.method === "PUT" && target && target.rest === "") {
      return [await publish(req, target.name), false];
    }
    if (req.method !== "GET") {
      return [failure(405, `${req.method} ${path} is not supported`), false];
    }
    const pkg = target && packages.get(target.name);
    if (pkg) return [serve(pkg, target.rest), false];
    if (!target || options.local?.includes(target.name)) return [failure(404, "not found"), false];
    return [await proxy(req, path), true];
  }

  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => {
        url = `http://127.0.0.1:${port}/`;
        let closing: Promise<void> | undefined;
        const close = () => closing ??= server.shutdown();
        resolve({
          url,
          requests,
          tarball: (name, version) => packages.get(name)?.tarballs.get(version),
          close,
          [Symbol.asyncDispose]: close,
        });
      },
    }, async (req) => {
      const path = new URL(req.url).pathname;
      let res: Response;
      let proxied = false;
      try {
        [res, proxied] = await handle(req, path);
      } catch (e) {
        res = failure(502, `registry error: ${e instanceof Error ? e.message : e}`);
      }
      requests.push({ method: req.method, path, status: res.status, proxied });
      return res;
    });
  });
}
