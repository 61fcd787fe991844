import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFittedError, NumericalError, ShapeError, ValueError } from '../src/errors.js';
import { clone, type Estimator } from '../src/models/base.js';
import {
  ColumnTransformer,
  LabelEncoder,
  makePipeline,
  MaxAbsScaler,
  MinMaxScaler,
  Normalizer,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  PolynomialFeatures,
  RobustScaler,
  SimpleImputer,
  StandardScaler,
} from '../src/preprocessing/index.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { checkEstimator } from './helpers/check-estimator.js';
import { assertClose, camelKeys, loadFixture } from './helpers/fixtures.js';
import { ToyCentroidClassifier, ToyRidge } from './helpers/toy-estimators.js';

type Ctor = new (p?: Record<string, unknown>) => Estimator & { transform(X: unknown): Tensor; inverseTransform?(X: unknown): unknown; getFeatureNamesOut?(): string[] };
const CLASSES: Record<string, Ctor> = {
  StandardScaler: StandardScaler as unknown as Ctor,
  MinMaxScaler: MinMaxScaler as unknown as Ctor,
  MaxAbsScaler: MaxAbsScaler as unknown as Ctor,
  RobustScaler: RobustScaler as unknown as Ctor,
  Normalizer: Normalizer as unknown as Ctor,
  PolynomialFeatures: PolynomialFeatures as unknown as Ctor,
  SimpleImputer: SimpleImputer as unknown as Ctor,
  OneHotEncoder: OneHotEncoder as unknown as Ctor,
  OrdinalEncoder: OrdinalEncoder as unknown as Ctor,
};

/** sklearn kwargs -> frugal params, keeping only the params the class has. */
function paramsFor(Cls: Ctor, kwargs: Record<string, unknown>): Record<string, unknown> {
  const known = new Cls().getParams({ deep: false });
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(camelKeys(kwargs))) {
    if (!(k in known)) {
      if (k === 'unitVariance' && v === false) continue;
      if (['copy', 'order', 'verbose', 'sparseOutput', 'sparse', 'dtype'].includes(k)) continue;
      if (k === 'minFrequency' || k === 'maxCategories' || k === 'featureNameCombiner') continue;
      throw new Error(`fixture parameter ${k} has no frugal counterpart`);
    }
    out[k] = v === null && k === 'fillValue' ? null : v;
  }
  return out;
}

function attrName(a: string): string {
  return camelKeys({ [a.replace(/_$/, '')]: 0 }) && Object.keys(camelKeys({ [a.replace(/_$/, '')]: 0 }))[0];
}

interface TransformCase {
  name: string;
  class: string;
  params: Record<string, unknown>;
  fit_X: number[][];
  transform_X: number[][];
  fit_kwargs: Record<string, unknown>;
  fit_out: number[][];
  out: number[][];
  attrs: Record<string, unknown>;
  inverse?: number[][];
  feature_names?: string[];
}

interface CategoricalCase {
  name: string;
  class: 'OneHotEncoder' | 'OrdinalEncoder';
  kwargs: Record<string, unknown>;
  fit_X?: number[][];
  transform_X?: (string | number)[][];
  fit_out?: number[][];
  out?: number[][];
  categories?: unknown[][];
  feature_names?: string[];
  drop_idx?: (number | null)[] | null;
  inverse?: unknown[][];
}

