/**
 * GaussianNB, MultinomialNB and BernoulliNB against scikit-learn 1.2.1
 * (test/fixtures/sklearn-knn.json, scripts/make-sklearn-knn-fixtures.py):
 * fitted parameters and probabilities, sample weights, priors, online
 * learning; then hostile inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumericalError, ShapeError, ValueError } from '../src/errors.js';
import { BernoulliNB, GaussianNB, MultinomialNB } from '../src/models/naive_bayes/index.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';

interface NbFixture {
  X: number[][];
  y: number[];
  w: number[];
  Q: number[][];
  C: number[][];
  CQ: number[][];
  gaussian: { theta: number[][]; var: number[][]; epsilon: number; proba: number[][]; logProba: number[][] };
  gaussianWeighted: { theta: number[][]; var: number[][]; proba: number[][] };
  gaussianPartial: { order: number[]; theta: number[][]; var: number[][]; proba: number[][] };
  multinomial: { featureLogProb: number[][]; classLogPrior: number[]; proba: number[][] };
  multinomialUniform: { proba: number[][] };
  bernoulli: { featureLogProb: number[][]; classLogPrior: number[]; proba: number[][]; logProba: number[][] };
  bernoulliPrior: { proba: number[][] };
}

const fx = loadFixture<{ naiveBayes: NbFixture }>('sklearn-knn').naiveBayes;
const flat = (m: number[][]): number[] => m.flat();

describe('naive Bayes matches scikit-learn', () => {
  it('GaussianNB', () => {
    const g = new GaussianNB().fit(fx.X, fx.y);
    assert.deepEqual(g.classes, [2, 5, 7]);
    assertClose(g.theta, flat(fx.gaussian.theta), 1e-12);
    assertClose(g.variance, flat(fx.gaussian.var), 1e-12);
    assertClose(g.epsilon, fx.gaussian.epsilon, 1e-12);
    assertClose(g.predictProba(fx.Q).toArray(), fx.gaussian.proba, 1e-10);
    assertClose(g.predictLogProba(fx.Q).toArray(), fx.gaussian.logProba, 1e-10);
  });
  it('GaussianNB with priors, varSmoothing and sample weights', () => {
    const g = new GaussianNB({ priors: [0.2, 0.3, 0.5], varSmoothing: 1e-3 }).fit(fx.X, fx.y, fx.w);
    assertClose(g.theta, flat(fx.gaussianWeighted.theta), 1e-12);
    assertClose(g.variance, flat(fx.gaussianWeighted.var), 1e-12);
    assertClose(g.predictProba(fx.Q).toArray(), fx.gaussianWeighted.proba, 1e-10);
  });
  it('GaussianNB.partialFit in three batches', () => {
    const g = new GaussianNB();
    const order = fx.gaussianPartial.order;
    // numpy's array_split of 30 into 3: 10 each
    for (let b = 0; b < 3; b++) {
      const part = order.slice(b * 10, b * 10 + 10);
      g.partialFit(
        part.map((i) => fx.X[i]),
        part.map((i) => fx.y[i]),
        b === 0 ? { classes: [2, 5, 7] } : {},
      );
    }
    assertClose(g.theta, flat(fx.gaussianPartial.theta), 1e-12);
    assertClose(g.variance, flat(fx.gaussianPartial.var), 1e-12);
    assertClose(g.predictProba(fx.Q).toArray(), fx.gaussianPartial.proba, 1e-10);
  });
  it('MultinomialNB', () => {
    const m = new MultinomialNB({ alpha: 0.5 }).fit(fx.C, fx.y, fx.w);
    assertClose(m.featureLogProb, flat(fx.multinomial.featureLogProb), 1e-12);
    assertClose(m.classLogPrior, fx.multinomial.classLogPrior, 1e-12);
    assertClose(m.predictProba(fx.CQ).toArray(), fx.multinomial.proba, 1e-10);
    assertClose(new MultinomialNB({ fitPrior: false }).fit(fx.C, fx.y).predictProba(fx.CQ).toArray(), fx.multinomialUniform.proba, 1e-10);
  });
  it('BernoulliNB', () => {
    const b = new BernoulliNB({ binarize: 1.5 }).fit(fx.C, fx.y);
    assertClose(b.featureLogProb, flat(fx.bernoulli.featureLogProb), 1e-12);
    assertClose(b.classLogPrior, fx.bernoulli.classLogPrior, 1e-12);
    assertClose(b.predictProba(fx.CQ).toArray(), fx.bernoulli.proba, 1e-10);
    assertClose(b.predictLogProba(fx.CQ).toArray(), fx.bernoulli.logProba, 1e-10);
    assertClose(new BernoulliNB({ classPrior: [0.5, 0.25, 0.25] }).fit(fx.C, fx.y).predictProba(fx.CQ).toArray(), fx.bernoulliPrior.proba, 1e-10);
  });
  it('discrete partialFit in batches equals one fit', () => {
    for (const make of [() => new MultinomialNB(), () => new BernoulliNB({ binarize: 2 })]) {
      const whole = make().fit(fx.C, fx.y);
      const online = make();
      for (let b = 0; b < 30; b += 7) online.partialFit(fx.C.slice(b, b + 7), fx.y.slice(b, b + 7), { classes: [7, 5, 2] });
      assertClose(online.predictProba(fx.CQ), whole.predictProba(fx.CQ), 1e-12);
    }
  });
});

describe('naive Bayes on hostile input', () => {
  it('partialFit needs classes first, and the same ones later', () => {
    assert.throws(() => new GaussianNB().partialFit(fx.X, fx.y), ValueError);
    const g = new GaussianNB().partialFit(fx.X.slice(0, 5), fx.y.slice(0, 5), { classes: [2, 5, 7] });
    assert.throws(() => g.partialFit(fx.X.slice(5, 10), fx.y.slice(5, 10), { classes: [2, 5] }), ValueError);
    assert.throws(() => g.partialFit([[1, 2, 3, 4]], [9]), ValueError);
    assert.throws(() => g.partialFit([[1, 2, 3]], [2]), ShapeError);
    assert.throws(() => g.partialFit(fx.X, fx.y, { sample_weight: fx.w } as never), ValueError);
  });
  it('bad parameters and data are ValueErrors', () => {
    assert.throws(() => new GaussianNB({ priors: [0.5, 0.6, -0.1] }).fit(fx.X, fx.y), ValueError);
    assert.throws(() => new GaussianNB({ priors: [0.5, 0.5] }).fit(fx.X, fx.y), ValueError);
    assert.throws(() => new GaussianNB({ varSmoothing: -1 }).fit(fx.X, fx.y), ValueError);
    assert.throws(
      () =>
        new MultinomialNB().fit(
          [
            [1, -1],
            [2, 0],
          ],
          [0, 1],
        ),
      /Negative values/,
    );
    assert.throws(() => new MultinomialNB({ alpha: -1 }).fit(fx.C, fx.y), ValueError);
    assert.throws(() => new BernoulliNB({ binarize: Number.NaN }).fit(fx.C, fx.y), ValueError);
    assert.throws(() => new MultinomialNB({ classPrior: [1] }).fit(fx.C, fx.y), ValueError);
    assert.throws(
      () =>
        new GaussianNB().fit(
          fx.X,
          fx.y,
          fx.w.map((v) => -v),
        ),
      ValueError,
    );
  });
  it('a class never seen by partialFit gets probability 0, not NaN', () => {
    const m = new MultinomialNB().partialFit(
      [
        [1, 0],
        [0, 3],
      ],
      [0, 1],
      { classes: [0, 1, 2] },
    );
    const p = m.predictProba([[1, 1]]).data;
    assert.equal(p[2], 0);
    assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12);
  });
  it('constant features with a single sample per class give a NumericalError, not NaN', () => {
    const g = new GaussianNB().fit([[1], [1]], [0, 1]);
    assert.throws(() => g.predict([[1]]), NumericalError);
  });
});
