/**
 * Sequential tall-skinny Householder QR (internal, used by `lstsq`): the
 * triangle R of [A | B] (m×p, p = n + k, m >> n) without ever forming Q.
 *
 * Rows are taken in chunks that fit in cache; each chunk is stacked under the
 * running R and its first n columns are annihilated by n Householder
 * reflectors, each acting on one row of R and the chunk's rows. Reflectors
 * are applied four at a time as a compact-WY block (I - V·T·Vᵀ, Schreiber &
 * Van Loan), so each chunk column is read twice per four reflectors, and the
 * chunk is kept column-major so every inner loop runs along memory. What is
 * left of the B columns in the chunk's rows after the reflectors is the part
 * of Qᵀ·B below R: its squares sum to the least-squares residual.
 */
import { rowDots } from './row-dots.js';

export interface TSQR {
  /** n×p, row-major; upper triangular in its first n columns, (Qᵀ·B)[:n] after. */
  r: Float64Array;
  /** Σ over discarded rows of (Qᵀ·B)² per column of B: ‖B - A·X‖² at the LS solution when rank A = n. */
  resid: Float64Array;
}

/** a: m×n, b: m×k (row-major), each scaled by fa / fb while copied into the chunk. */
export function tsqr(a: Float64Array, m: number, n: number, b: Float64Array, k: number, fa: number, fb: number): TSQR {
  const p = n + k;
  const R = new Float64Array(n * p);
  const resid = new Float64Array(k);
  // Chunk rows: about 256 KiB of chunk, at least 32 rows.
  const bsz = Math.max(32, Math.min(1024, Math.floor(32768 / p)));
  const ct = new Float64Array(p * bsz); // column-major chunk: column c at ct[c*bl ...]
  const T = new Float64Array(16);
  const z = new Float64Array(4);
  for (let i0 = 0; i0 < m; i0 += bsz) {
    const bl = Math.min(bsz, m - i0);
    for (let r = 0; r < bl; r++) {
      const src = (i0 + r) * n;
      for (let j = 0; j < n; j++) ct[j * bl + r] = a[src + j] * fa;
      const sb = (i0 + r) * k;
      for (let q = 0; q < k; q++) ct[(n + q) * bl + r] = b[sb + q] * fb;
    }
    for (let j0 = 0; j0 < n; j0 += 4) {
      const nb = Math.min(4, n - j0);
      panel(R, p, ct, bl, j0, nb, T);
      if (nb === 4) apply4(R, p, ct, bl, j0, j0 + 4, p, T);
      else applyGeneric(R, p, ct, bl, j0, nb, j0 + nb, p, T, z);
    }
    for (let q = 0; q < k; q++) {
      const off = (n + q) * bl;
      let s = 0;
      for (let r = 0; r < bl; r++) s += ct[off + r] * ct[off + r];
      resid[q] += s;
    }
  }
  return { r: R, resid };
}

/**
 * Reflectors for columns j0..j0+nb-1 of the stacked [R; chunk]: reflector j
 * has 1 in row j of R and its chunk part in ct column j (overwritten), with
 * τ_j = T[jj][jj]. Fills the upper-triangular T (4×4, row-major) of the block.
 */
function panel(R: Float64Array, p: number, ct: Float64Array, bl: number, j0: number, nb: number, T: Float64Array): void {
  T.fill(0);
  for (let jj = 0; jj < nb; jj++) {
    const j = j0 + jj;
    const vj = j * bl;
    let ss = 0;
    for (let r = 0; r < bl; r++) ss += ct[vj + r] * ct[vj + r];
    let tau = 0;
    if (ss !== 0) {
      const alpha = R[j * p + j];
      const norm = Math.sqrt(alpha * alpha + ss);
      const beta = alpha > 0 ? -norm : norm;
      tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let r = 0; r < bl; r++) ct[vj + r] *= scale;
      R[j * p + j] = beta;
      // Apply H_j to the panel's later columns.
      for (let c = j + 1; c < j0 + nb; c++) {
        const vc = c * bl;
        let y = R[j * p + c];
        for (let r = 0; r < bl; r++) y += ct[vj + r] * ct[vc + r];
        y *= tau;
        R[j * p + c] -= y;
        for (let r = 0; r < bl; r++) ct[vc + r] -= y * ct[vj + r];
      }
    } else {
      for (let r = 0; r < bl; r++) ct[vj + r] = 0;
    }
    // T[0:jj, jj] = -τ·T[0:jj, 0:jj]·(V[:, 0:jj]ᵀ·v_jj); the R parts of the
    // reflectors are distinct unit rows, so only chunk parts enter the products.
    T[jj * 4 + jj] = tau;
    if (tau !== 0 && jj > 0) {
      const w = [0, 0, 0];
      for (let ii = 0; ii < jj; ii++) {
        const vi = (j0 + ii) * bl;
        let s = 0;
        for (let r = 0; r < bl; r++) s += ct[vi + r] * ct[vj + r];
        w[ii] = s;
      }
      for (let ii = 0; ii < jj; ii++) {
        let s = 0;
        for (let l = ii; l < jj; l++) s += T[ii * 4 + l] * w[l];
        T[ii * 4 + jj] = -tau * s;
      }
    }
  }
}

