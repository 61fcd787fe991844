import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compose,
  cutmix,
  cutout,
  gaussianNoise,
  jitter,
  mixup,
  randAugment,
  RAND_AUGMENT_OPS,
  randomCrop,
  randomErasing,
  randomHorizontalFlip,
  randomRotation,
  randomTranslate,
  randomVerticalFlip,
  scaling,
  timeWarp,
  windowSlice,
} from '../src/augment/index.js';
import { affinePlane, inverseAffine, shiftPlane } from '../src/augment/planes.js';
import { DataLoader } from '../src/datasets/dataloader.js';
import { TensorDataset } from '../src/datasets/dataset.js';
import { DTypeError, ShapeError, ValueError } from '../src/errors.js';
import { crossEntropy } from '../src/nn/index.js';
import { Generator } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

/** A batch [n, c, h, w] of distinct values (float64 unless asked). */
function images(n: number, c: number, h: number, w: number, dtype: 'float32' | 'float64' = 'float64', seed = 0): Tensor {
  const g = new Generator(seed);
  const d = dtype === 'float32' ? new Float32Array(n * c * h * w) : new Float64Array(n * c * h * w);
  for (let i = 0; i < d.length; i++) d[i] = g.random();
  return new Tensor(d, [n, c, h, w]);
}

function sample(x: Tensor, i: number): number[] {
  const row = x.size / x.shape[0];
  return Array.from(x.data.subarray(i * row, (i + 1) * row));
}

/** The sample after shifting each plane by (dx, dy). */
function shifted(x: Tensor, i: number, dx: number, dy: number, mode: 'zero' | 'reflect'): number[] {
  const [, c, h, w] = x.shape;
  const src = new Float64Array(sample(x, i));
  const dst = new Float64Array(src.length);
  for (let ch = 0; ch < c; ch++) shiftPlane(src, dst, ch * h * w, h, w, dx, dy, mode);
  return Array.from(dst);
}

