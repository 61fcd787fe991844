import assert from 'node:assert/strict';
import { getBackend, getNumThreads, setBackend, setNumThreads } from '../../src/backend/index.js';

/** Runs fn with the named backend active, then restores the previous one. */
export function withBackend<T>(name: 'js' | 'wasm', fn: () => T): T {
  const before = getBackend().name;
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

/** Runs fn with `threads` kernel threads, then restores the previous count. */
export function withThreads<T>(threads: number, fn: () => T): T {
  const before = getNumThreads();
  setNumThreads(threads);
  try {
    return fn();
  } finally {
    setNumThreads(before);
  }
}

/** The same values to the bit: element by element Object.is (−0 is not +0; every NaN equals every NaN). */
export function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

/** Element-wise |actual − expected| ≤ 1e-5 · max(1, max |expected|): float32 kernels that sum in another order. */
export function assertCloseFloat32(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * Math.max(1, scale))) {
      assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
    }
  }
}

/** A small seeded generator (mulberry32) of uniforms in [0, 1), so a failure can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