/**
 * Applies (H_{j0}···H_{j0+3})ᵀ = I - V·Tᵀ·Vᵀ to columns c0..c1-1 of [R; chunk]:
 * z = R[j0:j0+4, c] + Vᵀ·chunk[:, c]; z ← Tᵀ·z; R rows -= z; chunk[:, c] -= V·z.
 */
function apply4(R: Float64Array, p: number, ct: Float64Array, bl: number, j0: number, c0: number, c1: number, T: Float64Array): void {
  const v0 = j0 * bl,
    v1 = v0 + bl,
    v2 = v1 + bl,
    v3 = v2 + bl;
  const za = new Float64Array(4); // z of column c
  const zb = new Float64Array(4); // z of column c + 1
  let c = c0;
  // Two columns at a time: each reflector entry loaded feeds both.
  for (; c + 2 <= c1; c += 2) {
    const va = c * bl,
      vb = va + bl;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0;
    for (let r = 0; r < bl; r++) {
      const x = ct[va + r],
        y = ct[vb + r];
      const w0 = ct[v0 + r],
        w1 = ct[v1 + r],
        w2 = ct[v2 + r],
        w3 = ct[v3 + r];
      a0 += w0 * x;
      a1 += w1 * x;
      a2 += w2 * x;
      a3 += w3 * x;
      b0 += w0 * y;
      b1 += w1 * y;
      b2 += w2 * y;
      b3 += w3 * y;
    }
    za[0] = a0;
    za[1] = a1;
    za[2] = a2;
    za[3] = a3;
    zb[0] = b0;
    zb[1] = b1;
    zb[2] = b2;
    zb[3] = b3;
    reflectRColumn(R, p, j0, c, T, za);
    reflectRColumn(R, p, j0, c + 1, T, zb);
    const x0 = za[0],
      x1 = za[1],
      x2 = za[2],
      x3 = za[3];
    const y0 = zb[0],
      y1 = zb[1],
      y2 = zb[2],
      y3 = zb[3];
    for (let r = 0; r < bl; r++) {
      const w0 = ct[v0 + r],
        w1 = ct[v1 + r],
        w2 = ct[v2 + r],
        w3 = ct[v3 + r];
      ct[va + r] -= x0 * w0 + x1 * w1 + x2 * w2 + x3 * w3;
      ct[vb + r] -= y0 * w0 + y1 * w1 + y2 * w2 + y3 * w3;
    }
  }
  // The last column when their count is odd (at most once).
  for (; c < c1; c++) {
    const vc = c * bl;
    rowDots(ct, c, ct, bl, [j0, j0 + 1, j0 + 2, j0 + 3], 0, 4, za); // Vᵀ·chunk[:, c]
    reflectRColumn(R, p, j0, c, T, za);
    const z0 = za[0],
      z1 = za[1],
      z2 = za[2],
      z3 = za[3];
    for (let r = 0; r < bl; r++) {
      ct[vc + r] -= z0 * ct[v0 + r] + z1 * ct[v1 + r] + z2 * ct[v2 + r] + z3 * ct[v3 + r];
    }
  }
}

/**
 * apply4's step on R for one column c, given z = Vᵀ·chunk[:, c]:
 * z ← Tᵀ·(z + R[j0:j0+4, c]) (T upper triangular, row-major 4×4, so Tᵀ is
 * lower triangular), then R[j0:j0+4, c] −= z.
 */
function reflectRColumn(R: Float64Array, p: number, j0: number, c: number, T: Float64Array, z: Float64Array): void {
  const i0 = j0 * p + c;
  const s0 = z[0] + R[i0],
    s1 = z[1] + R[i0 + p],
    s2 = z[2] + R[i0 + 2 * p],
    s3 = z[3] + R[i0 + 3 * p];
  z[0] = T[0] * s0;
  z[1] = T[1] * s0 + T[5] * s1;
  z[2] = T[2] * s0 + T[6] * s1 + T[10] * s2;
  z[3] = T[3] * s0 + T[7] * s1 + T[11] * s2 + T[15] * s3;
  R[i0] -= z[0];
  R[i0 + p] -= z[1];
  R[i0 + 2 * p] -= z[2];
  R[i0 + 3 * p] -= z[3];
}

/** apply4 for a last block of nb < 4 reflectors. */
function applyGeneric(R: Float64Array, p: number, ct: Float64Array, bl: number, j0: number, nb: number, c0: number, c1: number, T: Float64Array, z: Float64Array): void {
  for (let c = c0; c < c1; c++) {
    const vc = c * bl;
    for (let ii = 0; ii < nb; ii++) {
      const vi = (j0 + ii) * bl;
      let s = R[(j0 + ii) * p + c];
      for (let r = 0; r < bl; r++) s += ct[vi + r] * ct[vc + r];
      z[ii] = s;
    }
    for (let ii = nb - 1; ii >= 0; ii--) {
      let s = 0;
      for (let l = 0; l <= ii; l++) s += T[l * 4 + ii] * z[l];
      z[ii] = s;
    }
    for (let ii = 0; ii < nb; ii++) {
      R[(j0 + ii) * p + c] -= z[ii];
      const vi = (j0 + ii) * bl,
        zi = z[ii];
      for (let r = 0; r < bl; r++) ct[vc + r] -= zi * ct[vi + r];
    }
  }
}
