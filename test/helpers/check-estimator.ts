/**
 * checkEstimator: the conformance suite every estimator passes
 * (scikit-learn's `check_estimator`, for Frugal's convention in
 * src/models/base.ts).
 *
 * In a test file, at top level (one node:test case per check):
 * ```ts
 * import { checkEstimator } from './helpers/check-estimator.js';
 * checkEstimator(() => new Ridge({ alpha: 0.5 }), { kind: 'regressor' });
 * ```
 * or inside a test, all checks at once (throws listing every failure):
 * ```ts
 * test('Ridge conforms', () => runEstimatorChecks(() => new Ridge(), { kind: 'regressor' }));
 * ```
 * `estimatorChecks(...)` returns the list of `{ name, run }` to pick from.
 *
 * Checks: fit returns this; getParams/setParams round trip (unknown names
 * rejected); clone gives an unfitted copy with equal params and cloned
 * nested estimators; predict/transform before fit throw NotFittedError;
 * NaN and infinity rejected with ValueError; a seed (or manualSeed) makes
 * fit repeatable; refitting equals a fresh fit; wrong feature count,
 * ragged rows, 1-D X and wrong y length rejected (ShapeError), empty X
 * rejected (ValueError); output types and lengths (Float64Array for
 * regressors, labels from `classes` for classifiers, probabilities that
 * sum to 1, Tensors for transformers); every input format (number[][],
 * {data, shape}, float32/float64 Tensors) gives the same result; inputs are
 * not modified; classifiers take string labels and reject a single class;
 * features of magnitude 1e100 and 1e300 give finite outputs or a
 * FrugalError, within a wall-clock bound (no solver spins or returns NaN).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeBlobs, makeRegression } from '../../src/datasets/generators.js';
import { FrugalError, NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { clone, isEstimator, paramsEqual, type Estimator } from '../../src/models/base.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

export type EstimatorKind = 'regressor' | 'classifier' | 'transformer';

export interface CheckEstimatorOptions {
  kind: EstimatorKind;
  /** Name shown in test titles (default: the class name). */
  name?: string;
  /** Training data (default: a small generated problem). X must be number[][]. */
  X?: number[][];
  /** Targets: numbers for regressors, integer classes for classifiers; not needed for transformers. */
  y?: number[];
  /** Number of classes in the default classifier data (default 3; use 2 for binary-only estimators). */
  nClasses?: number;
  /** Parameter that seeds the estimator (default: 'randomState' when getParams lists it). */
  seedParam?: string | null;
  /** The estimator accepts NaN in X (imputers, scalers): skip the NaN-rejection check. */
  allowNaN?: boolean;
  /** Names of checks to skip (see `estimatorChecks(...).map(c => c.name)`). */
  skip?: readonly string[];
  /** Absolute tolerance when comparing outputs of repeated fits (default 0: identical). */
  tolerance?: number;
  /** Wall-clock bound, in seconds, of fit + outputs on features of magnitude 1e100 / 1e300 (default 5). */
  hugeFeaturesSeconds?: number;
  /** The output the checks compare, for an estimator with neither predict nor transform (NearestNeighbors: kneighbors). */
  output?: (est: Estimator, X: unknown) => unknown;
}

export interface EstimatorCheck {
  name: string;
  run: () => void;
}

type AnyEstimator = Estimator & {
  predict?(X: unknown): unknown;
  predictProba?(X: unknown): unknown;
  decisionFunction?(X: unknown): unknown;
  transform?(X: unknown): unknown;
  fitTransform?(X: unknown, y?: unknown): unknown;
  score?(X: unknown, y?: unknown): unknown;
  classes?: unknown;
};

interface Data {
  X: number[][];
  y?: number[];
}

function defaultData(kind: EstimatorKind, nClasses: number): Data {
  if (kind === 'classifier') {
    const { X, y } = makeBlobs({ nSamples: 15 * nClasses, nFeatures: 3, centers: nClasses, clusterStd: 2, randomState: 0 });
    return { X: rows(X), y: Array.from(y) };
  }
  const { X, y } = makeRegression({ nSamples: 40, nFeatures: 3, noise: 1, randomState: 0 });
  return { X: rows(X), y: Array.from(y, Math.fround) };
}

/** Rows with float32-exact values, so float32 inputs carry the same numbers. */
function rows(X: Tensor): number[][] {
  const [n, d] = X.shape;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(X.data.subarray(i * d, (i + 1) * d), Math.fround));
  return out;
}

