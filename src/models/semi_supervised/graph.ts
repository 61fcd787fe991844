/**
 * The similarity graphs of label propagation and label spreading
 * (scikit-learn's `_get_kernel` and `_build_graph`), kept as plain data:
 *
 * - 'rbf': a dense n×n matrix K_ij = exp(−γ·|x_i − x_j|²), the squared
 *   distances as |x_i|² + |x_j|² − 2·x_i·x_j from one backend GEMM (the
 *   order scikit-learn's `euclidean_distances` adds them in);
 * - 'knn': each row's k nearest training points (itself included), found by
 *   the k-NN search of src/models/neighbors; the connectivity graph has a 1
 *   in row i at each of them.
 *
 * Propagation divides the affinities by node degrees, spreading uses the
 * symmetrically normalised graph D^-1/2·A·D^-1/2 with a zero diagonal (the
 * negated normalised Laplacian, SciPy's `csgraph.laplacian(normed=True)`).
 */
import { gemm } from '../../backend/index.js';
import { LimitError, ValueError } from '../../errors.js';
import type { Matrix } from '../../utils/validation.js';
import { checkFinite } from '../finite.js';
import { fitNeighbors, kNeighborsOf, type NeighborsIndex, SEARCH_DEFAULTS } from '../neighbors/search.js';

export type GraphKernel = 'rbf' | 'knn';

/** Most entries of a dense rbf graph (n² float64 values: 256 MiB); larger problems should use kernel 'knn'. */
export const MAX_DENSE_GRAPH_ENTRIES = 2 ** 25;

/** A graph's matrix: dense [n, n] row-major, or k neighbours per row with one weight each. */
export type GraphMatrix = { kind: 'dense'; n: number; values: Float64Array } | { kind: 'neighbors'; n: number; k: number; indices: Int32Array; weights: Float64Array };

/** exp(−γ·d²) of every row of A against every row of B ([A.rows, B.rows]); `same` when B is A (zero self-distances). */
export function rbfKernel(A: Matrix, B: Matrix, gamma: number, same: boolean): Float64Array {
  const m = A.rows,
    n = B.rows,
    d = A.cols;
  const out = new Float64Array(m * n);
  if (m > 0 && n > 0 && d > 0) gemm({ m, n, k: d, a: A.data, b: B.data, c: out, transB: true });
  const aa = squaredNorms(A),
    bb = squaredNorms(B);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const at = i * n + j;
      let sq = -2 * out[at] + aa[i] + bb[j];
      if (sq < 0 || (same && i === j)) sq = 0;
      out[at] = Math.exp(sq * -gamma);
    }
  }
  return out;
}

function squaredNorms(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = 0; j < X.cols; j++) {
      const v = X.data[i * X.cols + j];
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/** The k-NN search over the training rows (scikit-learn's NearestNeighbors with its defaults). */
export function neighborsIndex(where: string, X: Matrix, nNeighbors: number): NeighborsIndex {
  return fitNeighbors(where, X, SEARCH_DEFAULTS, nNeighbors);
}

/** Row i: the k nearest training points of query row i, nearest first (a training row finds itself). */
export function nearestTraining(where: string, index: NeighborsIndex, query: Matrix, nNeighbors: number): Int32Array {
  return kNeighborsOf(where, index, query, nNeighbors).indices;
}

/** The training rows' affinity matrix: rbf kernel values, or k-NN connectivity (weights 1). */
export function affinity(where: string, X: Matrix, kernel: GraphKernel, gamma: number, nNeighbors: number, index: NeighborsIndex | null): GraphMatrix {
  const n = X.rows;
  if (kernel === 'rbf') {
    if (n * n > MAX_DENSE_GRAPH_ENTRIES) {
      throw new LimitError(`${where}: the rbf graph of ${n} samples would hold ${n * n} values (at most ${MAX_DENSE_GRAPH_ENTRIES}); use kernel 'knn'`);
    }
    const values = rbfKernel(X, X, gamma, true);
    checkFinite(where, 'the rbf kernel', values);
    return { kind: 'dense', n, values };
  }
  if (!index) throw new ValueError(`${where}: the knn graph needs the neighbour search`);
  const indices = nearestTraining(where, index, X, nNeighbors);
  return { kind: 'neighbors', n, k: nNeighbors, indices, weights: new Float64Array(indices.length).fill(1) };
}

/** Sum of each column (a node's in-degree), leaving out the diagonal when `skipDiagonal`. */
function columnSums(g: GraphMatrix, skipDiagonal: boolean): Float64Array {
  const sums = new Float64Array(g.n);
  if (g.kind === 'dense') {
    for (let i = 0; i < g.n; i++) for (let j = 0; j < g.n; j++) if (!skipDiagonal || i !== j) sums[j] += g.values[i * g.n + j];
  } else {
    for (let i = 0; i < g.n; i++) {
      for (let t = 0; t < g.k; t++) {
        const j = g.indices[i * g.k + t];
        if (!skipDiagonal || i !== j) sums[j] += g.weights[i * g.k + t];
      }
    }
  }
  return sums;
}

/**
 * LabelPropagation's graph: each dense row i divided by node i's degree.
 * For the k-NN graph scikit-learn 1.2 divides every entry by the degree of
 * node 0 (`np.diag` of its 1×n degree row); the factor is a constant that
 * the row normalisation of every iteration cancels, kept so that the
 * numbers are scikit-learn's.
 */
export function propagationGraph(a: GraphMatrix): GraphMatrix {
  const degree = columnSums(a, false);
  if (a.kind === 'dense') {
    const n = a.n;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.values[i * n + j] /= degree[i];
  } else {
    for (let t = 0; t < a.weights.length; t++) a.weights[t] /= degree[0];
  }
  return a;
}

/** LabelSpreading's graph: A_ij / √(d_i·d_j) off the diagonal (degrees without self-loops; an isolated node counts 1), 0 on it. */
export function spreadingGraph(a: GraphMatrix): GraphMatrix {
  const w = columnSums(a, true);
  for (let j = 0; j < w.length; j++) w[j] = w[j] === 0 ? 1 : Math.sqrt(w[j]);
  if (a.kind === 'dense') {
    const n = a.n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a.values[i * n + j] = i === j ? 0 : a.values[i * n + j] / w[j] / w[i];
    }
  } else {
    for (let i = 0; i < a.n; i++) {
      for (let t = 0; t < a.k; t++) {
        const at = i * a.k + t;
        const j = a.indices[at];
        a.weights[at] = i === j ? 0 : a.weights[at] / w[i] / w[j];
      }
    }
  }
  return a;
}

/** out = G·F for a graph G [n, n] and F [n, c] (row-major). */
export function multiplyGraph(g: GraphMatrix, F: Float64Array, c: number, out: Float64Array): void {
  const n = g.n;
  if (g.kind === 'dense') return denseProduct(g.values, n, n, F, c, out);
  out.fill(0);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < g.k; t++) {
      const at = i * g.k + t;
      const j = g.indices[at],
        w = g.weights[at];
      for (let l = 0; l < c; l++) out[i * c + l] += w * F[j * c + l];
    }
  }
}

/** out = K·F for K [m, n] and F [n, c] (row-major, one backend GEMM). */
export function denseProduct(K: Float64Array, m: number, n: number, F: Float64Array, c: number, out: Float64Array): void {
  if (m === 0 || c === 0) return;
  if (n === 0) return void out.fill(0);
  gemm({ m, n: c, k: n, a: K, b: F, c: out });
}