describe('transformers match scikit-learn (fixtures)', () => {
  const fx = loadFixture<{
    cases: TransformCase[];
    categorical: { X: (string | number)[][]; Xt: (string | number)[][]; cases: CategoricalCase[] };
    label_encoder: { fit: string[]; classes: string[]; transform: string[]; out: number[] };
  }>('sklearn-preprocessing');
  for (const c of fx.cases) {
    it(c.name, () => {
      const Cls = CLASSES[c.class];
      const est = new Cls(paramsFor(Cls, c.params));
      const fitKw = camelKeys(c.fit_kwargs);
      (est.fit as (X: unknown, y?: unknown, w?: unknown) => unknown)(c.fit_X, undefined, fitKw.sampleWeight);
      assertClose(est.transform(c.fit_X), c.fit_out, 1e-12, 'fit_out');
      assertClose(est.transform(c.transform_X), c.out, 1e-12, 'out');
      for (const [a, v] of Object.entries(c.attrs)) assertClose((est as unknown as Record<string, unknown>)[attrName(a)], v, 1e-12, a);
      if (c.inverse) assertClose(est.inverseTransform!(est.transform(c.transform_X)), c.inverse, 1e-12, 'inverse');
      if (c.feature_names) assert.deepEqual(est.getFeatureNamesOut!(), c.feature_names);
    });
  }
  for (const c of fx.categorical.cases) {
    it(c.name, () => {
      const Cls = CLASSES[c.class];
      const est = new Cls(paramsFor(Cls, c.kwargs)) as unknown as OneHotEncoder & OrdinalEncoder;
      const X = c.fit_X ?? fx.categorical.X;
      est.fit(X);
      if (c.fit_out) assertClose(est.transform(X), c.fit_out, 0, 'fit_out');
      if (c.out) assertClose(est.transform(c.transform_X ?? fx.categorical.Xt), c.out, 0, 'out');
      if (c.categories) assertClose(est.categories, c.categories, 0, 'categories');
      if (c.feature_names)
        assert.deepEqual(
          est.getFeatureNamesOut().map((s) => s),
          c.feature_names.map((s) => s.replace(/\.0(?=$|_)/g, '')),
        );
      if (c.drop_idx !== undefined) assert.deepEqual(est.dropIdx, c.drop_idx);
      if (c.inverse) assert.deepEqual(est.inverseTransform(est.transform(c.transform_X!)), c.inverse);
    });
  }
  it('LabelEncoder', () => {
    const le = new LabelEncoder().fit(fx.label_encoder.fit);
    assert.deepEqual(le.classes, fx.label_encoder.classes);
    assert.deepEqual(Array.from(le.transform(fx.label_encoder.transform)), fx.label_encoder.out);
    assert.deepEqual(le.inverseTransform([0, 2]), ['amsterdam', 'tokyo']);
    assert.throws(() => le.transform(['berlin']), /previously unseen labels/);
    assert.throws(() => new LabelEncoder().transform(['x']), NotFittedError);
  });
});

describe('transformer behaviour', () => {
  const X = [
    [1, 2],
    [3, 4],
    [5, 7],
  ];
  it('StandardScaler keeps NaN and rejects infinity', () => {
    const s = new StandardScaler().fit([
      [1, Number.NaN],
      [3, 2],
      [5, 4],
    ]);
    assert.deepEqual(Array.from(s.mean!), [3, 3]);
    const out = s.transform([[Number.NaN, 2]]);
    assert.ok(Number.isNaN(out.data[0]));
    assert.throws(() => s.fit([[1, Number.POSITIVE_INFINITY]]), /infinity at row 0, column 1/);
  });
  it('transform checks the number of features', () => {
    const s = new MinMaxScaler().fit(X);
    assert.throws(() => s.transform([[1, 2, 3]]), /X has 3 features, but MinMaxScaler is expecting 2/);
    assert.throws(() => new MinMaxScaler({ featureRange: [1, 0] }).fit(X), /feature range/);
  });
  it('unknown params are rejected', () => {
    assert.throws(() => new StandardScaler({ withMeans: true } as never), /unknown option 'withMeans'/);
    assert.throws(() => new StandardScaler().setParams({ withMeans: true }), /Invalid parameter 'withMeans' for estimator StandardScaler/);
  });
  it('OneHotEncoder unknown categories', () => {
    const e = new OneHotEncoder().fit([
      ['a', 1],
      ['b', 2],
    ]);
    assert.throws(() => e.transform([['c', 1]]), /unknown categories \['c'\] in column 0/);
    assert.throws(
      () =>
        new OneHotEncoder().fit([
          ['a', 1],
          [2, 2],
        ]),
      /mixes strings and numbers/,
    );
    const ig = new OneHotEncoder({ handleUnknown: 'ignore' }).fit([
      ['a', 1],
      ['b', 2],
    ]);
    assert.deepEqual(Array.from(ig.transform([['c', 2]]).data), [0, 0, 0, 1]);
  });
  it('SimpleImputer rejects NaN when missingValues is a number', () => {
    const imp = new SimpleImputer({ missingValues: -1, strategy: 'median' }).fit([
      [-1, 2],
      [4, -1],
      [6, 3],
      [8, 5],
    ]);
    assert.deepEqual(Array.from(imp.statistics!), [6, 3]);
    assert.deepEqual(Array.from(imp.transform([[-1, -1]]).data), [6, 3]);
    assert.throws(() => imp.transform([[Number.NaN, 1]]), ValueError);
  });
  it('PolynomialFeatures output order and degree validation', () => {
    const p = new PolynomialFeatures({ degree: 2 }).fit([[2, 3]]);
    assert.deepEqual(Array.from(p.transform([[2, 3]]).data), [1, 2, 3, 4, 6, 9]);
    assert.deepEqual(p.getFeatureNamesOut(['a', 'b']), ['1', 'a', 'b', 'a^2', 'a b', 'b^2']);
    assert.throws(() => new PolynomialFeatures({ degree: -1 }).fit([[1]]), ValueError);
  });
});

