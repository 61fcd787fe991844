/**
 * The one-sample inference fast path (issue #18): a Sequential checks its
 * dense blocks once, when it plans them, and each call then goes straight
 * to the resident-weights kernels. Whatever the path, the values must be
 * the general path's to the bit, misuse must still give typed errors, and
 * changes made after the plan (weights, requiresGrad) must be followed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError } from '../src/errors.js';
import { Tensor, manualSeed, noGrad, randn } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';

/** The bench's model: 64 → 128 → 64 → 10 with ReLUs. */
function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
}

/** Rows like the digits' (about half of them zero, the rest in (0, 1]): the kernels skip zero inputs. */
function digitLikeRows(m: number): Tensor {
  const x = randn([m, 64]).data as Float32Array;
  for (let i = 0; i < x.length; i++) x[i] = x[i] < 0 ? 0 : Math.min(1, x[i]);
  return new Tensor(x, [m, 64]);
}

const row = (x: Tensor, r: number): Tensor => new Tensor((x.data as Float32Array).slice(r * x.shape[1], (r + 1) * x.shape[1]), [1, x.shape[1]]);
const valuesOf = (t: Tensor): number[] => [...t.data];

/** Each row of x alone (the fast path) next to all rows at once (more than the fast path's rows: the general GEMM). */
function rowsAloneAndTogether(model: nn.Module, x: Tensor): { alone: number[]; together: number[] } {
  return noGrad(() => {
    const alone: number[] = [];
    for (let r = 0; r < x.shape[0]; r++) alone.push(...valuesOf(model.call(row(x, r))));
    return { alone, together: valuesOf(model.call(x)) };
  });
}

describe('one-sample inference (planned dense blocks)', () => {
  it('gives a row alone the values it gets among 20 rows and under recording, bit for bit', () => {
    manualSeed(18);
    const model = mlp();
    model.eval();
    const x = digitLikeRows(20);
    const { alone, together } = rowsAloneAndTogether(model, x);
    assert.deepEqual(alone, together);
    assert.deepEqual(together, valuesOf(model.call(x).detach()));
    const probabilities = noGrad(() => model.call(row(x, 3)).softmax(1));
    assert.equal(probabilities.gradNode, null, 'nothing recorded under noGrad');
    assert.deepEqual(valuesOf(probabilities), valuesOf(model.call(row(x, 3)).softmax(1).detach()));
  });

  it('propagates NaN and ±Infinity in the input as the general path does', () => {
    manualSeed(19);
    const model = mlp();
    const x = digitLikeRows(12);
    const xs = x.data as Float32Array;
    xs[5] = Number.NaN;
    xs[64 + 7] = Number.POSITIVE_INFINITY;
    xs[128 + 9] = Number.NEGATIVE_INFINITY;
    const { alone, together } = rowsAloneAndTogether(model, x);
    assert.deepEqual(alone, together); // deepEqual compares NaN with Object.is: the same positions hold NaN
    assert.ok(alone.slice(0, 10).every(Number.isNaN), 'a NaN input makes every output NaN');
  });

  it('still rejects a wrong width, rank or dtype with a typed error, and answers correctly afterwards', () => {
    manualSeed(20);
    const model = mlp();
    const good = digitLikeRows(1);
    const before = noGrad(() => valuesOf(model.call(good)));
    noGrad(() => {
      assert.throws(() => model.call(randn([1, 65])), ShapeError);
      assert.throws(() => model.call(randn([1, 63])), ShapeError);
      assert.throws(() => model.call(new Tensor(new Float64Array(64), [1, 64])), DTypeError);
      assert.throws(() => model.call(new Tensor(new Int32Array(64), [1, 64])), DTypeError);
    });
    // A rank-1 or rank-3 input takes the general path, with the same values.
    const flat = new Tensor((good.data as Float32Array).slice(), [64]);
    assert.deepEqual(
      noGrad(() => valuesOf(model.call(flat))),
      before,
    );
    assert.deepEqual(
      noGrad(() => valuesOf(model.call(good.reshape([1, 1, 64])))),
      before,
    );
    assert.deepEqual(
      noGrad(() => valuesOf(model.call(good))),
      before,
    );
  });

  it('follows weight updates and requiresGrad changes made after the plan', () => {
    manualSeed(21);
    const model = mlp();
    const x = digitLikeRows(1);
    const y0 = noGrad(() => valuesOf(model.call(x))); // plans the block
    // An optimiser step changes the weights in place: the next call must see them.
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    model.call(x).sum().backward();
    optimizer.step();
    const y1 = noGrad(() => valuesOf(model.call(x)));
    assert.notDeepEqual(y1, y0);
    assert.deepEqual(y1, valuesOf(model.call(x).detach()));
    // Recording on: the output carries a graph back to the weights.
    const recorded = model.call(x);
    assert.ok(recorded.requiresGrad);
    // Frozen weights and recording on: nothing needs a gradient, so the fast path answers, with the same values.
    for (const p of model.parameters()) p.requiresGrad = false;
    const frozen = model.call(x);
    assert.equal(frozen.gradNode, null);
    assert.deepEqual(valuesOf(frozen), y1);
    // Unfrozen again: recorded again, and the gradient reaches the first weight.
    for (const p of model.parameters()) p.requiresGrad = true;
    model.zeroGrad();
    model.call(x).sum().backward();
    assert.ok((model.at(0) as nn.Linear).weight.grad !== null);
  });

  it('keeps two models called in turn apart (each kernel call finds its own weights)', () => {
    manualSeed(22);
    const a = mlp(),
      b = mlp();
    const x = digitLikeRows(8);
    const expectA = valuesOf(a.call(x).detach()),
      expectB = valuesOf(b.call(x).detach());
    for (let round = 0; round < 3; round++) {
      const gotA = noGrad(() => valuesOf(a.call(x)));
      const gotB = noGrad(() => valuesOf(b.call(x)));
      assert.deepEqual(gotA, expectA);
      assert.deepEqual(gotB, expectB);
    }
    // A layer swapped in replans the model.
    a.set(-1, new nn.Linear(64, 10));
    assert.deepEqual(
      noGrad(() => valuesOf(a.call(x))),
      valuesOf(a.call(x).detach()),
    );
  });
});

