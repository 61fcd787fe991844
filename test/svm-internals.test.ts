/**
 * The pieces under the SVMs: fast exp, numpy-compatible sums, kernel blocks
 * (GEMM paths against plain loops), the libsvm-style row cache and the SMO
 * solver on problems with known solutions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fastExp, fastExpF32, Kernel, numpySum, pairwiseSum, powi } from '../src/models/svm/kernel-functions.js';
import { RowCache, solveSmo, SvcQ, type KernelSource } from '../src/models/svm/smo.js';
import { rowSlots } from '../src/models/svm/smo-q.js';
import { PairBlocks } from '../src/models/svm/svm-pair-blocks.js';
import { planWaves } from '../src/models/svm/svm-pairs-backend.js';
import { multiclassProbability, sigmoidPredict } from '../src/models/svm/platt.js';
import { Generator } from '../src/tensor/random.js';

function randMatrix(rows: number, cols: number, seed: number, shift = 0): { data: Float64Array; rows: number; cols: number } {
  const g = new Generator(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = g.normal() + shift;
  return { data, rows, cols };
}

describe('fast exp', () => {
  it('fastExp agrees with Math.exp to 5e-14 over the double range', () => {
    const g = new Generator(1);
    for (let i = 0; i < 20000; i++) {
      const x = (g.random() - 0.5) * 1400;
      const a = fastExp(x);
      const b = Math.exp(x);
      assert.ok(Math.abs(a - b) <= 5e-14 * b || (b === 0 && a === 0), `exp(${x}): ${a} vs ${b}`);
    }
    assert.equal(fastExp(0), 1);
    assert.equal(fastExp(-1000), 0);
    assert.equal(fastExp(1000), Infinity);
    assert.ok(Number.isNaN(fastExp(NaN)));
  });

  it('fastExpF32 is float32-accurate for x <= 0', () => {
    const g = new Generator(2);
    for (let i = 0; i < 20000; i++) {
      const x = -g.random() * 90;
      const b = Math.exp(x);
      assert.ok(Math.abs(fastExpF32(x) - b) <= 1e-9 * b, `exp(${x})`);
    }
    assert.equal(fastExpF32(-200), 0);
  });

  it('powi is repeated squaring', () => {
    assert.equal(powi(1.5, 0), 1);
    assert.equal(powi(2, 10), 1024);
    assert.equal(powi(-3, 3), -27);
    assert.ok(Math.abs(powi(1.1, 7) - 1.1 ** 7) < 1e-14);
  });
});

describe('numpy-compatible sums', () => {
  it('pairwiseSum equals the exact sum of small integers and handles every size', () => {
    for (const n of [0, 1, 7, 8, 9, 127, 128, 129, 1000, 20000]) {
      const a = new Float64Array(n).map((_, i) => (i % 13) - 6);
      let exact = 0;
      for (const v of a) exact += v;
      assert.equal(pairwiseSum(a, 0, n), exact);
      assert.equal(numpySum(a), exact);
    }
  });
});

describe('kernel blocks', () => {
  const X = randMatrix(37, 11, 3, 5);
  const Z = randMatrix(23, 11, 4, 5);
  for (const kernel of ['rbf', 'linear', 'poly', 'sigmoid'] as const) {
    it(`${kernel}: float64 and float32 GEMM blocks match the plain definition`, () => {
      const k = Kernel.fromTraining({ kernel, gamma: 'scale', coef0: 0.5, degree: 3 }, X);
      const A = k.prepare(X);
      const B = k.prepare(Z);
      const ref = (a: number, b: number): number => {
        let dot = 0,
          d2 = 0;
        for (let j = 0; j < 11; j++) {
          const u = X.data[a * 11 + j],
            v = Z.data[b * 11 + j];
          dot += u * v;
          d2 += (u - v) ** 2;
        }
        if (kernel === 'rbf') return Math.exp(-k.gamma * d2);
        if (kernel === 'linear') return dot;
        if (kernel === 'poly') return (k.gamma * dot + 0.5) ** 3;
        return Math.tanh(k.gamma * dot + 0.5);
      };
      const o64 = new Float64Array(37 * 23);
      const o32 = new Float64Array(37 * 23);
      k.block(A, 0, 37, B, 0, 23, o64, 0, false);
      k.block(A, 0, 37, B, 0, 23, o32, 0, true);
      for (let a = 0; a < 37; a++) {
        for (let b = 0; b < 23; b++) {
          const r = ref(a, b);
          assert.ok(Math.abs(o64[a * 23 + b] - r) <= 1e-10 * Math.max(1, Math.abs(r)), `float64 (${a}, ${b})`);
          assert.ok(Math.abs(o32[a * 23 + b] - r) <= 2e-4 * Math.max(1, Math.abs(r)), `float32 (${a}, ${b}): ${o32[a * 23 + b]} vs ${r}`);
        }
      }
      // rows computed on demand agree with the block
      const row = new Float32Array(23);
      const idx = Int32Array.from({ length: 23 }, (_, i) => i);
      k.rowInto(A, 5, B, idx, 0, 23, row, new Float64Array(23));
      for (let b = 0; b < 23; b++) assert.ok(Math.abs(row[b] - o64[5 * 23 + b]) <= 1e-6 * Math.max(1, Math.abs(o64[5 * 23 + b])));
    });
  }

  it('RBF on data far from the origin stays accurate in float32 (rows are centred)', () => {
    const far = randMatrix(30, 8, 5, 1e4);
    const k = Kernel.fromTraining({ kernel: 'rbf', gamma: 0.1, coef0: 0, degree: 3 }, far);
    const A = k.prepare(far);
    const out = new Float64Array(30 * 30);
    k.block(A, 0, 30, A, 0, 30, out, 0, true);
    for (let a = 0; a < 30; a++) {
      assert.equal(out[a * 30 + a], 1);
      for (let b = 0; b < 30; b++) {
        let d2 = 0;
        for (let j = 0; j < 8; j++) d2 += (far.data[a * 8 + j] - far.data[b * 8 + j]) ** 2;
        assert.ok(Math.abs(out[a * 30 + b] - Math.exp(-0.1 * d2)) < 1e-5);
      }
    }
  });
});

describe('row cache', () => {
  it('evicts least recently used rows and keeps filled prefixes', () => {
    const c = new RowCache(10, 25); // room for 2 rows of 10
    const r0 = c.get(0, 10);
    assert.equal(c.filled, 0);
    r0.fill(1);
    c.get(1, 10).fill(2);
    assert.equal(c.get(0, 10)[3], 1); // hit: 0 becomes most recent
    assert.equal(c.filled, 10);
    const r2 = c.get(2, 10); // evicts row 1, reusing its storage
    assert.equal(c.filled, 0);
    r2.fill(3);
    assert.equal(c.get(0, 4)[3], 1, 'row 0 kept');
    assert.equal(c.filled, 4);
    c.get(1, 5); // evicts row 2 (row 0 was used since)
    assert.equal(c.filled, 0, 'row 1 was evicted');
    assert.equal(c.get(0, 10)[9], 1);
    assert.equal(c.filled, 10);
    c.get(2, 10);
    assert.equal(c.filled, 0, 'row 2 was evicted');
  });

  it('holds a fixed number of rows: rowSlots of the budget, at least 2, at most l', () => {
    assert.equal(rowSlots(10, 25), 2);
    assert.equal(rowSlots(10, 5), 2);
    assert.equal(rowSlots(10, 75), 7);
    assert.equal(rowSlots(10, 1e9), 10);
    // a slab of exactly rowSlots·l floats is used for the rows
    const slab = new Float32Array(30);
    const c = new RowCache(10, 35, slab);
    for (let i = 0; i < 10; i++) c.get(i, 10).fill(i + 1);
    assert.deepEqual(
      Array.from(new Set(slab)).sort((a, b) => a - b),
      [8, 9, 10],
      'the three most recent rows are in the slab',
    );
  });

  it('swapIndex swaps rows and the entries inside cached rows', () => {
    for (const budget of [1000, 30]) {
      const c = new RowCache(5, budget);
      for (let i = 0; i < 3; i++) c.get(i, 5).set([i * 10, i * 10 + 1, i * 10 + 2, i * 10 + 3, i * 10 + 4]);
      c.swapIndex(0, 3);
      const r3 = c.get(3, 5);
      assert.equal(c.filled, 5);
      assert.deepEqual(Array.from(r3), [3, 1, 2, 0, 4]);
      const r1 = c.get(1, 5);
      assert.deepEqual(Array.from(r1), [13, 11, 12, 10, 14]);
    }
  });
});

/** A kernel source over an explicit matrix. */
function matrixSource(K: number[][]): KernelSource {
  return {
    size: K.length,
    fill(o, idx, start, end, out) {
      for (let t = start; t < end; t++) out[t] = K[o][idx[t]];
    },
    diag(o) {
      return K[o][o];
    },
  };
}