describe('Pipeline', () => {
  const X = [
    [0, 1],
    [1, 3],
    [2, 5.5],
    [3, 7],
    [4, 9.2],
    [5, 11],
  ];
  const y = [1, 3, 5, 7, 9, 11];
  it('fits, predicts and scores through the steps', () => {
    const pipe = new Pipeline([
      ['scale', new StandardScaler()],
      ['ridge', new ToyRidge({ alpha: 0.01 })],
    ]);
    assert.equal(pipe.fit(X, y), pipe);
    const direct = new ToyRidge({ alpha: 0.01 }).fit(new StandardScaler().fitTransform(X), y);
    assertClose(pipe.predict(X), direct.predict(new StandardScaler().fit(X).transform(X)));
    assert.equal(typeof pipe.score(X, y), 'number');
    assert.equal(pipe.estimatorType, 'regressor');
    const p: Float64Array = pipe.predict(X); // typed by the final step
    assert.equal(p.length, 6);
  });
  it('step__param names', () => {
    const pipe = makePipeline(new StandardScaler(), new ToyRidge());
    assert.deepEqual(Object.keys(pipe.namedSteps), ['standardscaler', 'toyridge']);
    const params = pipe.getParams();
    assert.equal(params.toyridge__alpha, 1);
    assert.equal(params.standardscaler__withMean, true);
    pipe.setParams({ toyridge__alpha: 3, standardscaler__withStd: false });
    assert.equal((pipe.namedSteps.toyridge as ToyRidge).getParams().alpha, 3);
    assert.throws(() => pipe.setParams({ nope__alpha: 1 }), /Invalid parameter 'nope'/);
    assert.throws(() => pipe.setParams({ toyridge__nope: 1 }), /Invalid parameter 'nope' for estimator ToyRidge/);
    pipe.setParams({ standardscaler: 'passthrough' });
    pipe.fit(X, y);
    assertClose(pipe.predict(X), new ToyRidge({ alpha: 3 }).fit(X, y).predict(X));
  });
  it('clone deep-copies the steps', () => {
    const pipe = makePipeline(new StandardScaler(), new ToyRidge()).fit(X, y);
    const c = clone(pipe);
    assert.notEqual(c.namedSteps.toyridge, pipe.namedSteps.toyridge);
    assert.throws(() => c.predict(X), NotFittedError);
  });
  it('validates steps', () => {
    assert.throws(
      () =>
        new Pipeline([
          ['a', new ToyRidge()],
          ['b', new ToyRidge()],
        ]),
      /intermediate steps should be transformers/,
    );
    assert.throws(
      () =>
        new Pipeline([
          ['a__b', new StandardScaler()],
          ['b', new ToyRidge()],
        ]),
      /must not contain __/,
    );
    assert.throws(
      () =>
        new Pipeline([
          ['a', new StandardScaler()],
          ['a', new ToyRidge()],
        ]),
      /not unique/,
    );
  });
  it('duplicate names in makePipeline are numbered', () => {
    const p = makePipeline(new StandardScaler(), new StandardScaler(), new ToyRidge());
    assert.deepEqual(
      p.steps.map((s) => s[0]),
      ['standardscaler-1', 'standardscaler-2', 'toyridge'],
    );
  });
  it('transform-only pipelines and inverseTransform', () => {
    const pipe = makePipeline(new StandardScaler(), new MinMaxScaler());
    const T = pipe.fitTransform!(X);
    assertClose(pipe.transform!(X), T);
    assertClose(pipe.inverseTransform!(T), X, 1e-12);
    const reg = makePipeline(new StandardScaler(), new ToyRidge());
    assert.equal(reg.transform, undefined, 'a pipeline ending in a regressor does not transform');
    assert.equal(reg.predictProba, undefined);
    const clf = makePipeline(new StandardScaler(), new ToyCentroidClassifier());
    assert.equal(typeof clf.predictProba, 'function');
    assert.equal(clf.decisionFunction, undefined);
  });
});

