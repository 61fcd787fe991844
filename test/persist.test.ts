/**
 * Saving and loading estimators (src/persist/): every exported estimator,
 * fitted and not, round-trips through bytes and predicts bit for bit the
 * same; nested estimators (Pipeline, ColumnTransformer, searches) too; a
 * fresh node process reproduces the predictions; Modules still go through
 * the root save / load unchanged.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ColumnTransformer,
  GridSearchCV,
  Lasso,
  LogisticRegression,
  MinMaxScaler,
  OneHotEncoder,
  Pipeline,
  RandomizedSearchCV,
  ParseError,
  Ridge,
  SelectKBest,
  FunctionTransformer,
  chi2,
  SimpleImputer,
  StandardScaler,
  SVC,
  ValueError,
  makePipeline,
  SelfTrainingClassifier,
  Module,
  Sequential,
  manualSeed,
  modelToBytes,
} from '../src/index.js';
import { Linear, ReLU } from '../src/nn/index.js';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.js';
import { ESTIMATOR_KEY } from '../src/persist/format.js';
import { clone, paramsEqual, type Estimator } from '../src/models/base.js';
import { estimatorFromBytes, estimatorToBytes, fromBytes, load, loadEstimator, registerEstimator, registerFunction, save, saveEstimator, toBytes } from '../src/persist/index.js';
import { tempDir } from './helpers/data.js';
import { dataFor, exportedEstimatorClasses, fingerprint, outputsOf, type AnyEstimatorClass, type FitData } from './helpers/persist.js';
import { ToyCentroidClassifier, ToyRidge } from './helpers/toy-estimators.js';

registerEstimator(ToyRidge);
registerEstimator(ToyCentroidClassifier);

/** Estimators whose constructor needs arguments; every other exported class is built with its defaults. */
const MAKE: Record<string, () => Estimator> = {
  Pipeline: () => makePipeline(new StandardScaler(), new LogisticRegression()),
  ColumnTransformer: () =>
    new ColumnTransformer(
      [
        ['scaled', new StandardScaler(), [0, 1]],
        ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' }), [2]],
      ],
      { remainder: 'drop' },
    ),
  GridSearchCV: () => new GridSearchCV(new Ridge(), { alpha: [0.1, 10] }, { cv: 3 }),
  SelectKBest: () => new SelectKBest({ k: 2 }),
  SelfTrainingClassifier: () => new SelfTrainingClassifier({ baseEstimator: new LogisticRegression() }),
  RandomizedSearchCV: () =>
    new RandomizedSearchCV(makePipeline(new MinMaxScaler(), new SVC({ probability: true, randomState: 0 })), { svc__C: [0.5, 2] }, { cv: 3, nIter: 2, randomState: 0 }),
};

function make(name: string, cls: AnyEstimatorClass): Estimator {
  if (MAKE[name]) return MAKE[name]();
  try {
    return new (cls as unknown as new () => Estimator)();
  } catch (err) {
    throw new Error(`${name} cannot be built with its defaults (${(err as Error).message}): add an entry to MAKE in test/persist.test.ts`);
  }
}

function kindOf(est: Estimator): string | undefined {
  return est.estimatorType;
}

/** Fit data for estimators whose kind alone does not say what they need. */
const DATA: Record<string, () => FitData> = {
  // Counts: no negative values.
  MultinomialNB: () => {
    const { X, y } = dataFor('classifier');
    return { X: X.map((r) => r.map(Math.abs)), y };
  },
  // A supervised transformer: scores features against a target.
  SelectKBest: () => dataFor('classifier'),
};

function dataOf(name: string, est: Estimator): FitData {
  return DATA[name]?.() ?? dataFor(kindOf(est));
}

/** Regression data with numeric targets. */
function regression(): { X: number[][]; y: number[] } {
  const { X, y } = dataFor('regressor');
  return { X, y: y as number[] };
}

function fit(est: Estimator, X: number[][], y: unknown): Estimator {
  // LabelEncoder fits labels alone.
  if (est.constructor.name === 'LabelEncoder') return est.fit(dataFor('classifier').y as never);
  return est.fit(X, y);
}

