import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NumericalError, ShapeError, ValueError } from '../src/errors.js';
import { Linear, Sequential } from '../src/nn/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { pseudoLabel } from '../src/train/pseudo-label.js';

/** A "classifier" whose logits are its inputs: the identity Linear layer on 3 features. */
function identity(): Sequential {
  const layer = new Linear(3, 3, { bias: false });
  layer.parameters()[0].data.set([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  return new Sequential(layer);
}

const softmaxTop = (row: number[]): number => 1 / row.reduce((s, z) => s + Math.exp(z - Math.max(...row)), 0);

describe('pseudoLabel', () => {
  const rows = [
    [5, 0, 0], // class 0, very confident
    [0, 1, 0], // class 1, unsure
    [0, 0, 3], // class 2
    [4, 0, 0], // class 0, less confident than row 0
    [6, 0, 0], // class 0, most confident
  ];
  const x = new Tensor(Float32Array.from(rows.flat()), [5, 3]);

  it('labels every sample with its argmax and top softmax probability by default', () => {
    const p = pseudoLabel(identity(), x);
    assert.deepEqual(Array.from(p.indices), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(p.y.data), [0, 1, 2, 0, 0]);
    assert.equal(p.y.dtype, 'int32');
    rows.forEach((r, i) => assert.ok(Math.abs(p.confidence[i] - softmaxTop(r)) < 1e-6));
    assert.deepEqual(Array.from(p.x.data), rows.flat());
  });

  it('keeps the samples above the threshold, at most maxPerClass per class (the most confident), in input order', () => {
    const p = pseudoLabel(identity(), x, { threshold: 0.8, maxPerClass: 2, batchSize: 2 });
    // Row 1 is below 0.8; of class 0's rows 0, 3, 4 the two most confident are 4 and 0.
    assert.deepEqual(Array.from(p.indices), [0, 2, 4]);
    assert.deepEqual(Array.from(p.y.data), [0, 2, 0]);
    assert.deepEqual(p.x.shape, [3, 3]);
    assert.deepEqual(Array.from(p.x.data), [...rows[0], ...rows[2], ...rows[4]]);
    const none = pseudoLabel(identity(), x, { threshold: 1 });
    assert.equal(none.indices.length, 0);
    assert.deepEqual(none.x.shape, [0, 3]);
  });

  it('rejects hostile options, models and logits', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ threshold: 2 }, /threshold/],
      [{ threshold: Number.NaN }, /threshold/],
      [{ maxPerClass: 0 }, /maxPerClass/],
      [{ maxPerClass: 1.5 }, /maxPerClass/],
      [{ batchSize: 0 }, /batchSize/],
      [{ max_per_class: 3 }, /maxPerClass/],
    ];
    for (const [options, message] of bad)
      assert.throws(
        () => pseudoLabel(identity(), x, options),
        (e: Error) => e instanceof ValueError && message.test(e.message),
      );
    const nan = new Tensor(Float32Array.of(Number.NaN, 0, 0), [1, 3]);
    assert.throws(() => pseudoLabel(identity(), nan), NumericalError);
    const scalarModel = { call: (t: Tensor) => t.sum(), parameters: () => [], training: false, train() {}, eval() {} };
    assert.throws(() => pseudoLabel(scalarModel as unknown as Sequential, x), ShapeError);
  });
});
