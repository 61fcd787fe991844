/**
 * Initial centres for k-means, as scikit-learn chooses them: greedy
 * k-means++ (Arthur & Vassilvitskii 2007, with 2 + ⌊ln k⌋ candidates per
 * centre, keeping the one that lowers the potential most) or k distinct
 * random samples.
 */
import { gemm } from '../../backend/index.js';
import type { Generator } from '../../tensor/random.js';

/** The smallest index whose cumulative sum reaches `value` (numpy's searchsorted, side 'left'), clipped to the last index. */
function searchCumulative(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, cumulative.length - 1);
}

/** A sample index drawn with probability proportional to `weights` (uniform without weights). */
function drawIndex(n: number, weights: Float64Array | null, rng: Generator): number {
  if (!weights) return rng.randint(0, n);
  const cumulative = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cumulative[i] = s += weights[i];
  return searchCumulative(cumulative, rng.random() * s);
}

/**
 * Greedy k-means++ on X (n×d) with the rows' squared norms `xNorms`: k×d
 * centres, copied from samples.
 */
export function kmeansPlusPlus(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  xNorms: Float64Array,
  weights: Float64Array | null,
  rng: Generator,
  nLocalTrials?: number,
): Float64Array {
  const trials = nLocalTrials ?? 2 + Math.floor(Math.log(k));
  const centers = new Float64Array(k * d);
  const first = drawIndex(n, weights, rng);
  centers.set(x.subarray(first * d, first * d + d), 0);
  let closest = distancesToSamples(x, n, d, xNorms, [first]);
  let potential = weightedSum(closest, weights);
  const cumulative = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) cumulative[i] = s += weights ? weights[i] * closest[i] : closest[i];
    const candidates: number[] = [];
    for (let t = 0; t < trials; t++) candidates.push(searchCumulative(cumulative, rng.random() * potential));
    const dist = distancesToSamples(x, n, d, xNorms, candidates);
    let best = 0;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const row = dist.subarray(t * n, t * n + n);
      for (let i = 0; i < n; i++) if (closest[i] < row[i]) row[i] = closest[i];
      const pot = weightedSum(row, weights);
      if (pot < bestPotential) {
        bestPotential = pot;
        best = t;
      }
    }
    potential = bestPotential;
    closest = dist.slice(best * n, best * n + n);
    centers.set(x.subarray(candidates[best] * d, candidates[best] * d + d), c * d);
  }
  return centers;
}

/** k distinct samples chosen uniformly at random (the first k of a random permutation). */
export function randomCenters(x: Float64Array, n: number, d: number, k: number, rng: Generator): Float64Array {
  const order = rng.permutation(n);
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) centers.set(x.subarray(order[c] * d, order[c] * d + d), c * d);
  return centers;
}

/** Squared distances from the samples `ids` to every sample: ids.length rows of n, through the GEMM. */
function distancesToSamples(x: Float64Array, n: number, d: number, xNorms: Float64Array, ids: readonly number[]): Float64Array {
  const t = ids.length;
  const picked = new Float64Array(t * d);
  ids.forEach((id, r) => picked.set(x.subarray(id * d, id * d + d), r * d));
  // X·pickedᵀ (n×t) rather than picked·Xᵀ: the GEMM packs its right operand, and the picked rows are far fewer than X's.
  const dots = new Float64Array(n * t);
  gemm({ m: n, n: t, k: d, a: x, b: picked, transB: true, c: dots });
  const out = new Float64Array(t * n);
  for (let r = 0; r < t; r++) {
    const own = xNorms[ids[r]];
    for (let i = 0; i < n; i++) out[r * n + i] = Math.max(own - 2 * dots[i * t + r] + xNorms[i], 0);
  }
  return out;
}

function weightedSum(v: Float64Array, weights: Float64Array | null): number {
  let s = 0;
  if (weights) for (let i = 0; i < v.length; i++) s += weights[i] * v[i];
  else for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}