function flat(X: number[][]): Float64Array {
  return Float64Array.from(X.flat());
}

/** Output of the main method: predict for estimators, transform for transformers. */
function defaultOutput(est: AnyEstimator, kind: EstimatorKind, X: unknown): unknown {
  if (kind === 'transformer') return est.transform!(X);
  return est.predict!(X);
}

function toComparable(out: unknown): unknown[] {
  if (out instanceof Tensor) return Array.from(out.data);
  if (ArrayBuffer.isView(out)) return Array.from(out as unknown as ArrayLike<number>);
  if (Array.isArray(out)) return out;
  if (out && typeof out === 'object' && 'data' in out) return Array.from((out as { data: ArrayLike<number> }).data);
  return [out];
}

function assertSameOutput(a: unknown, b: unknown, tol: number, what: string): void {
  const x = toComparable(a);
  const y = toComparable(b);
  assert.equal(x.length, y.length, `${what}: output lengths differ (${x.length} vs ${y.length})`);
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] === 'number' && typeof y[i] === 'number') {
      const u = x[i] as number;
      const v = y[i] as number;
      if (Number.isNaN(u) && Number.isNaN(v)) continue;
      assert.ok(Math.abs(u - v) <= tol, `${what}: element ${i} differs: ${u} vs ${v}`);
    } else {
      assert.equal(x[i], y[i], `${what}: element ${i} differs`);
    }
  }
}

