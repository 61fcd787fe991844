/**
 * ONNX export of fitted SVMs, linear classifiers and Pipeline preprocessing
 * (imputer, encoders, ColumnTransformer), checked in ONNX Runtime against
 * Frugal's own predict / predictProba / decisionFunction.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import {
  ColumnTransformer,
  LinearSVC,
  LogisticRegression,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  Ridge,
  SimpleImputer,
  StandardScaler,
  SVC,
  SVR,
  Tensor,
  ValueError,
  exportOnnxBytes,
  importOnnxBytes,
  manualSeed,
  randn,
} from '../src/index.js';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Runs the exported model in ONNX Runtime: the main output and the label (as numbers or strings). */
async function runOrt(bytes: Uint8Array, x: Tensor): Promise<{ output: ArrayLike<number>; dims: readonly number[]; label?: (number | string)[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) });
  const label = result.label ? Array.from(result.label.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v)) : undefined;
  return { output: result.output.data as Float32Array, dims: result.output.dims, label };
}

/** Two features that separate k classes, plus noise columns. */
function blobs(n: number, k: number, features = 4): { X: Tensor; y: number[] } {
  const X = randn([n, features]);
  const y = Array.from({ length: n }, (_, i) => i % k);
  for (let i = 0; i < n; i++) {
    X.data[i * features] += 2 * Math.cos((2 * Math.PI * y[i]) / k);
    X.data[i * features + 1] += 2 * Math.sin((2 * Math.PI * y[i]) / k);
  }
  return { X, y };
}

describe('exportOnnx: SVC and SVR with the ONNX-ML operators', () => {
  for (const kernel of ['linear', 'poly', 'rbf', 'sigmoid'] as const) {
    it(`SVC kernel ${kernel}: labels and decision values (two classes, three with ovr and ovo)`, async () => {
      manualSeed(30);
      for (const [k, shape] of [
        [2, 'ovr'],
        [3, 'ovr'],
        [3, 'ovo'],
      ] as const) {
        const { X, y } = blobs(60, k);
        const svc = new SVC({ kernel, decisionFunctionShape: shape, gamma: kernel === 'sigmoid' ? 0.05 : 'scale', coef0: kernel === 'linear' || kernel === 'rbf' ? 0 : 0.5 }).fit(
          X,
          y,
        );
        const test = blobs(25, k).X;
        const out = await runOrt(exportOnnxBytes(svc, test), test);
        const dec = svc.decisionFunction(test);
        assertClose(out.output, dec instanceof Tensor ? dec.data : dec, `SVC ${kernel} ${k} ${shape} decision`);
        assert.deepEqual(out.label, svc.predict(test), `SVC ${kernel} ${k} labels`);
      }
    });
  }
});

describe('exportOnnx: SVC probabilities, SVR, linear classifiers', () => {
  it('SVC with probability: predictProba and labels, two and three classes', async () => {
    manualSeed(31);
    for (const k of [2, 3]) {
      const { X, y } = blobs(60, k);
      const svc = new SVC({ probability: true, randomState: 0 }).fit(X, y);
      const test = blobs(20, k).X;
      const out = await runOrt(exportOnnxBytes(svc, test), test);
      assertClose(out.output, svc.predictProba(test).data, `SVC proba ${k}`);
      assert.deepEqual(out.label, svc.predict(test), `SVC proba ${k} labels`);
    }
  });

  it('SVC with breakTies: the label is the highest one-vs-rest score, not the vote', async () => {
    manualSeed(5);
    // Labels unrelated to X: many tied votes, where breakTies changes predict.
    const X = randn([60, 3]);
    const y = Array.from({ length: 60 }, (_, i) => i % 4);
    const test = randn([40, 3]).mul(2);
    const svc = new SVC({ breakTies: true, C: 0.5 }).fit(X, y);
    const voted = new SVC({ C: 0.5 }).fit(X, y).predict(test);
    assert.notDeepEqual(svc.predict(test), voted, 'the data must have tied votes');
    const out = await runOrt(exportOnnxBytes(svc, test), test);
    assert.deepEqual(out.label, svc.predict(test));
  });

  it('SVR (rbf, linear, poly): predict', async () => {
    manualSeed(32);
    const X = randn([50, 3]);
    const y = Array.from({ length: 50 }, (_, i) => Math.sin(X.data[i * 3]) + 0.5 * X.data[i * 3 + 1]);
    for (const kernel of ['rbf', 'linear', 'poly'] as const) {
      const svr = new SVR({ kernel, C: 2 }).fit(X, y);
      const test = randn([11, 3]);
      const out = await runOrt(exportOnnxBytes(svr, test), test);
      assert.deepEqual([...out.dims], [11]);
      assertClose(out.output, svr.predict(test) as ArrayLike<number>, `SVR ${kernel}`);
      assert.equal(out.label, undefined);
    }
  });

  it('LinearSVC (two and three classes) and LogisticRegression: decision values or probabilities, and string labels', async () => {
    manualSeed(33);
    for (const k of [2, 3]) {
      const { X, y } = blobs(60, k);
      const names = y.map((c) => ['cat', 'dog', 'eel'][c]);
      const test = blobs(15, k).X;
      const lsvc = new LinearSVC().fit(X, names);
      const out = await runOrt(exportOnnxBytes(lsvc, test), test);
      const dec = lsvc.decisionFunction(test);
      assertClose(out.output, dec instanceof Tensor ? dec.data : dec, `LinearSVC ${k}`);
      assert.deepEqual(out.label, lsvc.predict(test));
      const logistic = new LogisticRegression().fit(X, y);
      const lr = await runOrt(exportOnnxBytes(logistic, test), test);
      assertClose(lr.output, logistic.predictProba(test).data, `LogisticRegression ${k}`);
      assert.deepEqual(lr.label, logistic.predict(test));
    }
  });

  it('refuses a precomputed kernel and class labels that are neither integers nor strings', () => {
    manualSeed(34);
    const { X, y } = blobs(30, 2);
    const gram = X.matmul(X.transpose(0, 1));
    assert.throws(() => exportOnnxBytes(new SVC({ kernel: 'precomputed' }).fit(gram, y), gram), /kernel 'precomputed' has no ONNX form/);
    const svc = new SVC().fit(
      X,
      y.map((c) => c + 0.5),
    );
    assert.throws(
      () => exportOnnxBytes(svc, X),
      (err: Error) => err instanceof ValueError && /all integers or all strings/.test(err.message),
    );
  });
});

