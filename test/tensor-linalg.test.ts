import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linalg, tensor, randn, ShapeError, DTypeError } from '../src/index.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
};

describe('linalg on tensors', () => {
  const A = tensor(
    [
      [4, 1, 2],
      [1, 3, 0],
      [2, 0, 5],
    ],
    { dtype: 'float64' },
  );
  it('cholesky reconstructs A', () => {
    const L = linalg.cholesky(A);
    close(L.matmul(L.T).data, A.data, 1e-12);
  });
  it('solve, inv and det agree', () => {
    const b = tensor([1, 2, 3], { dtype: 'float64' });
    const x = linalg.solve(A, b);
    close(A.matmul(x).data, b.data, 1e-12);
    close(linalg.inv(A).matmul(b).data, x.data, 1e-12);
    assert.ok(Math.abs(linalg.det(A) - (4 * 15 - 1 * 5 + 2 * -6)) < 1e-10);
  });
  it('qr, eigh and svd reconstruct A and keep the dtype', () => {
    const M = randn([6, 4], { generator: 5 });
    const { q, r } = linalg.qr(M);
    assert.equal(q.dtype, 'float32');
    close(q.matmul(r).data, M.data, 1e-5);
    const { values, vectors } = linalg.eigh(A);
    close(vectors.matmul(values.reshape(1, 3).mul(vectors).T).data, A.data, 1e-10);
    const { u, s, vt } = linalg.svd(M, { fullMatrices: false });
    close(u.mul(s).matmul(vt).data, M.data, 1e-5);
  });
  it('lstsq gives the least-squares fit and the rank', () => {
    const X = tensor(
      [
        [1, 0],
        [1, 1],
        [1, 2],
      ],
      { dtype: 'float64' },
    );
    const y = tensor([1, 2, 2], { dtype: 'float64' });
    const { x, rank } = linalg.lstsq(X, y);
    close(x.data, [7 / 6, 0.5], 1e-12);
    assert.equal(rank, 2);
  });
  it('rejects non-matrices and int tensors', () => {
    assert.throws(() => linalg.inv(tensor([1, 2])), ShapeError);
    assert.throws(() => linalg.inv(tensor([[1]], { dtype: 'int32' })), DTypeError);
  });
});