describe('SMO solver', () => {
  it('two points: the closed-form solution', () => {
    // x = ±1 on a line, linear kernel: alpha = 0.5 each (margin 1), rho = 0
    const K = [
      [1, -1],
      [-1, 1],
    ];
    const y = Int8Array.of(1, -1);
    const r = solveSmo(new SvcQ(matrixSource(K), y, 100), Float64Array.of(-1, -1), y, new Float64Array(2), Float64Array.of(10, 10), { eps: 1e-6, shrinking: true, maxIter: -1 });
    assert.ok(Math.abs(r.alpha[0] - 0.5) < 1e-12 && Math.abs(r.alpha[1] - 0.5) < 1e-12, `alpha ${r.alpha}`);
    assert.ok(Math.abs(r.rho) < 1e-12);
    assert.ok(r.converged);
  });

  it('meets the KKT conditions on a random problem, with and without shrinking and with a tiny cache', () => {
    const X = randMatrix(60, 3, 9);
    const y = new Int8Array(60);
    for (let i = 0; i < 60; i++) y[i] = X.data[i * 3] + 0.3 * X.data[i * 3 + 1] > 0.1 ? 1 : -1;
    const K: number[][] = [];
    for (let a = 0; a < 60; a++) {
      K.push([]);
      for (let b = 0; b < 60; b++) {
        let d2 = 0;
        for (let j = 0; j < 3; j++) d2 += (X.data[a * 3 + j] - X.data[b * 3 + j]) ** 2;
        K[a].push(Math.fround(Math.exp(-0.5 * d2)));
      }
    }
    const C = 2;
    const sols = [];
    for (const [shrinking, cache] of [
      [true, 1e6],
      [false, 1e6],
      [true, 130],
    ] as const) {
      const r = solveSmo(new SvcQ(matrixSource(K), y, cache), new Float64Array(60).fill(-1), y, new Float64Array(60), new Float64Array(60).fill(C), {
        eps: 1e-6,
        shrinking,
        maxIter: -1,
      });
      sols.push(r);
      // KKT: y_i f(x_i) >= 1 for alpha = 0, = 1 for free, <= 1 for alpha = C (within tolerance)
      for (let i = 0; i < 60; i++) {
        let f = -r.rho;
        for (let j = 0; j < 60; j++) f += r.alpha[j] * y[j] * K[i][j];
        const m = y[i] * f;
        if (r.alpha[i] <= 0) assert.ok(m >= 1 - 1e-5, `alpha=0 but margin ${m}`);
        else if (r.alpha[i] >= C) assert.ok(m <= 1 + 1e-5, `alpha=C but margin ${m}`);
        else assert.ok(Math.abs(m - 1) < 1e-5, `free alpha but margin ${m}`);
      }
      let s = 0;
      for (let i = 0; i < 60; i++) s += r.alpha[i] * y[i];
      assert.ok(Math.abs(s) < 1e-10, 'sum y_i alpha_i = 0');
    }
    for (let i = 0; i < 60; i++) {
      assert.ok(Math.abs(sols[0].alpha[i] - sols[1].alpha[i]) < 1e-4);
      // the cache only changes where rows come from, not the iterations
      assert.equal(sols[2].alpha[i], sols[0].alpha[i]);
    }
  });
});