describe('every exported estimator round-trips', () => {
  const classes = exportedEstimatorClasses();
  it('finds the estimators among the exports', () => {
    for (const name of ['LinearRegression', 'SVC', 'StandardScaler', 'Pipeline', 'GridSearchCV']) assert.ok(classes.has(name), `${name} not found`);
  });
  for (const [name, cls] of classes) {
    it(`${name}: fitted, bytes → estimator gives bit-identical outputs and bytes`, () => {
      const est = make(name, cls);
      const { X, y } = dataOf(name, est);
      fit(est, X, y);
      assert.equal((est as { isFitted?: boolean }).isFitted ?? true, true);
      const bytes = estimatorToBytes(est);
      const loaded = estimatorFromBytes(bytes);
      assert.equal(loaded.constructor, est.constructor);
      assert.deepEqual(outputsOf(loaded, X), outputsOf(est, X));
      if (name === 'LabelEncoder') {
        const labels = dataFor('classifier').y;
        const transform = (e: Estimator): string => fingerprint((e as unknown as { transform(y: unknown): unknown }).transform(labels));
        assert.equal(transform(loaded), transform(est));
      }
      // Saving the loaded estimator again writes the very same file: nothing was lost or changed.
      assert.deepEqual(estimatorToBytes(loaded), bytes);
    });
    it(`${name}: unfitted, params round-trip and the copy fits like the original`, () => {
      const est = make(name, cls);
      const loaded = estimatorFromBytes(estimatorToBytes(est));
      assert.equal(loaded.constructor, est.constructor);
      assert.ok(paramsEqual(loaded.getParams({ deep: false }), est.getParams({ deep: false })), 'params differ');
      if ((est as { isFitted?: boolean }).isFitted === false) assert.equal((loaded as { isFitted?: boolean }).isFitted, false);
      const { X, y } = dataOf(name, est);
      manualSeed(3);
      const a = outputsOf(fit(est, X, y), X);
      manualSeed(3);
      const b = outputsOf(fit(loaded, X, y), X);
      assert.deepEqual(b, a);
    });
  }
});

describe('labels, nesting and sharing', () => {
  it('numeric class labels stay numbers and string labels stay strings', () => {
    const { X } = dataFor('classifier');
    const y = X.map((r) => (r[0] > 0 ? 2.5 : -1));
    const numeric = estimatorFromBytes(estimatorToBytes(new LogisticRegression().fit(X, y))) as LogisticRegression;
    assert.deepEqual(numeric.classes, [-1, 2.5]);
    const strings = estimatorFromBytes(estimatorToBytes(new LogisticRegression().fit(X, y.map(String)))) as LogisticRegression;
    assert.deepEqual(strings.classes, ['-1', '2.5']);
    assert.deepEqual(strings.predict(X), numeric.predict(X).map(String));
  });

  it('a Pipeline keeps its steps fitted, and named steps are the params steps (one object each)', () => {
    const { X, y } = dataFor('classifier');
    const pipe = new Pipeline([
      ['impute', new SimpleImputer()],
      ['scale', new StandardScaler()],
      ['clf', new SVC({ probability: true, randomState: 0 })],
    ]).fit(X, y);
    const loaded = estimatorFromBytes(estimatorToBytes(pipe)) as Pipeline;
    assert.equal(typeof loaded.predictProba, 'function');
    assert.equal(fingerprint(loaded.predictProba!(X)), fingerprint(pipe.predictProba!(X)));
    const steps = loaded.getParams({ deep: false }).steps as [string, Estimator][];
    assert.equal((steps[2][1] as unknown as { isFitted: boolean }).isFitted, true);
  });

  it('GridSearchCV keeps its best estimator, cv results and scorers', () => {
    const { X, y } = regression();
    const search = new GridSearchCV(makePipeline(new StandardScaler(), new Ridge()), { ridge__alpha: [0.01, 1, 100] }, { cv: 3, scoring: 'neg_mean_squared_error' }).fit(X, y);
    const loaded = estimatorFromBytes(estimatorToBytes(search)) as GridSearchCV;
    assert.deepEqual(loaded.bestParams, search.bestParams);
    assert.equal(loaded.bestScore, search.bestScore);
    assert.deepEqual(loaded.cvResults, search.cvResults);
    assert.equal(loaded.score(X, y), search.score(X, y));
    assert.equal(fingerprint(loaded.predict(X)), fingerprint(search.predict(X)));
  });

  it('estimator-valued params (a grid over pipeline steps) round-trip, shared with the best params', () => {
    const { X, y } = regression();
    const search = new GridSearchCV(makePipeline(new StandardScaler(), new Ridge()), { ridge: [new Ridge({ alpha: 3 }), new Lasso({ alpha: 0.1 })] }, { cv: 3 }).fit(X, y);
    const bytes = estimatorToBytes(search);
    const loaded = estimatorFromBytes(bytes) as GridSearchCV;
    const grid = loaded.getParams({ deep: false }).paramGrid as { ridge: Estimator[] };
    assert.ok(grid.ridge[1] instanceof Lasso);
    assert.equal(loaded.bestParams!.ridge, grid.ridge[search.bestIndex!]);
    assert.equal(fingerprint(loaded.predict(X)), fingerprint(search.predict(X)));
    assert.deepEqual(estimatorToBytes(loaded), bytes);
  });

  it('a user class registered with registerEstimator round-trips inside a search', () => {
    const { X, y } = regression();
    const search = new GridSearchCV(new ToyRidge(), { alpha: [0.01, 10] }, { cv: 3 }).fit(X, y);
    const loaded = estimatorFromBytes(estimatorToBytes(search)) as GridSearchCV;
    assert.ok(loaded.bestEstimator instanceof ToyRidge);
    assert.equal(fingerprint(loaded.predict(X)), fingerprint(search.predict(X)));
  });

  it('an estimator shared by two places comes back as one object', () => {
    const scaler = new StandardScaler();
    const loaded = estimatorFromBytes(
      estimatorToBytes(
        new ColumnTransformer([
          ['a', scaler, [0]],
          ['b', scaler, [1]],
        ]),
      ),
    ) as ColumnTransformer;
    const transformers = loaded.getParams({ deep: false }).transformers as [string, Estimator][];
    assert.equal(transformers[0][1], transformers[1][1]);
  });

  it('an unfitted estimator is written as its params alone', () => {
    const bytes = estimatorToBytes(makePipeline(new StandardScaler(), new Ridge({ alpha: 3 })));
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.equal(tensors.size, 0);
    const doc = JSON.parse(metadata['frugal.estimator']);
    assert.equal(doc.root.state, null);
    assert.equal(doc.root.params.steps[1][1].state, null);
    assert.equal(doc.root.params.steps[1][1].params.alpha, 3);
  });

  it('a cloned loaded estimator is independent of it', () => {
    const { X, y } = regression();
    const loaded = estimatorFromBytes(estimatorToBytes(new Ridge({ alpha: 2 }).fit(X, y))) as Ridge;
    const copy = clone(loaded);
    assert.equal(copy.getParams().alpha, 2);
    assert.equal((copy as { isFitted: boolean }).isFitted, false);
  });
});