describe('image augmentations: exact results', () => {
  it('horizontal and vertical flips mirror the image; flipping twice is the identity', () => {
    const x = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [1, 1, 2, 3]);
    assert.deepEqual(Array.from(randomHorizontalFlip({ p: 1, seed: 0 })(x).data), [3, 2, 1, 6, 5, 4]);
    assert.deepEqual(Array.from(randomVerticalFlip({ p: 1, seed: 0 })(x).data), [4, 5, 6, 1, 2, 3]);
    const big = images(8, 3, 5, 7);
    const flip = randomHorizontalFlip({ p: 1, seed: 0 });
    assert.deepEqual(Array.from(flip(flip(big)).data), Array.from(big.data));
    assert.deepEqual(Array.from(randomHorizontalFlip({ p: 0, seed: 0 })(big).data), Array.from(big.data));
  });

  it('the shift kernel moves the content by whole pixels, filling with zeros or a mirror image', () => {
    const src = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dst = new Float64Array(9);
    shiftPlane(src, dst, 0, 3, 3, 1, 0, 'zero');
    assert.deepEqual(Array.from(dst), [0, 1, 2, 0, 4, 5, 0, 7, 8]);
    shiftPlane(src, dst, 0, 3, 3, -1, 1, 'reflect');
    assert.deepEqual(Array.from(dst), [5, 6, 5, 2, 3, 2, 5, 6, 5]);
    shiftPlane(src, dst, 0, 3, 3, 0, -5, 'zero');
    assert.deepEqual(Array.from(dst), new Array(9).fill(0));
  });

  it('randomTranslate and randomCrop shift each sample by its own offset within the bound', () => {
    const x = images(12, 2, 6, 5);
    for (const [t, max, mode] of [
      [randomTranslate({ maxShift: 2, padding: 'reflect', seed: 3 }), 2, 'reflect'],
      [randomCrop({ padding: 3, seed: 4 }), 3, 'zero'],
    ] as const) {
      const y = t(x);
      const offsets = new Set<string>();
      for (let i = 0; i < 12; i++) {
        let found: string | null = null;
        for (let dx = -max; dx <= max && !found; dx++) {
          for (let dy = -max; dy <= max && !found; dy++) if (sample(y, i).every((v, j) => v === shifted(x, i, dx, dy, mode)[j])) found = `${dx},${dy}`;
        }
        assert.ok(found, `sample ${i} is not a shift of its input by at most ${max}`);
        offsets.add(found);
      }
      assert.ok(offsets.size > 3, 'the samples draw their own offsets');
    }
    assert.deepEqual(Array.from(randomTranslate({ maxShift: 0, seed: 0 })(x).data), Array.from(x.data));
  });

  it('rotation by 0 is the identity; by 90 degrees it turns the image counter-clockwise', () => {
    const x = images(4, 2, 7, 7, 'float32');
    assert.deepEqual(Array.from(randomRotation({ degrees: 0, seed: 1 })(x).data), Array.from(x.data));
    const src = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dst = new Float64Array(9);
    affinePlane(src, dst, 0, 3, 3, inverseAffine(3, 3, 90, 0, 0, 0, 0), 0);
    assert.deepEqual(
      Array.from(dst, (v) => Math.round(v * 1e9) / 1e9),
      [3, 6, 9, 2, 5, 8, 1, 4, 7],
    );
    // A small angle interpolates: values stay within the input's range, the centre pixel is kept.
    const y = randomRotation({ degrees: 10, seed: 2 })(x);
    for (let i = 0; i < y.size; i++) assert.ok(y.data[i] >= 0 && y.data[i] <= 1);
    assert.equal(y.data[3 * 7 + 3], x.data[3 * 7 + 3]);
  });

  it('randomErasing sets one rectangle per chosen sample, of an area in the scale range', () => {
    const x = new Tensor(new Float64Array(6 * 2 * 10 * 10).fill(1), [6, 2, 10, 10]);
    const y = randomErasing({ p: 1, scale: [0.1, 0.2], value: -1, seed: 5 })(x);
    for (let i = 0; i < 6; i++) {
      const s = sample(y, i);
      const erased: [number, number][] = [];
      for (let j = 0; j < 100; j++) if (s[j] === -1) erased.push([Math.floor(j / 10), j % 10]);
      assert.ok(erased.length >= 8 && erased.length <= 25, `area ${erased.length}`);
      const ys = erased.map((p) => p[0]),
        xs = erased.map((p) => p[1]);
      const box = (Math.max(...ys) - Math.min(...ys) + 1) * (Math.max(...xs) - Math.min(...xs) + 1);
      assert.equal(box, erased.length, 'the erased pixels form a rectangle');
      assert.deepEqual(s.slice(100), s.slice(0, 100), 'every channel is erased alike');
    }
    assert.ok(
      x.data.every((v) => v === 1),
      'the input is not modified',
    );
    assert.deepEqual(Array.from(randomErasing({ p: 0, seed: 5 })(x).data), Array.from(x.data));
  });

  it('cutout zeroes a size×size square, clipped at the border', () => {
    const x = new Tensor(new Float64Array(40 * 8 * 8).fill(1), [40, 1, 8, 8]);
    const y = cutout({ size: 4, seed: 1 })(x);
    for (let i = 0; i < 40; i++) {
      const zeros = sample(y, i).filter((v) => v === 0).length;
      assert.ok(zeros >= 4 && zeros <= 16, `sample ${i}: ${zeros} pixels cut`);
    }
    assert.ok(Array.from({ length: 40 }, (_, i) => sample(y, i).filter((v) => v === 0).length).includes(16));
  });

  it('gaussianNoise: std 0 is the identity, clip bounds the result, the noise has the asked spread', () => {
    const x = images(4, 1, 16, 16);
    assert.deepEqual(Array.from(gaussianNoise({ std: 0, seed: 1 })(x).data), Array.from(x.data));
    const clipped = gaussianNoise({ std: 1, clip: [0, 1], seed: 1 })(x);
    assert.ok(clipped.data.every((v) => v >= 0 && v <= 1));
    const z = new Tensor(new Float64Array(20000), [20000, 1]);
    const n = Array.from(gaussianNoise({ std: 0.5, seed: 2 })(z).data);
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const sd = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
    assert.ok(Math.abs(mean) < 0.02 && Math.abs(sd - 0.5) < 0.02, `mean ${mean}, sd ${sd}`);
  });
});