describe('probability helpers', () => {
  it('sigmoidPredict is stable at both ends', () => {
    assert.equal(sigmoidPredict(0, 1, 0), 0.5);
    assert.ok(sigmoidPredict(1000, 1, 0) >= 0 && sigmoidPredict(1000, 1, 0) < 1e-300);
    assert.equal(sigmoidPredict(-1000, 1, 0), 1);
  });

  it('multiclassProbability recovers consistent pairwise probabilities', () => {
    const p = [0.5, 0.3, 0.2];
    const k = 3;
    const r = new Float64Array(9);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) r[i * k + j] = p[i] / (p[i] + p[j]);
    const out = new Float64Array(3);
    multiclassProbability(k, r, out);
    for (let i = 0; i < k; i++) assert.ok(Math.abs(out[i] - p[i]) < 5e-3, `${out}`);
    assert.ok(Math.abs(out[0] + out[1] + out[2] - 1) < 1e-12);
  });
});

describe('kernel-cache budget', () => {
  /** Ten classes of 2000 samples (20 000 Fashion-MNIST rows) with an uneven one. */
  const count = Int32Array.from([2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 1500]);
  const start = new Int32Array(count.length);
  for (let c = 1; c < count.length; c++) start[c] = start[c - 1] + count[c - 1];
  const n = start[9] + count[9];
  const cacheBytes = 200 * 2 ** 20;

  it('waves solve every pair once, each with blocks within 80% of the budget', () => {
    const k = count.length;
    const seen = new Set<string>();
    const waves = planWaves(count, cacheBytes);
    assert.ok(waves.length > 1, 'the blocks of all classes do not fit: several waves');
    for (const { classes, pairs } of waves) {
      let floats = 0;
      let before = 0;
      const m = classes.reduce((s, c) => s + count[c], 0);
      for (const c of classes) {
        floats += count[c] * (m - before);
        before += count[c];
      }
      assert.ok(floats * 4 <= cacheBytes * 0.8, `wave ${classes}: ${floats * 4} bytes of blocks`);
      assert.ok(pairs.length >= 1, `wave ${classes} solves no pair`);
      for (const [i, j] of pairs) {
        assert.ok(classes.includes(i) && classes.includes(j) && i < j);
        assert.ok(!seen.has(`${i},${j}`), `pair (${i}, ${j}) solved twice`);
        seen.add(`${i},${j}`);
      }
    }
    assert.equal(seen.size, (k * (k - 1)) / 2);
    assert.ok(waves.length <= 12, `${waves.length} waves for 45 pairs: waves share their classes' blocks`);
    // small problems: one wave of every class
    assert.equal(planWaves(Int32Array.of(300, 200, 100), cacheBytes).length, 1);
  });

  it("the JS solver's blocks leave room in the budget for the row cache", () => {
    const rows = { data: new Float64Array(0), rows: n, cols: 784, sq: new Float64Array(0), f32: null };
    const kernel = Kernel.fromTraining({ kernel: 'rbf', gamma: 0.01, coef0: 0, degree: 3 }, { data: new Float64Array(784), rows: 1, cols: 784 });
    const blocks = new PairBlocks(kernel, rows, start, count, true, cacheBytes);
    for (let i = 0; i < 10; i++) {
      for (let j = i + 1; j < 10; j++) {
        assert.ok(blocks.fits(i, j));
        const live = blocks.liveFloats(i, j);
        // at most the blocks of the pair, its diagonal blocks and a transposed copy: 5 blocks of 2000²
        assert.ok(live <= 5 * 2000 * 2000 && live * 4 < cacheBytes, `pair (${i}, ${j}): ${live} floats of blocks`);
      }
    }
    // a budget below a pair's three blocks: rows on demand, no blocks
    const tight = new PairBlocks(kernel, rows, start, count, true, 2 ** 20);
    assert.equal(tight.fits(0, 1), false);
    assert.equal(tight.liveFloats(0, 1), 0);
  });
});
