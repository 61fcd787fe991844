/**
 * Batch-first recurrent layers: the input [B, T, F] is swapped to time-major
 * and the output back by a copy of whole rows with its own gradient rule
 * (src/nn/layers/recurrent.ts); the results must be those of the
 * time-major layer on the permuted input, gradients (and second-order
 * gradients) included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, type Tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const sameBits = (a: Tensor, b: Tensor, what: string): void => {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.deepEqual(Array.from(a.data).map(String), Array.from(b.data).map(String), what);
};

describe('batch-first recurrent layers', () => {
  it('a batch-first LSTM gives the outputs, states and gradients of the time-major one on the permuted input, to the bit', () => {
    manualSeed(21);
    const timeMajor = new nn.LSTM(5, 8, { numLayers: 2, bidirectional: true });
    const batchFirst = new nn.LSTM(5, 8, { numLayers: 2, bidirectional: true, batchFirst: true });
    batchFirst.loadStateDict(timeMajor.stateDict());
    const x = randn([3, 7, 5]); // [B, T, F]
    const run = (lstm: nn.LSTM, input: Tensor, toTimeMajor: (t: Tensor) => Tensor): Tensor[] => {
      const xin = input.detach();
      xin.requiresGrad = true;
      const { output, h, c } = lstm.run(toTimeMajor(xin));
      const out = lstm.batchFirst ? output : output.permute(1, 0, 2);
      out.mul(out).sum().add(h.sum()).add(c.sum()).backward();
      return [out, h, c, xin.grad!];
    };
    const expected = run(timeMajor, x, (t) => t.permute(1, 0, 2));
    const actual = run(batchFirst, x, (t) => t);
    ['output', 'h', 'c', 'gradient of x'].forEach((what, i) => sameBits(actual[i], expected[i], what));
  });

  it('gradients of gradients through a batch-first GRU match finite differences (float64)', () => {
    const gru = new nn.GRU(2, 3, { batchFirst: true, dtype: 'float64' });
    gradcheck('batch-first GRU', (x) => gru.forward(x), [randomF64([2, 3, 2])], { secondOrder: true });
  });
});
