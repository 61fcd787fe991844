import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomHorizontalFlip } from '../src/augment/index.js';
import { LimitError, NumericalError, ShapeError, ValueError } from '../src/errors.js';
import { Linear, Sequential } from '../src/nn/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { MAX_VIEWS, predictTTA, type TestView } from '../src/train/tta.js';

/** A "classifier" whose logits are its inputs: the identity Linear layer on 3 features. */
function identity(): Sequential {
  const layer = new Linear(3, 3, { bias: false });
  layer.parameters()[0].data.set([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  return new Sequential(layer);
}

const softmax = (row: readonly number[]): number[] => {
  const m = Math.max(...row);
  const e = row.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

const rows = [
  [2, 0, 0],
  [0, 1, 3],
  [1, 1, 1],
  [-4, 5, 0],
  [0.5, 0, 2],
];
const x = new Tensor(Float32Array.from(rows.flat()), [5, 3]);
/** Swaps features 0 and 2 (a mirror image of a 1×3 "image"). */
const swap: TestView = (t) => {
  const out = Float32Array.from(t.data);
  for (let i = 0; i < t.shape[0]; i++) [out[i * 3], out[i * 3 + 2]] = [out[i * 3 + 2], out[i * 3]];
  return new Tensor(out, [...t.shape]);
};

function assertClose(actual: Tensor, expected: number[][]): void {
  assert.deepEqual(actual.shape, [expected.length, expected[0].length]);
  assert.equal(actual.dtype, 'float32');
  expected.flat().forEach((v, i) => assert.ok(Math.abs(actual.data[i] - v) < 1e-6, `element ${i}: ${actual.data[i]} vs ${v}`));
}

describe('predictTTA', () => {
  it('with the input as its only view gives the softmax of the logits', () => {
    assertClose(predictTTA(identity(), x, { views: [(t) => t] }), rows.map(softmax));
  });

  it('averages the softmax of every view, batch by batch, whatever the batch size', () => {
    const expected = rows.map((r) => {
      const a = softmax(r);
      const b = softmax([r[2], r[1], r[0]]);
      return a.map((v, k) => (v + b[k]) / 2);
    });
    assertClose(predictTTA(identity(), x, { views: [(t) => t, swap] }), expected);
    const inTwos = predictTTA(identity(), x, { views: [(t) => t, swap], batchSize: 2 });
    assert.deepEqual(Array.from(inTwos.data), Array.from(predictTTA(identity(), x, { views: [(t) => t, swap] }).data));
  });

  it('takes the image augmentations as views: a mirror image with p = 1 on a 1×1×3 image is the swap', () => {
    const images = new Tensor(x.data, [5, 1, 1, 3]);
    const flat = (t: Tensor): Tensor => t.reshape([t.shape[0], 3]);
    const mirror = randomHorizontalFlip({ p: 1, seed: 0 });
    const viaFlip = predictTTA(identity(), images, { views: [flat, (t) => flat(mirror(t))] });
    assert.deepEqual(Array.from(viaFlip.data), Array.from(predictTTA(identity(), x, { views: [(t) => t, swap] }).data));
  });

  it('keeps the model in the mode it was in', () => {
    const model = identity();
    model.train(true);
    predictTTA(model, x, { views: [(t) => t] });
    assert.equal(model.training, true);
  });

  it('rejects hostile options, views, models and logits with typed errors', () => {
    const model = identity();
    const bad: [unknown, new (...a: never[]) => Error, RegExp][] = [
      [undefined, ValueError, /views/],
      [{}, ValueError, /views/],
      [{ views: [] }, ValueError, /views/],
      [{ views: [(t: Tensor) => t, 3] }, ValueError, /views\[1\]/],
      [{ views: Array.from({ length: MAX_VIEWS + 1 }, () => (t: Tensor) => t) }, LimitError, /at most/],
      [{ views: [(t: Tensor) => t], batchSize: 0 }, ValueError, /batchSize/],
      [{ views: [(t: Tensor) => t], batch_size: 8 }, ValueError, /batchSize/],
      [{ views: [(t: Tensor) => new Tensor(t.data.slice(3), [t.shape[0] - 1, 3])] }, ShapeError, /views\[0\].*5 samples/],
      [{ views: [() => 'not a tensor'] }, ShapeError, /views\[0\]/],
    ];
    for (const [options, type, message] of bad)
      assert.throws(
        () => predictTTA(model, x, options as never),
        (e: Error) => e instanceof type && message.test(e.message),
        JSON.stringify(options, (_k, v) => (typeof v === 'function' ? 'fn' : v)),
      );
    assert.throws(() => predictTTA(model, 'x' as never, { views: [(t) => t] }), ValueError);
    // A view that changes the width: the model's shape error, never a silent average of mismatched rows.
    assert.throws(() => predictTTA(model, x, { views: [(t) => t, (t) => new Tensor(new Float32Array(t.shape[0] * 4), [t.shape[0], 4])] }), ShapeError);
    const nan = new Tensor(Float32Array.from([1, 0, 0, 0, Number.NaN, 0]), [2, 3]);
    assert.throws(
      () => predictTTA(model, nan, { views: [(t) => t] }),
      (e: Error) => e instanceof NumericalError && /sample 1/.test(e.message),
    );
    const inf = new Tensor(Float32Array.from([Number.POSITIVE_INFINITY, 0, 0]), [1, 3]);
    assert.throws(() => predictTTA(model, inf, { views: [(t) => t] }), NumericalError);
  });
});
