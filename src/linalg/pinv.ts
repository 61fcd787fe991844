/** Moore–Penrose pseudo-inverse. */
import { EPS, checkInput, checkRcond } from './check.js';
import type { Matrix } from './matrix.js';
import { svdRaw } from './svd.js';
import { readOptions } from '../utils/options.js';

export interface PinvOptions {
  /**
   * Singular values <= rcond·σ_max are treated as zero. Default
   * max(m, n)·eps (NumPy's default `rtol` for `pinv` and `matrix_rank`).
   */
  rcond?: number;
}

/** A⁺ (n×m) from the SVD: V·diag(1/σ for σ > rcond·σ_max, else 0)·Uᵀ. */
export function pinv(A: Matrix, opts: PinvOptions = {}): Matrix {
  opts = readOptions('pinv', opts, ['rcond']);
  const fn = 'pinv';
  checkInput(fn, A);
  const m = A.rows,
    n = A.cols;
  const rcond = checkRcond(fn, opts.rcond, Math.max(m, n) * EPS);
  const out = new Float64Array(n * m);
  const k = Math.min(m, n);
  if (k === 0) return { data: out, rows: n, cols: m };
  const { u, s, vt } = svdRaw(A.data, m, n, 'reduced', fn);
  const cut = rcond * s[0];
  // X[i, j] = Σ_c vt[c, i]·(1/σ_c)·u[j, c]
  for (let c = 0; c < k; c++) {
    if (!(s[c] > cut)) break;
    const inv = 1 / s[c];
    for (let i = 0; i < n; i++) {
      const v = vt[c * n + i] * inv;
      if (v === 0) continue;
      const row = i * m;
      for (let j = 0; j < m; j++) out[row + j] += v * u[j * k + c];
    }
  }
  return { data: out, rows: n, cols: m };
}
