/**
 * Writing files and printing progress: the Node.js built-ins that saving
 * models, checkpoints and the training loop's progress bar need. Reading
 * reuses `fs.ts`. Node's modules load lazily, so a browser bundle that only
 * uses bytes (`modelToBytes`) and console output never touches them.
 */
import { FrugalError } from '../errors.js';
import { hasFileSystem, readFileBytes } from './fs.js';
import { importUnbundled } from './dynamic-import.js';

export { hasFileSystem, readFileBytes };

type FsPromises = typeof import('node:fs/promises');
type PathMod = typeof import('node:path');

let mods: Promise<{ fsp: FsPromises; path: PathMod }> | null = null;

function node(what: string): Promise<{ fsp: FsPromises; path: PathMod }> {
  if (!hasFileSystem()) {
    return Promise.reject(new FrugalError(`${what}: writing files by path needs Node.js; in a browser use the bytes (e.g. modelToBytes) instead`));
  }
  mods ??= Promise.all([importUnbundled<FsPromises>('node:fs/promises'), importUnbundled<PathMod>('node:path')]).then(([fsp, path]) => ({ fsp, path }));
  return mods;
}

/**
 * Writes `bytes` to `path` atomically: to a temporary file beside it, then
 * renamed over the target, so a crash mid-write never leaves a truncated
 * model or checkpoint. Missing parent folders are created.
 */
export async function writeFileBytes(path: string, bytes: Uint8Array, what = 'writeFile'): Promise<void> {
  const { fsp, path: pathMod } = await node(what);
  const tmp = temporaryName(path);
  try {
    await fsp.mkdir(pathMod.dirname(path), { recursive: true });
    await fsp.writeFile(tmp, bytes);
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    const e = err as { code?: string; message?: string };
    if (e?.code === 'EISDIR') throw new FrugalError(`${what}: '${path}' is a folder, expected a file path`);
    throw new FrugalError(`${what}: cannot write '${path}': ${e?.message ?? String(err)}`);
  }
}

/** The temporary name writeFileBytes gives `path` while writing it. */
function temporaryName(path: string): string {
  return `${path}.tmp-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Removes the temporary files a killed process left behind while writing
 * (see {@link writeFileBytes}) in the folder of `path`, for every target file
 * name `isTarget` accepts; returns the paths removed.
 */
export async function removeStaleTemporaries(path: string, isTarget: (name: string) => boolean, what = 'removeStaleTemporaries'): Promise<string[]> {
  const { fsp, path: pathMod } = await node(what);
  const folder = pathMod.dirname(path);
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = /^(.+)\.tmp-[a-z0-9]{1,8}$/.exec(name);
    if (!m || !isTarget(m[1])) continue;
    const full = pathMod.join(folder, name);
    await fsp.rm(full, { force: true });
    removed.push(full);
  }
  return removed;
}

// ------------------------------------------------------------ terminal ---

interface StdoutLike {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

function stdout(): StdoutLike | null {
  const p = (globalThis as { process?: { stdout?: StdoutLike } }).process;
  return p?.stdout && typeof p.stdout.write === 'function' ? p.stdout : null;
}

/** True when output goes to an interactive terminal (a progress bar can redraw its line). */
export function isInteractiveOutput(): boolean {
  return stdout()?.isTTY === true;
}

/** Width of the terminal in characters (80 when unknown). */
export function outputColumns(): number {
  return stdout()?.columns ?? 80;
}

/** Writes text as is (Node: process.stdout; elsewhere: console.log per completed line). */
let pendingLine = '';
export function writeOutput(text: string): void {
  const out = stdout();
  if (out) {
    out.write(text);
    return;
  }
  pendingLine += text.replace(/\r[^\n]*$/, '');
  const lines = pendingLine.split('\n');
  pendingLine = lines.pop() ?? '';
  for (const line of lines) console.log(line);
}
