/** Matrix products with batch broadcasting, on the active backend's GEMM. */
import { record } from '../../autograd/graph.js';
import { gemm } from '../../backend/index.js';
import { DTypeError, ShapeError } from '../../errors.js';
import { arrayFor, promote } from '../dtype.js';
import { broadcastShapes, shapeStr, sizeOf } from '../shape.js';
import { assertTensor, Tensor } from '../tensor.js';
import { sumTo } from './reduce.js';
import { reshape, unsqueeze, squeeze } from './shape.js';

/**
 * op(A)·op(B) for the last two axes, broadcasting the leading (batch)
 * axes. Transposes are flags to GEMM, never copies; the backward pass
 * reuses them, so gradients of gradients work too.
 */
function matmulCore(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const m = transA ? a.shape[a.ndim - 1] : a.shape[a.ndim - 2];
  const ka = transA ? a.shape[a.ndim - 2] : a.shape[a.ndim - 1];
  const kb = transB ? b.shape[b.ndim - 1] : b.shape[b.ndim - 2];
  const n = transB ? b.shape[b.ndim - 2] : b.shape[b.ndim - 1];
  if (ka !== kb) {
    throw new ShapeError(`matmul: shapes ${shapeStr(a.shape)}${transA ? 'ᵀ' : ''} and ${shapeStr(b.shape)}${transB ? 'ᵀ' : ''} do not fit (inner sizes ${ka} and ${kb})`);
  }
  const batchA = a.shape.slice(0, -2),
    batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(batchA, batchB, 'matmul');
  const batch = sizeOf(batchShape);
  let dtype = promote(a.dtype, b.dtype);
  if (dtype === 'int32') dtype = 'float32';
  const x = a.dtype === dtype ? a : a.astype(dtype);
  const y = b.dtype === dtype ? b : b.astype(dtype);
  const out = arrayFor(dtype, batch * m * n) as Float32Array | Float64Array;
  const batchSizeA = sizeOf(batchA),
    batchSizeB = sizeOf(batchB);
  let aData = x.data as Float32Array | Float64Array,
    bData = y.data as Float32Array | Float64Array;
  let aBatchStride = batchSizeA === 1 ? 0 : m * ka,
    bBatchStride = batchSizeB === 1 ? 0 : ka * n;
  if (!((batchSizeA === batch || batchSizeA === 1) && (batchSizeB === batch || batchSizeB === 1))) {
    // Mixed broadcasting (e.g. [2,1] with [1,3] batches): expand both to the full batch.
    aData = reshape(expandBatch(x, batchShape), [batch, x.shape[x.ndim - 2], x.shape[x.ndim - 1]]).data as Float32Array | Float64Array;
    bData = reshape(expandBatch(y, batchShape), [batch, y.shape[y.ndim - 2], y.shape[y.ndim - 1]]).data as Float32Array | Float64Array;
    aBatchStride = m * ka;
    bBatchStride = ka * n;
  }
  // One batched GEMM (an operand with a single matrix is broadcast with stride 0).
  gemm({ batch, m, n, k: ka, a: aData, aBatchStride, transA, b: bData, bBatchStride, transB, c: out, cBatchStride: m * n });
  const result = new Tensor(out, [...batchShape, m, n]);
  return record(result, 'matmul', [a, b], (g) => [
    // C = op(A)op(B): dA = g·op(B)ᵀ (or its transpose when A was used transposed), likewise dB.
    a.requiresGrad ? sumTo(transA ? matmulCore(b, g, transB, true) : matmulCore(g, b, false, !transB), a.shape) : null,
    b.requiresGrad ? sumTo(transB ? matmulCore(g, a, true, transA) : matmulCore(a, g, !transA, false), b.shape) : null,
  ]);
}

function expandBatch(x: Tensor, batchShape: readonly number[]): Tensor {
  return x.expand([...batchShape, x.shape[x.ndim - 2], x.shape[x.ndim - 1]]);
}

/** NumPy's matmul: 1-D operands are treated as vectors, leading axes broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'matmul', 'the first operand');
  assertTensor(b, 'matmul', 'the second operand');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands must have at least one dimension, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.dtype === 'int32' && b.dtype === 'int32') throw new DTypeError('matmul: needs float tensors (both are int32)');
  const av = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const bv = b.ndim === 1 ? unsqueeze(b, 1) : b;
  let out = matmulCore(av, bv, false, false);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, out.ndim === 1 && b.ndim === 1 ? 0 : -2);
  return out;
}

/** a·bᵀ without materialising the transpose (a Linear layer's x·Wᵀ). */
export function matmulTransposed(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw new ShapeError(`matmulTransposed: operands must be at least 2-D, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  return matmulCore(a, b, transA, transB);
}
