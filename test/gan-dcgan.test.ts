import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, Tensor, ValueError } from '../src/index.js';
import { GAN, ganCheckpointFromBytes, ganCheckpointToBytes } from '../src/gan/index.js';
import { dcganDiscriminator, dcganGenerator } from '../src/gan/dcgan.js';
import { loadDigits } from '../src/datasets/loaders.js';

/** The first n 8×8 digits as images [n, 1, 8, 8] scaled to [−1, 1], with their labels. */
function digitImages(n: number): { x: Tensor; y: Tensor } {
  const { data, target } = loadDigits();
  const x = new Float32Array(n * 64);
  for (let i = 0; i < n * 64; i++) x[i] = data.data[i] / 8 - 1;
  return { x: new Tensor(x, [n, 1, 8, 8]), y: new Tensor(Int32Array.from(target.data.subarray(0, n)), [n]) };
}

function conditionalDcgan(seed: number): GAN {
  manualSeed(seed);
  return new GAN({
    generator: dcganGenerator({ imageSize: 8, latentDim: 8, width: 4, classes: 10 }),
    discriminator: dcganDiscriminator({ imageSize: 8, width: 4, classes: 10 }),
    latentDim: 8,
    numClasses: 10,
    conditioning: 'module',
    seed: seed + 1,
  });
}

function same(a: Map<string, Tensor>, b: Map<string, Tensor>): void {
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [k, t] of a) assert.deepEqual(Array.from(b.get(k)!.data), Array.from(t.data), k);
}

describe('GAN trainer with a conditional DCGAN (labels passed to the modules)', () => {
  const data = digitImages(120);

  it('trains on 8×8 digits and samples images [n, 1, 8, 8] of the asked class, repeatably', async () => {
    const gan = conditionalDcgan(1);
    const history = await gan.fit(data, { steps: 6, batchSize: 16, verbose: 0, logEvery: 3 });
    assert.deepEqual(history.steps, [3, 6]);
    for (const key of ['lossD', 'lossG', 'dReal', 'dFake']) for (const v of history.get(key)) assert.ok(Number.isFinite(v), `${key} ${v}`);
    const images = gan.sample(5, { label: 7, seed: 3 });
    assert.deepEqual(images.shape, [5, 1, 8, 8]);
    for (const v of images.data) assert.ok(v >= -1 && v <= 1);
    assert.deepEqual(Array.from(gan.sample(5, { label: 7, seed: 3 }).data), Array.from(images.data));
    // The label reaches G: another class from the same noise gives other images.
    assert.notDeepEqual(Array.from(gan.sample(5, { label: 2, seed: 3 }).data), Array.from(images.data));
    // Same seeds, same run.
    const again = conditionalDcgan(1);
    await again.fit(data, { steps: 6, batchSize: 16, verbose: 0, logEvery: 3 });
    same(gan.generator.stateDict(), again.generator.stateDict());
    assert.deepEqual(again.history.history, history.history);
  });

  it('resumes from a checkpoint bit for bit', async () => {
    const straight = conditionalDcgan(5);
    let bytes: Uint8Array | null = null;
    await straight.fit(data, { steps: 8, batchSize: 16, verbose: 0, logEvery: 2, checkpointEvery: 4, onCheckpoint: (c) => void (bytes ??= ganCheckpointToBytes(c)) });
    assert.ok(bytes);
    assert.equal(ganCheckpointFromBytes(bytes).step, 4);
    const resumed = conditionalDcgan(77);
    manualSeed(4321);
    const history = await resumed.fit(data, { steps: 8, batchSize: 16, verbose: 0, logEvery: 2, resumeFrom: bytes });
    same(straight.generator.stateDict(), resumed.generator.stateDict());
    same(straight.discriminator.stateDict(), resumed.discriminator.stateDict());
    assert.deepEqual(history.history, straight.history.history);
    assert.deepEqual(Array.from(resumed.sample(4, { seed: 9 }).data), Array.from(straight.sample(4, { seed: 9 }).data));
  });

  it('refuses a mismatch between the modules and the conditioning', () => {
    const g = () => dcganGenerator({ imageSize: 8, latentDim: 8, width: 4, classes: 10 });
    const d = () => dcganDiscriminator({ imageSize: 8, width: 4, classes: 10 });
    // One-hot concatenation would feed a self-conditioning module the wrong input.
    assert.throws(() => new GAN({ generator: g(), discriminator: d(), latentDim: 8, numClasses: 10 }), /conditioning: 'module'/);
    assert.throws(() => new GAN({ generator: g(), discriminator: d(), latentDim: 8, numClasses: 3, conditioning: 'module' }), /numClasses: 10/);
    assert.throws(() => new GAN({ generator: g(), discriminator: d(), latentDim: 8, numClasses: 10, conditioning: 'labels' as 'module' }), ValueError);
    assert.throws(
      () => new GAN({ generator: dcganGenerator({ imageSize: 8, latentDim: 8 }), discriminator: dcganDiscriminator({ imageSize: 8 }), latentDim: 8, conditioning: 'module' }),
      /conditional GAN only/,
    );
  });
});
