import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AbortError, Generator, manualSeed, NumericalError, ParseError, Tensor, ValueError } from '../src/index.js';
import { GAN, ganCheckpointFromBytes, ganCheckpointToBytes, mlpDiscriminator, mlpGenerator, type GanCheckpoint } from '../src/gan/index.js';
import { discriminatorLoss, gradientPenalty, Targets } from '../src/gan/losses.js';
import { bceWithLogits, LeakyReLU, Linear, linear, Sequential } from '../src/nn/index.js';
import { grad } from '../src/autograd/graph.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

/** n points on a ring of 8 Gaussians (radius 2, sd 0.05), mode i % 8. */
function ring(n: number, seed: number): Tensor {
  const g = new Generator(seed);
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * (i % 8)) / 8;
    x[2 * i] = 2 * Math.cos(a) + 0.05 * g.normal();
    x[2 * i + 1] = 2 * Math.sin(a) + 0.05 * g.normal();
  }
  return new Tensor(x, [n, 2]);
}

/** Two classes in 2-D: class 0 around (−2, 0), class 1 around (2, 0). */
function twoClasses(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 2),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x[2 * i] = (y[i] ? 2 : -2) + 0.2 * g.normal();
    x[2 * i + 1] = 0.2 * g.normal();
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

function smallGan(seed: number, extra: Partial<ConstructorParameters<typeof GAN>[0]> = {}, classes = 0): GAN {
  manualSeed(seed);
  return new GAN({
    generator: mlpGenerator({ latentDim: 4, outFeatures: 2, hidden: [16], numClasses: classes, output: 'none' }),
    discriminator: mlpDiscriminator({ inFeatures: 2, hidden: [16], numClasses: classes, dropout: 0.1 }),
    latentDim: 4,
    numClasses: classes,
    seed: seed + 1,
    ...extra,
  });
}

function assertSameWeights(a: Map<string, Tensor>, b: Map<string, Tensor>): void {
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [k, t] of a) assert.deepEqual(Array.from(b.get(k)!.data), Array.from(t.data), k);
}

