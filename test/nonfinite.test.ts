// Solvers stop with a typed NumericalError on non-finite numbers instead of
// spinning or returning NaN; each case feeds the input that used to do so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumericalError, ValueError } from '../src/errors.js';
import { enetPath, Ridge, RidgeCV, SGDClassifier, SGDRegressor } from '../src/models/linear/index.js';
import { minimizeLbfgs } from '../src/models/linear/lbfgs.js';
import { multiclassProbability, sigmoidTrain } from '../src/models/svm/platt.js';
import { SVC, SVR } from '../src/models/svm/index.js';
import { checkFinite } from '../src/models/finite.js';

/** A small regression problem with features scaled by `scale`. */
function scaled(scale: number): { X: number[][]; y: number[]; labels: number[] } {
  const X: number[][] = [];
  const y: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 30; i++) {
    const a = Math.sin(i * 1.3),
      b = Math.cos(i * 0.7),
      c = ((i * 7) % 11) / 11;
    X.push([a * scale, b * scale, c * scale]);
    y.push(2 * a - b + 0.5 * c);
    labels.push(i % 3);
  }
  return { X, y, labels };
}

const isNumerical =
  (name: string) =>
  (e: unknown): boolean =>
    e instanceof NumericalError && (e as Error).message.startsWith(name);

describe('non-finite numbers stop the solvers with a NumericalError', () => {
  const big = scaled(1e300);
  it('Ridge lsqr', () => {
    assert.throws(() => new Ridge({ solver: 'lsqr' }).fit(big.X, big.y), isNumerical('Ridge'));
  });
  it('RidgeCV leave-one-out', () => {
    assert.throws(() => new RidgeCV().fit(big.X, big.y).predict(big.X), isNumerical('RidgeCV'));
  });
  it('SGD overflow is a NumericalError (was a ValueError)', () => {
    assert.throws(() => new SGDRegressor({ randomState: 0 }).fit(big.X, big.y), isNumerical('SGDRegressor'));
    assert.throws(() => new SGDClassifier({ loss: 'log_loss', randomState: 0 }).fit(big.X, big.labels), isNumerical('SGDClassifier'));
  });
  it('SGDClassifier never returns non-finite decision values', () => {
    assert.throws(() => new SGDClassifier({ randomState: 0 }).fit(big.X, big.labels).decisionFunction(big.X), isNumerical('SGDClassifier'));
  });
  it('SVR and SVC', () => {
    const huge = scaled(1e100);
    assert.throws(() => new SVR({ kernel: 'linear' }).fit(huge.X, huge.y).predict(huge.X), isNumerical('SVR'));
    assert.throws(() => new SVC({ kernel: 'linear' }).fit(huge.X, huge.labels).decisionFunction(huge.X), isNumerical('SVC'));
  });
  it('coordinate descent (enetPath) on an overflowing problem', () => {
    const y = big.y.map((v) => v * 1e300);
    assert.throws(() => enetPath(big.X, y, { alphas: [1e-3] }), isNumerical('enetPath'));
  });
});

describe('L-BFGS', () => {
  it('a non-finite objective at the start is a NumericalError naming the caller', () => {
    assert.throws(
      () =>
        minimizeLbfgs(
          (_x, g) => {
            g[0] = 1;
            return Number.NaN;
          },
          new Float64Array(1),
          { caller: 'Demo' },
        ),
      isNumerical('Demo'),
    );
  });
  it('a gradient that turns NaN during the run stops it (it used to report convergence)', () => {
    // f = x², but the gradient is NaN once x leaves the start
    const fg = (x: Float64Array, g: Float64Array): number => {
      g[0] = x[0] === 3 ? 6 : Number.NaN;
      return x[0] * x[0];
    };
    assert.throws(() => minimizeLbfgs(fg, Float64Array.of(3), { caller: 'Demo' }), isNumerical('Demo'));
  });
});

describe('Platt scaling and pairwise coupling', () => {
  it('sigmoidTrain stops on non-finite decision values', () => {
    assert.throws(
      () => sigmoidTrain([1, Number.NaN, -1, 2], [true, false, false, true]),
      (e) => e instanceof NumericalError,
    );
    assert.throws(
      () => sigmoidTrain([1, Infinity, -1, 2], [true, false, false, true]),
      (e) => e instanceof NumericalError,
    );
  });
  it('multiclassProbability stops on non-finite pairwise probabilities', () => {
    const r = Float64Array.of(0, Number.NaN, 0.5, Number.NaN, 0, 0.5, 0.5, 0.5, 0);
    assert.throws(
      () => multiclassProbability(3, r, new Float64Array(3)),
      (e) => e instanceof NumericalError,
    );
  });
});

describe('unknown estimator parameters', () => {
  it("new Ridge({ max_iter: 5 }) suggests 'maxIter' and lists the valid ones", () => {
    assert.throws(
      () => new Ridge({ max_iter: 5 } as never),
      (e: unknown) =>
        e instanceof ValueError &&
        /Ridge: unknown option 'max_iter' \(did you mean 'maxIter'\?\); valid options are: alpha, fitIntercept, maxIter, solver, tol/.test((e as Error).message),
    );
  });
});

describe('checkFinite', () => {
  it('finds NaN, Infinity and -Infinity anywhere, and passes finite values (-0 and huge ones included)', () => {
    checkFinite('Demo', 'coef', Float64Array.of(-0, 0, 1e308, -1e308, 5e-324));
    checkFinite('Demo', 'coef', []);
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      for (const at of [0, 3, 6]) {
        const v = new Float64Array(7).fill(1);
        v[at] = bad;
        assert.throws(
          () => checkFinite('Demo', 'coef', v),
          (e: unknown) => e instanceof NumericalError && (e as Error).message.includes(`(${bad} at ${at})`),
        );
      }
    }
  });
});

describe('options objects reject unknown keys', () => {
  it('enetPath and minimizeLbfgs suggest the camelCase name', () => {
    const { X, y } = scaled(1);
    assert.throws(
      () => enetPath(X, y, { max_iter: 5 } as never),
      (e: unknown) => e instanceof ValueError && /enetPath: unknown option 'max_iter' \(did you mean 'maxIter'\?\)/.test((e as Error).message),
    );
    assert.throws(
      () =>
        minimizeLbfgs(
          (_x, g) => {
            g[0] = 0;
            return 0;
          },
          new Float64Array(1),
          { g_tol: 1 } as never,
        ),
      (e: unknown) => e instanceof ValueError && /minimizeLbfgs: unknown option 'g_tol' \(did you mean 'gtol'\?\)/.test((e as Error).message),
    );
  });
});