describe('randAugment', () => {
  it('each operation keeps values in [0, maxValue], shape and dtype', () => {
    const x = images(6, 1, 9, 9, 'float32');
    for (const op of RAND_AUGMENT_OPS) {
      const y = randAugment({ n: 3, magnitude: 1, ops: [op], seed: 1 })(x);
      assert.deepEqual(y.shape, x.shape);
      assert.equal(y.dtype, 'float32');
      for (let i = 0; i < y.size; i++) assert.ok(y.data[i] >= 0 && y.data[i] <= 1 + 1e-6, `${op}: ${y.data[i]}`);
    }
  });

  it('identity, magnitude 0 geometry and n = 0 leave the images unchanged', () => {
    const x = images(5, 2, 6, 6);
    assert.deepEqual(Array.from(randAugment({ ops: ['identity'], seed: 1 })(x).data), Array.from(x.data));
    assert.deepEqual(Array.from(randAugment({ n: 0, seed: 1 })(x).data), Array.from(x.data));
    assert.deepEqual(Array.from(randAugment({ magnitude: 0, ops: ['rotate', 'shearX', 'translateY', 'solarize', 'brightness'], seed: 1 })(x).data), Array.from(x.data));
  });

  it('solarize at full strength inverts every value; autoContrast stretches to [0, max]', () => {
    const x = images(3, 1, 5, 5);
    const s = randAugment({ n: 1, magnitude: 1, ops: ['solarize'], seed: 0 })(x);
    for (let i = 0; i < x.size; i++) assert.ok(Math.abs(s.data[i] - (x.data[i] > 0 ? 1 - x.data[i] : x.data[i])) < 1e-12);
    const a = randAugment({ n: 1, ops: ['autoContrast'], maxValue: 255, seed: 0 })(x);
    for (let i = 0; i < 3; i++) {
      const v = sample(a, i);
      assert.ok(Math.abs(Math.min(...v)) < 1e-9 && Math.abs(Math.max(...v) - 255) < 1e-9);
    }
  });

  it('rejects unknown operations and out-of-range strengths', () => {
    assert.throws(() => randAugment({ ops: ['blur' as never] }), ValueError);
    assert.throws(() => randAugment({ magnitude: Number.NaN }), ValueError);
    assert.throws(() => randAugment({ magnitude: 2 }), ValueError);
    assert.throws(() => randAugment({ n: -1 }), ValueError);
    assert.throws(() => randAugment({ ops: [] }), ValueError);
  });
});

describe('augmentations: seeds, shapes, inputs', () => {
  const factories = {
    hflip: (seed: number) => randomHorizontalFlip({ seed }),
    translate: (seed: number) => randomTranslate({ maxShift: 2, seed }),
    rotation: (seed: number) => randomRotation({ seed }),
    noise: (seed: number) => gaussianNoise({ seed }),
    erasing: (seed: number) => randomErasing({ seed }),
    cutout: (seed: number) => cutout({ seed }),
    randAugment: (seed: number) => randAugment({ seed, magnitude: 1 }),
  };

  it('a seed reproduces the draws; successive calls and samples draw anew; the input is kept', () => {
    const x = images(16, 1, 8, 8);
    const same = new Tensor(
      new Float64Array(16 * 64).fill(0).map((_, i) => (i % 64) / 64),
      [16, 1, 8, 8],
    );
    const before = Array.from(x.data);
    for (const [name, make] of Object.entries(factories)) {
      const a = make(7),
        b = make(7);
      const a1 = a(x);
      assert.deepEqual(Array.from(a1.data), Array.from(b(x).data), `${name}: same seed, same result`);
      assert.notDeepEqual(Array.from(a(x).data), Array.from(a1.data), `${name}: a second call draws anew`);
      const y = make(1)(same);
      const distinct = new Set(Array.from({ length: 16 }, (_, i) => sample(y, i).join(',')));
      assert.ok(distinct.size > 1, `${name}: identical samples are augmented independently`);
      assert.deepEqual(Array.from(x.data), before, `${name}: the input is not modified`);
    }
  });

  it('keep the shape and dtype; accept a batch [x, y] as a DataLoader batchTransform', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = images(3, 2, 5, 4, dtype);
      for (const make of Object.values(factories)) {
        const y = make(0)(x);
        assert.deepEqual(y.shape, [3, 2, 5, 4]);
        assert.equal(y.dtype, dtype);
      }
    }
    const x = images(10, 1, 4, 4, 'float32');
    const labels = new Tensor(new Int32Array(10), [10]);
    const loader = new DataLoader(new TensorDataset(x, labels), { batchSize: 4, batchTransform: compose(randomHorizontalFlip({ seed: 0 }), randomTranslate({ seed: 1 })) });
    const batches = [...loader];
    assert.deepEqual(
      batches.map((b) => b[0].shape),
      [
        [4, 1, 4, 4],
        [4, 1, 4, 4],
        [2, 1, 4, 4],
      ],
    );
    assert.equal(batches[0][1].dtype, 'int32');
  });

  it('reject hostile inputs and options with typed errors', () => {
    const x = images(2, 1, 4, 4);
    assert.throws(() => randomHorizontalFlip({ p: 1.5 }), ValueError);
    assert.throws(() => randomHorizontalFlip({ p: Number.NaN }), ValueError);
    assert.throws(() => randomHorizontalFlip({ p: -0.1 }), ValueError);
    assert.throws(() => randomCrop({ padding: -1 }), ValueError);
    assert.throws(() => randomCrop({ padding: 1.5 }), ValueError);
    assert.throws(() => randomTranslate({ padding: 'wrap' as never }), ValueError);
    assert.throws(() => randomRotation({ degrees: Number.POSITIVE_INFINITY }), ValueError);
    assert.throws(() => gaussianNoise({ std: -1 }), ValueError);
    assert.throws(() => gaussianNoise({ clip: [1, 0] }), ValueError);
    assert.throws(() => randomErasing({ scale: [0.5, 0.1] }), ValueError);
    assert.throws(() => randomErasing({ ratio: [0, 1] }), ValueError);
    assert.throws(() => cutout({ size: -2 }), ValueError);
    assert.throws(() => randomHorizontalFlip({ seed: 1, generator: new Generator(1) }), ValueError);
    assert.throws(() => randomHorizontalFlip({ max_shift: 2 } as never), /maxShift|valid/);
    assert.throws(() => compose(1 as never), ValueError);
    assert.throws(() => randomHorizontalFlip()(images(2, 1, 4, 4).reshape([2, 16])), ShapeError);
    assert.throws(() => randomRotation()(new Tensor(new Int32Array(16), [1, 1, 4, 4])), DTypeError);
    assert.throws(() => randomHorizontalFlip()('x' as never), ValueError);
    assert.throws(() => gaussianNoise()(new Tensor(new Float64Array(1), [])), ShapeError);
    assert.ok(randomHorizontalFlip()(x));
  });
});

