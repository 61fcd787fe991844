import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadIris, loadDigits, loadFashionMnist, loadMnist } from '../src/datasets/loaders.js';
import { readCsv } from '../src/io/csv.js';
import { ParseError, FrugalError } from '../src/errors.js';
import { SHARED_DATA, idxBytes, sharedFile, skipNoShared, tempDir } from './helpers/data.js';

test('loadIris: 150 × 4 float32, 3 classes of 50, names and a description with source and licence', () => {
  const iris = loadIris();
  assert.deepEqual(iris.data.shape, [150, 4]);
  assert.equal(iris.data.dtype, 'float32');
  assert.equal(iris.target.dtype, 'int32');
  assert.deepEqual(iris.targetNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(iris.featureNames, ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
  const counts = [0, 0, 0];
  for (const c of iris.target.data) counts[c]++;
  assert.deepEqual(counts, [50, 50, 50]);
  assert.deepEqual(Array.from(loadIris({ dtype: 'float64' }).data.data.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]);
  assert.match(iris.description, /Fisher/);
  assert.match(iris.description, /Licence: public domain/);
});

test('loadDigits: 1 797 × 64 pixels in 0..16, digits 0..9', () => {
  const digits = loadDigits();
  assert.deepEqual(digits.data.shape, [1797, 64]);
  assert.deepEqual(digits.target.shape, [1797]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of digits.data.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, 0);
  assert.equal(max, 16);
  assert.deepEqual(Array.from(digits.target.data.subarray(0, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(digits.featureNames[9], 'pixel_1_1');
  assert.match(digits.description, /CC BY 4\.0/);
  assert.match(digits.description, /Alpaydin/);
  // Fresh tensors each call: changing one does not change the next.
  digits.data.data[0] = 99;
  assert.equal(loadDigits().data.data[0], 0);
});

test('built-in iris and digits equal ../shared/data/*.csv exactly', { skip: skipNoShared('iris.csv') || skipNoShared('digits.csv') }, async () => {
  const irisCsv = await readCsv(sharedFile('iris.csv')!, { target: 'species' });
  const iris = loadIris({ dtype: 'float64' });
  assert.deepEqual(Array.from(iris.data.data), Array.from(irisCsv.toMatrix().data));
  assert.deepEqual(Array.from(iris.target.data), Array.from(irisCsv.toTarget().data));
  const digitsCsv = await readCsv(sharedFile('digits.csv')!, { target: 'digit' });
  const digits = loadDigits({ dtype: 'float64' });
  assert.deepEqual(Array.from(digits.data.data), Array.from(digitsCsv.toMatrix().data));
  assert.deepEqual(Array.from(digits.target.data), Array.from(digitsCsv.toTarget().data));
});

function writeMnist(dir: string, n: number, opts: { gz?: boolean; labelCount?: number; badLabel?: boolean; prefix?: string } = {}): void {
  const px = Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7) % 256);
  const lab = Array.from({ length: opts.labelCount ?? n }, (_, i) => (opts.badLabel && i === 1 ? 10 : i % 10));
  const prefix = opts.prefix ?? 'train';
  const img = idxBytes(0x08, [n, 28, 28], px, 1);
  const lbl = idxBytes(0x08, [lab.length], lab, 1);
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${opts.gz ? '.gz' : ''}`), opts.gz ? gzipSync(img) : img);
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${opts.gz ? '.gz' : ''}`), opts.gz ? gzipSync(lbl) : lbl);
}

test('loadFashionMnist / loadMnist read IDX files from a folder, gzip or not, and check them', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = join(dir, 'a');
    mkdirSync(a);
    writeMnist(a, 5, { gz: true });
    writeMnist(a, 3, { prefix: 't10k' });
    const train = await loadFashionMnist(a);
    assert.deepEqual(train.data.shape, [5, 784]);
    assert.equal(train.data.dtype, 'float32');
    assert.ok(Math.abs(train.data.data[1] - 7 / 255) < 1e-7);
    assert.deepEqual(Array.from(train.target.data), [0, 1, 2, 3, 4]);
    assert.equal(train.targetNames[9], 'Ankle boot');
    assert.match(train.description, /MIT/);
    const test = await loadFashionMnist(a, { split: 'test', flatten: false, scale: false });
    assert.deepEqual(test.data.shape, [3, 1, 28, 28]);
    assert.equal(test.data.data[1], 7);
    const mnist = await loadMnist(a);
    assert.deepEqual(mnist.targetNames.slice(0, 3), ['0', '1', '2']);
    assert.match(mnist.description, /LeCun/);

    const b = join(dir, 'b');
    mkdirSync(b);
    writeMnist(b, 4, { labelCount: 3 });
    await assert.rejects(loadFashionMnist(b), (e: unknown) => e instanceof ParseError && /4 images but 3 labels/.test(e.message));
    writeMnist(b, 4, { badLabel: true });
    await assert.rejects(loadFashionMnist(b), /label 10 of sample 1/);
    await assert.rejects(loadFashionMnist(join(dir, 'a'), { split: 'validation' as 'train' }), /split must be/);
    await assert.rejects(loadFashionMnist(join(dir, 'nowhere')), (e: unknown) => e instanceof FrugalError && /no train-images-idx3-ubyte file/.test(e.message));
    // Wrong magic in the images file.
    const c = join(dir, 'c');
    mkdirSync(c);
    writeMnist(c, 2);
    writeFileSync(join(c, 'train-images-idx3-ubyte'), new TextEncoder().encode('<html>not found</html>'));
    await assert.rejects(loadFashionMnist(c), /not an IDX file/);
  } finally {
    cleanup();
  }
});

test('loadFashionMnist on ../shared/data/fashion-mnist: shapes, labels, speed', { skip: skipNoShared('fashion-mnist/train-images-idx3-ubyte.gz') }, async () => {
  const dir = join(SHARED_DATA, 'fashion-mnist');
  const t0 = performance.now();
  const train = await loadFashionMnist(dir);
  const ms = performance.now() - t0;
  assert.deepEqual(train.data.shape, [60000, 784]);
  assert.deepEqual(train.target.shape, [60000]);
  // The first training labels of Fashion-MNIST, as published.
  assert.deepEqual(Array.from(train.target.data.subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  const counts = new Array(10).fill(0);
  for (const c of train.target.data) counts[c]++;
  assert.deepEqual(counts, new Array(10).fill(6000));
  let max = 0;
  for (let i = 0; i < 784 * 100; i++) max = Math.max(max, train.data.data[i]);
  assert.ok(max <= 1 && max > 0.9);
  const test = await loadFashionMnist(dir, { split: 'test' });
  assert.deepEqual(test.data.shape, [10000, 784]);
  console.log(`# loadFashionMnist(train): ${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000, `loading took ${ms.toFixed(0)} ms`);
});
