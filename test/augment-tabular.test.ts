/**
 * Tabular resampling (SMOTE, RandomOverSampler, RandomUnderSampler) and
 * tabularNoise: class counts after resampling for every kind of sampling
 * strategy, SMOTE points on segments to same-class neighbours, seeds, and
 * hostile input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomOverSampler, RandomUnderSampler, SMOTE, tabularNoise, MAX_RESAMPLED_VALUES } from '../src/augment/tabular.js';
import { LimitError, ShapeError, ValueError } from '../src/errors.js';
import { NearestNeighbors } from '../src/index.js';
import type { Label } from '../src/utils/validation.js';

/** 30 rows of class 'a', 10 of 'b', 6 of 'c' in three clouds. */
function imbalanced(): { X: number[][]; y: string[] } {
  const X: number[][] = [];
  const y: string[] = [];
  const add = (label: string, n: number, cx: number): void => {
    for (let i = 0; i < n; i++) {
      X.push([cx + Math.sin(i * 2.1 + cx), Math.cos(i * 1.3 + cx) * 2, (i % 5) * 0.1]);
      y.push(label);
    }
  };
  add('a', 30, 0);
  add('b', 10, 6);
  add('c', 6, 12);
  return { X, y };
}

function countsOf(y: readonly Label[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of y) out[String(l)] = (out[String(l)] ?? 0) + 1;
  return out;
}

describe('class counts after resampling', () => {
  const { X, y } = imbalanced();
  const cases: [string, () => [unknown, Label[]], Record<string, number>][] = [
    ['over auto', () => new RandomOverSampler({ randomState: 0 }).fitResample(X, y), { a: 30, b: 30, c: 30 }],
    ['over minority', () => new RandomOverSampler({ samplingStrategy: 'minority', randomState: 0 }).fitResample(X, y), { a: 30, b: 10, c: 30 }],
    ['over counts', () => new RandomOverSampler({ samplingStrategy: { b: 12, c: 20 }, randomState: 0 }).fitResample(X, y), { a: 30, b: 12, c: 20 }],
    ['SMOTE auto', () => new SMOTE({ randomState: 0 }).fitResample(X, y), { a: 30, b: 30, c: 30 }],
    ['SMOTE not majority, k 3', () => new SMOTE({ samplingStrategy: 'not majority', kNeighbors: 3, randomState: 0 }).fitResample(X, y), { a: 30, b: 30, c: 30 }],
    ['SMOTE Map counts', () => new SMOTE({ samplingStrategy: new Map([['c', 9]]), randomState: 0 }).fitResample(X, y), { a: 30, b: 10, c: 9 }],
    ['under auto', () => new RandomUnderSampler({ randomState: 0 }).fitResample(X, y), { a: 6, b: 6, c: 6 }],
    ['under majority', () => new RandomUnderSampler({ samplingStrategy: 'majority', randomState: 0 }).fitResample(X, y), { a: 6, b: 10, c: 6 }],
    ['under counts', () => new RandomUnderSampler({ samplingStrategy: { a: 11 }, randomState: 0 }).fitResample(X, y), { a: 11, b: 10, c: 6 }],
    ['under with replacement', () => new RandomUnderSampler({ replacement: true, randomState: 0 }).fitResample(X, y), { a: 6, b: 6, c: 6 }],
  ];
  for (const [name, run, expected] of cases) {
    it(name, () => {
      const [Xr, yr] = run() as [{ shape: number[] }, Label[]];
      assert.deepEqual(countsOf(yr), expected);
      assert.deepEqual(Xr.shape, [yr.length, 3]);
    });
  }

  it('a ratio on two classes: minority / majority after resampling', () => {
    const X2 = X.slice(0, 40);
    const y2 = y.slice(0, 40);
    assert.deepEqual(countsOf(new SMOTE({ samplingStrategy: 0.5, randomState: 1 }).fitResample(X2, y2)[1]), { a: 30, b: 15 });
    assert.deepEqual(countsOf(new RandomUnderSampler({ samplingStrategy: 0.5, randomState: 1 }).fitResample(X2, y2)[1]), { a: 20, b: 10 });
  });

  it('numeric labels work with per-class counts keyed by their string form', () => {
    const yn = y.map((l) => ({ a: 0, b: 1, c: 2 })[l]!);
    assert.deepEqual(countsOf(new RandomOverSampler({ samplingStrategy: { 2: 8 }, randomState: 0 }).fitResample(X, yn)[1]), { 0: 30, 1: 10, 2: 8 });
  });

  it('over-sampling keeps the original rows first; RandomOverSampler adds copies of rows of the class', () => {
    const [Xr, yr] = new RandomOverSampler({ randomState: 3 }).fitResample(X, y);
    const rows = Xr.toArray() as number[][];
    assert.deepEqual(rows.slice(0, X.length), X);
    assert.deepEqual(yr.slice(0, y.length), y);
    const key = (r: number[]): string => r.join(',');
    for (let i = X.length; i < rows.length; i++) {
      const from = X.findIndex((r) => key(r) === key(rows[i]));
      assert.ok(from >= 0 && y[from] === yr[i], `row ${i} is not a copy of a row of class ${yr[i]}`);
    }
  });

  it('under-sampling keeps distinct rows of the class (without replacement)', () => {
    const [Xr, yr] = new RandomUnderSampler({ randomState: 5 }).fitResample(X, y);
    const rows = (Xr.toArray() as number[][]).map((r) => r.join(','));
    assert.equal(new Set(rows).size, rows.length);
    rows.forEach((r, i) => assert.equal(y[X.findIndex((x) => x.join(',') === r)], yr[i]));
  });
});