describe('what cannot be saved is a typed error naming the class and field', () => {
  it('a function-valued param', () => {
    const est = new Ridge();
    (est as unknown as { params: Record<string, unknown> }).params.alpha = () => 1;
    assert.throws(
      () => estimatorToBytes(est),
      (e: unknown) => e instanceof ValueError && /Ridge\.params\.alpha/.test(e.message) && /function/.test(e.message),
    );
  });
  it('a class instance in fitted state', () => {
    const { X, y } = regression();
    const est = new Ridge().fit(X, y);
    (est as unknown as Record<string, unknown>).cache = new Date(0);
    assert.throws(
      () => estimatorToBytes(est),
      (e: unknown) => e instanceof ValueError && /Ridge\.cache/.test(e.message) && /Date/.test(e.message),
    );
  });
  it('registerEstimator: a class, under a free name', () => {
    assert.throws(() => registerEstimator((() => 1) as never), ValueError);
    class Ridge2 extends ToyRidge {}
    assert.throws(
      () => registerEstimator(Ridge2, 'Ridge'),
      (e: unknown) => e instanceof ValueError && /'Ridge' is taken/.test(e.message),
    );
    assert.throws(() => registerEstimator(Ridge2, 'bad name'), ValueError);
    registerEstimator(ToyRidge); // again: a no-op
    assert.throws(
      () => registerEstimator(ToyRidge, 'OtherName'),
      (e: unknown) => e instanceof ValueError && /already registered as 'ToyRidge'/.test(e.message),
    );
  });
  it('an unregistered estimator class', () => {
    class Unregistered extends ToyRidge {}
    assert.throws(
      () => estimatorToBytes(new Unregistered()),
      (e: unknown) => e instanceof ValueError && /Unregistered is not registered/.test(e.message),
    );
  });
  it('a cycle', () => {
    const { X, y } = regression();
    const est = new Ridge().fit(X, y);
    const loop: unknown[] = [];
    loop.push(loop);
    (est as unknown as Record<string, unknown>).loop = loop;
    assert.throws(
      () => estimatorToBytes(est),
      (e: unknown) => e instanceof ValueError && /cycle/.test(e.message),
    );
  });
});

