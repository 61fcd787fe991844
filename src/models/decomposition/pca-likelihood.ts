/**
 * The probabilistic PCA model behind `PCA.score` and `nComponents: 'mle'`
 * (Tipping & Bishop 1999; Minka 2000, "Automatic choice of dimensionality
 * for PCA"), with scikit-learn's formulas.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
    1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Minka's log-likelihood of keeping `rank` components of a data set whose
 * covariance spectrum (descending) is `spectrum`: scikit-learn's
 * `_assess_dimension`.
 */
export function assessDimension(spectrum: Float64Array, rank: number, nSamples: number): number {
  const nFeatures = spectrum.length;
  const eps = 1e-15;
  if (spectrum[rank - 1] < eps) return -Infinity;
  let pu = -rank * Math.log(2);
  for (let i = 1; i <= rank; i++) pu += logGamma((nFeatures - i + 1) / 2) - (Math.log(Math.PI) * (nFeatures - i + 1)) / 2;
  let pl = 0;
  for (let i = 0; i < rank; i++) pl += Math.log(spectrum[i]);
  pl = (-pl * nSamples) / 2;
  let rest = 0;
  for (let i = rank; i < nFeatures; i++) rest += spectrum[i];
  const v = Math.max(eps, rest / (nFeatures - rank));
  const pv = (-Math.log(v) * nSamples * (nFeatures - rank)) / 2;
  const m = nFeatures * rank - (rank * (rank + 1)) / 2;
  const pp = (Math.log(2 * Math.PI) * (m + rank)) / 2;
  let pa = 0;
  const tail = (j: number): number => (j < rank ? spectrum[j] : v);
  for (let i = 0; i < rank; i++) {
    for (let j = i + 1; j < nFeatures; j++) pa += Math.log((spectrum[i] - spectrum[j]) * (1 / tail(j) - 1 / tail(i))) + Math.log(nSamples);
  }
  return pu + pl + pv + pp - pa / 2 - (rank * Math.log(nSamples)) / 2;
}

/** The rank (1 .. len-1) of largest Minka likelihood: scikit-learn's `_infer_dimension`. */
export function inferDimension(spectrum: Float64Array, nSamples: number): number {
  let best = 0;
  let bestLL = -Infinity;
  for (let rank = 1; rank < spectrum.length; rank++) {
    const ll = assessDimension(spectrum, rank, nSamples);
    if (ll > bestLL) {
      bestLL = ll;
      best = rank;
    }
  }
  return best;
}
