import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGDClassifier, SGDRegressor } from '../src/models/linear/sgd.js';
import { Tensor } from '../src/tensor/tensor.js';
import { ValueError } from '../src/errors.js';
import { fixtures, type Json } from './helpers/linear.js';

const data = fixtures.sgd_data as Json;
const regTrain = { X: data.reg_X.slice(0, 300), y: data.reg_y.slice(0, 300) };
const regTest = { X: data.reg_X.slice(300), y: data.reg_y.slice(300) };
const clfTrain = { X: data.clf_X.slice(0, 300), y: data.clf_y.slice(0, 300) };
const clfTest = { X: data.clf_X.slice(300), y: data.clf_y.slice(300) };

test('SGDRegressor scores like scikit-learn (R² on held-out rows)', () => {
  for (const c of (fixtures.sgd as Json[]).filter((c) => c.kind === 'regressor')) {
    // means over seeds 0-4 (scikit-learn's too): the RNGs differ
    let r2 = 0,
      it = 0;
    for (let s = 0; s < 5; s++) {
      const m = new SGDRegressor({ ...c.params, randomState: s }).fit(regTrain.X, regTrain.y);
      r2 += m.score(regTest.X, regTest.y) / 5;
      it += m.nIter! / 5;
    }
    assert.ok(Math.abs(r2 - c.r2) <= Math.max(0.02, 0.02 * Math.abs(c.r2)), `${c.name}: R² ${r2} vs scikit-learn ${c.r2}`);
    assert.ok(it <= Math.max(2 * c.n_iter, c.n_iter + 10), `${c.name}: ${it} epochs vs ${c.n_iter}`);
  }
});

test('SGDClassifier scores like scikit-learn (accuracy on held-out rows)', () => {
  for (const c of (fixtures.sgd as Json[]).filter((c) => c.kind === 'classifier')) {
    let acc = 0;
    for (let s = 0; s < 5; s++) {
      const m = new SGDClassifier({ ...c.params, randomState: s }).fit(clfTrain.X, clfTrain.y);
      acc += m.score(clfTest.X, clfTest.y) / 5;
      assert.deepEqual(m.coef!.shape, [3, 6]);
    }
    assert.ok(Math.abs(acc - c.acc) <= 0.04, `${c.name}: mean accuracy ${acc} vs scikit-learn ${c.acc}`);
  }
});

test('SGD: repeatable with randomState, probabilities, errors', () => {
  const a = new SGDClassifier({ loss: 'log_loss', randomState: 5 }).fit(clfTrain.X, clfTrain.y);
  const b = new SGDClassifier({ loss: 'log_loss', randomState: 5 }).fit(clfTrain.X, clfTrain.y);
  assert.deepEqual(Array.from(a.coef!.data), Array.from(b.coef!.data));
  const P = a.predictProba!(clfTest.X);
  assert.ok(P instanceof Tensor && P.shape[1] === 3);
  for (let i = 0; i < P.shape[0]; i++) {
    const s = (P.data[3 * i] as number) + (P.data[3 * i + 1] as number) + (P.data[3 * i + 2] as number);
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
  assert.equal(new SGDClassifier().predictProba, undefined, 'no probabilities for the hinge loss');
  const binY = clfTrain.y.map((v: number) => (v === 0 ? 'a' : 'b'));
  const bin = new SGDClassifier({ randomState: 0 }).fit(clfTrain.X, binY);
  assert.deepEqual(bin.classes, ['a', 'b']);
  assert.ok(bin.decisionFunction(clfTest.X) instanceof Float64Array);
  const r1 = new SGDRegressor({ randomState: 1 }).fit(regTrain.X, regTrain.y);
  const r2 = new SGDRegressor({ randomState: 1 }).fit(regTrain.X, regTrain.y);
  assert.deepEqual(Array.from(r1.coef!), Array.from(r2.coef!));
  const es = new SGDRegressor({ randomState: 1, earlyStopping: true }).fit(regTrain.X, regTrain.y);
  assert.ok(es.score(regTest.X, regTest.y) > 0.9);
  assert.throws(() => new SGDRegressor({ learningRate: 'constant', eta0: 0 }).fit(regTrain.X, regTrain.y), ValueError);
  assert.throws(() => new SGDRegressor({ loss: 'hinge' as never }).fit(regTrain.X, regTrain.y), ValueError);
  assert.throws(
    () =>
      new SGDClassifier().fit(
        clfTrain.X,
        clfTrain.y.map(() => 2),
      ),
    ValueError,
  );
});
