import { ValueError } from '../errors.js';

/**
 * A seeded pseudo-random generator (xoshiro128**, 32-bit state words so it
 * runs fast without BigInt). Every random draw in Frugal goes through a
 * Generator: the global one that `manualSeed` resets, or one passed in.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the stream; the same seed gives the same draws. */
  seed(seed: number): this {
    if (!Number.isFinite(seed)) throw new ValueError(`seed must be a finite number, got ${seed}`);
    // splitmix32 expands one number into the four state words.
    let x = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = null;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new ValueError(`randint: high (${high}) must be greater than low (${low})`);
    return low + Math.floor(this.random() * (high - low));
  }

  /** Standard normal draw (Marsaglia's polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** The generator's state, for checkpoints. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spareNormal ?? Number.NaN];
  }

  /** Restores a state from {@link getState}; a malformed one (from a corrupt checkpoint) is refused and changes nothing. */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 5) {
      throw new ValueError(`Generator.setState: expected 5 numbers, got ${Array.isArray(state) ? state.length : typeof state}`);
    }
    const words = state.slice(0, 4);
    if (words.some((w) => !Number.isInteger(w) || w < -0x80000000 || w > 0xffffffff)) {
      throw new ValueError(`Generator.setState: the state words must be 32-bit integers, got [${words.join(', ')}]`);
    }
    // xoshiro's all-zero state only ever yields zeros.
    if (words.every((w) => w === 0)) throw new ValueError('Generator.setState: an all-zero state is invalid');
    const spare = state[4];
    if (typeof spare !== 'number' || !(Number.isNaN(spare) || Number.isFinite(spare))) {
      throw new ValueError(`Generator.setState: the spare normal must be a finite number or NaN, got ${String(spare)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((x) => x >>> 0);
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The library-wide generator. */
export const globalGenerator = new Generator(0);

/** Seeds every random draw in Frugal (splits, initialisation, shuffling, dropout, ...). */
export function manualSeed(seed: number): void {
  globalGenerator.seed(seed);
}

/** Accepts a seed, a Generator or nothing (the global generator). */
export function resolveGenerator(source?: number | Generator | null): Generator {
  if (source === undefined || source === null) return globalGenerator;
  if (source instanceof Generator) return source;
  return new Generator(source);
}
