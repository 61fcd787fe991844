/**
 * Fast exp, in two tunings:
 * - exp, sigmoid and tanh for the recurrent cells' inner loops, about twice
 * as fast as Math.exp / Math.tanh in V8 and accurate to a few ulp in float64
 * (relative error below 1e-14), so they serve float32 and float64 alike.
 *
 * exp(x) = 2^k · 2^(j/32) · p(r) with n = round(32·x/ln 2) = 32k + j and
 * r = x − n·ln2/32 (|r| ≤ 0.0109), p a degree-6 Taylor polynomial.
 * - tanhF32, float32's tanh (see below), which asm/elementwise.ts's
 *   tanhF32 computes the same way to the bit.
 * - kernelExp / kernelExpF32 for the SVM kernels (RBF), on 64 steps per
 *   octave, whose constants the wasm SVC solver (asm/svm-rows.ts) reads to
 *   give the same values to the bit.
 */
const EXP_TABLE = new Float64Array(32);
for (let j = 0; j < 32; j++) EXP_TABLE[j] = Math.pow(2, j / 32);
const POW2 = new Float64Array(2100);
for (let k = 0; k < 2100; k++) POW2[k] = Math.pow(2, k - 1075);
const INV_STEP = 32 / Math.LN2;
// ln2/32 in two parts (fdlibm's ln2_hi has trailing zero bits, so n·STEP_HI is exact).
const STEP_HI = 6.9314718036912381649e-1 / 32;
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

// ---------------------------------------------------------------- float32 tanh

/** Below 2^-6, tanh's Taylor polynomial (1 − 2/(e^{2x} + 1) would cancel); x − x³/3 + 2x⁵/15 − 17x⁷/315 is exact to 1e-16 there. */
const TANH_SMALL = 0.015625;
/** tanh(|x|) rounds to 1 in float32 from 9.02 on; clamping keeps e^{2x} finite. */
const TANH_CLAMP = 10;
const LOG2E = Math.LOG2E;
const LN2_HI = 6.9314718036912381649e-1; // fdlibm's split of ln 2: n·LN2_HI is exact for n < 2^11
const LN2_LO = 1.90821492927058770002e-10;
/** 2^n for the n that 2·min(|x|, 10)·log2(e) rounds to (0..29). */
const TANH_POW2 = Float64Array.from({ length: 32 }, (_, n) => 2 ** n);

/**
 * tanh for float32 tensors, every size alike (the wasm kernel for large
 * arrays computes exactly these float64 operations, two lanes at a time):
 * float64 arithmetic accurate to about 1e-15, rounded once to float32, so
 * it is within one float32 ulp of Math.tanh and almost always equal to it
 * rounded. For |x| ≥ 2^-6: 1 − 2/(e^{2|x|} + 1) with e^y = 2^n·P(r),
 * y = n·ln2 + r, |r| ≤ ln2/2, P the degree-12 Taylor polynomial; the sign of x.
 * NaN gives NaN; ±Infinity gives ±1. Float64 tensors keep Math.tanh.
 */
export function tanhF32(x: number): number {
  const a = Math.abs(x);
  if (a < TANH_SMALL) {
    const x2 = x * x;
    return Math.fround(x * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315)))));
  }
  const y = 2 * Math.min(a, TANH_CLAMP);
  const n = y * LOG2E + ROUND - ROUND;
  const r = y - n * LN2_HI - n * LN2_LO;
  const p =
    1 +
    r *
      (1 +
        r *
          (1 / 2 +
            r *
              (1 / 6 +
                r *
                  (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (1 / 479001600))))))))))));
  const t = 1 - 2 / (p * TANH_POW2[n | 0] + 1);
  return Math.fround(x < 0 ? -t : t);
}

// ---------------------------------------------------------------- the SVM kernels' exp

const KERNEL_EXP_STEPS = 64;
const KERNEL_EXP_TABLE = new Float64Array(KERNEL_EXP_STEPS);
for (let j = 0; j < KERNEL_EXP_STEPS; j++) KERNEL_EXP_TABLE[j] = 2 ** (j / KERNEL_EXP_STEPS);
const KERNEL_POW2 = new Float64Array(2046);
for (let e = -1022; e <= 1023; e++) KERNEL_POW2[e + 1022] = 2 ** e;
const KERNEL_INV_STEP = KERNEL_EXP_STEPS / Math.LN2;
// ln2/64 in two parts, the high one with 40 fraction bits (so kd·KERNEL_STEP_HI is exact).
const KERNEL_STEP_HI = Math.round((Math.LN2 / KERNEL_EXP_STEPS) * 2 ** 40) / 2 ** 40;
const KERNEL_STEP_LO = Math.LN2 / KERNEL_EXP_STEPS - KERNEL_STEP_HI;

/**
 * exp(x) to about 1e-15 relative error for |x| < 50 (3e-14 at the ends of the
 * double range), about twice as fast as Math.exp in V8:
 * x = (k/64)·ln 2 + r with |r| ≤ ln2/128, 2^(k/64) from two tables and a
 * degree-6 polynomial for e^r.
 */
export function kernelExp(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x);
  const kd = x * KERNEL_INV_STEP + ROUND - ROUND;
  const k = kd | 0;
  const r = x - kd * KERNEL_STEP_HI - kd * KERNEL_STEP_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * 0.001388888888888889)))));
  return KERNEL_POW2[(k >> 6) + 1022] * KERNEL_EXP_TABLE[k & 63] * p;
}

/**
 * exp(x) for x ≤ 0 to about 1e-10 relative error (ample for values stored
 * as float32): the same reduction as {@link kernelExp} with a cubic; 0 below
 * −104 (under float32's smallest subnormal). asm/svm-rows.ts computes it the
 * same way, from {@link KERNEL_EXP_CONSTANTS}.
 */
export function kernelExpF32(x: number): number {
  if (x < -104) return 0;
  const kd = x * KERNEL_INV_STEP + ROUND - ROUND;
  const k = kd | 0;
  const r = x - kd * KERNEL_STEP_HI - kd * KERNEL_STEP_LO;
  const p = 1 + r * (1 + r * (0.5 + r * 0.16666666666666666));
  return KERNEL_POW2[(k >> 6) + 1022] * KERNEL_EXP_TABLE[k & 63] * p;
}

/**
 * {@link kernelExpF32}'s constants and tables in one array, for its port in
 * the wasm SVC solver: 1/(ln2/64), the high and low parts of ln2/64,
 * 2^(j/64) for j < 64, then 2^e for e in −1022..1023.
 */
export const KERNEL_EXP_CONSTANTS: Float64Array = Float64Array.of(KERNEL_INV_STEP, KERNEL_STEP_HI, KERNEL_STEP_LO, ...KERNEL_EXP_TABLE, ...KERNEL_POW2);
