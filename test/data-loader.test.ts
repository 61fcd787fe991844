import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataLoader, collate, prefetchAhead } from '../src/datasets/dataloader.js';
import { ArrayDataset, IterableDataset, Subset, TensorDataset, type Dataset, type Sample } from '../src/datasets/dataset.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import { ShapeError, ValueError, DTypeError } from '../src/errors.js';
import { gc } from './helpers/data.js';

function xy(n: number, d: number): TensorDataset {
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = i;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i;
  return new TensorDataset(new Tensor(x, [n, d]), new Tensor(y, [n]));
}

const labels = (batches: Iterable<Sample>): number[][] => Array.from(batches, ([, y]) => Array.from(y.data));

test('DataLoader batches in order, with the last batch short unless dropLast', () => {
  const ds = xy(10, 3);
  const loader = new DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.deepEqual(
    batches.map(([x]) => x.shape),
    [
      [4, 3],
      [4, 3],
      [2, 3],
    ],
  );
  assert.deepEqual(Array.from(batches[1][0].data.subarray(0, 3)), [12, 13, 14]);
  assert.deepEqual(labels(batches), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
    [8, 9],
  ]);
  const drop = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(drop.length, 2);
  assert.deepEqual(labels(drop), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ]);
  assert.deepEqual(labels(new DataLoader(ds, { batchSize: 20 })), [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  assert.deepEqual(labels(new DataLoader(ds, { batchSize: 20, dropLast: true })), []);
});

test('shuffle: a permutation each epoch; a seed repeats the run; manualSeed drives the default', () => {
  const ds = xy(50, 2);
  const a = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 42 });
  const e1 = labels(a).flat();
  const e2 = labels(a).flat();
  assert.deepEqual(
    [...e1].sort((p, q) => p - q),
    Array.from({ length: 50 }, (_, i) => i),
    'every sample once',
  );
  assert.notDeepEqual(
    e1,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.notDeepEqual(e1, e2, 'epochs differ');
  const b = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 42 });
  assert.deepEqual(labels(b).flat(), e1, 'same seed, same first epoch');
  assert.deepEqual(labels(b).flat(), e2, 'and same second epoch');
  // Features travel with their labels.
  for (const [x, y] of a) for (let i = 0; i < y.size; i++) assert.equal(x.data[2 * i], 2 * y.data[i]);
  // Without seed: the global generator.
  const c = new DataLoader(ds, { batchSize: 8, shuffle: true });
  manualSeed(7);
  const g1 = labels(c).flat();
  manualSeed(7);
  assert.deepEqual(labels(c).flat(), g1);
  const gen = new Generator(3);
  const d = new DataLoader(ds, { batchSize: 50, shuffle: true, generator: gen });
  const d1 = labels(d).flat();
  gen.seed(3);
  assert.deepEqual(labels(d).flat(), d1);
});

test('transform per sample and batchTransform per batch', () => {
  const ds = xy(6, 2);
  const seen: number[] = [];
  const loader = new DataLoader(ds, {
    batchSize: 4,
    transform: ([x, y], i) => {
      seen.push(i);
      const d = Float32Array.from(x.data, (v) => v * 10);
      return [new Tensor(d, x.shape), y];
    },
    batchTransform: ([x, y]) => [x, y, new Tensor(new Float32Array([x.shape[0]]), [1])],
  });
  const batches = [...loader];
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(batches[0][0].data.subarray(0, 4)), [0, 10, 20, 30]);
  assert.equal(batches[0].length, 3);
  assert.deepEqual(Array.from(batches[1][2].data), [2]);
});

