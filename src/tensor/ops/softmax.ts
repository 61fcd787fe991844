/**
 * Softmax along one axis in a single pass per row: one output array and one
 * recorded node, where the composed form exp(x − logSumExp(x)) makes six
 * tensors (and costs microseconds of overhead on a ten-class output). The
 * backward, dx = y·(g − Σ g·y), runs on raw arrays unless it is itself
 * recorded (gradients of gradients), where it is written with tensor ops.
 */
import { isGradEnabled, record } from '../../autograd/graph.js';
import { DTypeError } from '../../errors.js';
import { arrayFor } from '../dtype.js';
import { normAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { mul, sub } from './elementwise.js';
import { sum } from './reduce.js';

export function softmaxFused(x: Tensor, axis = -1): Tensor {
  if (x.dtype === 'int32') throw new DTypeError('softmax: needs a float tensor, got int32');
  const a = normAxis(axis, x.ndim, 'softmax');
  const len = x.shape[a];
  let inner = 1;
  for (let i = a + 1; i < x.ndim; i++) inner *= x.shape[i];
  const outer = len * inner === 0 ? 0 : x.size / (len * inner);
  const xd = x.data, yd = arrayFor(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let j = 0; j < len; j++) { const v = xd[base + j * inner]; if (v > max || v !== v) max = v; }
      // All -Infinity: exp(x - max) would be NaN; PyTorch gives NaN as well, so leave it.
      let total = 0;
      for (let j = 0; j < len; j++) { const e = Math.exp(xd[base + j * inner] - max); yd[base + j * inner] = e; total += e; }
      const inv = 1 / total;
      for (let j = 0; j < len; j++) yd[base + j * inner] *= inv;
    }
  }
  const y = new Tensor(yd, x.shape);
  return record(y, 'softmax', [x], (g) => {
    if (isGradEnabled()) return [mul(y, sub(g, sum(mul(g, y), a, { keepDims: true })))];
    const gd = g.data, dx = arrayFor(x.dtype, x.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let dot = 0;
        for (let j = 0; j < len; j++) dot += gd[base + j * inner] * yd[base + j * inner];
        for (let j = 0; j < len; j++) dx[base + j * inner] = yd[base + j * inner] * (gd[base + j * inner] - dot);
      }
    }
    return [new Tensor(dx, x.shape)];
  });
}
