// Shared by the linear-model tests: the scikit-learn fixtures
// (scripts/make-sklearn-linear-fixtures.py) and relative-error checks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const fixtures: Json = JSON.parse(readFileSync(new URL('../../../test/fixtures/sklearn-linear.json', import.meta.url), 'utf8'));

/** max |a - b| / max(max |b|, floor): a relative error over the whole vector. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  let num = 0,
    den = floor;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  const e = relErr(a, b);
  assert.ok(
    e <= tol,
    `${what}: relative error ${e.toExponential(2)} > ${tol} (got ${Array.from(a).slice(0, 6).join(', ')} ... expected ${Array.from(b).slice(0, 6).join(', ')} ...)`,
  );
}

export function assertNear(a: number, b: number, tol: number, what: string): void {
  const e = Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  assert.ok(e <= tol, `${what}: ${a} vs ${b} (relative error ${e.toExponential(2)} > ${tol})`);
}

/** Row-major flatten of nested arrays. */
export function flat(rows: number[][]): Float64Array {
  const out = new Float64Array(rows.length * (rows[0]?.length ?? 0));
  let k = 0;
  for (const r of rows) for (const v of r) out[k++] = v;
  return out;
}
