// The GAN's MLPs (Linear → LeakyReLU → Linear) train through the dense chain
// as one op; its results must be those of the layers one by one, to the bit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, manualSeed, randn, Tensor, ValueError } from '../src/index.js';
import { LeakyReLU, Linear, ReLU, Sequential, Tanh } from '../src/nn/index.js';
import type { Module } from '../src/nn/module.js';
import { fusedBlock } from '../src/nn/fused/plan.js';
import { denseChainForward } from '../src/backend/routines/dense-chain.js';
import { withBackend } from './helpers/backends.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';

/** Output and every gradient through the Sequential (fused) or layer by layer. */
function run(fused: boolean, make: () => Module[], rows: number, xGrad: boolean): Float32Array[] {
  manualSeed(51);
  const model = new Sequential(...make());
  const x = randn([rows, (model.at(0) as Linear).inFeatures], { generator: new Generator(52), requiresGrad: xGrad });
  let y: Tensor;
  if (fused) y = model.call(x);
  else {
    y = x;
    for (const m of model) y = m.call(y);
  }
  y.backward(randn(y.shape, { generator: new Generator(53) }));
  const grads = [...(xGrad ? [x] : []), ...model.parameters()].map((t) => (t.grad?.data as Float32Array | undefined) ?? new Float32Array(0));
  return [y.data as Float32Array, ...grads];
}

describe('the dense chain takes LeakyReLU', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  const chains: { name: string; make: () => Module[]; rows: number; fused: number }[] = [
    { name: 'the gan-digits generator', make: () => [new Linear(16, 128), new LeakyReLU(0.2), new Linear(128, 64), new Tanh()], rows: 64, fused: 3 },
    { name: 'the gan-digits discriminator', make: () => [new Linear(64, 128), new LeakyReLU(0.2), new Linear(128, 1)], rows: 64, fused: 3 },
    {
      name: 'odd widths, LeakyReLU and ReLU mixed, a slope of 0 and one on the last layer',
      make: () => [new Linear(7, 13), new LeakyReLU(0.01), new Linear(13, 5), new ReLU(), new Linear(5, 6), new LeakyReLU(0), new Linear(6, 3), new LeakyReLU(0.3)],
      rows: 9,
      fused: 8,
    },
  ];
  for (const c of chains) {
    it(`${c.name}: output and gradients equal the layers one by one, to the bit`, () => {
      const x = randn([c.rows, (c.make()[0] as Linear).inFeatures]);
      assert.equal(
        withBackend('wasm', () => fusedBlock(c.make(), 0, x)?.layers),
        c.fused,
        'layers fused',
      );
      for (const xGrad of [false, true]) {
        const fused = withBackend('wasm', () => run(true, c.make, c.rows, xGrad));
        const reference = run(false, c.make, c.rows, xGrad);
        fused.forEach((a, i) => assert.deepEqual(a, reference[i], `array ${i} (x requires grad: ${xGrad})`));
      }
    });
  }

  it('leaves a negative slope to the layers, and the routine refuses one', () => {
    const layers = [new Linear(4, 3), new LeakyReLU(-0.5), new Linear(3, 2)];
    // LeakyReLU(-0.5) ends the block after one Linear, too short for the chain.
    assert.equal(fusedBlock(layers, 0, randn([8, 4])), null);
    const chain = [
      { w: new Float32Array(12), b: null, n: 3, k: 4, relu: true, negativeSlope: -0.5 },
      { w: new Float32Array(6), b: null, n: 2, k: 3, relu: false },
    ];
    assert.throws(() => denseChainForward.run(new Float32Array(8), 2, chain), ValueError);
    chain[0].negativeSlope = Number.NaN;
    assert.throws(() => denseChainForward.run(new Float32Array(8), 2, chain), ValueError);
  });
});
