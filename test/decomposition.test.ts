/**
 * PCA and TruncatedSVD against scikit-learn (fixtures from
 * scripts/make-sklearn-decomposition-fixtures.py), their solvers against
 * each other, and hostile parameters and data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrugalError, NumericalError, ShapeError, ValueError } from '../src/errors.js';
import { PCA, TruncatedSVD } from '../src/models/decomposition/index.js';
import { orthonormalize, powerIterationsInFloat32, randomizedSVD } from '../src/models/decomposition/randomized-svd.js';
import { centreInFloat32, columnMeans, shiftRows } from '../src/models/decomposition/columns.js';
import { logGamma } from '../src/models/decomposition/pca-likelihood.js';
import { Generator } from '../src/tensor/random.js';
import { assertClose, camelKeys, loadFixture } from './helpers/fixtures.js';

interface PCACase {
  name: string;
  params: Record<string, unknown>;
  X: number[][];
  nComponents: number;
  components: number[][];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  singularValues: number[];
  mean: number[];
  noiseVariance: number;
  transform: number[][];
  score?: number;
}

interface TSVDCase {
  name: string;
  params: Record<string, unknown>;
  X: number[][];
  components: number[][];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  singularValues: number[];
  transform: number[][];
}

const fixture = loadFixture<{ pca: PCACase[]; truncatedSVD: TSVDCase[] }>('sklearn-decomposition');

function checkPCA(m: PCA, c: PCACase, tol: number): void {
  assert.equal(m.nComponents, c.nComponents, 'nComponents');
  assertClose(m.components, c.components, tol, 'components');
  assertClose(m.explainedVariance, c.explainedVariance, tol, 'explainedVariance');
  assertClose(m.explainedVarianceRatio, c.explainedVarianceRatio, tol, 'explainedVarianceRatio');
  assertClose(m.singularValues, c.singularValues, tol, 'singularValues');
  assertClose(m.mean, c.mean, tol, 'mean');
  assertClose(m.noiseVariance, c.noiseVariance, tol, 'noiseVariance');
  assertClose(m.transform(c.X), c.transform, tol, 'transform');
  if (c.score !== undefined) assertClose(m.score(c.X), c.score, tol, 'score');
}

describe('PCA matches scikit-learn', () => {
  for (const c of fixture.pca) {
    it(c.name, () => {
      const tol = c.name === 'randomized lowrank' ? 1e-7 : 1e-9;
      checkPCA(new PCA(camelKeys(c.params)).fit(c.X), c, tol);
    });
  }
  for (const name of ['full 3', 'full all', 'full fraction', 'full mle', 'full whiten']) {
    it(`covariance_eigh gives the 'full' fixture: ${name}`, () => {
      const c = fixture.pca.find((x) => x.name === name)!;
      const m = new PCA({ ...camelKeys(c.params), svdSolver: 'covariance_eigh' }).fit(c.X);
      assert.equal(m.fitSolver, 'covariance_eigh');
      checkPCA(m, c, 1e-8);
    });
  }
  it('fitTransform equals transform after fit; inverseTransform undoes it with every component, whitened or not', () => {
    const c = fixture.pca.find((x) => x.name === 'full all')!;
    for (const whiten of [false, true]) {
      const m = new PCA({ whiten });
      const z = m.fitTransform(c.X);
      assertClose(z, m.transform(c.X), 1e-12);
      assertClose(m.inverseTransform(z), c.X, 1e-10);
    }
  });
  it("'auto' picks the solver by shape as scikit-learn 1.5", () => {
    const g = new Generator(1);
    const data = (n: number, d: number): number[][] => Array.from({ length: n }, () => Array.from({ length: d }, () => g.normal()));
    assert.equal(new PCA({ nComponents: 2 }).fit(data(40, 6)).fitSolver, 'full');
    assert.equal(new PCA({ nComponents: 2 }).fit(data(70, 6)).fitSolver, 'covariance_eigh');
    assert.equal(new PCA({ nComponents: 2 }).fit(data(30, 600)).fitSolver, 'randomized');
    assert.equal(new PCA({ nComponents: 25 }).fit(data(30, 600)).fitSolver, 'full');
  });
  it('the randomized solver with float32 power iterations finds the exact spectrum of large data', () => {
    // 3000 × 400 with 50 + 10 directions: over the float32 threshold.
    const g = new Generator(5);
    const n = 3000;
    const d = 400;
    const r = 60;
    const left = Float64Array.from({ length: n * r }, () => g.normal());
    const right = Float64Array.from({ length: r * d }, (_, i) => g.normal() / (1 + Math.floor(i / d)));
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let p = 0; p < r; p++) for (let j = 0; j < d; j++) x[i * d + j] += left[i * r + p] * right[p * d + j];
    for (let i = 0; i < x.length; i++) x[i] += 0.01 * g.normal();
    const X = { data: x, shape: [n, d] as [number, number] };
    const fast = new PCA({ nComponents: 50, svdSolver: 'randomized', randomState: 0 }).fit(X);
    const exact = new PCA({ nComponents: 50, svdSolver: 'covariance_eigh' }).fit(X);
    assertClose(fast.explainedVariance, exact.explainedVariance, 1e-6);
    const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum(fast.explainedVarianceRatio!) - sum(exact.explainedVarianceRatio!)) < 1e-9);
    assertClose(fast.noiseVariance, exact.noiseVariance, 1e-6);
  });
});

describe('TruncatedSVD matches scikit-learn', () => {
  for (const c of fixture.truncatedSVD) {
    it(c.name, () => {
      const m = new TruncatedSVD(camelKeys(c.params));
      const z = m.fitTransform(c.X);
      const tol = 1e-8;
      assertClose(m.components, c.components, tol, 'components');
      assertClose(m.explainedVariance, c.explainedVariance, tol, 'explainedVariance');
      assertClose(m.explainedVarianceRatio, c.explainedVarianceRatio, tol, 'explainedVarianceRatio');
      assertClose(m.singularValues, c.singularValues, tol, 'singularValues');
      assertClose(z, c.transform, tol, 'fitTransform');
      assertClose(m.transform(c.X), c.transform, tol, 'transform');
    });
  }
  it("'full' is the exact solver under its other name", () => {
    const c = fixture.truncatedSVD[0];
    const a = new TruncatedSVD({ nComponents: 3, algorithm: 'arpack' }).fit(c.X);
    const b = new TruncatedSVD({ nComponents: 3, algorithm: 'full' }).fit(c.X);
    assertClose(a.components, b.components!, 0);
    assertClose(b.inverseTransform(b.transform(c.X)).shape, [c.X.length, c.X[0].length], 0);
  });
});

describe('linear algebra helpers', () => {
  it('orthonormalize: CholeskyQR2 on a well-conditioned block, Householder when nearly rank-deficient', () => {
    const g = new Generator(2);
    const m = 2000;
    const k = 16;
    for (const nearlyDependent of [false, true]) {
      const y = Float64Array.from({ length: m * k }, () => g.normal());
      // Column 5 = column 4 + 1e-9 noise: condition about 1e9, beyond CholeskyQR's safe range.
      if (nearlyDependent) for (let i = 0; i < m; i++) y[i * k + 5] = y[i * k + 4] + 1e-9 * g.normal();
      const q = orthonormalize(y, m, k);
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += q[i * k + a] * q[i * k + b];
          assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-12, `QᵀQ[${a}][${b}] = ${s} (nearly dependent: ${nearlyDependent})`);
        }
      }
    }
  });
  it('logGamma matches known values', () => {
    assertClose(logGamma(1), 0, 1e-14);
    assertClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
    assertClose(logGamma(10), Math.log(362880), 1e-13);
    assertClose(logGamma(100.5), 361.4355404677775, 1e-12);
  });
});

describe('hostile parameters and data', () => {
  const X = fixture.pca[0].X;
  const throwsValue = (fn: () => unknown, re?: RegExp): void => {
    assert.throws(fn, (e: unknown) => e instanceof ValueError && (!re || re.test((e as Error).message)));
  };
  it('PCA rejects bad parameters with ValueError', () => {
    throwsValue(() => new PCA({ nComponents: 7 }).fit(X), /at most/);
    throwsValue(() => new PCA({ nComponents: 1.5 }).fit(X), /integer/);
    throwsValue(() => new PCA({ nComponents: -1 }).fit(X));
    throwsValue(() => new PCA({ nComponents: Number.NaN }).fit(X));
    throwsValue(() => new PCA({ nComponents: 0.5, svdSolver: 'randomized' }).fit(X), /integer/);
    throwsValue(() => new PCA({ nComponents: 'mle', svdSolver: 'randomized' }).fit(X));
    throwsValue(() => new PCA({ nComponents: 'mle' }).fit(fixture.pca.find((c) => c.name === 'wide full')!.X), /samples/);
    throwsValue(() => new PCA({ svdSolver: 'arpack' as never }).fit(X));
    throwsValue(() => new PCA({ iteratedPower: -1, svdSolver: 'randomized', nComponents: 2 }).fit(X));
    throwsValue(() => new PCA({ n_components: 2 } as never), /nComponents/);
    throwsValue(() => new PCA().fit([[1, 2, 3]]), /minimum of 2/);
  });
  it('TruncatedSVD rejects bad parameters with ValueError', () => {
    throwsValue(() => new TruncatedSVD({ nComponents: 7 }).fit(X));
    throwsValue(() => new TruncatedSVD({ nComponents: 6, algorithm: 'arpack' }).fit(X), /below/);
    throwsValue(() => new TruncatedSVD({ nIter: 1.5 }).fit(X));
    throwsValue(() => new TruncatedSVD({ algorithm: 'lanczos' as never }).fit(X));
    throwsValue(
      () =>
        new TruncatedSVD({ nComponents: 3 }).fit([
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ]),
      /samples/,
    );
  });
  it('inverseTransform checks the width of its input', () => {
    const m = new PCA({ nComponents: 2 }).fit(X);
    throwsValue(() => m.inverseTransform([[1, 2, 3]]), /2 components/);
    assert.throws(() => m.transform([[1, 2]]), ShapeError);
  });
  it('features whose squares overflow give a NumericalError, not Infinity or NaN', () => {
    const huge = X.map((r) => r.map((v) => v * 1e300));
    for (const solver of ['full', 'covariance_eigh', 'randomized'] as const) {
      assert.throws(
        () => new PCA({ nComponents: 2, svdSolver: solver, randomState: 0 }).fit(huge),
        (e: unknown) => e instanceof NumericalError || e instanceof FrugalError,
      );
    }
    assert.throws(() => new TruncatedSVD({ randomState: 0 }).fit(huge), FrugalError);
  });
});

describe('one-pass centring for the randomized solver', () => {
  it('centreInFloat32 gives the float32 rounding of shiftRows and the sum of squares in index order', () => {
    const rows = 7,
      cols = 5;
    const g = new Generator(3);
    const a = Float64Array.from({ length: rows * cols }, () => 1000 + g.normal());
    const mean = columnMeans(a, rows, cols);
    const { single, sumOfSquares } = centreInFloat32(a, rows, cols, mean);
    const expected = shiftRows(a, rows, cols, mean);
    assert.deepEqual(single, new Float32Array(expected));
    let sum = 0;
    for (const v of expected) sum += v * v;
    assert.equal(sumOfSquares, sum);
  });

  it('PCA centres explicitly when the mean dwarfs the spread (the rank-one correction would lose digits)', () => {
    const rows = 12000,
      cols = 100,
      k = 50;
    const g = new Generator(11);
    const a = Float64Array.from({ length: rows * cols }, () => 1e9 + g.normal());
    const pca = new PCA({ nComponents: k, svdSolver: 'randomized', randomState: 0 }).fit({ data: a, rows, cols });
    const mean = columnMeans(a, rows, cols);
    const centred = shiftRows(a, rows, cols, mean);
    const opts = { nOversamples: 10, nIter: 4, normalize: true };
    assert.ok(powerIterationsInFloat32(rows, cols, k, opts));
    const explicit = randomizedSVD(centred, rows, cols, k, { ...opts, rng: new Generator(0), single: new Float32Array(centred) });
    assert.deepEqual(pca.singularValues, explicit.s);
  });

  it('randomizedSVD with a row shift factorises the centred matrix without its float64 copy', () => {
    const rows = 12000,
      cols = 100,
      k = 50;
    const opts = { nOversamples: 10, nIter: 2, normalize: true };
    assert.ok(powerIterationsInFloat32(rows, cols, k, opts));
    const g = new Generator(7);
    // A large offset per column: the rank-one correction must cancel it to working precision.
    const a = Float64Array.from({ length: rows * cols }, (_, i) => 1000 * (1 + (i % cols)) + g.normal() * (1 + (i % 7)));
    const mean = columnMeans(a, rows, cols);
    const centred = shiftRows(a, rows, cols, mean);
    const single = new Float32Array(centred);
    const explicit = randomizedSVD(centred, rows, cols, k, { ...opts, rng: new Generator(0), single });
    const shifted = randomizedSVD(a, rows, cols, k, { ...opts, rng: new Generator(0), single, shift: mean });
    for (let c = 0; c < k; c++) assert.ok(Math.abs(shifted.s[c] - explicit.s[c]) <= 1e-9 * explicit.s[0], `s[${c}]`);
    for (let i = 0; i < k * cols; i++) assert.ok(Math.abs(shifted.vt[i] - explicit.vt[i]) <= 1e-8, `vt[${i}]`);
    // Without the float32 copy of the centred matrix, the shift is applied to a copy first: exactly the explicit result.
    const fallback = randomizedSVD(a, rows, cols, k, { ...opts, rng: new Generator(0), shift: mean });
    const plain = randomizedSVD(centred, rows, cols, k, { ...opts, rng: new Generator(0) });
    assert.deepEqual(fallback.s, plain.s);
    assert.deepEqual(fallback.vt, plain.vt);
  });

  it('randomizedSVD given the float32 copy returns exactly what it computes without it', () => {
    const rows = 12000,
      cols = 100,
      k = 50;
    const opts = { nOversamples: 10, nIter: 2, normalize: true };
    assert.ok(powerIterationsInFloat32(rows, cols, k, opts));
    const g = new Generator(5);
    const a = Float64Array.from({ length: rows * cols }, () => g.normal());
    const without = randomizedSVD(a, rows, cols, k, { ...opts, rng: new Generator(0) });
    const withCopy = randomizedSVD(a, rows, cols, k, { ...opts, rng: new Generator(0), single: new Float32Array(a) });
    assert.deepEqual(withCopy.s, without.s);
    assert.deepEqual(withCopy.vt, without.vt);
  });
});
