/**
 * Upsample and its functional form: gradients against finite differences
 * (first and second order, float64), float32, hostile options and shapes,
 * saving/loading. Values against PyTorch are in
 * test/fixtures/torch-convt.json, run by nn-torch.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, LimitError, modelFromBytes, modelToBytes, ShapeError, Tensor, ValueError } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const r = randomF64;

describe('upsample passes gradcheck to second order', () => {
  const cases: [string, nn.UpsampleOptions, number[]][] = [
    ['nearest ×2', { scaleFactor: 2 }, [1, 2, 2, 3]],
    ['nearest to a size (down and up)', { size: [5, 2] }, [2, 1, 3, 4]],
    ['bilinear ×2', { scaleFactor: 2, mode: 'bilinear' }, [1, 2, 3, 2]],
    ['bilinear alignCorners', { size: [4, 5], mode: 'bilinear', alignCorners: true }, [1, 1, 3, 3]],
    ['bilinear ×[1.5, 0.7]', { scaleFactor: [1.5, 0.7], mode: 'bilinear' }, [2, 1, 3, 5]],
  ];
  for (const [name, options, shape] of cases) {
    it(name, () => {
      // The product with x makes the second derivative of this linear op non-zero.
      gradcheck(`upsample ${name}`, (x) => nn.upsample(x, options).square(), [r(shape)], { secondOrder: true });
    });
  }
});

describe('Upsample', () => {
  it('repeats pixels (nearest) and interpolates (bilinear) as PyTorch does on a small ramp', () => {
    const x = new Tensor(Float32Array.from([0, 1, 2, 3]), [1, 1, 2, 2]);
    assert.deepEqual([...new nn.Upsample({ scaleFactor: 2 }).call(x).data], [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    // align_corners=True on [0, 1] to 3 points: 0, 0.5, 1 (torch.nn.Upsample(size=(1, 3), mode='bilinear', align_corners=True)).
    const row = new Tensor(Float32Array.from([0, 1]), [1, 1, 1, 2]);
    assert.deepEqual([...new nn.Upsample({ size: [1, 3], mode: 'bilinear', alignCorners: true }).call(row).data], [0, 0.5, 1]);
    // align_corners=False on [0, 1] ×2: 0, 0.25, 0.75, 1.
    assert.deepEqual([...new nn.Upsample({ scaleFactor: [1, 2], mode: 'bilinear' }).call(row).data], [0, 0.25, 0.75, 1]);
  });

  it('keeps the dtype: float32 in, float32 out, close to float64', () => {
    const x = r([2, 3, 4, 5]);
    const layer = new nn.Upsample({ scaleFactor: 1.6, mode: 'bilinear' });
    const y32 = layer.call(x.astype('float32'));
    assert.equal(y32.dtype, 'float32');
    const y64 = layer.call(x);
    for (let i = 0; i < y64.size; i++) assert.ok(Math.abs(y32.data[i] - y64.data[i]) < 1e-6);
  });

  it('rejects bad options', () => {
    const bad: [unknown, RegExp][] = [
      [{}, /exactly one of size and scaleFactor/],
      [{ size: 4, scaleFactor: 2 }, /exactly one/],
      [{ scaleFactor: 2, alignCorners: true }, /alignCorners applies to mode 'bilinear'/],
      [{ scaleFactor: 2, mode: 'bicubic' }, /mode must be 'nearest' or 'bilinear'/],
      [{ scaleFactor: Number.NaN }, /scaleFactor must be a finite number > 0/],
      [{ scaleFactor: [2, 0] }, /scaleFactor/],
      [{ scaleFactor: [2, 2, 2] }, /pair/],
      [{ size: [3, 2.5] }, /size must be a positive integer/],
      [{ scale_factor: 2 }, /scaleFactor/],
      [{ scaleFactor: 2, mode: 'bilinear', alignCorners: 'yes' }, /alignCorners must be a boolean/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => new nn.Upsample(options as nn.UpsampleOptions),
        (e: Error) => e instanceof ValueError && message.test(e.message),
        JSON.stringify(options),
      );
    }
  });

  it('rejects bad inputs and refuses outputs it cannot allocate', () => {
    const layer = new nn.Upsample({ scaleFactor: 2 });
    assert.throws(
      () => layer.call(r([3, 4, 5])),
      (e: Error) => e instanceof ShapeError && /4-D input \[N, C, H, W\], got shape \[3, 4, 5\]/.test(e.message),
    );
    assert.throws(() => layer.call(new Tensor(Int32Array.from([1, 2]), [1, 1, 1, 2])), DTypeError);
    assert.throws(
      () => new nn.Upsample({ scaleFactor: 0.2 }).call(r([1, 1, 3, 3])),
      (e: Error) => e instanceof ShapeError && /empty output 0×0/.test(e.message),
    );
    assert.throws(() => new nn.Upsample({ scaleFactor: 1e12 }).call(r([1, 1, 2, 2])), LimitError);
    assert.throws(
      () => new nn.Upsample({ scaleFactor: [3e4, 3e4] }).call(r([2, 1, 2, 2])),
      (e: Error) => e instanceof LimitError && /output \[2, 1, 60000, 60000\]/.test(e.message),
    );
  });

  it('saves and loads through the layer registry and the model file', () => {
    const model = new nn.Sequential(new nn.Upsample({ size: [5, 6], mode: 'bilinear', alignCorners: true }), new nn.Upsample({ scaleFactor: [2, 1.5] }));
    const back = modelFromBytes(modelToBytes(model));
    assert.equal(JSON.stringify(nn.moduleToConfig(back)), JSON.stringify(nn.moduleToConfig(model)));
    const x = new Tensor(
      Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)),
      [1, 1, 3, 4],
    );
    assert.deepEqual([...back.call(x).data], [...model.call(x).data]);
    assert.deepEqual([...back.call(x).shape], [1, 1, 10, 9]);
  });
});