describe('exportOnnx: Pipeline preprocessing with encoders', () => {
  /** Numbers (some missing) in columns 0–1, category codes 0–3 in column 2 and 0–2 in column 3. */
  function mixed(n: number): Tensor {
    const X = randn([n, 4]);
    for (let i = 0; i < n; i++) {
      if (i % 7 === 3) X.data[i * 4] = Number.NaN;
      X.data[i * 4 + 2] = (i * 5) % 4;
      X.data[i * 4 + 3] = (i * 2) % 3;
    }
    return X;
  }

  it('ColumnTransformer of imputer + scaler and imputer + OneHotEncoder, then SVC and Ridge (as frugal train builds it)', async () => {
    manualSeed(35);
    const X = mixed(60);
    const y = Array.from({ length: 60 }, (_, i) => (X.data[i * 4 + 1] + (X.data[i * 4 + 2] === 1 ? 1.5 : 0) > 0.3 ? 'yes' : 'no'));
    const preprocess = () =>
      new ColumnTransformer([
        [
          'numeric',
          new Pipeline([
            ['impute', new SimpleImputer({ strategy: 'mean', keepEmptyFeatures: true })],
            ['scale', new StandardScaler()],
          ]),
          [0, 1],
        ],
        [
          'categorical',
          new Pipeline([
            ['impute', new SimpleImputer({ strategy: 'most_frequent', keepEmptyFeatures: true })],
            ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
          ]),
          [2, 3],
        ],
      ]);
    const classifier = new Pipeline([
      ['preprocess', preprocess()],
      ['model', new SVC({ probability: true, randomState: 1 })],
    ]).fit(X, y);
    const test = mixed(13);
    test.data[2] = -1; // a category never seen in training: all zeros
    test.data[7] = Number.NaN; // a missing category: the most frequent one
    const out = await runOrt(exportOnnxBytes(classifier, test), test);
    assertClose(out.output, classifier.predictProba!(test).data, 'Pipeline → SVC proba');
    assert.deepEqual(out.label, classifier.predict(test));
    const target = Array.from({ length: 60 }, (_, i) => X.data[i * 4 + 1] * 2 + X.data[i * 4 + 3]);
    const regressor = new Pipeline([
      ['preprocess', preprocess()],
      ['model', new Ridge()],
    ]).fit(X, target);
    const reg = await runOrt(exportOnnxBytes(regressor, test), test);
    assertClose(reg.output, regressor.predict(test) as ArrayLike<number>, 'Pipeline → Ridge');
  });

  it('OrdinalEncoder (unknown and missing values encoded) with passthrough, then LogisticRegression', async () => {
    manualSeed(36);
    const X = mixed(50);
    const y = Array.from({ length: 50 }, (_, i) => (X.data[i * 4 + 2] >= 2 ? 1 : 0));
    const model = new Pipeline([
      [
        'encode',
        new ColumnTransformer([['codes', new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1, encodedMissingValue: -2 }), [2, 3]]], {
          remainder: 'passthrough',
        }),
      ],
      ['impute', new SimpleImputer()],
      ['model', new LogisticRegression()],
    ]).fit(X, y);
    const test = mixed(9);
    test.data[2] = 7; // unknown category
    test.data[7] = Number.NaN; // missing category
    const out = await runOrt(exportOnnxBytes(model, test), test);
    assertClose(out.output, model.predictProba!(test).data, 'OrdinalEncoder pipeline');
    assert.deepEqual(out.label, model.predict(test));
  });

  it('refuses a step it cannot write, naming it, and the importer names the ONNX-ML operators it does not run', () => {
    manualSeed(37);
    const X = mixed(30);
    const y = Array.from({ length: 30 }, (_, i) => i % 2);
    const dropping = new Pipeline([
      ['onehot', new ColumnTransformer([['c', new OneHotEncoder({ drop: 'first' }), [2]]])],
      ['model', new LogisticRegression()],
    ]).fit(X, y);
    assert.throws(() => exportOnnxBytes(dropping, X), /drop is not supported/);
    const svc = new SVC().fit(
      randn([20, 2]),
      Array.from({ length: 20 }, (_, i) => i % 2),
    );
    assert.throws(() => importOnnxBytes(exportOnnxBytes(svc, randn([2, 2]))), /unsupported operators: SVMClassifier/);
  });
});
