/**
 * Mode-specific normalisation of a numeric column (CTGAN, Xu et al. 2019):
 * a 1-D Gaussian mixture fitted by EM finds the column's modes; a value is
 * then coded as the mode it belongs to (one-hot) and its offset from that
 * mode's mean in units of 4 standard deviations (in (−1, 1), a tanh's
 * range). A multimodal column becomes something an MLP generator can
 * produce, where plain min-max scaling would smear the modes together.
 */
import { ValueError } from '../errors.js';
import type { Generator } from '../tensor/random.js';

const MAX_EM_ITERATIONS = 100;
/** Modes lighter than this are dropped after EM (CTGAN's threshold). */
const MIN_MODE_WEIGHT = 0.005;
/** Offsets are kept inside tanh's open range. */
const MAX_OFFSET = 0.99;

/** A fitted mixture: plain arrays, so it saves with the synthesizer. */
export interface ModeNormalizer {
  means: Float64Array;
  stds: Float64Array;
  weights: Float64Array;
  /** The training values' range: decoded values are clipped to it. */
  min: number;
  max: number;
  /** All training values were integers: decoded values are rounded. */
  integer: boolean;
}

function logDensity(v: number, mean: number, std: number): number {
  const z = (v - mean) / std;
  return -0.5 * z * z - Math.log(std);
}

/** Fits up to `maxModes` modes to finite `values` (EM from quantile starts, at most 100 iterations). */
export function fitModes(values: Float64Array, maxModes: number, who: string): ModeNormalizer {
  const n = values.length;
  if (n === 0) throw new ValueError(`${who}: a numeric column has no values`);
  const sorted = Float64Array.from(values).sort();
  const min = sorted[0],
    max = sorted[n - 1];
  let distinct = 1;
  for (let i = 1; i < n && distinct < maxModes; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const k = Math.min(maxModes, distinct);
  const floor = Math.max(1e-6, (max - min) * 1e-3);
  let mean = 0;
  for (const v of values) mean += v / n;
  let variance = 0;
  for (const v of values) variance += ((v - mean) * (v - mean)) / n;
  const means = Float64Array.from({ length: k }, (_, j) => sorted[Math.min(n - 1, Math.floor(((j + 0.5) / k) * n))]);
  const stds = new Float64Array(k).fill(Math.max(floor, Math.sqrt(variance) / k));
  const weights = new Float64Array(k).fill(1 / k);
  const resp = new Float64Array(n * k);
  let previous = -Infinity;
  for (let iter = 0; iter < MAX_EM_ITERATIONS; iter++) {
    // E step: responsibilities (log-sum-exp for stability), and the log-likelihood.
    let logLik = 0;
    for (let i = 0; i < n; i++) {
      let top = -Infinity;
      for (let j = 0; j < k; j++) {
        const l = Math.log(weights[j]) + logDensity(values[i], means[j], stds[j]);
        resp[i * k + j] = l;
        if (l > top) top = l;
      }
      let sum = 0;
      for (let j = 0; j < k; j++) sum += resp[i * k + j] = Math.exp(resp[i * k + j] - top);
      for (let j = 0; j < k; j++) resp[i * k + j] /= sum;
      logLik += top + Math.log(sum);
    }
    // M step.
    for (let j = 0; j < k; j++) {
      let w = 0,
        m = 0;
      for (let i = 0; i < n; i++) {
        w += resp[i * k + j];
        m += resp[i * k + j] * values[i];
      }
      if (w < 1e-12) {
        weights[j] = 0;
        continue;
      }
      m /= w;
      let s = 0;
      for (let i = 0; i < n; i++) s += resp[i * k + j] * (values[i] - m) * (values[i] - m);
      weights[j] = w / n;
      means[j] = m;
      stds[j] = Math.max(floor, Math.sqrt(s / w));
    }
    if (logLik - previous < 1e-6 * n) break;
    previous = logLik;
  }
  const keep = [...weights.keys()].filter((j) => weights[j] >= MIN_MODE_WEIGHT);
  const total = keep.reduce((s, j) => s + weights[j], 0);
  return {
    means: Float64Array.from(keep, (j) => means[j]),
    stds: Float64Array.from(keep, (j) => stds[j]),
    weights: Float64Array.from(keep, (j) => weights[j] / total),
    min,
    max,
    integer: values.every(Number.isInteger),
  };
}

/** Codes `v` into out[at] (offset) and out[at + 1 ...] (one-hot mode), the mode drawn from its posterior as CTGAN does. */
export function encodeValue(m: ModeNormalizer, v: number, out: Float32Array, at: number, random: Generator): void {
  const k = m.means.length;
  let top = -Infinity;
  const logp = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    logp[j] = Math.log(m.weights[j]) + logDensity(v, m.means[j], m.stds[j]);
    if (logp[j] > top) top = logp[j];
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += logp[j] = Math.exp(logp[j] - top);
  let u = random.random() * sum,
    mode = k - 1;
  for (let j = 0; j < k; j++) {
    u -= logp[j];
    if (u < 0) {
      mode = j;
      break;
    }
  }
  const offset = (v - m.means[mode]) / (4 * m.stds[mode]);
  out[at] = Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, offset));
  out[at + 1 + mode] = 1;
}

/** The value coded by an offset and mode scores (the highest wins), clipped to the training range. */
export function decodeValue(m: ModeNormalizer, row: ArrayLike<number>, at: number): number {
  let mode = 0;
  for (let j = 1; j < m.means.length; j++) if (row[at + 1 + j] > row[at + 1 + mode]) mode = j;
  const offset = Math.max(-1, Math.min(1, row[at]));
  const v = Math.max(m.min, Math.min(m.max, offset * 4 * m.stds[mode] + m.means[mode]));
  return m.integer ? Math.round(v) : v;
}
