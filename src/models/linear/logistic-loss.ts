/**
 * The logistic losses of `LogisticRegression` with their gradients, as
 * scikit-learn's `LinearModelLoss` defines them (L2 part only; L1 is the
 * proximal solvers' business):
 *
 *   binary:       Σ sw_i·[log(1 + e^{z_i}) - y_i·z_i] + (l2/2)·‖w‖²,   z = X·w + b
 *   multinomial:  Σ sw_i·[logΣ_k e^{z_ik} - z_{i,y_i}] + (l2/2)·‖W‖²,  Z = X·Wᵀ + b
 *
 * Parameters are one vector: W row-major (K×d; K = 1 for binary), then the
 * K intercepts when fitted. The intercept is never penalised.
 *
 * One evaluation is one pass over X in row blocks: Z_b = X_b·Wᵀ (GEMM),
 * the per-row loss and residual R_b = sw·(P - Y), then G += R_bᵀ·X_b (GEMM)
 * while X_b is still in cache.
 *
 * Precision: float64 by default. `setPrecision('float32')` runs the two
 * products in float32 (a float32 copy of X; about twice the speed, scores
 * accurate to ~1e-6 relative) while the loss, residuals and sums stay
 * float64 — for the early iterations of a long fit, whose last iterations
 * (and stopping tests) then run in float64.
 *
 * Optional centring (`center`): the optimiser then works with intercepts
 * c = b + W·μ, i.e. on (X - μ) without forming it. That is an exact
 * reparametrisation (same objective, same optimum), which removes the
 * coupling between the intercept and the column means — the largest source
 * of ill-conditioning for uncentred features such as pixel intensities.
 */
import { gemm as backendGemm, getBackend, isSmallProduct } from '../../backend/index.js';
import type { Matrix } from '../../utils/validation.js';
import { gemm } from './common.js';

/** Rows per block of the fused pass. */
const BLOCK_ROWS = 512;

export interface LogisticLossOptions {
  /** Number of coefficient rows: 1 (binary, sigmoid) or the number of classes (softmax). */
  K: number;
  fitIntercept: boolean;
  /** Strength of the L2 term (1/C in scikit-learn's scaling). */
  l2: number;
  /** Column means to centre on (only with an intercept), or null. */
  center?: Float64Array | null;
}

export class LogisticLoss {
  readonly n: number;
  readonly d: number;
  readonly K: number;
  readonly nParams: number;
  private readonly Z: Float64Array;
  private readonly Gt: Float64Array;
  private readonly bEff: Float64Array;
  private readonly useGemm: boolean;
  private precision: 'float64' | 'float32' = 'float64';
  private X32: Float32Array | null = null;
  private W32: Float32Array | null = null;
  private Zt32: Float32Array | null = null;
  private Gt32: Float32Array | null = null;

  constructor(
    readonly X: Matrix,
    /** Binary: 0/1 targets; multinomial: class codes 0..K-1. */
    readonly y: Int32Array,
    /** Sample weights (class weights folded in). */
    readonly sw: Float64Array,
    readonly opts: LogisticLossOptions,
  ) {
    this.n = X.rows;
    this.d = X.cols;
    this.K = opts.K;
    this.nParams = this.K * this.d + (opts.fitIntercept ? this.K : 0);
    this.Z = new Float64Array(Math.min(this.n, BLOCK_ROWS) * this.K);
    this.Gt = new Float64Array(this.d * this.K);
    this.bEff = new Float64Array(this.K);
    // Small products (or the reference backend) run the fused row loop below.
    this.useGemm = getBackend().name !== 'js' && !isSmallProduct(Math.min(this.n, BLOCK_ROWS), this.K, this.d);
  }

  /** Whether the float32 mode can run (it needs the GEMM path). */
  get float32Available(): boolean {
    return this.useGemm;
  }

