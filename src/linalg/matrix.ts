/**
 * The one dense float64 matrix type of the library: a row-major
 * `Float64Array` with explicit dimensions (element (i, j) is
 * `data[i * cols + j]`). The decompositions in `linalg/` work on it, and
 * `toMatrix` (utils/validation.ts) converts user input to it for every
 * classical estimator. Vectors are plain `Float64Array`s. The Tensor layer
 * wraps these.
 */
import { LimitError, ShapeError, ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { checkMatrix, shapeOf } from './check.js';

export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** The most elements one matrix may hold (a Float64Array's practical limit). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** A rows×cols matrix over `data` (not copied), or zeros when `data` is omitted. */
export function matrix(rows: number, cols: number, data?: Float64Array | ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ShapeError(`matrix: dimensions must be integers >= 0, got [${String(rows)}, ${String(cols)}]`);
  }
  if (rows * cols > MAX_ELEMENTS) throw new LimitError(`matrix: [${rows}, ${cols}] is more than ${MAX_ELEMENTS} elements`);
  if (data === undefined) return { data: new Float64Array(rows * cols), rows, cols };
  const d = data instanceof Float64Array ? data : Float64Array.from(data);
  if (d.length !== rows * cols) {
    throw new ShapeError(`matrix: [${rows}, ${cols}] needs ${rows * cols} elements, got ${d.length}`);
  }
  return { data: d, rows, cols };
}

/** A matrix from nested rows (copied); every row must have the same length. */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
  if (!Array.isArray(rows)) throw new ValueError(`fromRows: expected an array of rows, got ${rows === null ? 'null' : typeof rows}`);
  const m = rows.length;
  const n = m === 0 ? 0 : (rows[0]?.length ?? -1);
  const data = matrix(m, Math.max(n, 0)).data;
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    if (r === null || typeof r !== 'object') throw new ValueError(`fromRows: row ${i} is ${r === null ? 'null' : typeof r}, expected an array of numbers`);
    if (r.length !== n) throw new ShapeError(`fromRows: row 0 has ${n} elements but row ${i} has ${r.length}`);
    for (let j = 0; j < n; j++) data[i * n + j] = r[j];
  }
  return { data, rows: m, cols: n };
}

/** Nested plain arrays (handy in tests and for printing). */
export function toRows(A: Matrix): number[][] {
  checkMatrix('toRows', A);
  const out: number[][] = [];
  for (let i = 0; i < A.rows; i++) out.push(Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols)));
  return out;
}

export function zeros(rows: number, cols: number): Matrix {
  return matrix(rows, cols);
}

export function identity(n: number): Matrix {
  const I = matrix(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

/** A square matrix with `d` on its diagonal. */
export function diag(d: ArrayLike<number>): Matrix {
  if (!Array.isArray(d) && !ArrayBuffer.isView(d)) throw new ValueError(`diag: expected an array of diagonal values, got ${d === null ? 'null' : typeof d}`);
  const n = d.length;
  const D = matrix(n, n);
  for (let i = 0; i < n; i++) D.data[i * n + i] = d[i];
  return D;
}

export function copyMatrix(A: Matrix): Matrix {
  checkMatrix('copyMatrix', A);
  return { data: A.data.slice(), rows: A.rows, cols: A.cols };
}

/** Aᵀ, in blocks of 32 so large matrices stay cache-friendly. */
export function transpose(A: Matrix): Matrix {
  checkMatrix('transpose', A);
  const m = A.rows,
    n = A.cols;
  const t = new Float64Array(m * n);
  transposeInto(A.data, 0, n, m, n, t, 32);
  return { data: t, rows: n, cols: m };
}

/**
 * out[j·rows + i] = src[offset + i·stride + j]: the transpose of the
 * rows×cols window of `src` at `offset` (row stride `stride`), copied in
 * block×block tiles so large matrices stay cache-friendly.
 */
export function transposeInto(src: Float32Array | Float64Array, offset: number, stride: number, rows: number, cols: number, out: Float32Array | Float64Array, block: number): void {
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(cols, j0 + block);
      for (let i = i0; i < i1; i++) {
        const r = offset + i * stride;
        for (let j = j0; j < j1; j++) out[j * rows + i] = src[r + j];
      }
    }
  }
}

/**
 * A·B (or op(A)·op(B) with `transA` / `transB`). A plain cache-aware loop for
 * the small and medium matrices of the decompositions; large GEMMs belong to
 * the backend.
 */
export function matmul(A: Matrix, B: Matrix, opts: { transA?: boolean; transB?: boolean } = {}): Matrix {
  opts = readOptions('matmul', opts, ['transA', 'transB']);
  checkMatrix('matmul', A, 'A');
  checkMatrix('matmul', B, 'B');
  const ta = opts.transA === true,
    tb = opts.transB === true;
  const m = ta ? A.cols : A.rows;
  const k = ta ? A.rows : A.cols;
  const k2 = tb ? B.cols : B.rows;
  const n = tb ? B.rows : B.cols;
  if (k !== k2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: op(A) is [${m}, ${k}] (A ${shapeOf(A)}${ta ? ' transposed' : ''}) ` +
        `and op(B) is [${k2}, ${n}] (B ${shapeOf(B)}${tb ? ' transposed' : ''})`,
    );
  }
  const a = ta ? transpose(A).data : A.data;
  const b = tb ? transpose(B).data : B.data;
  const c = new Float64Array(m * n);
  // i-p-j order: the inner loop runs along contiguous rows of B and C.
  for (let i = 0; i < m; i++) {
    const ci = i * n,
      ai = i * k;
    for (let p = 0; p < k; p++) {
      const s = a[ai + p];
      if (s === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += s * b[bp + j];
    }
  }
  return { data: c, rows: m, cols: n };
}

/** A·x for a vector x. */
export function matvec(A: Matrix, x: Float64Array): Float64Array {
  checkMatrix('matvec', A);
  if (!(x instanceof Float64Array)) throw new ValueError(`matvec: x must be a Float64Array`);
  if (x.length !== A.cols) throw new ShapeError(`matvec: A is ${shapeOf(A)} but x has length ${x.length}`);
  const m = A.rows,
    n = A.cols,
    a = A.data;
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    const ai = i * n;
    for (let j = 0; j < n; j++) s += a[ai + j] * x[j];
    y[i] = s;
  }
  return y;
}