describe('functions as params are saved by name, from an allowlist', () => {
  it("SelectKBest's score function round-trips by name", () => {
    const { X, y } = dataFor('classifier');
    const est = new SelectKBest({ scoreFunc: chi2, k: 2 }).fit(
      X.map((r) => r.map(Math.abs)),
      y,
    );
    const loaded = estimatorFromBytes(estimatorToBytes(est)) as SelectKBest;
    assert.equal(loaded.getParams().scoreFunc, chi2);
  });
  it('a registered function of your own round-trips; an unregistered one is named in the error', () => {
    const double = (X: unknown): unknown => X;
    const est = new FunctionTransformer({ func: double });
    assert.throws(
      () => estimatorToBytes(est),
      (e: unknown) => e instanceof ValueError && /FunctionTransformer\.params\.func/.test(e.message) && /registerFunction/.test(e.message),
    );
    registerFunction(double, 'persistTestDouble');
    assert.equal((estimatorFromBytes(estimatorToBytes(est)) as FunctionTransformer).getParams().func, double);
    assert.throws(
      () => registerFunction(() => 2, 'persistTestDouble'),
      (e: unknown) => e instanceof ValueError && /taken/.test(e.message),
    );
    assert.throws(() => registerFunction(SelectKBest as never), ValueError);
  });
  it('a file cannot name an exported function outside the allowlist (a FunctionTransformer calling saveEstimator)', () => {
    const bytes = estimatorToBytes(new FunctionTransformer({ func: chi2 as never }));
    const content = decodeSafetensors(bytes);
    const doc = content.metadata[ESTIMATOR_KEY].replace('"name":"chi2"', '"name":"saveEstimator"');
    const forged = encodeSafetensors(content.tensors, { ...content.metadata, [ESTIMATOR_KEY]: doc });
    assert.throws(
      () => estimatorFromBytes(forged),
      (e: unknown) => e instanceof ParseError && /saveEstimator/.test(e.message),
    );
  });
});

describe('files and the root save / load', () => {
  it('save / load an estimator and a Module; load returns what the file holds', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { X, y } = dataFor('classifier');
      const pipe = makePipeline(new StandardScaler(), new LogisticRegression()).fit(X, y);
      await save(pipe, join(dir, 'pipe.safetensors'));
      const loaded = await load(join(dir, 'pipe.safetensors'));
      assert.ok(loaded instanceof Pipeline);
      assert.deepEqual(loaded.predict(X), pipe.predict(X));
      await saveEstimator(pipe, join(dir, 'pipe2.safetensors'));
      assert.deepEqual(readFileSync(join(dir, 'pipe2.safetensors')), readFileSync(join(dir, 'pipe.safetensors')));
      const typed: Pipeline = await loadEstimator(join(dir, 'pipe2.safetensors'), { expect: Pipeline });
      assert.ok(typed instanceof Pipeline);
      await assert.rejects(loadEstimator(join(dir, 'pipe2.safetensors'), { expect: Ridge }), /holds a Pipeline, expected a Ridge/);
      await assert.rejects(loadEstimator(join(dir, 'pipe2.safetensors'), { expected: Ridge } as never), /did you mean 'expect'/);

      manualSeed(0);
      const net = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
      await save(net, join(dir, 'net.safetensors'));
      // The Module file is byte-identical to what modelToBytes writes.
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'net.safetensors'))), modelToBytes(net));
      assert.deepEqual(toBytes(net), modelToBytes(net));
      const again = await load(join(dir, 'net.safetensors'));
      assert.ok(again instanceof Module);
      assert.ok(fromBytes(modelToBytes(net)) instanceof Module);
      await assert.rejects(loadEstimator(join(dir, 'net.safetensors')), /net\.safetensors: estimator file: the file holds a neural network Module/);
      // Module-only options do not apply to estimators.
      await assert.rejects(save(pipe, join(dir, 'x.safetensors'), { weightsOnly: true }), ValueError);
    } finally {
      cleanup();
    }
  });

  it('a fresh node process loads the file and prints the same predictions', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { X, y } = dataFor('classifier');
      const pipe = makePipeline(new StandardScaler(), new SVC({ probability: true, randomState: 0 })).fit(X, y);
      const file = join(dir, 'model.safetensors');
      await save(pipe, file);
      const index = new URL('../src/index.js', import.meta.url).href;
      const script = `
        import { load } from ${JSON.stringify(index)};
        const X = ${JSON.stringify(X)};
        const model = await load(${JSON.stringify(file)});
        const bits = (t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');
        console.log(JSON.stringify({ labels: model.predict(X), proba: bits(model.predictProba(X)) }));
      `;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      const child = JSON.parse(out.trim().split('\n').at(-1)!);
      const P = pipe.predictProba!(X);
      assert.deepEqual(child.labels, pipe.predict(X));
      assert.equal(child.proba, Buffer.from(P.data.buffer, P.data.byteOffset, P.data.byteLength).toString('hex'));
    } finally {
      cleanup();
    }
  });
});