describe('mixup and CutMix', () => {
  /** n samples, each a constant image of value i, with class i. */
  function constantBatch(n: number): [Tensor, Tensor] {
    const x = new Float64Array(n * 16);
    for (let i = 0; i < n; i++) x.fill(i, i * 16, (i + 1) * 16);
    return [
      new Tensor(x, [n, 1, 4, 4]),
      new Tensor(
        Int32Array.from({ length: n }, (_, i) => i),
        [n],
      ),
    ];
  }

  it('mixup blends each image with a partner in the proportions of its soft label', () => {
    const [x, y] = constantBatch(6);
    const [xm, ym] = mixup({ numClasses: 6, alpha: 0.4, seed: 3 })([x, y]);
    assert.deepEqual(ym.shape, [6, 6]);
    assert.equal(ym.dtype, 'float64');
    for (let i = 0; i < 6; i++) {
      const w = sample(ym, i);
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'a label row sums to 1');
      const expected = w.reduce((acc, wk, k) => acc + wk * k, 0);
      for (const v of sample(xm, i)) assert.ok(Math.abs(v - expected) < 1e-12);
    }
  });

  it('CutMix pastes a box of the partner; the label weight is the share of pixels taken', () => {
    const [x, y] = constantBatch(5);
    let mixedSomewhere = false;
    for (let seed = 0; seed < 5; seed++) {
      const [xm, ym] = cutmix({ numClasses: 5, seed })([x, y]);
      for (let i = 0; i < 5; i++) {
        const pixels = sample(xm, i);
        const w = sample(ym, i);
        for (let k = 0; k < 5; k++) {
          const share = pixels.filter((v) => v === k).length / 16;
          assert.ok(Math.abs(w[k] - share) < 1e-12, `seed ${seed}, sample ${i}, class ${k}: weight ${w[k]}, pixels ${share}`);
        }
        if (w[i] < 1) mixedSomewhere = true;
      }
    }
    assert.ok(mixedSomewhere);
  });

  it('cross entropy on mixed labels is the λ-blend of the two cross entropies, with matching gradients', () => {
    const [x, y] = constantBatch(4);
    const [, ym] = mixup({ numClasses: 4, seed: 1 })([x, y]);
    const g = new Generator(9);
    const logits = new Tensor(
      Float64Array.from({ length: 16 }, () => g.normal()),
      [4, 4],
      { requiresGrad: true },
    );
    const loss = crossEntropy(logits, ym);
    // Blend of the per-class losses: Σ_k w_k·CE(logits, k), averaged over rows.
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      const row = sample(logits.detach(), i);
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      sample(ym, i).forEach((w, k) => (expected += (w * (lse - row[k])) / 4));
    }
    assert.ok(Math.abs(loss.item() - expected) < 1e-12);
    loss.backward();
    const h = 1e-6;
    for (let j = 0; j < 16; j++) {
      const shifted = (d: number): number => {
        const v = logits.data.slice() as Float64Array;
        v[j] += d;
        return crossEntropy(new Tensor(v, [4, 4]), ym).item();
      };
      const fd = (shifted(h) - shifted(-h)) / (2 * h);
      assert.ok(Math.abs(fd - logits.grad!.data[j]) < 1e-7, `d/dlogit ${j}: ${logits.grad!.data[j]} vs ${fd}`);
    }
  });

  it('validates the batch, labels and options', () => {
    const [x, y] = constantBatch(3);
    assert.throws(() => mixup({ alpha: 0 }), ValueError);
    assert.throws(() => mixup({ p: 2 }), ValueError);
    assert.throws(() => mixup({ numClasses: 0 }), ValueError);
    assert.throws(() => mixup()([x, y]), /numClasses/);
    assert.throws(() => mixup({ numClasses: 2 })([x, y]), /out of range/);
    assert.throws(() => mixup({ numClasses: 3 })([x, new Tensor(new Int32Array(2), [2])]), ShapeError);
    assert.throws(() => cutmix({ numClasses: 3 })([x.reshape([3, 16]), y]), ShapeError);
    assert.throws(() => mixup({ numClasses: 3 })(x as never), ValueError);
    // Soft labels pass through and mix again.
    const soft = new Tensor(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3]);
    const [, again] = mixup({ seed: 0 })([x, soft]);
    assert.deepEqual(again.shape, [3, 3]);
  });
});

