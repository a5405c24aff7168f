// Copyright 2026 the psbase authors. MIT license.
/**
 * Reads the gzipped tarballs that `deno publish` and `npm publish` upload, for the local
 * registries of the install tests. Regular files only; knows ustar prefixes, PAX `path`
 * records and GNU long names, which is all that those two clients write.
 *
 * @module
 */

/** One regular file of a tarball. */
export interface TarFile {
  /** The path as stored, without a leading `./`. */
  path: string;
  /** The file's bytes. */
  bytes: Uint8Array<ArrayBuffer>;
}

/** Gunzips `bytes` (throws a `TypeError` when they are not gzip). */
export async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new TypeError("not a gzip stream");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const BLOCK = 512;
const decoder = new TextDecoder();

function field(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number): number {
  const text = field(block, start, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new RangeError(`tar: bad octal number "${text}"`);
  return parseInt(text, 8);
}

/** The `path` record of a PAX extended header, if any (records are `"<len> key=value\n"`). */
function paxPath(data: Uint8Array): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isSafeInteger(length) || length <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    if (record.startsWith("path=")) return record.slice("path=".length);
    at += length;
  }
  return undefined;
}

/** The regular files of an uncompressed tar archive, in archive order. */
export function readTar(tar: Uint8Array): TarFile[] {
  const files: TarFile[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = at + BLOCK;
    const data = tar.subarray(dataStart, dataStart + size);
    if (data.length !== size) throw new RangeError("tar: truncated archive");
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      longName = paxPath(data) ?? longName;
      continue;
    }
    let path = field(header, 0, 100);
    if (field(header, 257, 6) === "ustar") { // POSIX ustar: a prefix may hold the path's start
      const prefix = field(header, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    path = longName ?? path;
    longName = undefined;
    if (type !== "0" && type !== "7") continue; // directories, links, global headers
    files.push({ path: path.replace(/^\.\//, ""), bytes: data.slice() });
  }
  return files;
}