test('collate stacks along a new axis and rejects mismatched samples', () => {
  const s = (v: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(v), shape);
  const [b] = collate([[s([1, 2, 3, 4], [2, 2])], [s([5, 6, 7, 8], [2, 2])]]);
  assert.deepEqual(b.shape, [2, 2, 2]);
  assert.deepEqual(Array.from(b.data), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(() => collate([[s([1, 2], [2])], [s([1, 2, 3], [3])]]), ShapeError);
  assert.throws(() => collate([[s([1, 2], [2])], [s([1, 2], [1, 2])]]), ShapeError);
  assert.throws(() => collate([[s([1], [1])], [new Tensor(new Int32Array([1]), [1])]]), DTypeError);
  assert.throws(() => collate([[s([1], [1])], []]), ShapeError);
  assert.throws(() => collate([]), ValueError);
});

test('ArrayDataset: nested arrays, typed arrays with a shape (bytes kept, scaled per batch)', () => {
  const ds = new ArrayDataset(
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    [0, 1, 1],
  );
  const [x, y] = [...new DataLoader(ds, { batchSize: 3 })][0];
  assert.equal(x.dtype, 'float32');
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(x.data), [1, 2, 3, 4, 5, 6]);
  assert.equal(new ArrayDataset([[1], [2]], [0.5, 1]).get(0)[1].dtype, 'float32', 'non-integer targets are float');
  const px = new Uint8Array([0, 255, 51, 102]);
  const img = new ArrayDataset({ data: px, shape: [2, 1, 2] }, { data: new Uint8Array([3, 4]), shape: [2] }, { scale: 1 / 255 });
  const [xb, yb] = img.getBatch([1, 0]);
  assert.deepEqual(xb.shape, [2, 1, 2]);
  assert.equal(xb.dtype, 'float32');
  assert.ok(Math.abs(xb.data[0] - 0.2) < 1e-6 && xb.data[3] === 1);
  assert.equal(yb.dtype, 'int32');
  assert.deepEqual(Array.from(yb.data), [4, 3]);
  assert.throws(() => new ArrayDataset([[1, 2], [3]]), ShapeError);
  assert.throws(() => new ArrayDataset([[1], [2]], [1]), ShapeError);
  assert.throws(() => new TensorDataset(new Tensor(new Float32Array(4), [4]), new Tensor(new Float32Array(3), [3])), ShapeError);
  assert.throws(() => ds.get(3), ValueError);
});

test('Subset maps indices and keeps the fast batch path', () => {
  const sub = new Subset(xy(10, 1), [9, 2, 5]);
  assert.equal(sub.length, 3);
  assert.deepEqual(labels(new DataLoader(sub, { batchSize: 2 })), [[9, 2], [5]]);
  assert.throws(() => new Subset(xy(3, 1), [3]), ValueError);
});

test('options are validated', () => {
  const ds = xy(4, 1);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), ValueError);
  assert.throws(() => new DataLoader(ds, { batchSize: 2.5 }), ValueError);
  assert.throws(() => new DataLoader(ds, { prefetch: -1 }), ValueError);
  assert.throws(() => new DataLoader(ds, { seed: 1, generator: new Generator(1) }), ValueError);
  assert.throws(() => new DataLoader({} as Dataset), ValueError);
  assert.throws(() => [...new DataLoader(new IterableDataset([[]]))], /for await/);
});

test('async iteration: same batches as sync; async datasets are fetched ahead (prefetch)', async () => {
  const ds = xy(20, 2);
  const sync = labels(new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 5 }));
  const got: number[][] = [];
  for await (const [, y] of new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 5 })) got.push(Array.from(y.data));
  assert.deepEqual(got, sync);

  // A lazily loaded data set: each get() resolves after a delay.
  let started = 0;
  const slow: Dataset = {
    length: 12,
    get: async (i: number) => {
      started++;
      await new Promise((r) => setTimeout(r, 5));
      return [new Tensor(new Float32Array([i]), [1])];
    },
  };
  assert.throws(() => [...new DataLoader(slow, { batchSize: 4 })], /for await/);
  started = 0;
  const loader = new DataLoader(slow, { batchSize: 4, prefetch: 1 });
  const startedWhenYielded: number[] = [];
  for await (const [x] of loader) {
    // Let the prefetch run while "the model works".
    await new Promise((r) => setTimeout(r, 30));
    startedWhenYielded.push(started);
    assert.equal(x.shape[0], 4);
  }
  // While batch 0 was being consumed, batch 1 was already fetched: 8 samples started.
  assert.deepEqual(startedWhenYielded, [8, 12, 12]);
  started = 0;
  const noPrefetch: number[] = [];
  for await (const _ of new DataLoader(slow, { batchSize: 4, prefetch: 0 })) {
    await new Promise((r) => setTimeout(r, 30));
    noPrefetch.push(started);
  }
  assert.deepEqual(noPrefetch, [4, 8, 12]);
});