describe('linear: a bias that does not fit its weight', () => {
  it('is a ShapeError, on the fast path too (where it used to be written past the bias into the kernels’ memory)', () => {
    manualSeed(23);
    const w = new nn.Parameter(randn([10, 64]));
    const x = digitLikeRows(1);
    for (const bias of [randn([14]), randn([9]), randn([1, 10])]) {
      const b = new nn.Parameter(bias);
      assert.throws(() => noGrad(() => nn.linear(x, w, b)), ShapeError);
      assert.throws(() => nn.linear(x, w, b), ShapeError);
    }
    // The kernels' other residents are intact.
    const model = mlp();
    const { alone, together } = rowsAloneAndTogether(model, digitLikeRows(10));
    assert.deepEqual(alone, together);
  });
});

describe('Tensor shape', () => {
  it('is a frozen copy of the array given, checked entry by entry', () => {
    const dims = [2, 3];
    const t = new Tensor(new Float32Array(6), dims);
    dims[0] = 7;
    assert.deepEqual(t.shape, [2, 3]);
    assert.ok(Object.isFrozen(t.shape));
    assert.throws(() => new Tensor(new Float32Array(6), [2, 3.5]), ShapeError);
    assert.throws(() => new Tensor(new Float32Array(0), [-1, 0]), ShapeError);
    assert.throws(() => new Tensor(new Float32Array(6), '2,3' as unknown as number[]), ShapeError);
  });

  it('is one frozen array shared by the tensors of a two-dimensional shape made in turn, checked as any other', () => {
    const a = new Tensor(new Float32Array(6), [2, 3]);
    const b = new Tensor(new Float32Array(6), [2, 3]);
    assert.equal(a.shape, b.shape);
    assert.ok(Object.isFrozen(a.shape));
    assert.throws(() => (a.shape as number[]).push(1), TypeError);
    // Of any size or rank: a frozen copy, never the array given.
    for (const dims of [[1, 65536], [32768, 0], [6], [2, 3, 1], []]) {
      const t = new Tensor(new Float32Array(dims.reduce((n, d) => n * d, 1)), dims);
      assert.deepEqual(t.shape, dims);
      assert.ok(Object.isFrozen(t.shape));
      assert.notEqual(t.shape, dims);
    }
    // Entries that are no sizes are refused, and an object's valueOf is never called.
    let called = false;
    const sneaky = { valueOf: () => ((called = true), 2) };
    for (const dims of [[2, 3.5], [-2, 3], [Number.NaN, 1], ['2', 3], [true, 6], [sneaky, 3], [2, undefined], [2.5], [-0.5], [3, sneaky]]) {
      assert.throws(() => new Tensor(new Float32Array(6), dims as unknown as number[]), ShapeError, String(dims));
    }
    assert.equal(called, false);
    // -0 is a size of 0.
    assert.deepEqual(new Tensor(new Float32Array(0), [-0, 3]).shape, [0, 3]);
    // Shapes whose sizes hash to the same slot of the table (0·31 + 31 = 1·31 + 0) take turns in it.
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(new Tensor(new Float32Array(0), [0, 31]).shape, [0, 31]);
      assert.deepEqual(new Tensor(new Float32Array(0), [1, 0]).shape, [1, 0]);
    }
    // The table is bounded: many distinct shapes still come out right.
    for (let i = 0; i < 1000; i++) assert.deepEqual(new Tensor(new Float32Array(i), [1, i]).shape, [1, i]);
    assert.deepEqual(a.shape, [2, 3]);
  });
});
