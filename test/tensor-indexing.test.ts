import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cumsum, grad, norm, select, sort, tensor, Tensor, topk } from '../src/index.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const f64 = (values: number[], shape: number[]): Tensor => tensor(Float64Array.from(values), { shape });
const m = f64([3, 1, 2, 9, 1, 7], [2, 3]); // [[3, 1, 2], [9, 1, 7]]

describe('select and index (PyTorch semantics)', () => {
  it('select removes the axis; negative axes and positions count from the end', () => {
    assert.deepEqual(m.select(0, 1).toArray(), [9, 1, 7]);
    assert.deepEqual(m.select(1, -1).toArray(), [2, 7]);
    assert.deepEqual(m.select(-1, 0).toArray(), [3, 9]);
    assert.deepEqual(m.index(1, -1).toArray(), 7);
    assert.deepEqual(m.index(0).shape, [3]);
    assert.deepEqual(m.index().toArray(), m.toArray());
  });

  it('refuses positions out of range, non-integers, too many indices and bad axes', () => {
    assert.throws(() => m.select(0, 2), /index 2 is out of range for axis 0 of size 2/);
    assert.throws(() => m.select(1, -4), /out of range/);
    assert.throws(() => m.select(0, 0.5), /out of range/);
    assert.throws(() => m.select(2, 0), { name: 'AxisError' });
    assert.throws(() => m.index(0, 0, 0), /3 indices for a 2-D tensor/);
  });

  it('gradients go back to the selected positions (float64 finite differences)', () => {
    gradcheck('select', (x) => select(x, 1, -2), [randomF64([3, 4, 2])], { secondOrder: true });
    gradcheck('index', (x) => x.index(2, 0), [randomF64([3, 4, 2])], { secondOrder: true });
    gradcheck('gather', (x) => x.gather(-1, new Tensor(new Int32Array([1, 0, 1, 1, 2, 0]), [2, 3])), [randomF64([2, 3])], { secondOrder: true });
  });
});

describe('sort and topk', () => {
  it('sorts each lane, ascending or descending, stable for ties, NaN last', () => {
    const s = m.sort();
    assert.deepEqual(s.values.toArray(), [
      [1, 2, 3],
      [1, 7, 9],
    ]);
    assert.deepEqual(s.indices.toArray(), [
      [1, 2, 0],
      [1, 2, 0],
    ]);
    assert.equal(s.indices.dtype, 'int32');
    const d = m.sort(0, { descending: true });
    assert.deepEqual(d.values.toArray(), [
      [9, 1, 7],
      [3, 1, 2],
    ]);
    assert.deepEqual(d.indices.toArray(), [
      [1, 0, 1],
      [0, 1, 0],
    ]); // the tie (1, 1) keeps its order
    const ties = f64([2, 1, 2, 1, 2], [5]);
    assert.deepEqual(ties.sort().indices.toArray(), [1, 3, 0, 2, 4]);
    assert.deepEqual(ties.sort(0, { descending: true }).indices.toArray(), [0, 2, 4, 1, 3]);
    const nan = f64([2, Number.NaN, -1], [3]);
    assert.deepEqual(nan.sort().indices.toArray(), [2, 0, 1]);
    assert.deepEqual(nan.sort(-1, { descending: true }).indices.toArray(), [1, 0, 2]);
    assert.deepEqual(sort(f64([], [0])).values.shape, [0]);
  });

  it('topk takes the k largest or smallest in order', () => {
    const t = m.topk(2);
    assert.deepEqual(t.values.toArray(), [
      [3, 2],
      [9, 7],
    ]);
    assert.deepEqual(t.indices.toArray(), [
      [0, 2],
      [0, 2],
    ]);
    assert.deepEqual(topk(m, 1, 0, { largest: false }).values.toArray(), [[3, 1, 2]]);
    assert.deepEqual(m.topk(0).values.shape, [2, 0]);
    assert.throws(() => m.topk(4), /k must be an integer in \[0, 3\]/);
    assert.throws(() => m.topk(-1), /k must be/);
  });

  it('gradients flow to the sorted elements (float64 finite differences)', () => {
    gradcheck('sort', (x) => x.sort(1).values, [randomF64([2, 5, 3])], { secondOrder: true });
    gradcheck('sort descending', (x) => x.sort(-1, { descending: true }).values, [randomF64([4, 3])], { secondOrder: true });
    gradcheck('topk', (x) => x.topk(2, 0).values, [randomF64([5, 3])], { secondOrder: true });
  });
});

describe('cumsum', () => {
  it('sums along the axis', () => {
    assert.deepEqual(m.cumsum(1).toArray(), [
      [3, 4, 6],
      [9, 10, 17],
    ]);
    assert.deepEqual(m.cumsum(-2).toArray(), [
      [3, 1, 2],
      [12, 2, 9],
    ]);
    assert.deepEqual(cumsum(tensor(new Int32Array([1, 2, 3])), 0).toArray(), [1, 3, 6]);
    assert.throws(() => m.cumsum(2), { name: 'AxisError' });
  });

  it('its gradient is the reversed running sum (float64 finite differences)', () => {
    gradcheck('cumsum', (x) => x.cumsum(1), [randomF64([2, 4, 3])], { secondOrder: true });
    gradcheck('cumsum last', (x) => x.cumsum(-1).square(), [randomF64([3, 4])], { secondOrder: true });
  });
});

describe('norm', () => {
  const v = f64([3, -4, 0, 12], [2, 2]);
  it('computes p-norms as torch.norm does', () => {
    assert.equal(v.norm().item(), 13);
    assert.equal(v.norm('fro').item(), 13);
    assert.equal(v.norm(1).item(), 19);
    assert.equal(v.norm(Infinity).item(), 12);
    assert.equal(v.norm(-Infinity).item(), 0);
    assert.equal(v.norm(0).item(), 3);
    assert.ok(Math.abs(v.norm(3).item() - Math.cbrt(27 + 64 + 1728)) < 1e-12);
    assert.deepEqual(v.norm(2, 1).toArray(), [5, 12]);
    assert.deepEqual(v.norm(2, 0, { keepDims: true }).toArray(), [[3, Math.hypot(4, 12)]]);
    assert.deepEqual(norm(v, 1, -1).toArray(), [7, 12]);
    assert.throws(() => v.norm('nuc' as never), /p must be a number or 'fro'/);
    assert.throws(() => v.norm(Number.NaN), /p must be/);
  });

  it('gradients match finite differences for p = 2, 3, 1.5, 1 and inf, and are 0 (not NaN) at a zero norm', () => {
    for (const p of [2, 3, 1.5] as const) {
      gradcheck(`norm p=${p}`, (x) => x.norm(p, 1), [randomF64([3, 4], 0.1, 1)], { secondOrder: true });
      gradcheck(`norm p=${p} all`, (x) => x.norm(p).mul(x.norm(p)), [randomF64([2, 3], -1, -0.1)], { secondOrder: true });
    }
    gradcheck('norm p=1', (x) => x.norm(1, 0), [randomF64([3, 2], 0.1, 1)]);
    gradcheck('norm p=inf', (x) => x.norm(Infinity, -1), [randomF64([3, 4])]);
    const zero = new Tensor(new Float64Array(3), [3], { requiresGrad: true });
    const [g] = grad(zero.norm(), [zero]);
    assert.deepEqual([...g.data], [0, 0, 0]);
  });
});
