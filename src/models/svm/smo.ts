/**
 * Sequential minimal optimisation for the SVM duals, following libsvm's
 * decomposition method (Chang & Lin, LIBSVM: a library for support vector
 * machines; working-set selection by second-order information, Fan, Chen &
 * Lin, JMLR 2005):
 *
 *   min ½ αᵀQα + pᵀα   s.t. yᵀα = Δ, 0 ≤ α_i ≤ C_i
 *
 * Each iteration picks the pair (i, j) by WSS3 (i: maximal violation,
 * j: largest second-order decrease of the objective), solves the
 * two-variable problem analytically and updates the gradient. Shrinking
 * removes bounded variables that are unlikely to move from the active set;
 * the gradient is reconstructed before the final optimality check.
 * Kernel rows come from an LRU cache of float32 rows (libsvm's `Qfloat`;
 * smo-q.ts).
 *
 * The iteration order, tie-breaking and clipping are those of libsvm, so the
 * solver reaches the same solution (and iteration count) as scikit-learn's
 * `SVC` / `SVR` on the same kernel values.
 *
 * asm/svm.ts MIRRORS class Smo (and asm/svm-rows.ts mirrors SvcQ and
 * RowCache's slab mode, in smo-q.ts) for the wasm backend, which solves the
 * C-SVC pairs of a fit in parallel: the same operations in the same order,
 * so both give the same bits. A change here must be made there too
 * (test/svm-wasm.test.ts compares them), the non-finite checks included.
 */
import { NumericalError } from '../../errors.js';
import { swapEntries, type QMatrix } from './smo-q.js';

// the matrices live in smo-q.ts; exported here too for the solver's users
export { RowCache, SvcQ, SvrQ, type KernelSource, type QMatrix } from './smo-q.js';

// ---------------------------------------------------------------- solver

const LOWER = 0;
const UPPER = 1;
const FREE = 2;
const TAU = 1e-12;
/** Safety factor of the division-free screen in working-set selection (rounding is ~1e-16). */
const SCREEN = 1 - 1e-9;

export interface SolveResult {
  /** α in the sub-problem's original order. */
  alpha: Float64Array;
  /** The offset: decision = Σ y_i α_i K(x_i, x) − rho. */
  rho: number;
  /** Objective value of the dual. */
  obj: number;
  /** SMO iterations. */
  iter: number;
  /** False when maxIter stopped the solver before the tolerance was met. */
  converged: boolean;
}

export interface SolveOptions {
  /** Stopping tolerance on the maximal violating pair. */
  eps: number;
  shrinking: boolean;
  /** Iteration cap; -1 for libsvm's default cap, {@link defaultIterationCap}. */
  maxIter: number;
  /** The estimator, for error messages (default 'SVM'). */
  who?: string;
}

/**
 * libsvm's own iteration cap when none is asked for: max(10⁷, 100·l). Badly
 * scaled data (features of magnitude 1e8, say) make SMO crawl; the cap ends
 * such a fit, not converged, instead of letting it run for hours.
 */
export function defaultIterationCap(l: number): number {
  return Math.max(10_000_000, l > 21_474_836 ? 0x7fffffff : 100 * l);
}

/**
 * The error of a solve that met a non-finite gradient or solution (kernel
 * values that overflowed, features of magnitude 1e100...). asm/svm.ts reports
 * the same condition as a NaN rho; its caller throws this error then.
 */
export function smoDivergedError(who: string): NumericalError {
  return new NumericalError(`${who}: the SMO solver met non-finite values (kernel values or gradients overflowed); scale the features or lower gamma`);
}

/**
 * Solves min ½αᵀQα + pᵀα s.t. yᵀα = yᵀα₀, 0 ≤ α ≤ C from the feasible
 * start α₀ (libsvm's `Solver::Solve`). `C` is per variable.
 */
export function solveSmo(Q: QMatrix, p: Float64Array, y: Int8Array, alpha0: Float64Array, C: Float64Array, opts: SolveOptions): SolveResult {
  return new Smo(Q, p, y, alpha0, C, opts).run();
}