describe('GAN trainer', () => {
  it('covers all 8 modes of a ring of Gaussians', async () => {
    manualSeed(1);
    const gan = new GAN({
      generator: mlpGenerator({ latentDim: 8, outFeatures: 2, hidden: [64, 64], output: 'none' }),
      discriminator: mlpDiscriminator({ inFeatures: 2, hidden: [64, 64] }),
      latentDim: 8,
      lr: 1e-3,
      seed: 1,
    });
    const history = await gan.fit(ring(2048, 3), { steps: 1500, batchSize: 64, verbose: 0, logEvery: 500 });
    assert.deepEqual(history.steps, [500, 1000, 1500]);
    for (const key of ['lossD', 'lossG', 'dReal', 'dFake']) assert.equal(history.get(key).length, 3);
    // D(x) and D(G(z)) are probabilities; at an equilibrium neither side wins outright.
    for (const v of [...history.get('dReal'), ...history.get('dFake')]) assert.ok(v > 0.05 && v < 0.95, `D verdict ${v}`);
    const s = gan.sample(1000, { seed: 2 }).data;
    const counts = new Array<number>(8).fill(0);
    let near = 0;
    for (let i = 0; i < 1000; i++) {
      for (let k = 0; k < 8; k++) {
        const a = (2 * Math.PI * k) / 8;
        if (Math.hypot(s[2 * i] - 2 * Math.cos(a), s[2 * i + 1] - 2 * Math.sin(a)) < 0.5) {
          counts[k]++;
          near++;
        }
      }
    }
    for (let k = 0; k < 8; k++) assert.ok(counts[k] >= 20, `mode ${k} got ${counts[k]} of 1000 samples (counts ${counts.join(' ')})`);
    assert.ok(near >= 500, `only ${near} of 1000 samples near a mode`);
  });

  it('resumes from a checkpoint bit for bit (weights, optimisers, noise, batch order, dropout, history)', async () => {
    const data = twoClasses(200, 4);
    const straight = smallGan(10, {}, 2);
    let bytes: Uint8Array | null = null;
    await straight.fit(data, { steps: 30, batchSize: 16, verbose: 0, logEvery: 5, checkpointEvery: 12, onCheckpoint: (c) => void (bytes ??= ganCheckpointToBytes(c)) });
    assert.ok(bytes);
    const ckpt = ganCheckpointFromBytes(bytes);
    assert.equal(ckpt.step, 12);
    // A fresh GAN with other initial weights and another seed: everything comes from the checkpoint.
    const resumed = smallGan(99, {}, 2);
    manualSeed(12345);
    const history = await resumed.fit(data, { steps: 30, batchSize: 16, verbose: 0, logEvery: 5, resumeFrom: bytes });
    assertSameWeights(straight.generator.stateDict(), resumed.generator.stateDict());
    assertSameWeights(straight.discriminator.stateDict(), resumed.discriminator.stateDict());
    assert.deepEqual(history.history, straight.history.history);
    assert.deepEqual(history.steps, [5, 10, 15, 20, 25, 30]);
    assert.deepEqual(Array.from(resumed.sample(5, { seed: 3 }).data), Array.from(straight.sample(5, { seed: 3 }).data));
  });

  it('refuses a hostile checkpoint and leaves the GAN as it was', async () => {
    const data = twoClasses(64, 4);
    const gan = smallGan(3);
    await gan.fit(data.x, { steps: 3, batchSize: 16, verbose: 0 });
    const good = gan.checkpoint();
    const bytes = ganCheckpointToBytes(good);
    assert.throws(() => ganCheckpointFromBytes(bytes.subarray(0, bytes.length - 7)), ParseError);
    const before = gan.generator.stateDict();
    const notPermutation: GanCheckpoint = { ...good, rows: { order: new Tensor(new Int32Array(64).fill(1), [64]), position: 0 } };
    await assert.rejects(gan.fit(data.x, { steps: 5, batchSize: 16, verbose: 0, resumeFrom: notPermutation }), /not a permutation/);
    const otherData: GanCheckpoint = {
      ...good,
      rows: {
        order: new Tensor(
          Int32Array.from({ length: 10 }, (_, i) => i),
          [10],
        ),
        position: 0,
      },
    };
    await assert.rejects(gan.fit(data.x, { steps: 5, batchSize: 16, verbose: 0, resumeFrom: otherData }), /same data/);
    const wrongShape: GanCheckpoint = { ...good, generator: new Map([...good.generator].map(([k]) => [k, new Tensor(new Float32Array(3), [3])])) };
    await assert.rejects(gan.fit(data.x, { steps: 5, batchSize: 16, verbose: 0, resumeFrom: wrongShape }), /shape/);
    assertSameWeights(before, gan.generator.stateDict());
    assert.throws(() => ganCheckpointFromBytes(ganCheckpointToBytes({ ...good, step: -1 })), ParseError);
    const noRandom = { ...good, random: { gan: good.random.gan } };
    await assert.rejects(gan.fit(data.x, { steps: 5, batchSize: 16, verbose: 0, resumeFrom: noRandom }), /no state for the global random generator/);
  });

  it('conditional GAN: sample(n, { label }) draws samples of that class', async () => {
    const gan = smallGan(5, { lr: 2e-3 }, 2);
    await gan.fit(twoClasses(400, 6), { steps: 400, batchSize: 32, verbose: 0 });
    const meanX = (t: Tensor): number => {
      let s = 0;
      for (let i = 0; i < t.shape[0]; i++) s += t.data[2 * i];
      return s / t.shape[0];
    };
    const zeros = gan.sample(200, { label: 0, seed: 1 }),
      ones = gan.sample(200, { label: 1, seed: 1 });
    assert.deepEqual(zeros.shape, [200, 2]);
    assert.ok(meanX(zeros) < -1, `class 0 samples centred at x = ${meanX(zeros)}`);
    assert.ok(meanX(ones) > 1, `class 1 samples centred at x = ${meanX(ones)}`);
    const mixed = gan.sample(4, { label: [1, 0, 1, 0], seed: 1 });
    assert.ok(mixed.data[0] > 0 && mixed.data[2] < 0);
    assert.deepEqual(Array.from(gan.sample(3, { label: 1, seed: 7 }).data), Array.from(gan.sample(3, { label: 1, seed: 7 }).data));
    assert.throws(() => gan.sample(3, { label: 2 }), ValueError);
    assert.throws(() => gan.sample(3, { label: [0, 1] }), /2 labels for 3 samples/);
    assert.throws(() => gan.sample(0), ValueError);
  });

  it('Wasserstein loss with gradient penalty trains and records the penalty', async () => {
    const gan = smallGan(7, { loss: 'wasserstein' });
    assert.equal(gan.dSteps, 5);
    const history = await gan.fit(ring(256, 1), { steps: 20, batchSize: 32, verbose: 0, logEvery: 10 });
    for (const key of ['lossD', 'lossG', 'dReal', 'dFake', 'gradientPenalty']) for (const v of history.get(key)) assert.ok(Number.isFinite(v), key);
    assert.ok(history.get('gradientPenalty').every((v) => v >= 0));
  });

  it('the gradient penalty differentiates through the gradient (finite differences, float64)', () => {
    const real = randomF64([5, 3]).detach(),
      fake = randomF64([5, 3]).detach();
    const penalty = (w1: Tensor, b1: Tensor, w2: Tensor): Tensor => gradientPenalty((x) => linear(linear(x, w1, b1).tanh(), w2, null), real, fake, new Generator(11));
    gradcheck('gradientPenalty', penalty, [randomF64([4, 3]), randomF64([4]), randomF64([1, 4])], { atol: 1e-6, rtol: 1e-5 });
  });

  it('label smoothing moves the real target to 1 − s', () => {
    const dReal = new Tensor(Float64Array.of(0.3, -1, 2), [3, 1]),
      dFake = new Tensor(Float64Array.of(-0.5, 0.1, 1), [3, 1]);
    const got = discriminatorLoss('nonSaturating', dReal, dFake, 0.9, new Targets('float64')).item();
    const full = (v: number): Tensor => new Tensor(new Float64Array(3).fill(v), [3, 1]);
    const expected = bceWithLogits(dReal, full(0.9)).item() + bceWithLogits(dFake, full(0)).item();
    assert.ok(Math.abs(got - expected) < 1e-12);
    assert.throws(() => smallGan(1, { labelSmoothing: 1 }), ValueError);
    assert.throws(() => smallGan(1, { labelSmoothing: 0.1, loss: 'wasserstein' }), ValueError);
  });

  it('stops with a NumericalError before a NaN reaches the discriminator', async () => {
    manualSeed(2);
    const generator = new Sequential(new Linear(4, 2));
    (generator.parameters()[0] as Tensor).data.fill(NaN);
    const gan = new GAN({ generator, discriminator: mlpDiscriminator({ inFeatures: 2, hidden: [8] }), latentDim: 4, seed: 1 });
    const before = gan.discriminator.stateDict();
    await assert.rejects(gan.fit(ring(64, 1), { steps: 5, batchSize: 16, verbose: 0 }), NumericalError);
    assertSameWeights(before, gan.discriminator.stateDict());
  });

  it('checks its options and data', async () => {
    assert.throws(() => smallGan(1, { latent_dim: 4 } as never), /latentDim/);
    assert.throws(() => smallGan(1, { loss: 'hinge' as never }), ValueError);
    assert.throws(() => smallGan(1, { dSteps: 0 }), ValueError);
    assert.throws(() => smallGan(1, { gradientPenalty: 5 }), /wasserstein/);
    assert.throws(() => new GAN({ generator: {} as never, discriminator: new Linear(2, 1), latentDim: 2 }), ValueError);
    const gan = smallGan(1);
    const x = ring(32, 1);
    await assert.rejects(gan.fit(x, { steps: 2, batch_size: 8 } as never), /batchSize/);
    await assert.rejects(gan.fit(x, { steps: 0 }), ValueError);
    await assert.rejects(gan.fit(x, { steps: 2, batchSize: 33 }), /larger than the 32 samples/);
    await assert.rejects(gan.fit(new Tensor(Float32Array.of(1, NaN), [1, 2]), { steps: 1, batchSize: 1 }), /NaN/);
    await assert.rejects(gan.fit({ x, y: new Tensor(new Int32Array(32), [32]) }, { steps: 1, verbose: 0, batchSize: 8 }), /unconditional/);
    await assert.rejects(gan.fit(x, { steps: 2, checkpointEvery: 1 }), /checkpointPath or onCheckpoint/);
    const conditional = smallGan(1, {}, 2);
    await assert.rejects(conditional.fit(x, { steps: 1, batchSize: 8 }), /needs \{ x, y \}/);
    await assert.rejects(conditional.fit({ x, y: new Tensor(new Int32Array(32).fill(2), [32]) }, { steps: 1, batchSize: 8 }), /label 2 at row 0/);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(gan.fit(x, { steps: 2, batchSize: 8, signal: controller.signal }), AbortError);
    assert.throws(() => mlpGenerator({ latentDim: 2, outFeatures: 2, hidden: [0] }), ValueError);
    assert.throws(() => mlpDiscriminator({ inFeatures: 2, dropout: 1 }), ValueError);
    assert.throws(() => gan.sample(2, { label: 0 }), /conditional/);
  });

  it('stops when onLog returns false, keeping modules in their previous modes', async () => {
    const gan = smallGan(2);
    gan.generator.eval();
    const history = await gan.fit(ring(64, 1), { steps: 10, batchSize: 16, verbose: 0, logEvery: 2, onLog: (step) => step < 4 });
    assert.deepEqual(history.steps, [2, 4]);
    assert.equal(gan.step, 4);
    assert.equal(gan.generator.training, false);
    assert.equal(gan.discriminator.training, true);
  });
});

describe('LeakyReLU backward', () => {
  it('the one-pass gradient (nothing recorded) equals the recorded product bit for bit, float32 and float64', () => {
    const g = new Generator(5);
    for (const dtype of ['float32', 'float64'] as const) {
      const n = 257;
      const make = (): Float32Array | Float64Array => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
      const xs = make().map(() => g.normal()),
        ws = make().map(() => g.normal());
      const x = new Tensor(xs, [n], { requiresGrad: true });
      const weights = new Tensor(ws, [n]);
      const layer = new LeakyReLU(0.2);
      const [fast] = grad(layer.call(x).mul(weights).sum(), [x]);
      const [recorded] = grad(layer.call(x).mul(weights).sum(), [x], { createGraph: true });
      assert.equal(fast.dtype, dtype);
      assert.deepEqual(Array.from(fast.data), Array.from(recorded.data));
    }
  });
});