describe('SMOTE', () => {
  const { X, y } = imbalanced();

  it('every synthetic row lies on the segment from a minority row to one of its k same-class neighbours', () => {
    const k = 3;
    const [Xr, yr] = new SMOTE({ kNeighbors: k, randomState: 7 }).fitResample(X, y);
    const rows = Xr.toArray() as number[][];
    for (const label of ['b', 'c']) {
      const own = X.filter((_, i) => y[i] === label);
      const near = new NearestNeighbors({ nNeighbors: k }).fit(own).kneighbors().indices.toArray() as number[][];
      for (let i = X.length; i < rows.length; i++) {
        if (yr[i] !== label) continue;
        const p = rows[i];
        // some row a and neighbour b with p = a + u (b - a), u in [0, 1)
        const onSegment = own.some((a, ai) =>
          near[ai].some((bi) => {
            const b = own[bi];
            const dir = b.map((v, j) => v - a[j]);
            const len2 = dir.reduce((s, v) => s + v * v, 0);
            const u = p.reduce((s, v, j) => s + (v - a[j]) * dir[j], 0) / len2;
            return u >= -1e-12 && u < 1 + 1e-12 && p.every((v, j) => Math.abs(v - (a[j] + u * dir[j])) < 1e-9);
          }),
        );
        assert.ok(onSegment, `synthetic row ${i} (${p}) is on no segment of class ${label}`);
      }
    }
  });

  it('the same seed gives the same rows, another seed other rows', () => {
    const a = new SMOTE({ randomState: 11 }).fitResample(X, y)[0].toArray();
    const b = new SMOTE({ randomState: 11 }).fitResample(X, y)[0].toArray();
    const c = new SMOTE({ randomState: 12 }).fitResample(X, y)[0].toArray();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('a class with no more rows than kNeighbors is a ValueError', () => {
    assert.throws(() => new SMOTE({ kNeighbors: 6 }).fitResample(X, y), /class "c" has 6 rows; kNeighbors = 6 needs at least 7/);
  });
});

describe('tabularNoise', () => {
  it('adds noise of the given spread per column, repeatably, without changing X', () => {
    const X = Array.from({ length: 4000 }, () => [1, 2]);
    const noisy = tabularNoise(X, { std: [0.5, 0], randomState: 0 }).toArray() as number[][];
    const col0 = noisy.map((r) => r[0] - 1);
    const mean = col0.reduce((a, b) => a + b, 0) / col0.length;
    const sd = Math.sqrt(col0.reduce((a, b) => a + (b - mean) ** 2, 0) / col0.length);
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 0.5) < 0.03, `mean ${mean}, sd ${sd}`);
    assert.ok(noisy.every((r) => r[1] === 2));
    assert.deepEqual(X[0], [1, 2]);
    assert.deepEqual(tabularNoise(X, { randomState: 4 }).toArray(), tabularNoise(X, { randomState: 4 }).toArray());
  });
});

describe('tabular augmentation hostile input', () => {
  const { X, y } = imbalanced();
  it('typed errors for bad strategies, options, labels and shapes', () => {
    assert.throws(() => new SMOTE({ samplingStrategy: 'most' as never }).fitResample(X, y), ValueError);
    assert.throws(() => new SMOTE({ samplingStrategy: 'majority' }).fitResample(X, y), ValueError);
    assert.throws(() => new RandomUnderSampler({ samplingStrategy: 'minority' }).fitResample(X, y), ValueError);
    assert.throws(() => new SMOTE({ samplingStrategy: 0.5 }).fitResample(X, y), /exactly 2 classes/);
    assert.throws(() => new SMOTE({ samplingStrategy: 1.5 }).fitResample(X, y), ValueError);
    assert.throws(() => new SMOTE({ samplingStrategy: { a: 10 } }).fitResample(X, y), /only adds/);
    assert.throws(() => new RandomUnderSampler({ samplingStrategy: { c: 10 } }).fitResample(X, y), /only removes/);
    assert.throws(() => new SMOTE({ samplingStrategy: { z: 10 } }).fitResample(X, y), /not in y/);
    assert.throws(() => new SMOTE({ samplingStrategy: { c: 7.5 } }).fitResample(X, y), ValueError);
    assert.throws(() => new SMOTE({ samplingStrategy: true as never }).fitResample(X, y), ValueError);
    assert.throws(() => new SMOTE({ k_neighbors: 3 } as never), /kNeighbors/);
    assert.throws(() => new SMOTE({ kNeighbors: 0 }), ValueError);
    assert.throws(() => new RandomUnderSampler({ replacement: 'yes' as never }), ValueError);
    assert.throws(() => new RandomOverSampler().fitResample(X, y.slice(1)), ShapeError);
    assert.throws(
      () =>
        new RandomOverSampler().fitResample(
          X,
          y.map(() => 'a'),
        ),
      ValueError,
    );
    assert.throws(() => new RandomOverSampler().fitResample([[Number.NaN, 1, 2], ...X.slice(1)], y), ValueError);
    assert.throws(() => tabularNoise(X, { std: -1 }), ValueError);
    assert.throws(() => tabularNoise(X, { std: [1, 2] }), ValueError);
    assert.throws(() => tabularNoise(X, { sigma: 1 } as never), ValueError);
  });

  it('a strategy asking for more rows than the limit is a LimitError before allocating', () => {
    const huge = Math.ceil(MAX_RESAMPLED_VALUES / 3) + 1;
    assert.throws(() => new RandomOverSampler({ samplingStrategy: { c: huge } }).fitResample(X, y), LimitError);
  });
});