class Smo {
  private readonly l: number;
  private activeSize: number;
  private readonly y: Int8Array;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly status: Uint8Array;
  /** −y_t where the variable may move in its "up" direction (I_up: y=+1 below C or y=−1 above 0), else 0. */
  private readonly upS: Float64Array;
  /** y_t where it may move "down" (I_low: y=+1 above 0 or y=−1 below C), else 0. */
  private readonly lowS: Float64Array;
  /** y as ±1.0 (for sign-unified arithmetic). */
  private readonly yf: Float64Array;
  private readonly alpha: Float64Array;
  private readonly C: Float64Array;
  private readonly p: Float64Array;
  private readonly activeSet: Int32Array;
  private readonly QD: Float64Array;
  private unshrink = false;
  // working set chosen by selectWorkingSet
  private wi = -1;
  private wj = -1;
  /** max over I_up of −y_t·G_t and its index, found by the last gradient update (valid until the active set changes). */
  private nextGmax = -Infinity;
  private nextGmaxIdx = -1;
  private gmaxValid = false;
  /** Set when a gradient of +∞ was selected or a step gave a non-finite α: run() stops and throws. */
  private diverged = false;

  constructor(
    private readonly Q: QMatrix,
    p: Float64Array,
    y: Int8Array,
    alpha0: Float64Array,
    C: Float64Array,
    private readonly opts: SolveOptions,
  ) {
    const l = p.length;
    this.l = l;
    this.activeSize = l;
    this.y = y.slice();
    this.p = p.slice();
    this.alpha = alpha0.slice();
    this.C = C.slice();
    this.QD = Q.QD;
    this.G = new Float64Array(l);
    this.Gbar = new Float64Array(l);
    this.status = new Uint8Array(l);
    this.upS = new Float64Array(l);
    this.lowS = new Float64Array(l);
    this.yf = new Float64Array(l);
    for (let i = 0; i < l; i++) this.yf[i] = y[i];
    this.activeSet = new Int32Array(l);
    for (let i = 0; i < l; i++) {
      this.updateStatus(i);
      this.activeSet[i] = i;
      this.G[i] = this.p[i];
    }
    for (let i = 0; i < l; i++) {
      if (this.status[i] !== LOWER) {
        const Qi = Q.getQ(i, l);
        const ai = this.alpha[i];
        for (let j = 0; j < l; j++) this.G[j] += ai * Qi[j];
        if (this.status[i] === UPPER) {
          const ci = this.C[i];
          for (let j = 0; j < l; j++) this.Gbar[j] += ci * Qi[j];
        }
      }
    }
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    const st = a >= this.C[i] ? UPPER : a <= 0 ? LOWER : FREE;
    this.status[i] = st;
    const pos = this.y[i] === 1;
    const y = pos ? 1 : -1;
    this.upS[i] = (pos ? st !== UPPER : st !== LOWER) ? -y : 0;
    this.lowS[i] = (pos ? st !== LOWER : st !== UPPER) ? y : 0;
  }

  private swapIndex(i: number, j: number): void {
    this.Q.swapIndex(i, j);
    swapEntries(this.y, i, j);
    swapEntries(this.G, i, j);
    swapEntries(this.status, i, j);
    swapEntries(this.upS, i, j);
    swapEntries(this.lowS, i, j);
    swapEntries(this.yf, i, j);
    swapEntries(this.alpha, i, j);
    swapEntries(this.p, i, j);
    swapEntries(this.activeSet, i, j);
    swapEntries(this.Gbar, i, j);
    swapEntries(this.C, i, j);
  }

  private reconstructGradient(): void {
    this.gmaxValid = false;
    const { l, activeSize, G, Gbar, p, status, alpha } = this;
    if (activeSize === l) return;
    for (let j = activeSize; j < l; j++) G[j] = Gbar[j] + p[j];
    let nFree = 0;
    for (let j = 0; j < activeSize; j++) if (status[j] === FREE) nFree++;
    if (nFree * l > 2 * activeSize * (l - activeSize)) {
      for (let i = activeSize; i < l; i++) {
        const Qi = this.Q.getQ(i, activeSize);
        let gi = G[i];
        for (let j = 0; j < activeSize; j++) if (status[j] === FREE) gi += alpha[j] * Qi[j];
        G[i] = gi;
      }
    } else {
      for (let i = 0; i < activeSize; i++) {
        if (status[i] === FREE) {
          const Qi = this.Q.getQ(i, l);
          const ai = alpha[i];
          for (let j = activeSize; j < l; j++) G[j] += ai * Qi[j];
        }
      }
    }
  }

