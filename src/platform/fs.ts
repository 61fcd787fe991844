/**
 * File access, the one place where Frugal's data layer touches Node.js
 * built-ins. Node's modules are loaded lazily (dynamic `import`), so a browser
 * bundle that never calls these functions still loads; calling one where
 * there is no Node.js throws a `FrugalError` that says to pass bytes or text
 * instead of a path.
 */
import { FrugalError, LimitError, ParseError } from '../errors.js';
import { importUnbundled } from './dynamic-import.js';

type FsPromises = typeof import('node:fs/promises');
type FsSync = typeof import('node:fs');
type PathMod = typeof import('node:path');
type ZlibMod = typeof import('node:zlib');

interface NodeMods {
  fsp: FsPromises;
  fs: FsSync;
  path: PathMod;
  zlib: ZlibMod;
}

let nodeMods: Promise<NodeMods> | null = null;

/** True when running under Node.js (file paths are available). */
export function hasFileSystem(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function node(what: string): Promise<NodeMods> {
  if (!hasFileSystem()) {
    return Promise.reject(new FrugalError(`${what}: reading files by path needs Node.js; in a browser pass the file's bytes or text instead`));
  }
  nodeMods ??= Promise.all([
    importUnbundled<FsPromises>('node:fs/promises'),
    importUnbundled<FsSync>('node:fs'),
    importUnbundled<PathMod>('node:path'),
    importUnbundled<ZlibMod>('node:zlib'),
  ]).then(([fsp, fs, path, zlib]) => ({ fsp, fs, path, zlib }));
  return nodeMods;
}

/** Wraps a Node error (ENOENT, EISDIR, ...) in a FrugalError that names the path. */
function fileError(what: string, path: string, err: unknown): FrugalError {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOENT') return new FrugalError(`${what}: no such file or folder '${path}'`);
  if (e?.code === 'EISDIR') return new FrugalError(`${what}: '${path}' is a folder, expected a file`);
  if (e?.code === 'ENOTDIR') return new FrugalError(`${what}: '${path}' is not a folder`);
  if (e?.code === 'ERR_FS_FILE_TOO_LARGE') return new LimitError(`${what}: '${path}' is too large to read whole; stream it instead`);
  return new FrugalError(`${what}: cannot read '${path}': ${e?.message ?? String(err)}`);
}

/** The whole file as bytes. */
export async function readFileBytes(path: string, what = 'readFile'): Promise<Uint8Array> {
  const { fsp } = await node(what);
  try {
    const buf = await fsp.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw fileError(what, path, err);
  }
}

/**
 * The file as a stream of byte chunks, read as they are consumed (so a file
 * larger than memory can be processed). A gzip'd file (magic bytes 1f 8b) is
 * decompressed on the fly.
 */
export async function* readFileChunks(path: string, what = 'readFileChunks', chunkSize = 1 << 20): AsyncGenerator<Uint8Array> {
  const { fs, fsp, zlib } = await node(what);
  // Peek at the first two bytes to detect gzip.
  let head: Uint8Array;
  try {
    const fh = await fsp.open(path, 'r');
    try {
      const b = new Uint8Array(2);
      const { bytesRead } = await fh.read(b, 0, 2, 0);
      head = b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw fileError(what, path, err);
  }
  const file = fs.createReadStream(path, { highWaterMark: chunkSize });
  const gz = isGzip(head);
  const stream = gz ? file.pipe(zlib.createGunzip()) : file;
  if (gz) file.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (gz && typeof e?.code === 'string' && e.code.startsWith('Z_')) {
      throw new ParseError(`${what}: gzip data in '${path}' is truncated or corrupt (${e.message})`);
    }
    throw fileError(what, path, err);
  } finally {
    file.destroy();
    if (stream !== file) stream.destroy();
  }
}

export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/** The entries of a folder, sorted by name (so results are the same on every system). */
export async function listDir(path: string, what = 'listDir'): Promise<DirEntry[]> {
  const { fsp } = await node(what);
  try {
    const entries = await fsp.readdir(path, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    throw fileError(what, path, err);
  }
}

/** Whether a file (not a folder) exists at `path`. */
export async function isFile(path: string): Promise<boolean> {
  const { fsp } = await node('isFile');
  try {
    return (await fsp.stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Joins path segments with the platform's separator (forward slashes outside Node). */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/{2,}/g, '/');
}

/** True when `bytes` starts with gzip's magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Default bound on decompressed gzip data and on text read whole: 512 MB,
 * just under the longest string JavaScript engines allow (2^29 characters).
 */
export const DEFAULT_MAX_TEXT_BYTES = 512_000_000;

/**
 * Inflates gzip data chunk by chunk (Node's zlib under Node.js, the standard
 * `DecompressionStream` elsewhere), so a caller can stop at any bound. A
 * consumer that stops early ends the decompression. Truncated or corrupt
 * data raises a `ParseError`.
 */
export async function* gunzipChunks(bytes: Uint8Array, what = 'gunzip'): AsyncGenerator<Uint8Array> {
  let stream: AsyncIterable<Uint8Array> & { destroy?: () => void };
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  if (hasFileSystem()) {
    const { zlib } = await node(what);
    const gz = zlib.createGunzip({ chunkSize: 1 << 20 });
    gz.end(bytes);
    stream = gz as unknown as AsyncIterable<Uint8Array> & { destroy: () => void };
  } else if (typeof DecompressionStream !== 'undefined') {
    reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    const r = reader;
    stream = {
      async *[Symbol.asyncIterator]() {
        for (let x = await r.read(); !x.done; x = await r.read()) yield x.value;
      },
    };
  } else {
    throw new FrugalError(`${what}: no gzip decoder here (needs Node.js or DecompressionStream)`);
  }
  try {
    for await (const chunk of stream) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (err) {
    throw new ParseError(`${what}: gzip data is truncated or corrupt (${(err as Error)?.message ?? String(err)})`);
  } finally {
    stream.destroy?.();
    await reader?.cancel().catch(() => undefined);
  }
}

/** Joins chunks into one array. */
export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Decompresses gzip data whole. Inflation stops once the output passes
 * `maxBytes` (a LimitError: a gzip bomb never fills memory). Truncated or
 * corrupt data raises a `ParseError`; no partial output is returned.
 */
export async function gunzip(bytes: Uint8Array, what = 'gunzip', maxBytes = DEFAULT_MAX_TEXT_BYTES): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of gunzipChunks(bytes, what)) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new LimitError(`${what}: gzip data inflates to more than ${maxBytes} bytes (the limit); raise the limit if the file is right`);
    }
    parts.push(chunk);
  }
  return concatBytes(parts, total);
}
