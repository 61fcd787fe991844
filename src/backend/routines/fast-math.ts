/**
 * exp, sigmoid and tanh for the recurrent cells' inner loops, about twice
 * as fast as Math.exp / Math.tanh in V8 and accurate to a few ulp in float64
 * (relative error below 1e-14), so they serve float32 and float64 alike.
 *
 * exp(x) = 2^k · 2^(j/32) · p(r) with n = round(32·x/ln 2) = 32k + j and
 * r = x − n·ln2/32 (|r| ≤ 0.0109), p a degree-6 Taylor polynomial.
 */
const EXP_TABLE = new Float64Array(32);
for (let j = 0; j < 32; j++) EXP_TABLE[j] = Math.pow(2, j / 32);
const POW2 = new Float64Array(2100);
for (let k = 0; k < 2100; k++) POW2[k] = Math.pow(2, k - 1075);
const INV_STEP = 32 / Math.LN2;
// ln2/32 in two parts (fdlibm's ln2_hi has trailing zero bits, so n·STEP_HI is exact).
const STEP_HI = 6.93147180369123816490e-1 / 32;
const STEP_LO = 1.90821492927058770002e-10 / 32;
const ROUND = 6755399441055744; // 1.5·2^52: adding and subtracting it rounds to the nearest integer

export function fastExp(x: number): number {
  if (!(x > -700 && x < 700)) return Math.exp(x); // overflow, underflow and NaN as Math.exp
  const n = x * INV_STEP + ROUND - ROUND;
  const r = x - n * STEP_HI - n * STEP_LO;
  const ni = n | 0;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return POW2[(ni >> 5) + 1075] * EXP_TABLE[ni & 31] * p;
}

export function fastSigmoid(x: number): number {
  return 1 / (1 + fastExp(-x));
}

export function fastTanh(x: number): number {
  const a = x < 0 ? -x : x;
  if (a < 0.1) {
    // Taylor series near 0, where 1 − 2/(e^{2x} + 1) would cancel.
    const x2 = x * x;
    return x * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315 + x2 * (62 / 2835 + x2 * (-1382 / 155925))))));
  }
  const t = 1 - 2 / (fastExp(2 * a) + 1);
  return x < 0 ? -t : t;
}