  /** WSS3; returns true when already optimal (within eps). */
  private selectWorkingSet(): boolean {
    const { activeSize, yf, G, upS, lowS, QD } = this;
    let Gmax = -Infinity;
    let Gmax2 = -Infinity;
    let GmaxIdx = -1;
    let GminIdx = -1;
    let objDiffMin = Infinity;
    if (this.gmaxValid) {
      Gmax = this.nextGmax;
      GmaxIdx = this.nextGmaxIdx;
      this.gmaxValid = false;
    } else {
      // i = argmax over I_up of −y_t·G_t (the last one on ties)
      for (let t = 0; t < activeSize; t++) {
        const u = upS[t];
        if (u !== 0) {
          const v = u * G[t];
          if (v >= Gmax) {
            Gmax = v;
            GmaxIdx = t;
          }
        }
      }
    }
    const i = GmaxIdx;
    if (i !== -1) {
      // j = argmin over I_low with y_j·G_j > −Gmax of −(Gmax + y_j·G_j)² / a_ij
      const Qi = this.Q.getQ(i, activeSize);
      const yi = yf[i];
      const QDi = QD[i];
      for (let j = 0; j < activeSize; j++) {
        const yj = lowS[j];
        if (yj !== 0) {
          const v = yj * G[j];
          if (v >= Gmax2) Gmax2 = v;
          const gd = Gmax + v;
          if (gd > 0) {
            const quad = QDi + QD[j] - 2 * (yi * yj) * Qi[j];
            const g2 = gd * gd;
            // cheap screen (no division) before libsvm's exact test: −g2/quad ≤ min
            // needs g2 ≥ −min·quad, up to rounding (hence the margin)
            if (quad > 0 ? g2 >= -objDiffMin * quad * SCREEN : true) {
              const od = quad > 0 ? -g2 / quad : -g2 / TAU;
              if (od <= objDiffMin) {
                GminIdx = j;
                objDiffMin = od;
              }
            }
          }
        }
      }
    } else {
      // nothing can move up: Gmax2 is still needed for the stopping test
      for (let j = 0; j < activeSize; j++) {
        if (lowS[j] !== 0) {
          const v = lowS[j] * G[j];
          if (v >= Gmax2) Gmax2 = v;
        }
      }
    }
    // a violation of +∞ (NaN never enters the maxima) cannot be reduced: stop
    if (Gmax === Infinity || Gmax2 === Infinity) {
      this.diverged = true;
      return true;
    }
    if (Gmax + Gmax2 < this.opts.eps || GminIdx === -1) return true;
    this.wi = GmaxIdx;
    this.wj = GminIdx;
    return false;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const s = this.status[i];
    if (s === UPPER) return this.y[i] === 1 ? -this.G[i] > Gmax1 : -this.G[i] > Gmax2;
    if (s === LOWER) return this.y[i] === 1 ? this.G[i] > Gmax2 : this.G[i] > Gmax1;
    return false;
  }

  private doShrinking(): void {
    this.gmaxValid = false;
    const { y, G, status } = this;
    let Gmax1 = -Infinity; // max { -y_i ∇_i f | i in I_up }
    let Gmax2 = -Infinity; // max { y_i ∇_i f | i in I_low }
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (status[i] !== UPPER && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    if (!this.unshrink && Gmax1 + Gmax2 <= this.opts.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.l;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (this.beShrunk(i, Gmax1, Gmax2)) {
        this.activeSize--;
        while (this.activeSize > i) {
          if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
            this.swapIndex(i, this.activeSize);
            break;
          }
          this.activeSize--;
        }
      }
    }
  }