describe('ColumnTransformer', () => {
  const rows = [
    ['red', 1.5, 10],
    ['blue', 2.5, 20],
    ['red', 3.5, 30],
    ['green', 0.5, 40],
  ];
  it('encodes, scales and passes through columns in order', () => {
    const ct = new ColumnTransformer(
      [
        ['color', new OneHotEncoder(), [0]],
        ['num', new StandardScaler(), [1]],
      ],
      { remainder: 'passthrough' },
    );
    const out = ct.fitTransform(rows);
    assert.deepEqual(out.shape, [4, 5]);
    assert.deepEqual(Array.from(out.data.subarray(0, 3)), [0, 0, 1]);
    assertClose(
      Array.from({ length: 4 }, (_, i) => out.data[i * 5 + 4]),
      [10, 20, 30, 40],
    );
    assertClose(ct.transform(rows), out);
    assert.deepEqual(ct.outputIndices, { color: [0, 3], num: [3, 4], remainder: [4, 5] });
  });
  it('drops the remainder by default and supports nested params', () => {
    const ct = new ColumnTransformer([['num', new MinMaxScaler(), [1, 2]]]);
    assert.deepEqual(ct.fitTransform(rows).shape, [4, 2]);
    ct.setParams({ num__featureRange: [-1, 1] });
    assert.equal(ct.fitTransform(rows).data[3 * 2], -1);
    assert.throws(() => ct.transform([[1, 2]]), ShapeError);
  });
  it('works inside a pipeline with a classifier', () => {
    const y = ['a', 'b', 'a', 'b'];
    const pipe = makePipeline(
      new ColumnTransformer([
        ['c', new OneHotEncoder(), 0],
        ['n', new StandardScaler(), [1, 2]],
      ]),
      new ToyCentroidClassifier(),
    );
    pipe.fit(rows, y);
    assert.deepEqual(pipe.classes, ['a', 'b']);
    assert.equal(pipe.predict(rows).length, 4);
  });
});

describe('features near the float64 limit', () => {
  const huge = [
    [1e300, -2e300],
    [-1.5e300, 1e300],
    [3e300, 0.5e300],
  ];
  it('StandardScaler refuses a variance that overflows, naming the feature', () => {
    assert.throws(
      () => new StandardScaler().fit(huge),
      (e: unknown) => e instanceof NumericalError && /StandardScaler: the variance of feature 0 overflowed/.test(e.message),
    );
  });
  it('StandardScaler refuses a mean that overflows', () => {
    assert.throws(
      () => new StandardScaler({ withStd: false }).fit([[1.5e308], [1.5e308]]),
      (e: unknown) => e instanceof NumericalError && /the mean of feature 0 overflowed/.test(e.message),
    );
  });
  it('StandardScaler keeps scaling large but safe features and all-missing columns', () => {
    const s = new StandardScaler().fit([
      [1e150, NaN],
      [3e150, NaN],
    ]);
    assert.deepEqual(Array.from(s.transform([[1e150, NaN]]).data as Float64Array).slice(0, 1), [-1]);
    assert.ok(Number.isNaN(s.mean![1]));
  });
  it('PolynomialFeatures refuses a product that overflows', () => {
    const p = new PolynomialFeatures({ degree: 3 }).fit(huge);
    assert.throws(
      () => p.transform(huge),
      (e: unknown) => e instanceof NumericalError && /PolynomialFeatures/.test(e.message),
    );
    assert.equal(p.transform([[1e100, 1]]).data[6], 1e300); // x0³
  });
});

const num = { kind: 'transformer' } as const;
checkEstimator(() => new StandardScaler(), { ...num, allowNaN: true });
checkEstimator(() => new MinMaxScaler({ featureRange: [-1, 1] }), { ...num, allowNaN: true });
checkEstimator(() => new MaxAbsScaler(), { ...num, allowNaN: true });
checkEstimator(() => new RobustScaler(), { ...num, allowNaN: true });
checkEstimator(() => new Normalizer({ norm: 'l1' }), num);
checkEstimator(() => new PolynomialFeatures({ degree: 3 }), { ...num });
checkEstimator(() => new SimpleImputer({ strategy: 'median', addIndicator: true }), { ...num, allowNaN: true });
checkEstimator(() => new OneHotEncoder({ handleUnknown: 'ignore' }), { ...num, allowNaN: true });
checkEstimator(() => new OrdinalEncoder(), { ...num, allowNaN: true });
checkEstimator(() => makePipeline(new StandardScaler(), new PolynomialFeatures()), num);
checkEstimator(
  () =>
    new ColumnTransformer(
      [
        ['a', new StandardScaler(), [0]],
        ['b', new Normalizer(), [1, 2]],
      ],
      { remainder: 'passthrough' },
    ),
  { ...num, allowNaN: true },
);
checkEstimator(() => makePipeline(new StandardScaler(), new ToyRidge({ alpha: 0.1 })), { kind: 'regressor' });
checkEstimator(() => makePipeline(new MinMaxScaler(), new ToyCentroidClassifier()), { kind: 'classifier' });
