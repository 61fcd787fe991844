/**
 * Linear models by stochastic gradient descent (scikit-learn's
 * `SGDRegressor` and `SGDClassifier`): one pass over the (shuffled) samples
 * per epoch, each sample moving the weights by
 *
 *   w ← (1 - η·α·(1 - l1Ratio))·w - η·sw·class_weight·∂loss/∂p·x
 *
 * with the L1 part applied by Tsuruoka et al.'s cumulative penalty, the
 * intercept updated with the same step (not penalised), and scikit-learn's
 * learning-rate schedules:
 *   'constant'    η = eta0
 *   'optimal'     η = 1/(α·(t₀ + t - 1)), t₀ from Bottou's heuristic
 *   'invscaling'  η = eta0 / t^powerT
 *   'adaptive'    η = eta0, divided by 5 each time the loss stops improving.
 * An epoch "does not improve" when its summed loss is > best - tol·n (or,
 * with earlyStopping, the validation score < best + tol); nIterNoChange such
 * epochs in a row stop the fit. `average` keeps the running average of the
 * weights (ASGD) and uses it as the model.
 *
 * Classifiers with more than two classes train one binary (±1) model per
 * class (one-vs-rest), each with its own seed drawn from randomState.
 */
import { NumericalError, ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { r2Score } from '../../metrics/regression.js';
import { checkSampleWeight, checkXLabels, checkXy, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, checkChoice, checkNumber } from './common.js';
import { logProbabilities } from '../base.js';
import { IterativeLinearClassifierBase, LinearRegressorBase, type SolverRun } from './linear-model.js';
import { classWeights, type ClassWeight } from '../class-weight.js';

export type SGDRegressorLoss = 'squared_error' | 'huber' | 'epsilon_insensitive' | 'squared_epsilon_insensitive';
export type SGDClassifierLoss = 'hinge' | 'log_loss' | 'modified_huber' | 'squared_hinge' | 'perceptron' | SGDRegressorLoss;
export type SGDPenalty = 'l2' | 'l1' | 'elasticnet' | null;
export type LearningRate = 'constant' | 'optimal' | 'invscaling' | 'adaptive';

interface Loss {
  loss(p: number, y: number): number;
  dloss(p: number, y: number): number;
}

function makeLoss(name: string, epsilon: number): Loss {
  switch (name) {
    case 'squared_error':
      return { loss: (p, y) => 0.5 * (p - y) * (p - y), dloss: (p, y) => p - y };
    case 'huber':
      return {
        loss: (p, y) => {
          const r = Math.abs(p - y);
          return r <= epsilon ? 0.5 * r * r : epsilon * r - 0.5 * epsilon * epsilon;
        },
        dloss: (p, y) => {
          const r = p - y;
          return Math.abs(r) <= epsilon ? r : r > 0 ? epsilon : -epsilon;
        },
      };
    case 'epsilon_insensitive':
      return {
        loss: (p, y) => Math.max(0, Math.abs(y - p) - epsilon),
        dloss: (p, y) => (y - p > epsilon ? -1 : p - y > epsilon ? 1 : 0),
      };
    case 'squared_epsilon_insensitive':
      return {
        loss: (p, y) => {
          const v = Math.max(0, Math.abs(y - p) - epsilon);
          return v * v;
        },
        dloss: (p, y) => {
          const z = y - p;
          return z > epsilon ? -2 * (z - epsilon) : z < -epsilon ? 2 * (-z - epsilon) : 0;
        },
      };
    case 'hinge':
    case 'perceptron': {
      const th = name === 'hinge' ? 1 : 0;
      return {
        loss: (p, y) => {
          const z = p * y;
          return z <= th ? th - z : 0;
        },
        dloss: (p, y) => (p * y <= th ? -y : 0),
      };
    }
    case 'squared_hinge':
      return {
        loss: (p, y) => {
          const z = 1 - p * y;
          return z > 0 ? z * z : 0;
        },
        dloss: (p, y) => {
          const z = 1 - p * y;
          return z > 0 ? -2 * y * z : 0;
        },
      };
    case 'log_loss':
      return {
        loss: (p, y) => {
          const z = p * y;
          return z > 18 ? Math.exp(-z) : z < -18 ? -z : Math.log1p(Math.exp(-z));
        },
        dloss: (p, y) => {
          const z = p * y;
          return z > 18 ? -y * Math.exp(-z) : z < -18 ? -y : -y / (Math.exp(z) + 1);
        },
      };
    case 'modified_huber':
      return {
        loss: (p, y) => {
          const z = p * y;
          return z >= 1 ? 0 : z >= -1 ? (1 - z) * (1 - z) : -4 * z;
        },
        dloss: (p, y) => {
          const z = p * y;
          return z >= 1 ? 0 : z >= -1 ? -2 * (1 - z) * y : -4 * y;
        },
      };
    default:
      throw new ValueError(`SGD: unknown loss '${name}'`);
  }
}

interface PlainSGDOptions {
  loss: Loss;
  penalty: SGDPenalty;
  alpha: number;
  l1Ratio: number;
  maxIter: number;
  tol: number | null;
  fitIntercept: boolean;
  shuffle: boolean;
  rng: Generator;
  learningRate: LearningRate;
  eta0: number;
  powerT: number;
  nIterNoChange: number;
  /** 0: no averaging; k >= 1: average from the k-th update on. */
  average: number;
  weightPos: number;
  weightNeg: number;
  /** Rows used for training (the others are the validation set), or null for all. */
  trainMask: Uint8Array | null;
  /** With early stopping: score of (w, b) on the validation set. */
  validationScore: ((w: Float64Array, b: number) => number) | null;
  coefInit: Float64Array | null;
  interceptInit: number;
  /** The estimator named in a NumericalError. */
  est: string;
}

interface PlainSGDResult {
  coef: Float64Array;
  intercept: number;
  avgCoef: Float64Array | null;
  avgIntercept: number;
  nIter: number;
  /** Updates made (t - 1 at the end). */
  t: number;
  converged: boolean;
}

/** scikit-learn's `_plain_sgd` for one binary / regression target. */
function plainSGD(X: Matrix, y: Float64Array, sw: Float64Array, o: PlainSGDOptions): PlainSGDResult {
  const n = X.rows,
    d = X.cols,
    a = X.data;
  const w = o.coefInit ? o.coefInit.slice() : new Float64Array(d);
  let wscale = 1;
  let b = o.interceptInit;
  const avg = o.average > 0 ? new Float64Array(d) : null;
  let avgB = 0;
  const l1Ratio = o.penalty === 'l2' ? 0 : o.penalty === 'l1' ? 1 : o.l1Ratio;
  const useL1 = o.penalty === 'l1' || o.penalty === 'elasticnet';
  const q = useL1 ? new Float64Array(d) : null;
  let u = 0;
  const alpha = o.alpha;
  let eta = o.eta0;
  let optimalInit = 0;
  if (o.learningRate === 'optimal') {
    const typw = Math.sqrt(1 / Math.sqrt(alpha));
    const eta0 = typw / Math.max(1, o.loss.dloss(-typw, 1));
    optimalInit = 1 / (eta0 * alpha);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let t = 1;
  let bestLoss = Infinity,
    bestScore = -Infinity,
    noImprovement = 0;
  let epoch = 0,
    converged = false;
  const nTrain = o.trainMask ? o.trainMask.reduce((s, v) => s + v, 0) : n;
  const trueW = (): Float64Array => {
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = w[j] * wscale;
    return out;
  };
  for (; epoch < o.maxIter; epoch++) {
    let sumLoss = 0;
    if (o.shuffle) o.rng.shuffle(order);
    for (let s = 0; s < n; s++) {
      const i = order[s];
      if (o.trainMask && !o.trainMask[i]) continue;
      const r = i * d;
      let dotv = 0;
      for (let j = 0; j < d; j++) dotv += w[j] * a[r + j];
      const p = dotv * wscale + b;
      if (o.learningRate === 'optimal') eta = 1 / (alpha * (optimalInit + t - 1));
      else if (o.learningRate === 'invscaling') eta = o.eta0 / Math.pow(t, o.powerT);
      const yi = y[i];
      sumLoss += o.loss.loss(p, yi);
      let dl = o.loss.dloss(p, yi);
      if (dl < -1e12) dl = -1e12;
      else if (dl > 1e12) dl = 1e12;
      const update = -eta * dl * (yi > 0 ? o.weightPos : o.weightNeg) * sw[i];
      if (o.penalty !== null) {
        wscale *= Math.max(0, 1 - (1 - l1Ratio) * eta * alpha);
        if (wscale < 1e-9) {
          for (let j = 0; j < d; j++) w[j] *= wscale;
          wscale = 1;
        }
      }
      if (update !== 0 && wscale !== 0) {
        const f = update / wscale;
        for (let j = 0; j < d; j++) w[j] += a[r + j] * f;
      }
      if (o.fitIntercept) b += update;
      if (avg && o.average <= t) {
        const mu = 1 / (t - o.average + 1);
        for (let j = 0; j < d; j++) avg[j] += (w[j] * wscale - avg[j]) * mu;
        avgB += (b - avgB) * mu;
      }
      if (q) {
        u += l1Ratio * eta * alpha;
        for (let j = 0; j < d; j++) {
          if (a[r + j] === 0) continue;
          const z = w[j];
          if (wscale * z > 0) w[j] = Math.max(0, w[j] - (u + q[j]) / wscale);
          else if (wscale * z < 0) w[j] = Math.min(0, w[j] + (u - q[j]) / wscale);
          q[j] += wscale * (w[j] - z);
        }
      }
      t++;
    }
    let finite = Number.isFinite(b) && Number.isFinite(wscale);
    for (let j = 0; j < d && finite; j++) finite = Number.isFinite(w[j]);
    if (!finite || Number.isNaN(sumLoss)) {
      throw new NumericalError(`${o.est}: floating-point overflow at epoch ${epoch + 1}; scaling the input (StandardScaler or MinMaxScaler) or a smaller eta0 may help`);
    }
    if (o.validationScore) {
      const score = o.validationScore(trueW(), b);
      if (o.tol !== null && score < bestScore + o.tol) noImprovement++;
      else noImprovement = 0;
      if (score > bestScore) bestScore = score;
    } else {
      if (o.tol !== null && sumLoss > bestLoss - o.tol * nTrain) noImprovement++;
      else noImprovement = 0;
      if (sumLoss < bestLoss) bestLoss = sumLoss;
    }
    if (noImprovement >= o.nIterNoChange) {
      if (o.learningRate === 'adaptive' && eta > 1e-6) {
        eta /= 5;
        noImprovement = 0;
      } else {
        converged = true;
        epoch++;
        break;
      }
    }
  }
  return { coef: trueW(), intercept: b, avgCoef: avg, avgIntercept: avgB, nIter: Math.min(epoch, o.maxIter), t: t - 1, converged };
}

// ---------------------------------------------------------------- shared params

interface SGDCommonParams {
  penalty: SGDPenalty;
  alpha: number;
  l1Ratio: number;
  fitIntercept: boolean;
  maxIter: number;
  /** null: no tolerance, run maxIter epochs. */
  tol: number | null;
  shuffle: boolean;
  /** For 'huber' and the epsilon-insensitive losses. */
  epsilon: number;
  randomState: number | Generator | null;
  learningRate: LearningRate;
  eta0: number;
  powerT: number;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  warmStart: boolean;
  /** false, true (average from the first update) or the update count to start averaging at. */
  average: boolean | number;
}

/** The plainSGD options that come straight from the params every SGD estimator shares. */
type CommonSettings = Pick<
  PlainSGDOptions,
  'penalty' | 'alpha' | 'l1Ratio' | 'maxIter' | 'tol' | 'fitIntercept' | 'shuffle' | 'learningRate' | 'eta0' | 'powerT' | 'nIterNoChange' | 'average'
>;

/** Validates the params every SGD estimator shares; returns them as plainSGD takes them. */
function checkCommon(p: SGDCommonParams, est: string): CommonSettings {
  checkChoice('penalty', p.penalty === null ? 'none' : p.penalty, ['l2', 'l1', 'elasticnet', 'none'] as const, est);
  checkNumber('alpha', p.alpha, est, { min: 0 });
  checkNumber('l1Ratio', p.l1Ratio, est, { min: 0, max: 1 });
  checkBool('fitIntercept', p.fitIntercept, est);
  checkNumber('maxIter', p.maxIter, est, { min: 1, integer: true });
  if (p.tol !== null) checkNumber('tol', p.tol, est);
  checkBool('shuffle', p.shuffle, est);
  checkNumber('epsilon', p.epsilon, est, { min: 0 });
  checkChoice('learningRate', p.learningRate, ['constant', 'optimal', 'invscaling', 'adaptive'] as const, est);
  checkNumber('eta0', p.eta0, est, { min: 0 });
  if (p.learningRate !== 'optimal' && !(p.eta0 > 0)) throw new ValueError(`${est}: eta0 must be > 0 with learningRate '${p.learningRate}', got ${p.eta0}`);
  if (p.learningRate === 'optimal' && !(p.alpha > 0)) throw new ValueError(`${est}: alpha must be > 0 with learningRate 'optimal' (it sets the step size), got ${p.alpha}`);
  checkNumber('powerT', p.powerT, est);
  checkBool('earlyStopping', p.earlyStopping, est);
  checkNumber('validationFraction', p.validationFraction, est, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  checkNumber('nIterNoChange', p.nIterNoChange, est, { min: 1, integer: true });
  checkBool('warmStart', p.warmStart, est);
  let average = 0;
  if (p.average === true) average = 1;
  else if (typeof p.average === 'number') average = checkNumber('average', p.average, est, { min: 0, integer: true });
  else if (p.average !== false) throw new ValueError(`${est}: average must be a boolean or a non-negative integer, got ${String(p.average)}`);
  const { penalty, alpha, l1Ratio, maxIter, tol, fitIntercept, shuffle, learningRate, eta0, powerT, nIterNoChange } = p;
  return { penalty, alpha, l1Ratio, maxIter, tol, fitIntercept, shuffle, learningRate, eta0, powerT, nIterNoChange, average };
}

/** A random validation split: returns the training mask (1 = train). */
function validationSplit(n: number, fraction: number, rng: Generator, strata: Int32Array | null, est: string): Uint8Array {
  const mask = new Uint8Array(n).fill(1);
  const nVal = Math.ceil(fraction * n);
  if (nVal < 1 || nVal >= n) throw new ValueError(`${est}: validationFraction=${fraction} leaves no training or no validation samples with ${n} samples`);
  if (strata) {
    // stratified: about `fraction` of each class
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = groups.get(strata[i]) ?? [];
      g.push(i);
      groups.set(strata[i], g);
    }
    for (const g of groups.values()) {
      const perm = rng.permutation(g.length);
      const take = Math.round((g.length * nVal) / n);
      for (let k = 0; k < take; k++) mask[g[perm[k]]] = 0;
    }
  } else {
    const perm = rng.permutation(n);
    for (let k = 0; k < nVal; k++) mask[perm[k]] = 0;
  }
  return mask;
}

const COMMON_DEFAULTS = {
  penalty: 'l2' as SGDPenalty,
  alpha: 1e-4,
  l1Ratio: 0.15,
  fitIntercept: true,
  maxIter: 1000,
  tol: 1e-3 as number | null,
  shuffle: true,
  epsilon: 0.1,
  randomState: null,
  earlyStopping: false,
  validationFraction: 0.1,
  nIterNoChange: 5,
  warmStart: false,
  average: false as boolean | number,
  powerT: 0.25,
};

// ---------------------------------------------------------------- regressor

export interface SGDRegressorParams extends SGDCommonParams {
  loss: SGDRegressorLoss;
}

const REG_DEFAULTS: SGDRegressorParams = { ...COMMON_DEFAULTS, loss: 'squared_error', learningRate: 'invscaling', eta0: 0.01 };

export class SGDRegressor extends LinearRegressorBase<SGDRegressorParams> {
  /** Epochs run. */
  nIter?: number;
  /** Weight updates made. */
  tUpdates?: number;
  converged?: boolean;

  static readonly defaults: SGDRegressorParams = REG_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const est = 'SGDRegressor';
    const p = this.params;
    const settings = checkCommon(p, est);
    const loss = makeLoss(checkChoice('loss', p.loss, ['squared_error', 'huber', 'epsilon_insensitive', 'squared_epsilon_insensitive'] as const, est), p.epsilon);
    const { X: Xm, y: yv } = checkXy(X, y);
    const n = Xm.rows;
    const sw = checkSampleWeight(sampleWeight, n, { nonNegative: true }) ?? new Float64Array(n).fill(1);
    const rng = resolveGenerator(p.randomState);
    const warm = p.warmStart && this.coef && this.coef.length === Xm.cols;
    let trainMask: Uint8Array | null = null;
    let validationScore: PlainSGDOptions['validationScore'] = null;
    if (p.earlyStopping) {
      trainMask = validationSplit(n, p.validationFraction, rng, null, est);
      const idx: number[] = [];
      for (let i = 0; i < n; i++) if (!trainMask[i]) idx.push(i);
      validationScore = (w, b) => {
        const yt = new Float64Array(idx.length),
          yp = new Float64Array(idx.length),
          ws = new Float64Array(idx.length);
        idx.forEach((i, k) => {
          let s = b;
          for (let j = 0; j < Xm.cols; j++) s += Xm.data[i * Xm.cols + j] * w[j];
          yp[k] = s;
          yt[k] = yv[i];
          ws[k] = sw[i];
        });
        return r2Score(yt, yp, { sampleWeight: ws });
      };
    }
    const r = plainSGD(Xm, yv, sw, {
      loss,
      ...settings,
      rng,
      weightPos: 1,
      weightNeg: 1,
      trainMask,
      validationScore,
      coefInit: warm ? this.coef! : null,
      interceptInit: warm ? this.intercept! : 0,
      est,
    });
    const useAvg = r.avgCoef !== null && settings.average <= r.t;
    this.nIter = r.nIter;
    this.tUpdates = r.t;
    this.converged = r.converged;
    return this.finishFit(useAvg ? r.avgCoef! : r.coef, useAvg ? r.avgIntercept : r.intercept, Xm.cols);
  }
}

// ---------------------------------------------------------------- classifier

export interface SGDClassifierParams extends SGDCommonParams {
  loss: SGDClassifierLoss;
  classWeight: ClassWeight;
}

const CLF_DEFAULTS: SGDClassifierParams = { ...COMMON_DEFAULTS, loss: 'hinge', learningRate: 'optimal', eta0: 0, classWeight: null };

export class SGDClassifier extends IterativeLinearClassifierBase<SGDClassifierParams> {
  static readonly defaults: SGDClassifierParams = CLF_DEFAULTS;

  fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput | null): this {
    const est = 'SGDClassifier';
    const p = this.params;
    const settings = checkCommon(p, est);
    const lossName = checkChoice(
      'loss',
      p.loss,
      ['hinge', 'log_loss', 'modified_huber', 'squared_hinge', 'perceptron', 'squared_error', 'huber', 'epsilon_insensitive', 'squared_epsilon_insensitive'] as const,
      est,
    );
    const loss = makeLoss(lossName, p.epsilon);
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, est);
    const n = Xm.rows,
      d = Xm.cols,
      nc = classes.length;
    const sw = checkSampleWeight(sampleWeight, n, { nonNegative: true }) ?? new Float64Array(n).fill(1);
    const cw = classWeights(p.classWeight, classes, codes, est);
    const rng = resolveGenerator(p.randomState);
    const warm = p.warmStart && this.coef && this.classes && this.classes.length === nc && this.coef.shape[1] === d;
    let trainMask: Uint8Array | null = null;
    if (p.earlyStopping) trainMask = validationSplit(n, p.validationFraction, rng, codes, est);
    const models = nc === 2 ? [1] : classes.map((_, k) => k);
    const seeds = models.map(() => rng.nextUint32());
    const W = new Float64Array(models.length * d);
    const B = new Float64Array(models.length);
    const runs: SolverRun[] = [];
    models.forEach((k, m) => {
      const yb = new Float64Array(n);
      for (let i = 0; i < n; i++) yb[i] = codes[i] === k ? 1 : -1;
      let validationScore: PlainSGDOptions['validationScore'] = null;
      if (trainMask) {
        const mask = trainMask;
        validationScore = (w, b) => {
          let ok = 0,
            tot = 0;
          for (let i = 0; i < n; i++) {
            if (mask[i]) continue;
            let s = b;
            for (let j = 0; j < d; j++) s += Xm.data[i * d + j] * w[j];
            ok += sw[i] * ((s > 0 ? 1 : -1) === yb[i] ? 1 : 0);
            tot += sw[i];
          }
          return ok / tot;
        };
      }
      const r = plainSGD(Xm, yb, sw, {
        loss,
        ...settings,
        rng: resolveGenerator(seeds[m]),
        weightPos: nc === 2 ? cw[1] : cw[k],
        weightNeg: nc === 2 ? cw[0] : 1,
        trainMask,
        validationScore,
        coefInit: warm ? (this.coef!.data as Float64Array).slice(m * d, m * d + d) : null,
        interceptInit: warm ? this.intercept![m] : 0,
        est,
      });
      const useAvg = r.avgCoef !== null && settings.average <= r.t;
      W.set(useAvg ? r.avgCoef! : r.coef, m * d);
      B[m] = useAvg ? r.avgIntercept : r.intercept;
      runs.push(r);
    });
    return this.finishIterativeFit(W, B, classes, d, runs);
  }

  /**
   * Probabilities, only for loss 'log_loss' (sigmoid, one-vs-rest
   * normalised) or 'modified_huber'; undefined for the other losses (as
   * scikit-learn's `predict_proba` is unavailable for them).
   */
  get predictProba(): ((X: MatrixInput) => Tensor) | undefined {
    const lossName = this.params.loss;
    return lossName === 'log_loss' || lossName === 'modified_huber' ? (X) => this.probabilities(X) : undefined;
  }

  /** Log of `predictProba` (same availability). */
  get predictLogProba(): ((X: MatrixInput) => Tensor) | undefined {
    const proba = this.predictProba;
    return proba ? (X) => logProbabilities(proba(X)) : undefined;
  }

  private probabilities(X: MatrixInput): Tensor {
    const lossName = this.params.loss;
    const { s, n, k } = this.scores(X);
    const nc = this.classes!.length;
    const P = new Float64Array(n * nc);
    const f = lossName === 'log_loss' ? (z: number) => (z > 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))) : (z: number) => (Math.min(1, Math.max(-1, z)) + 1) / 2;
    for (let i = 0; i < n; i++) {
      if (k === 1) {
        const p1 = f(s[i]);
        P[2 * i] = 1 - p1;
        P[2 * i + 1] = p1;
        continue;
      }
      let t = 0;
      for (let c = 0; c < nc; c++) {
        const v = f(s[i * nc + c]);
        P[i * nc + c] = v;
        t += v;
      }
      for (let c = 0; c < nc; c++) P[i * nc + c] = t === 0 ? 1 / nc : P[i * nc + c] / t;
    }
    return new Tensor(P, [n, nc]);
  }
}