  /** Switches the products to float32 (allocating the float32 copy of X) or back to float64 (freeing it). */
  setPrecision(p: 'float64' | 'float32'): void {
    if (p === 'float32' && this.useGemm) {
      if (!this.X32) {
        this.X32 = Float32Array.from(this.X.data);
        const B = Math.min(this.n, BLOCK_ROWS);
        this.W32 = new Float32Array(this.K * this.d);
        this.Zt32 = new Float32Array(this.K * B);
        this.Gt32 = new Float32Array(this.d * this.K);
      }
      this.precision = 'float32';
    } else {
      this.precision = 'float64';
      this.X32 = this.W32 = this.Zt32 = this.Gt32 = null;
    }
  }

  /** The effective intercepts b (original parametrisation) for parameters x. */
  intercepts(x: Float64Array): Float64Array {
    const { K, d } = this;
    const b = new Float64Array(K);
    if (!this.opts.fitIntercept) return b;
    const mu = this.opts.center;
    for (let k = 0; k < K; k++) {
      let v = x[K * d + k];
      if (mu) for (let j = 0; j < d; j++) v -= x[k * d + j] * mu[j];
      b[k] = v;
    }
    return b;
  }

  /** The loss at x; writes the gradient (in the optimiser's parametrisation) into grad. */
  evaluate(x: Float64Array, grad: Float64Array): number {
    const { n, d, K, X } = this;
    const fit = this.opts.fitIntercept;
    const mu = fit ? (this.opts.center ?? null) : null;
    const b = this.bEff;
    b.set(this.intercepts(x));
    grad.fill(0);
    let loss = 0;
    const gb = new Float64Array(K);
    if (this.useGemm && this.precision === 'float32') {
      loss = this.passFloat32(x, b, gb);
      const Gt = this.Gt;
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) grad[k * d + j] = Gt[j * K + k];
    } else if (this.useGemm) {
      // Gᵀ (d×K) accumulates X_bᵀ·R_b: the big operand X_b is then GEMM's A,
      // packed by every thread in parallel.
      const Z = this.Z,
        Gt = this.Gt;
      Gt.fill(0);
      for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
        const rows = Math.min(BLOCK_ROWS, n - i0);
        gemm(rows, K, d, X.data, x, Z, { transB: true, aOffset: i0 * d });
        loss += this.residuals(Z, rows, i0, b, gb);
        gemm(d, K, rows, X.data, Z, Gt, { transA: true, aOffset: i0 * d, accumulate: true });
      }
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) grad[k * d + j] = Gt[j * K + k];
    } else {
      loss = this.fusedRows(x, b, grad, gb);
    }
    // Penalty, intercept gradient, and the centring correction.
    let pen = 0;
    const l2 = this.opts.l2;
    for (let i = 0; i < K * d; i++) {
      pen += x[i] * x[i];
      grad[i] += l2 * x[i];
    }
    if (fit) {
      for (let k = 0; k < K; k++) {
        grad[K * d + k] = gb[k];
        if (mu) for (let j = 0; j < d; j++) grad[k * d + j] -= gb[k] * mu[j];
      }
    }
    return loss + 0.5 * l2 * pen;
  }

  /**
   * ‖gradient‖∞ in the original parametrisation (W, b), from the gradient
   * in the centred one: g_W = g_W' + g_b·μᵀ. What the tolerance refers to.
   */
  originalGradNorm(grad: Float64Array): number {
    const { K, d } = this;
    const mu = this.opts.fitIntercept ? (this.opts.center ?? null) : null;
    let mx = 0;
    for (let k = 0; k < K; k++) {
      const gbk = this.opts.fitIntercept ? grad[K * d + k] : 0;
      for (let j = 0; j < d; j++) {
        const v = Math.abs(grad[k * d + j] + (mu ? gbk * mu[j] : 0));
        if (v > mx) mx = v;
        else if (Number.isNaN(v)) return Number.NaN; // a NaN gradient is not a small one
      }
      if (this.opts.fitIntercept) mx = Math.max(mx, Math.abs(gbk));
    }
    return mx;
  }

  /**
   * Turns the scores Z (rows×K, without intercept) of rows i0.. into
   * residuals sw·(P - Y) in place; returns the block's loss and adds the
   * residual column sums to gb.
   */
  private residuals(Z: Float64Array, rows: number, i0: number, b: Float64Array, gb: Float64Array): number {
    const { K, sw, y } = this;
    let loss = 0;
    if (K === 1) {
      const b0 = b[0];
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        const z = Z[r] + b0;
        const w = sw[i];
        const t = y[i];
        // log(1 + e^z) - t·z, and σ(z) - t, without overflow.
        let l: number, p: number;
        if (z > 0) {
          const e = Math.exp(-z);
          l = z + Math.log1p(e);
          p = 1 / (1 + e);
        } else {
          const e = Math.exp(z);
          l = Math.log1p(e);
          p = e / (1 + e);
        }
        loss += w * (l - t * z);
        const g = w * (p - t);
        Z[r] = g;
        gb[0] += g;
      }
      return loss;
    }
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const o = r * K;
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        const z = Z[o + k] + b[k];
        Z[o + k] = z;
        if (z > mx) mx = z;
      }
      const w = sw[i];
      const t = y[i];
      const zt = Z[o + t];
      let s = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(Z[o + k] - mx);
        Z[o + k] = e;
        s += e;
      }
      loss += w * (mx + Math.log(s) - zt);
      const f = w / s;
      for (let k = 0; k < K; k++) {
        const g = Z[o + k] * f;
        Z[o + k] = g;
        gb[k] += g;
      }
      Z[o + t] -= w;
      gb[t] -= w;
    }
    return loss;
  }

  /**
   * The pass with float32 products: Z_bᵀ = W·X_bᵀ (K×rows), residuals in
   * float64, then Gᵀ += X_bᵀ·R_b (summed over blocks in float64).
   */
  private passFloat32(x: Float64Array, b: Float64Array, gb: Float64Array): number {
    const { n, d, K } = this;
    const X32 = this.X32!,
      W32 = this.W32!,
      Zt = this.Zt32!,
      Gt32 = this.Gt32!,
      Gt = this.Gt,
      Z = this.Z;
    for (let i = 0; i < K * d; i++) W32[i] = x[i];
    Gt.fill(0);
    let loss = 0;
    for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, n - i0);
      backendGemm({ m: K, n: rows, k: d, a: W32, b: X32, bOffset: i0 * d, transB: true, c: Zt });
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) Z[r * K + k] = Zt[k * rows + r];
      loss += this.residuals(Z, rows, i0, b, gb);
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) Zt[k * rows + r] = Z[r * K + k];
      backendGemm({ m: d, n: K, k: rows, a: X32, aOffset: i0 * d, transA: true, b: Zt, transB: true, c: Gt32 });
      for (let i = 0; i < d * K; i++) Gt[i] += Gt32[i];
    }
    return loss;
  }

  /** The same pass one row at a time (small problems, or no fast GEMM). */
  private fusedRows(x: Float64Array, b: Float64Array, grad: Float64Array, gb: Float64Array): number {
    const { n, d, K, X } = this;
    const a = X.data;
    const z = new Float64Array(K);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const r = i * d;
      for (let k = 0; k < K; k++) {
        const wk = k * d;
        let s = 0;
        for (let j = 0; j < d; j++) s += a[r + j] * x[wk + j];
        z[k] = s;
      }
      loss += this.residuals(z, 1, i, b, gb);
      for (let k = 0; k < K; k++) {
        const g = z[k];
        if (g === 0) continue;
        const wk = k * d;
        for (let j = 0; j < d; j++) grad[wk + j] += g * a[r + j];
      }
    }
    return loss;
  }
}