describe('sequence augmentations', () => {
  function ramp(n: number, t: number, f: number): Tensor {
    const d = new Float64Array(n * t * f);
    for (let i = 0; i < n; i++) for (let s = 0; s < t; s++) for (let k = 0; k < f; k++) d[(i * t + s) * f + k] = s * (k + 1);
    return new Tensor(d, [n, t, f]);
  }

  it('with zero strength each is the identity', () => {
    const x = ramp(3, 20, 2);
    for (const t of [jitter({ sigma: 0, seed: 1 }), scaling({ sigma: 0, seed: 1 }), timeWarp({ sigma: 0, seed: 1 }), windowSlice({ ratio: 1, seed: 1 })]) {
      assert.deepEqual(Array.from(t(x).data), Array.from(x.data));
    }
  });

  it('scaling multiplies each feature of a sequence by one factor over time', () => {
    const x = ramp(4, 10, 3);
    const y = scaling({ sigma: 0.3, seed: 2 })(x);
    for (let i = 0; i < 4; i++) {
      for (let k = 0; k < 3; k++) {
        const factor = y.data[(i * 10 + 1) * 3 + k] / x.data[(i * 10 + 1) * 3 + k];
        for (let s = 1; s < 10; s++) assert.ok(Math.abs(y.data[(i * 10 + s) * 3 + k] - factor * x.data[(i * 10 + s) * 3 + k]) < 1e-9);
      }
    }
  });

  it('timeWarp keeps the ends and the order in time; windowSlice stretches a window back to T steps', () => {
    const x = ramp(6, 50, 1);
    const w = timeWarp({ sigma: 0.5, seed: 3 })(x);
    let changed = false;
    for (let i = 0; i < 6; i++) {
      const s = sample(w, i);
      assert.ok(Math.abs(s[0]) < 1e-9 && Math.abs(s[49] - 49) < 1e-9, 'the ends stay');
      for (let j = 1; j < 50; j++) assert.ok(s[j] > s[j - 1], 'time runs forward');
      if (s.some((v, j) => Math.abs(v - j) > 0.5)) changed = true;
    }
    assert.ok(changed, 'the warping moves some steps');
    const ws = windowSlice({ ratio: 0.5, seed: 4 })(x);
    for (let i = 0; i < 6; i++) {
      const s = sample(ws, i);
      assert.ok(Math.abs(s[49] - s[0] - 24) < 1e-9, 'a window of 25 steps');
      for (let j = 1; j < 50; j++) assert.ok(Math.abs(s[j] - s[j - 1] - 24 / 49) < 1e-9, 'stretched evenly');
    }
  });

  it('reject hostile options and inputs', () => {
    assert.throws(() => jitter({ sigma: -1 }), ValueError);
    assert.throws(() => scaling({ sigma: Number.NaN }), ValueError);
    assert.throws(() => timeWarp({ knots: 1.5 }), ValueError);
    assert.throws(() => windowSlice({ ratio: 0 }), ValueError);
    assert.throws(() => windowSlice({ ratio: 1.2 }), ValueError);
    assert.throws(() => timeWarp()(images(1, 1, 2, 2)), ShapeError);
    assert.throws(() => jitter()(new Tensor(new Int32Array(4), [1, 2, 2])), DTypeError);
  });
});
