/**
 * Loading the JSON fixtures written by scripts/make-sklearn-fixtures.py
 * (NaN / infinity are stored as "__nan__", "__inf__", "__-inf__") and
 * comparing results with a tolerance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';

const MARKERS: Record<string, number> = { __nan__: Number.NaN, __inf__: Number.POSITIVE_INFINITY, '__-inf__': Number.NEGATIVE_INFINITY };

/** Parses test/fixtures/<name>.json (this file runs from dist/test/helpers/). */
export function loadFixture<T = unknown>(name: string): T {
  const text = readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${name}.json`, import.meta.url)), 'utf8');
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && v in MARKERS ? MARKERS[v] : v)) as T;
}

function plain(x: unknown): unknown {
  if (x instanceof Tensor) {
    const out = x.toArray();
    return out;
  }
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  return x;
}

/** Deep comparison; numbers within `tol` relative to max(1, |expected|); NaN equals NaN. */
export function assertClose(actual: unknown, expected: unknown, tol = 1e-12, path = 'value'): void {
  const a = plain(actual);
  const e = plain(expected);
  if (typeof e === 'number') {
    assert.equal(typeof a, 'number', `${path}: expected a number, got ${typeof a} (${String(a)})`);
    const x = a as number;
    if (Number.isNaN(e)) return assert.ok(Number.isNaN(x), `${path}: expected NaN, got ${x}`);
    if (!Number.isFinite(e)) return assert.equal(x, e, `${path}: expected ${e}, got ${x}`);
    assert.ok(Math.abs(x - e) <= tol * Math.max(1, Math.abs(e)), `${path}: expected ${e}, got ${x} (diff ${Math.abs(x - e)})`);
    return;
  }
  if (Array.isArray(e)) {
    assert.ok(Array.isArray(a), `${path}: expected an array, got ${String(a)}`);
    assert.equal((a as unknown[]).length, e.length, `${path}: length ${(a as unknown[]).length} vs expected ${e.length}`);
    e.forEach((v, i) => assertClose((a as unknown[])[i], v, tol, `${path}[${i}]`));
    return;
  }
  if (e !== null && typeof e === 'object') {
    assert.ok(a !== null && typeof a === 'object', `${path}: expected an object, got ${String(a)}`);
    assert.deepEqual(Object.keys(a as object).sort(), Object.keys(e).sort(), `${path}: keys differ`);
    for (const [k, v] of Object.entries(e)) assertClose((a as Record<string, unknown>)[k], v, tol, `${path}.${k}`);
    return;
  }
  assert.equal(a, e, `${path}: expected ${String(e)}, got ${String(a)}`);
}

/** snake_case -> camelCase keys of a kwargs object. */
export function camelKeys(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}
