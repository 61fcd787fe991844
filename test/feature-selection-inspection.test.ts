/** FunctionTransformer and permutationImportance: behaviour and hostile inputs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../src/errors.js';
import { permutationImportance } from '../src/inspection/index.js';
import { KNeighborsRegressor } from '../src/models/neighbors/index.js';
import { FunctionTransformer } from '../src/preprocessing/index.js';
import { Generator } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

describe('FunctionTransformer', () => {
  it('applies func and inverseFunc, with kwArgs', () => {
    const t = new FunctionTransformer({
      func: (X, kw) => ((X as Tensor).toArray() as number[][]).map((r: number[]) => r.map((v) => v * (kw!.scale as number))),
      inverseFunc: (X) => ((X as Tensor).toArray() as number[][]).map((r: number[]) => r.map((v) => v / 2)),
      validate: true,
      kwArgs: { scale: 2 },
    });
    const out = t.fitTransform([
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(out.toArray(), [
      [2, 4],
      [6, 8],
    ]);
    assert.deepEqual(t.inverseTransform(out).toArray(), [
      [1, 2],
      [3, 4],
    ]);
    assert.equal(t.nFeaturesIn, 2);
  });
  it('without func is the identity and returns a copy', () => {
    const X = new Tensor(Float64Array.of(1, 2, 3, 4), [2, 2]);
    const out = new FunctionTransformer().fit(X).transform(X);
    assert.deepEqual(Array.from(out.data), [1, 2, 3, 4]);
    assert.notEqual(out.data, X.data);
  });
  it('validate: true rejects NaN and a wrong width; a bad func output is a ValueError', () => {
    const t = new FunctionTransformer({ validate: true }).fit([[1, 2]]);
    assert.throws(() => t.transform([[Number.NaN, 1]]), ValueError);
    assert.throws(() => t.transform([[1, 2, 3]]), /features/);
    assert.throws(() => new FunctionTransformer({ func: () => 'text' }).fit([[1]]).transform([[1]]), ValueError);
    assert.throws(() => new FunctionTransformer({ func: 3 as never }).fit([[1]]), ValueError);
    assert.throws(() => new FunctionTransformer({ inverse_func: null } as never), /inverseFunc/);
  });
});

describe('permutationImportance', () => {
  const rng = new Generator(5);
  const X = Array.from({ length: 80 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = X.map((r) => 3 * r[0] + 0.2 * r[1]);
  const model = new KNeighborsRegressor({ nNeighbors: 3 }).fit(X, y);
  it('ranks the informative feature first; repeatable with a seed', () => {
    const a = permutationImportance(model, X, y, { nRepeats: 4, randomState: 0 });
    assert.deepEqual(a.importances.shape, [3, 4]);
    assert.ok(a.importancesMean[0] > a.importancesMean[1] && a.importancesMean[1] > a.importancesMean[2] - 0.05);
    const b = permutationImportance(model, X, y, { nRepeats: 4, randomState: 0 });
    assert.deepEqual(Array.from(b.importances.data), Array.from(a.importances.data));
    // mean and population std of each row
    const row = Array.from(a.importances.data.subarray(0, 4));
    const mean = row.reduce((s, v) => s + v, 0) / 4;
    assert.ok(Math.abs(a.importancesMean[0] - mean) < 1e-12);
    assert.ok(Math.abs(a.importancesStd[0] - Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / 4)) < 1e-12);
  });
  it('uses the scoring given and leaves X unchanged', () => {
    const copy = X.map((r) => r.slice());
    const r = permutationImportance(model, X, y, { scoring: 'neg_mean_squared_error', nRepeats: 2, randomState: 1 });
    assert.ok(r.importancesMean[0] > 0);
    assert.deepEqual(X, copy);
  });
  it('rejects bad options', () => {
    assert.throws(() => permutationImportance(model, X, y, { nRepeats: 0 }), ValueError);
    assert.throws(() => permutationImportance(model, X, y, { n_repeats: 2 } as never), /nRepeats/);
    assert.throws(() => permutationImportance(model, X, y.slice(1)), ValueError);
  });
});
