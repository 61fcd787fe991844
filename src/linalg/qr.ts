/** QR factorisation by Householder reflections. */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { checkInput, maxAbs, pow2Scale } from './check.js';
import { extractR, formQ, householderQR } from './householder.js';
import type { Matrix } from './matrix.js';

export interface QROptions {
  /**
   * 'reduced' (default): Q is m×k, R is k×n with k = min(m, n).
   * 'complete': Q is m×m, R is m×n.
   */
  mode?: 'reduced' | 'complete';
}

export interface QR {
  q: Matrix;
  r: Matrix;
}

/**
 * A = Q·R with Q having orthonormal columns and R upper triangular (upper
 * trapezoidal when m < n). Householder reflections, so Q is orthogonal to
 * working precision whatever the conditioning of A. Sign convention: the
 * diagonal of R is made non-negative (flipping the matching column of Q),
 * which makes the factorisation unique for full-rank A.
 */
export function qr(A: Matrix, opts: QROptions = {}): QR {
  opts = readOptions('qr', opts, ['mode']);
  const fn = 'qr';
  checkInput(fn, A);
  const mode = opts.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete') {
    throw new ValueError(`${fn}: mode must be 'reduced' or 'complete', got ${String(mode)}`);
  }
  const m = A.rows,
    n = A.cols,
    k = Math.min(m, n);
  const a = A.data.slice();
  const f = pow2Scale(maxAbs(a));
  if (f !== 1) for (let i = 0; i < a.length; i++) a[i] *= f;
  const tau = householderQR(a, m, n);
  const qc = mode === 'complete' ? m : k;
  const Q = formQ(a, m, n, tau, qc);
  const R = extractR(a, m, n, qc);
  if (f !== 1) for (let i = 0; i < R.length; i++) R[i] /= f;
  for (let i = 0; i < k; i++) {
    if (R[i * n + i] < 0) {
      for (let j = i; j < n; j++) R[i * n + j] = -R[i * n + j];
      for (let r = 0; r < m; r++) Q[r * qc + i] = -Q[r * qc + i];
    }
  }
  return { q: { data: Q, rows: m, cols: qc }, r: { data: R, rows: qc, cols: n } };
}