  private calculateRho(): number {
    const { y, G, status } = this;
    let nFree = 0;
    let ub = Infinity;
    let lb = -Infinity;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER) {
        if (y[i] === -1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER) {
        if (y[i] === 1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        nFree++;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }

  run(): SolveResult {
    const { l, opts } = this;
    const maxIter = opts.maxIter >= 0 ? opts.maxIter : defaultIterationCap(l);
    let iter = 0;
    let counter = Math.min(l, 1000) + 1;
    let converged = true;
    const { y, G, alpha, C, status, Gbar } = this;
    for (;;) {
      if (iter >= maxIter) {
        converged = false;
        if (this.activeSize < l) {
          this.reconstructGradient();
          this.activeSize = l;
        }
        break;
      }
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (opts.shrinking) this.doShrinking();
      }
      if (this.selectWorkingSet()) {
        if (this.diverged) break;
        this.reconstructGradient();
        this.activeSize = l;
        this.gmaxValid = false;
        if (this.selectWorkingSet()) break;
        counter = 1; // shrink at the next iteration
      }
      iter++;
      const i = this.wi;
      const j = this.wj;
      const activeSize = this.activeSize;
      const Qi = this.Q.getQ(i, activeSize);
      const Qj = this.Q.getQ(j, activeSize);
      const Ci = C[i];
      const Cj = C[j];
      const oldAi = alpha[i];
      const oldAj = alpha[j];
      const QD = this.QD;
      let ai = oldAi;
      let aj = oldAj;
      if (y[i] !== y[j]) {
        let quad = QD[i] + QD[j] + 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (-G[i] - G[j]) / quad;
        const diff = ai - aj;
        ai += delta;
        aj += delta;
        if (diff > 0) {
          if (aj < 0) {
            aj = 0;
            ai = diff;
          }
        } else if (ai < 0) {
          ai = 0;
          aj = -diff;
        }
        if (diff > Ci - Cj) {
          if (ai > Ci) {
            ai = Ci;
            aj = Ci - diff;
          }
        } else if (aj > Cj) {
          aj = Cj;
          ai = Cj + diff;
        }
      } else {
        let quad = QD[i] + QD[j] - 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (G[i] - G[j]) / quad;
        const sum = ai + aj;
        ai -= delta;
        aj += delta;
        if (sum > Ci) {
          if (ai > Ci) {
            ai = Ci;
            aj = sum - Ci;
          }
        } else if (aj < 0) {
          aj = 0;
          ai = sum;
        }
        if (sum > Cj) {
          if (aj > Cj) {
            aj = Cj;
            ai = sum - Cj;
          }
        } else if (ai < 0) {
          ai = 0;
          aj = sum;
        }
      }
      // one test per iteration (not per element): ∞ − ∞ in the step gives NaN
      if (!Number.isFinite(ai + aj)) {
        this.diverged = true;
        break;
      }
      alpha[i] = ai;
      alpha[j] = aj;
      const dAi = ai - oldAi;
      const dAj = aj - oldAj;
      const ui = status[i] === UPPER;
      const uj = status[j] === UPPER;
      this.updateStatus(i);
      this.updateStatus(j);
      // gradient update, and the first half of the next working-set selection on the way
      const upS = this.upS;
      let Gmax = -Infinity;
      let GmaxIdx = -1;
      for (let k = 0; k < activeSize; k++) {
        const gk = G[k] + (Qi[k] * dAi + Qj[k] * dAj);
        G[k] = gk;
        const u = upS[k];
        if (u !== 0) {
          const v = u * gk;
          if (v >= Gmax) {
            Gmax = v;
            GmaxIdx = k;
          }
        }
      }
      this.nextGmax = Gmax;
      this.nextGmaxIdx = GmaxIdx;
      this.gmaxValid = true;

      if (ui !== (status[i] === UPPER)) {
        const Qfull = this.Q.getQ(i, l);
        if (ui) for (let k = 0; k < l; k++) Gbar[k] -= Ci * Qfull[k];
        else for (let k = 0; k < l; k++) Gbar[k] += Ci * Qfull[k];
      }
      if (uj !== (status[j] === UPPER)) {
        const Qfull = this.Q.getQ(j, l);
        if (uj) for (let k = 0; k < l; k++) Gbar[k] -= Cj * Qfull[k];
        else for (let k = 0; k < l; k++) Gbar[k] += Cj * Qfull[k];
      }
    }
    const rho = this.calculateRho();
    let obj = 0;
    for (let i = 0; i < l; i++) obj += alpha[i] * (G[i] + this.p[i]);
    obj /= 2;
    // once per solve: a NaN gradient is never selected, so it must be looked for; obj is finite only
    // when every α_t and G_t is (0·∞ is NaN)
    if (this.diverged || !Number.isFinite(obj) || !Number.isFinite(rho)) throw smoDivergedError(opts.who ?? 'SVM');
    const out = new Float64Array(l);
    for (let i = 0; i < l; i++) out[this.activeSet[i]] = alpha[i];
    return { alpha: out, rho, obj, iter, converged };
  }
}
