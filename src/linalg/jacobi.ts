/**
 * One-sided (Hestenes) Jacobi orthogonalisation, the engine of `svd`
 * (internal). Rotations make the rows of w mutually orthogonal; the same
 * rotations are applied to the rows of vt when given. Rows are contiguous in
 * the row-major arrays, so every inner loop runs along memory.
 *
 * Each rotation diagonalises the 2×2 Gram block [[α, γ], [γ, β]] of a pair of
 * rows (Golub & Van Loan, sym.schur2); a sweep visits every pair and the
 * iteration stops after a sweep in which every pair was already orthogonal:
 * |γ| <= tol·sqrt(α·β) with tol = sqrt(len)·eps. The singular values come out
 * with high relative accuracy (Demmel & Veselić, 1992).
 */
import { ValueError } from '../errors.js';
import { EPS } from './check.js';

const MAX_SWEEPS = 80;

export function jacobiOrthogonalizeRows(w: Float64Array, p: number, len: number, vt: Float64Array | null, fn: string): void {
  const norms = new Float64Array(p);
  const tol = EPS * Math.max(1, Math.sqrt(len));
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let i = 0; i < p; i++) norms[i] = dot(w, i * len, i * len, len);
    let rotated = false;
    for (let i = 0; i < p - 1; i++) {
      const ri = i * len;
      for (let j = i + 1; j < p; j++) {
        const a = norms[i],
          b = norms[j];
        if (a === 0 || b === 0) continue;
        const rj = j * len;
        const g = dot(w, ri, rj, len);
        if (Math.abs(g) <= tol * Math.sqrt(a) * Math.sqrt(b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * g);
        let t: number;
        if (Math.abs(zeta) > 1e150) t = 0.5 / zeta;
        else t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let k = 0; k < len; k++) {
          const x = w[ri + k],
            y = w[rj + k];
          w[ri + k] = c * x - s * y;
          w[rj + k] = s * x + c * y;
        }
        if (vt !== null) {
          const vi = i * p,
            vj = j * p;
          for (let k = 0; k < p; k++) {
            const x = vt[vi + k],
              y = vt[vj + k];
            vt[vi + k] = c * x - s * y;
            vt[vj + k] = s * x + c * y;
          }
        }
        // The new squared norms are the eigenvalues a - t·g and b + t·g; the
        // one that shrank is recomputed when cancellation could spoil it.
        const na = a - t * g,
          nb = b + t * g;
        norms[i] = na < 0.25 * a ? dot(w, ri, ri, len) : na;
        norms[j] = nb < 0.25 * b ? dot(w, rj, rj, len) : nb;
      }
    }
    if (!rotated) return;
  }
  throw new ValueError(`${fn}: the one-sided Jacobi SVD did not converge in ${MAX_SWEEPS} sweeps`);
}

function dot(w: Float64Array, a: number, b: number, len: number): number {
  let s0 = 0,
    s1 = 0;
  let k = 0;
  for (; k + 1 < len; k += 2) {
    s0 += w[a + k] * w[b + k];
    s1 += w[a + k + 1] * w[b + k + 1];
  }
  if (k < len) s0 += w[a + k] * w[b + k];
  return s0 + s1;
}
