/**
 * Fake quantisation for quantisation-aware training: values are rounded to
 * the int8 grid they will have after `convert` and mapped back to floats,
 * so training sees (and learns around) the rounding.
 *
 * Rounding has a zero derivative almost everywhere, so the backward is the
 * straight-through estimator (Bengio et al. 2013, as PyTorch's
 * FakeQuantize): the gradient of the surrogate s·clamp(x/s, lo, hi), i.e.
 * the incoming gradient where x is inside the representable range and zero
 * where it was clipped.
 */
import { record } from '../autograd/graph.js';
import type { InputQuantisation } from '../backend/routines/int8.js';
import { arrayFor } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Ties to even, as the int8 kernels round (quantiseCentred in src/backend/routines/int8.ts). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/** Per tensor: x → s·(q − z), q the 7-bit code the kernels would give x (for float32 input, the same value bit for bit before scaling). */
export function fakeQuantize(x: Tensor, q: InputQuantisation): Tensor {
  const lo = -q.zero,
    hi = 127 - q.zero;
  const f32 = x.dtype === 'float32';
  const inv = f32 ? Math.fround(1 / q.scale) : 1 / q.scale;
  const src = x.data;
  const out = arrayFor(x.dtype, src.length);
  const inside = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const t = f32 ? Math.fround(src[i] * inv) : src[i] * inv;
    inside[i] = t >= lo && t <= hi ? 1 : 0;
    out[i] = q.scale * roundHalfEven(t < lo ? lo : t > hi ? hi : t);
  }
  return record(new Tensor(out, x.shape), 'fakeQuantize', [x], (g) => [straightThrough(g, inside)]);
}

/** Per output channel (the first axis), symmetric: w → s·round(w/s) with s = max |w| / 127, as `convert` quantises weights. */
export function fakeQuantizeWeights(w: Tensor): Tensor {
  const rows = w.shape[0];
  const per = w.size / rows;
  const src = w.data;
  const out = arrayFor(w.dtype, src.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let i = r * per; i < (r + 1) * per; i++) max = Math.max(max, Math.abs(src[i]));
    const s = max > 0 ? max / 127 : 1;
    for (let i = r * per; i < (r + 1) * per; i++) out[i] = s * Math.max(-127, Math.min(127, Math.round(src[i] / s)));
  }
  // Every weight is inside its channel's range: the gradient passes unchanged.
  return record(new Tensor(out, w.shape), 'fakeQuantizeWeights', [w], (g) => [g]);
}

/** The incoming gradient where the value was inside the range, zero where it was clipped (differentiable again: a product with a constant mask). */
function straightThrough(g: Tensor, inside: Uint8Array): Tensor {
  const mask = arrayFor(g.dtype, inside.length);
  for (let i = 0; i < inside.length; i++) mask[i] = inside[i];
  return g.mul(new Tensor(mask, g.shape));
}