/** Every number in an output (a Float64Array, a Tensor, a label array) is finite; labels are skipped. */
function assertFinite(out: unknown, what: string): void {
  const values = toComparable(out);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${what}: element ${i} is ${v}; a non-finite result must be a FrugalError instead`);
  }
}

function expectError(fn: () => unknown, types: Array<new (...a: never[]) => Error>, what: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `${what}: expected ${types.map((t) => t.name).join(' or ')}, but nothing was thrown`);
  assert.ok(
    types.some((t) => thrown instanceof t),
    `${what}: expected ${types.map((t) => t.name).join(' or ')}, got ${(thrown as Error)?.name}: ${(thrown as Error)?.message}`,
  );
  assert.ok(thrown instanceof FrugalError && (thrown as Error).message.length > 10, `${what}: the error should say what went wrong`);
}

/** The checks for one estimator factory. */
export function estimatorChecks(make: () => Estimator, options: CheckEstimatorOptions): EstimatorCheck[] {
  const kind = options.kind;
  const output = (est: AnyEstimator, k: EstimatorKind, Xo: unknown): unknown => (options.output ? options.output(est, Xo) : defaultOutput(est, k, Xo));
  const tol = options.tolerance ?? 0;
  const data: Data = options.X ? { X: options.X.map((r) => r.slice()), y: options.y?.slice() } : defaultData(kind, options.nClasses ?? 3);
  const { X } = data;
  const y = kind === 'transformer' ? data.y : data.y;
  const n = X.length;
  const d = X[0].length;
  const fresh = (): AnyEstimator => {
    const e = make() as AnyEstimator;
    assert.ok(isEstimator(e), 'make() must return an estimator with fit, getParams and setParams');
    return e;
  };
  const fit = (e: AnyEstimator, Xf: unknown = X, yf: unknown = y): AnyEstimator => {
    manualSeed(0);
    return e.fit(Xf as number[][], yf);
  };
  const seedParam = (e: AnyEstimator): string | null => {
    if (options.seedParam !== undefined) return options.seedParam;
    return 'randomState' in e.getParams({ deep: false }) ? 'randomState' : null;
  };
  const main = kind === 'transformer' ? 'transform' : 'predict';
  /**
   * predictProba / decisionFunction may depend on params (SGD hinge loss has
   * no probabilities): a method that throws ValueError on a fitted
   * estimator counts as unavailable and is not checked further.
   */
  const availability = new Map<string, boolean>();
  const available = (m: 'predictProba' | 'decisionFunction'): boolean => {
    if (!availability.has(m)) {
      const e = fresh();
      let ok = typeof e[m] === 'function';
      if (ok) {
        fit(e);
        try {
          e[m]!(X);
        } catch (err) {
          if (!(err instanceof ValueError)) throw err;
          ok = false;
        }
      }
      availability.set(m, ok);
    }
    return availability.get(m)!;
  };

  const checks: EstimatorCheck[] = [
    {
      name: 'fit returns this',
      run: () => {
        const e = fresh();
        assert.equal(e.fit(X, y), e, 'fit(X, y) must return the estimator itself');
      },
    },
    {
      name: 'getParams / setParams round trip',
      run: () => {
        const e = fresh();
        const shallow = e.getParams({ deep: false });
        const deep = e.getParams({ deep: true });
        for (const k of Object.keys(shallow)) assert.ok(k in deep, `getParams({deep: true}) lacks '${k}'`);
        const other = fresh();
        assert.equal(other.setParams(shallow), other, 'setParams must return the estimator');
        assert.ok(paramsEqual(other.getParams({ deep: false }), shallow), 'setParams(getParams()) must give equal params');
        expectError(() => e.setParams({ notAParameter__: 1, notAParameter: 1 }), [ValueError], 'setParams with an unknown name');
      },
    },
    {
      name: 'clone gives an unfitted copy with equal params',
      run: () => {
        const e = fit(fresh());
        const c = clone(e) as AnyEstimator;
        assert.notEqual(c, e, 'clone must return a new object');
        assert.equal(c.constructor, e.constructor, 'clone must keep the class');
        assert.ok(paramsEqual(c.getParams({ deep: false }), e.getParams({ deep: false })), 'clone must copy the params');
        for (const [k, v] of Object.entries(e.getParams({ deep: false }))) {
          if (isEstimator(v)) assert.notEqual(c.getParams({ deep: false })[k], v, `clone must clone the nested estimator '${k}'`);
        }
        expectError(() => output(c, kind, X), [NotFittedError], `${main} on a clone of a fitted estimator`);
        fit(c);
        assertSameOutput(output(c, kind, X), output(e, kind, X), tol, 'a fitted clone');
      },
    },
    {
      name: `${main} before fit throws NotFittedError`,
      run: () => {
        const e = fresh();
        expectError(() => output(e, kind, X), [NotFittedError], `${main} before fit`);
        if (available('predictProba')) expectError(() => e.predictProba!(X), [NotFittedError], 'predictProba before fit');
        if (available('decisionFunction')) expectError(() => e.decisionFunction!(X), [NotFittedError], 'decisionFunction before fit');
      },
    },
    {
      name: 'rejects NaN and infinity',
      run: () => {
        const bad = X.map((r) => r.slice());
        bad[Math.min(2, n - 1)][d - 1] = Number.POSITIVE_INFINITY;
        expectError(() => fresh().fit(bad, y), [ValueError], 'fit with an infinite value');
        if (options.allowNaN) return;
        const nan = X.map((r) => r.slice());
        nan[Math.min(3, n - 1)][0] = Number.NaN;
        expectError(() => fresh().fit(nan, y), [ValueError], 'fit with NaN');
        const e = fit(fresh());
        expectError(() => output(e, kind, nan), [ValueError], `${main} with NaN`);
      },
    },
    {
      name: 'a seed makes fit repeatable',
      run: () => {
        const a = fresh();
        const b = fresh();
        const sp = seedParam(a);
        if (sp) {
          a.setParams({ [sp]: 7 });
          b.setParams({ [sp]: 7 });
        }
        a.fit(X, y);
        manualSeed(123); // a seeded estimator must not depend on the global stream
        b.fit(X, y);
        if (!sp) {
          // unseeded estimators must be repeatable under manualSeed
          fit(a);
          fit(b);
        }
        assertSameOutput(output(a, kind, X), output(b, kind, X), tol, 'two fits with the same seed');
      },
    },
    {
      name: 'refit equals a fresh fit',
      run: () => {
        const other = X.map((r) => [...r, r[0] - r[d - 1]]).slice(0, Math.max(2, n - 3));
        const yo = y?.slice(0, other.length);
        const e = fit(fresh(), other, yo);
        fit(e);
        const f = fit(fresh());
        assertSameOutput(output(e, kind, X), output(f, kind, X), tol, 'refitted vs fresh');
      },
    },
    {
      name: 'validates shapes',
      run: () => {
        const e = fit(fresh());
        expectError(
          () =>
            output(
              e,
              kind,
              X.map((r) => r.slice(0, d - 1).concat(d === 1 ? [0, 0] : [])),
            ),
          [ShapeError],
          `${main} with a different number of features`,
        );
        const ragged = X.map((r) => r.slice());
        ragged[1] = ragged[1].concat([1]);
        expectError(() => fresh().fit(ragged, y), [ShapeError], 'fit with ragged rows');
        expectError(() => fresh().fit(X[0] as unknown as number[][], y), [ShapeError], 'fit with 1-D X');
        expectError(() => fresh().fit([], []), [ValueError], 'fit with empty X');
        if (y && kind !== 'transformer') {
          expectError(() => fresh().fit(X, y.slice(0, n - 1)), [ShapeError, ValueError], 'fit with y one element short');
        }
      },
    },
    {
      name: 'output types and lengths',
      run: () => {
        const e = fit(fresh());
        if (kind === 'regressor') {
          const p = e.predict!(X);
          assert.ok(p instanceof Float64Array, `regressor predict must return a Float64Array, got ${(p as object)?.constructor?.name}`);
          assert.equal(p.length, n);
          for (const v of p) assert.ok(Number.isFinite(v), 'predictions must be finite');
          const s = e.score!(X, y);
          assert.equal(typeof s, 'number');
          assert.ok(Number.isFinite(s as number), 'score must be finite');
        } else if (kind === 'classifier') {
          const classes = e.classes as unknown[];
          assert.ok(Array.isArray(classes), 'a fitted classifier exposes classes (an array)');
          const expected = [...new Set(y)].sort((a, b) => a - b);
          assert.deepEqual(classes, expected, 'classes must be the sorted distinct labels of y');
          const p = e.predict!(X);
          assert.ok(Array.isArray(p), `classifier predict must return an array of labels, got ${(p as object)?.constructor?.name}`);
          assert.equal(p.length, n);
          for (const v of p) assert.ok(classes.includes(v), `prediction ${String(v)} is not one of classes`);
          const s = e.score!(X, y) as number;
          assert.ok(s >= 0 && s <= 1, `classifier score is an accuracy in [0, 1], got ${s}`);
          if (available('predictProba')) {
            const P = e.predictProba!(X) as Tensor;
            assert.ok(P instanceof Tensor, 'predictProba must return a Tensor');
            assert.deepEqual([...P.shape], [n, classes.length], 'predictProba shape is [nSamples, nClasses]');
            for (let i = 0; i < n; i++) {
              let sum = 0;
              for (let c = 0; c < classes.length; c++) {
                const v: number = P.data[i * classes.length + c];
                assert.ok(v >= 0 && v <= 1, `probability ${v} outside [0, 1]`);
                sum += v;
              }
              assert.ok(Math.abs(sum - 1) < 1e-6, `probabilities of row ${i} sum to ${sum}`);
            }
          }
          if (available('decisionFunction')) {
            const D = e.decisionFunction!(X) as Float64Array | Tensor;
            if (classes.length === 2) assert.ok(D instanceof Float64Array && D.length === n, 'binary decisionFunction is a Float64Array of length nSamples');
            else assert.ok(D instanceof Tensor && D.shape[0] === n, 'multiclass decisionFunction is a Tensor [nSamples, ...]');
          }
        } else {
          const T = e.transform!(X) as Tensor;
          assert.ok(T instanceof Tensor, 'transform must return a Tensor');
          assert.equal(T.shape.length, 2);
          assert.equal(T.shape[0], n, 'transform keeps the number of rows');
          const fresh2 = fresh();
          manualSeed(0);
          const FT = fresh2.fitTransform!(X, y) as Tensor;
          assertSameOutput(FT, T, Math.max(tol, 1e-10), 'fitTransform vs fit().transform()');
        }
      },
    },
    {
      name: 'accepts every input format',
      run: () => {
        const base = output(fit(fresh()), kind, X);
        const f64 = flat(X);
        const formats: Array<[string, unknown]> = [
          ['{data: Float64Array, shape}', { data: f64, shape: [n, d] }],
          ['{data: number[], shape}', { data: Array.from(f64), shape: [n, d] }],
          ['Tensor float64', new Tensor(f64.slice(), [n, d])],
          ['Tensor float32', new Tensor(Float32Array.from(f64), [n, d])],
        ];
        for (const [label, Xf] of formats) {
          const e = fit(fresh(), Xf);
          assertSameOutput(output(e, kind, Xf), base, tol, `fit and ${main} with ${label}`);
        }
        if (y && kind !== 'transformer') {
          const e = fit(fresh(), X, Float64Array.from(y));
          assertSameOutput(output(e, kind, X), base, tol, 'y as a Float64Array');
        }
      },
    },
    {
      name: 'huge features: finite outputs or a FrugalError, in bounded time',
      run: () => {
        const bound = options.hugeFeaturesSeconds ?? 5;
        for (const scale of [1e100, 1e300]) {
          const big = X.map((r) => r.map((v) => v * scale));
          const started = performance.now();
          try {
            const e = fit(fresh(), big);
            assertFinite(output(e, kind, big), `${main} after fit on features x${scale}`);
            if (kind === 'classifier') {
              if (available('predictProba')) assertFinite(e.predictProba!(big), `predictProba on features x${scale}`);
              if (available('decisionFunction')) assertFinite(e.decisionFunction!(big), `decisionFunction on features x${scale}`);
            }
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assert.ok(err instanceof FrugalError, `features x${scale}: threw ${(err as Error)?.name}: ${(err as Error)?.message}, not a FrugalError`);
          }
          const seconds = (performance.now() - started) / 1000;
          assert.ok(seconds <= bound, `features x${scale}: took ${seconds.toFixed(1)} s, over the ${bound} s bound (an unbounded solver loop?)`);
        }
      },
    },
    {
      name: 'does not modify its inputs',
      run: () => {
        const Xc = X.map((r) => r.slice());
        const yc = y?.slice();
        const f64 = flat(X);
        const e = fit(fresh(), { data: f64, shape: [n, d] }, yc);
        output(e, kind, { data: f64, shape: [n, d] });
        output(e, kind, Xc);
        assert.deepEqual(Xc, X, 'X (number[][]) was modified');
        assert.deepEqual(Array.from(f64), X.flat(), 'X (Float64Array) was modified');
        if (y) assert.deepEqual(yc, y, 'y was modified');
      },
    },
  ];

  if (kind === 'classifier' && y) {
    checks.push(
      {
        name: 'string labels',
        run: () => {
          // order-preserving names: the i-th smallest class becomes 'class_00i'
          const sorted = [...new Set(y)].sort((a, b) => a - b);
          const name = (v: number): string => `class_${String(sorted.indexOf(v)).padStart(3, '0')}`;
          const ys = y.map(name);
          const e = fit(fresh(), X, ys);
          const classes = e.classes as unknown[];
          assert.deepEqual(classes, [...new Set(ys)].sort(), 'classes must be the sorted string labels');
          const p = e.predict!(X) as unknown[];
          for (const v of p) assert.ok(typeof v === 'string' && classes.includes(v), `prediction ${String(v)} should be one of the string classes`);
          const numeric = fit(fresh()).predict!(X) as number[];
          assert.deepEqual(p, numeric.map(name), 'string labels must give the same predictions as numeric ones');
        },
      },
      {
        name: 'rejects a single class',
        run: () => {
          expectError(
            () =>
              fresh().fit(
                X,
                y.map(() => y[0]),
              ),
            [ValueError],
            'fit with only one class',
          );
        },
      },
    );
  }

  const skip = new Set(options.skip ?? []);
  for (const s of skip) {
    if (!checks.some((c) => c.name === s)) throw new Error(`checkEstimator: unknown check '${s}' in skip; checks are: ${checks.map((c) => c.name).join('; ')}`);
  }
  return checks.filter((c) => !skip.has(c.name));
}

/** Registers one node:test case per check, inside a describe block. Call at the top level of a test file. */
export function checkEstimator(make: () => Estimator, options: CheckEstimatorOptions): void {
  const name = options.name ?? make().constructor.name;
  describe(`checkEstimator: ${name}`, () => {
    for (const c of estimatorChecks(make, options)) it(c.name, c.run);
  });
}

/** Runs every check now; throws one error listing all failures. For use inside a test(). */
export function runEstimatorChecks(make: () => Estimator, options: CheckEstimatorOptions): void {
  const failures: string[] = [];
  for (const c of estimatorChecks(make, options)) {
    try {
      c.run();
    } catch (e) {
      failures.push(`- ${c.name}: ${(e as Error).message}`);
    }
  }
  if (failures.length) {
    const name = options.name ?? make().constructor.name;
    throw new assert.AssertionError({ message: `${name} failed ${failures.length} estimator check(s):\n${failures.join('\n')}` });
  }
}
