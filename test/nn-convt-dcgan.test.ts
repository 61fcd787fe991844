/**
 * The DCGAN-style generator and discriminator (src/gan/dcgan.ts): shapes for
 * every supported image size, conditional inputs, a training step that
 * lowers a loss, saving/loading, and hostile options and inputs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, dcganDiscriminator, dcganGenerator, manualSeed, modelFromBytes, modelToBytes, randn, ShapeError, Tensor, ValueError } from '../src/index.js';
import * as nn from '../src/nn/index.js';

const labels = (values: number[]): Tensor => new Tensor(Int32Array.from(values), [values.length]);

describe('DCGAN generator and discriminator', () => {
  for (const imageSize of [8, 16, 28, 32] as const) {
    it(`${imageSize}×${imageSize}: z → images in [−1, 1] → one logit each, unconditional and conditional`, () => {
      manualSeed(1);
      for (const classes of [undefined, 3]) {
        const g = dcganGenerator({ latentDim: 5, channels: 3, imageSize, width: 4, classes });
        const d = dcganDiscriminator({ channels: 3, imageSize, width: 4, classes });
        const y = classes ? labels([0, 2]) : undefined;
        const images = g.call(randn([2, 5]), ...(y ? [y] : []));
        assert.deepEqual([...images.shape], [2, 3, imageSize, imageSize]);
        assert.ok([...images.data].every((v) => v >= -1 && v <= 1));
        const logits = d.call(images, ...(y ? [y] : []));
        assert.deepEqual([...logits.shape], [2, 1]);
      }
    });
  }

  it('lays out DCGAN: widths double inwards, the last generator layer and the first discriminator layer have no BatchNorm', () => {
    const g = dcganGenerator({ latentDim: 10, imageSize: 32, width: 8 });
    const convs = [...g.net.children()].map(([, m]) => m).filter((m): m is nn.ConvTranspose2d => m instanceof nn.ConvTranspose2d);
    assert.deepEqual(
      convs.map((c) => [c.inChannels, c.outChannels, c.stride[0]]),
      [
        [10, 32, 1],
        [32, 16, 2],
        [16, 8, 2],
        [8, 1, 2],
      ],
    );
    const d = dcganDiscriminator({ imageSize: 28, width: 8 });
    const kinds = [...d.net.children()].map(([, m]) => m.constructor.name);
    assert.deepEqual(kinds, ['Conv2d', 'LeakyReLU', 'Conv2d', 'BatchNorm2d', 'LeakyReLU', 'Conv2d', 'Flatten']);
    const critic = dcganDiscriminator({ imageSize: 16, batchNorm: false });
    assert.ok(![...critic.net.children()].some(([, m]) => m instanceof nn.BatchNorm2d));
  });

  it('one Adam step on each lowers its loss (generator towards a target image, discriminator on real vs generated)', () => {
    manualSeed(2);
    const g = dcganGenerator({ latentDim: 8, imageSize: 16, width: 8, classes: 2 });
    const d = dcganDiscriminator({ imageSize: 16, width: 8, classes: 2 });
    const z = randn([8, 8]);
    const y = labels([0, 1, 0, 1, 0, 1, 0, 1]);
    const target = randn([8, 1, 16, 16]).tanh();
    const gLoss = (): Tensor => nn.mseLoss(g.call(z, y), target);
    const gOpt = new Adam(g.parameters(), { lr: 1e-3 });
    const before = gLoss();
    gOpt.zeroGrad();
    before.backward();
    gOpt.step();
    assert.ok(gLoss().item() < before.item(), `generator loss ${gLoss().item()} < ${before.item()}`);

    const fake = g.call(z, y).detach();
    const real = randn([8, 1, 16, 16]).tanh();
    const ones = new Tensor(new Float32Array(8).fill(1), [8, 1]),
      zeros = new Tensor(new Float32Array(8), [8, 1]);
    const dLoss = (): Tensor => nn.bceWithLogits(d.call(real, y), ones).add(nn.bceWithLogits(d.call(fake, y), zeros));
    const dOpt = new Adam(d.parameters(), { lr: 1e-3 });
    const dBefore = dLoss();
    dOpt.zeroGrad();
    dBefore.backward();
    dOpt.step();
    assert.ok(dLoss().item() < dBefore.item(), `discriminator loss ${dLoss().item()} < ${dBefore.item()}`);
  });

  it('saves and loads with its options and weights', () => {
    const g = dcganGenerator({ latentDim: 4, imageSize: 8, width: 4, classes: 2, channels: 2 });
    const d = dcganDiscriminator({ imageSize: 8, width: 4, batchNorm: false });
    for (const [model, input] of [
      [g, [randn([3, 4]), labels([1, 0, 1])]],
      [d, [randn([3, 1, 8, 8])]],
    ] as const) {
      model.eval();
      const back = modelFromBytes(modelToBytes(model));
      back.eval();
      assert.equal(back.constructor, model.constructor);
      assert.deepEqual(nn.moduleToConfig(back), nn.moduleToConfig(model));
      assert.deepEqual([...back.call(...input).data], [...model.call(...input).data]);
    }
  });

  it('rejects bad options and inputs with typed errors that say what is wrong', () => {
    assert.throws(
      () => dcganGenerator({ imageSize: 64 as 32 }),
      (e: Error) => e instanceof ValueError && /imageSize must be 8, 16, 28 or 32/.test(e.message),
    );
    assert.throws(
      () => dcganGenerator({ latent_dim: 4 } as never),
      (e: Error) => e instanceof ValueError && /latentDim/.test(e.message),
    );
    assert.throws(() => dcganDiscriminator({ width: 0 }), ValueError);
    assert.throws(() => dcganDiscriminator({ batchNorm: 'yes' as never }), ValueError);
    const g = dcganGenerator({ latentDim: 4, imageSize: 8, width: 2, classes: 3 });
    assert.throws(
      () => g.call(randn([2, 5]), labels([0, 1])),
      (e: Error) => e instanceof ShapeError && /expected z \[N, 4\], got \[2, 5\]/.test(e.message),
    );
    assert.throws(
      () => g.call(randn([2, 4])),
      (e: Error) => e instanceof ValueError && /needs the labels/.test(e.message),
    );
    assert.throws(
      () => g.call(randn([2, 4]), labels([0, 3])),
      (e: Error) => e instanceof ValueError && /label 3 at 1 is outside \[0, 3\)/.test(e.message),
    );
    assert.throws(
      () => g.call(randn([2, 4]), labels([0])),
      (e: Error) => e instanceof ShapeError && /labels must be an int32 tensor \[2\]/.test(e.message),
    );
    const d = dcganDiscriminator({ imageSize: 8, width: 2 });
    assert.throws(
      () => d.call(randn([2, 1, 16, 16])),
      (e: Error) => e instanceof ShapeError && /\[N, 1, 8, 8\]/.test(e.message),
    );
    assert.throws(
      () => d.call(randn([2, 1, 8, 8]), labels([0, 1])),
      (e: Error) => e instanceof ValueError && /unconditional/.test(e.message),
    );
  });
});