test('IterableDataset streams: batching, dropLast, shuffle buffer with a seed, early stop closes the source', async () => {
  let closed = 0;
  const source = () =>
    (async function* () {
      try {
        for (let i = 0; i < 23; i++) yield [new Tensor(new Float32Array([i, -i]), [2]), new Tensor(new Int32Array([i]), [])];
      } finally {
        closed++;
      }
    })();
  const ds = new IterableDataset(source);
  const plain: number[][] = [];
  for await (const [, y] of new DataLoader(ds, { batchSize: 5 })) plain.push(Array.from(y.data));
  assert.deepEqual(
    plain.map((b) => b.length),
    [5, 5, 5, 5, 3],
  );
  assert.deepEqual(
    plain.flat(),
    Array.from({ length: 23 }, (_, i) => i),
  );
  const dropped: number[] = [];
  for await (const [x] of new DataLoader(ds, { batchSize: 5, dropLast: true })) dropped.push(x.shape[0]);
  assert.deepEqual(dropped, [5, 5, 5, 5]);
  const shuffled = async (seed: number): Promise<number[]> => {
    const out: number[] = [];
    for await (const [, y] of new DataLoader(ds, { batchSize: 4, shuffle: true, seed, shuffleBuffer: 8 })) out.push(...y.data);
    return out;
  };
  const s1 = await shuffled(1);
  assert.deepEqual(
    [...s1].sort((a, b) => a - b),
    Array.from({ length: 23 }, (_, i) => i),
  );
  assert.notDeepEqual(s1, plain.flat());
  assert.deepEqual(await shuffled(1), s1);
  closed = 0;
  for await (const _ of new DataLoader(ds, { batchSize: 2, prefetch: 3 })) break;
  assert.equal(closed, 1, 'source closed when the loop stops early');
  // A sync iterable works as a source too; a throwing source surfaces its error.
  const arr = new IterableDataset([[new Tensor(new Float32Array([1]), [1])], [new Tensor(new Float32Array([2]), [1])]]);
  for await (const [x] of new DataLoader(arr, { batchSize: 2 })) assert.deepEqual(Array.from(x.data), [1, 2]);
  const broken = new IterableDataset(async function* () {
    yield [new Tensor(new Float32Array([1]), [1])];
    throw new Error('disk on fire');
  });
  await assert.rejects(async () => {
    for await (const _ of new DataLoader(broken, { batchSize: 1 })) void _;
  }, /disk on fire/);
});

test('prefetchAhead keeps at most depth items ahead', async () => {
  let produced = 0;
  async function* src(): AsyncGenerator<number> {
    for (let i = 0; i < 10; i++) {
      produced++;
      yield i;
    }
  }
  const seenAhead: number[] = [];
  for await (const v of prefetchAhead(src(), 2)) {
    await new Promise((r) => setImmediate(r));
    seenAhead.push(produced - v - 1);
  }
  assert.ok(Math.max(...seenAhead) <= 3, `ahead by ${Math.max(...seenAhead)}`);
  assert.ok(Math.max(...seenAhead) >= 1, 'some work was done ahead');
});

test('memory: an epoch over 60 000 × 784 in batches of 64 holds only a few batches at once', async () => {
  // Fashion-MNIST-sized data kept as bytes (47 MB), handed out as float32 batches.
  const n = 60_000;
  const d = 784;
  const pixels = new Uint8Array(n * d);
  for (let i = 0; i < pixels.length; i += 97) pixels[i] = i & 255;
  const lab = new Uint8Array(n);
  for (let i = 0; i < n; i++) lab[i] = i % 10;
  const ds = new ArrayDataset({ data: pixels, shape: [n, d] }, { data: lab, shape: [n] }, { scale: 1 / 255 });
  const batchBytes = 64 * d * 4;
  const check = async (name: string, iterate: (onBatch: (x: Tensor) => void) => Promise<void>): Promise<void> => {
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let count = 0;
    let seen = 0;
    const t0 = performance.now();
    await iterate((x) => {
      seen += x.shape[0];
      if (++count % 100 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      }
    });
    const ms = performance.now() - t0;
    assert.equal(seen, n);
    assert.equal(count, 938);
    // The permutation (240 kB) plus a few batches (200 kB each); far below one copy of the data (188 MB).
    assert.ok(peak < 6 * batchBytes + 4 * n, `${name}: ${(peak / 1e6).toFixed(2)} MB held during the epoch`);
    console.log(`# ${name}: epoch ${ms.toFixed(0)} ms (with a gc every 100 batches), peak held ${(peak / 1e6).toFixed(2)} MB`);
  };
  const loader = new DataLoader(ds, { batchSize: 64, shuffle: true, seed: 0, prefetch: 2 });
  await check('sync', async (on) => {
    for (const [x] of loader) on(x);
  });
  await check('async + prefetch', async (on) => {
    for await (const [x] of loader) on(x);
  });
  const stream = new IterableDataset(function* () {
    for (let i = 0; i < n; i++) yield ds.get(i);
  });
  await check('stream', async (on) => {
    for await (const [x] of new DataLoader(stream, { batchSize: 64, prefetch: 2 })) on(x);
  });
});

test("shuffleGenerator: the loader's own seeded generator (what fit checkpoints), null with the global one", () => {
  const ds = new ArrayDataset(Array.from({ length: 6 }, (_, i) => i));
  const seeded = new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 7 });
  assert.ok(seeded.shuffleGenerator instanceof Generator);
  const given = new Generator(3);
  assert.equal(new DataLoader(ds, { batchSize: 2, shuffle: true, generator: given }).shuffleGenerator, given);
  assert.equal(new DataLoader(ds, { batchSize: 2, shuffle: true }).shuffleGenerator, null);
});
