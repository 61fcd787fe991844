// Shared helpers for the data-layer tests: a temp folder the tests write
// their own small files into, and where ../shared/data is (when present).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { ParseError } from '../../src/errors.js';

/** An assert.throws predicate: a ParseError at this 1-based line and column, its message matching `re` when given. */
export const isParseError =
  (line: number, column: number, re?: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof ParseError, `expected a ParseError, got ${String(e)}`);
    assert.equal(e.line, line, `line in: ${e.message}`);
    assert.equal(e.column, column, `column in: ${e.message}`);
    if (re) assert.match(e.message, re);
    return true;
  };

/** A fresh temp folder, removed by the returned cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'frugal-data-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** ../shared/data relative to the repository root (this file runs from dist/test/helpers). */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** The shared data folder if it holds `file`, else null (the test then skips with a message). */
export function sharedFile(file: string): string | null {
  const p = join(SHARED_DATA, file);
  return existsSync(p) ? p : null;
}

export const skipNoShared = (file: string): string | false => (sharedFile(file) ? false : `../shared/data/${file} not present`);

let gcFn: (() => void) | null = null;
/**
 * A full garbage collection (turns on --expose-gc from inside the process).
 * Run twice: the first pass can leave freed array buffers still counted.
 */
export function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** Big-endian IDX bytes for test files. */
export function idxBytes(code: number, shape: number[], values: ArrayLike<number>, itemBytes: number): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * itemBytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const o = header + i * itemBytes;
    switch (code) {
      case 0x08:
        view.setUint8(o, values[i]);
        break;
      case 0x09:
        view.setInt8(o, values[i]);
        break;
      case 0x0b:
        view.setInt16(o, values[i], false);
        break;
      case 0x0c:
        view.setInt32(o, values[i], false);
        break;
      case 0x0d:
        view.setFloat32(o, values[i], false);
        break;
      case 0x0e:
        view.setFloat64(o, values[i], false);
        break;
    }
  }
  return out;
}
