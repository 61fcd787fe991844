/**
 * The backend's named routines against their TypeScript references, on
 * random shapes (odd, prime and empty sizes), and the control block's layout
 * constants of the TypeScript side against those defined in asm/.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { routines, type AdamScalars, type SgdScalars } from '../src/backend/routines/index.js';
import type { Routine } from '../src/backend/routine.js';
import type { ConvEpilogue, ConvKernelGeometry } from '../src/backend/routines/conv.js';
import type { DenseChainLayer } from '../src/backend/routines/dense-chain.js';
import { lstmCellArrays, type LstmGateGradients, type LstmInput, type LstmSaved } from '../src/backend/routines/lstm.js';
import * as layout from '../src/backend/wasm/layout.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { assertCloseFloat32, rng, withBackend } from './helpers/backends.js';

const asmDir = fileURLToPath(new URL('../../asm/', import.meta.url));

/** Every `const NAME(: i32) = <integer>;` in asm/, by name (a name defined twice must agree). */
function asmConstants(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of readdirSync(asmDir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(asmDir + file, 'utf8');
    for (const m of source.matchAll(/^(?:export )?const ([A-Z][A-Z0-9_]*)(?:: i32)? = (-?\d+);/gm)) {
      const value = Number(m[2]);
      const before = found.get(m[1]);
      assert.ok(before === undefined || before === value, `${m[1]} is ${before} in one asm file and ${value} in ${file}`);
      found.set(m[1], value);
    }
  }
  return found;
}

describe('control block layout', () => {
  it('every constant of src/backend/wasm/layout.ts equals the one asm/ defines', () => {
    const asm = asmConstants();
    const names = Object.keys(layout);
    assert.ok(names.length > 60, `layout.ts exports ${names.length} constants`);
    for (const name of names) {
      assert.ok(asm.has(name), `${name} is not defined in asm/`);
      assert.equal((layout as Record<string, number>)[name], asm.get(name), name);
    }
  });

  it('no two slots of the control block share an index', () => {
    const slots = Object.entries(layout as Record<string, number>).filter(
      ([name]) =>
        !/^(CONTROL_BASE|SCRATCH_BASE|CONTROL_SLOTS|GEMM_JOB|CONV_FORWARD|CONV_BACKWARD|CONV_CHAIN|SVC_PAIRS|SVC_DOTS|HISTOGRAM_JOB|INT8_CHAIN|LSTM_FORWARD|LSTM_BACKWARD|INT8_DENSE|INT8_CONV|SV_MODE_VALUES|SV_MODE_RBF_DOTS|DENSE_SLOTS|D_[A-Z]+)$/.test(
          name,
        ),
    );
    const byIndex = new Map<number, string>();
    for (const [name, index] of slots) {
      assert.ok(index >= 0 && index < layout.CONTROL_SLOTS, `${name} = ${index} is outside the block`);
      assert.ok(!byIndex.has(index), `${name} and ${byIndex.get(index)} are both slot ${index}`);
      byIndex.set(index, name);
    }
  });
});

// ------------------------------------------------------------- routines ---

type Next = () => number;

function floats(next: Next, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** Equal element for element (NaN equals NaN; +0 and −0 are equal). */
function assertSame(actual: ArrayLike<number> | null, expected: ArrayLike<number> | null, what: string): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (!(a === e || (a !== a && e !== e))) assert.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
}

/** A deep copy of the arguments (arrays copied), so that in-place routines start from the same values. */
function copy<T>(value: T): T {
  if (ArrayBuffer.isView(value)) return (value as unknown as Float32Array).slice() as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}

/**
 * Per routine: random argument lists (sizes odd, prime and empty, and large
 * enough for the wasm implementations' thresholds), and how to compare the
 * results: 'exact' (to the bit) or 'close' (float32 tolerance). `outputs`
 * picks what to compare from the result and the arguments after the call
 * (routines that write in place).
 */
interface RoutineCases {
  compare: 'exact' | 'close';
  cases(next: Next): unknown[][];
  outputs(result: unknown, args: unknown[]): (ArrayLike<number> | null)[];
}

const convShapes: [ConvKernelGeometry, ConvEpilogue | undefined][] = (() => {
  const out: [ConvKernelGeometry, ConvEpilogue | undefined][] = [];
  const shapes = [
    { n: 1, c: 1, h: 5, w: 7, o: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
    { n: 3, c: 2, h: 11, w: 13, o: 5, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 0, dh: 1, dw: 2 },
    { n: 2, c: 3, h: 7, w: 7, o: 7, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 },
    { n: 0, c: 2, h: 5, w: 5, o: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 },
    // Stride 1 and wo = w (the lowering as shifted planes): dilated, rows wholly in the padding, ho < h, wide kernels, a column block wholly in the padding.
    { n: 2, c: 2, h: 6, w: 9, o: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 2, dh: 2, dw: 2 },
    { n: 2, c: 3, h: 4, w: 6, o: 3, kh: 1, kw: 3, sh: 1, sw: 1, ph: 2, pw: 1, dh: 1, dw: 1 },
    { n: 1, c: 2, h: 6, w: 5, o: 2, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 1, dh: 1, dw: 1 },
    { n: 1, c: 2, h: 3, w: 3, o: 2, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, dh: 1, dw: 1 },
    { n: 2, c: 1, h: 4, w: 1, o: 2, kh: 3, kw: 5, sh: 1, sw: 1, ph: 1, pw: 2, dh: 1, dw: 1 },
    // A small depth (9) under many output channels: the weight gradient computed transposed, over two K blocks (400 pixels > KC).
    { n: 2, c: 1, h: 20, w: 20, o: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
    // Transposed with a depth (4, then 13) that is no multiple of the register tile's rows: the lowered rows padded with zeros up to one.
    { n: 3, c: 1, h: 9, w: 8, o: 12, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 1, dh: 1, dw: 1 },
    { n: 2, c: 1, h: 6, w: 7, o: 24, kh: 1, kw: 13, sh: 1, sw: 1, ph: 0, pw: 6, dh: 1, dw: 1 },
    // The pooling's gradient sent back four 2×2 windows at a time, a row of 7 ending with four that overlap (cnn-fashion's second block).
    { n: 2, c: 3, h: 14, w: 14, o: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
  ];
  for (const s of shapes) {
    const g = { ...s, ho: Math.floor((s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh) + 1, wo: Math.floor((s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw) + 1 };
    const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: Math.floor((g.ho - 2) / 2) + 1, wo: Math.floor((g.wo - 2) / 2) + 1 };
    out.push([g, undefined], [g, { relu: true, pool: null }]);
    if (pool.ho > 0 && pool.wo > 0) out.push([g, { relu: true, pool }], [g, { relu: true, pool, argMax: false }]);
  }
  return out;
})();

function convForwardArgs(next: Next, g: ConvKernelGeometry, epilogue: ConvEpilogue | undefined, bias: boolean): unknown[] {
  return [g, floats(next, g.n * g.c * g.h * g.w), floats(next, g.o * g.c * g.kh * g.kw), bias ? floats(next, g.o) : null, epilogue];
}

function chain(next: Next, widths: number[], relus: boolean[], biases: boolean[]): DenseChainLayer[] {
  return widths.slice(1).map((n, l) => ({ w: floats(next, n * widths[l]), b: biases[l] ? floats(next, n) : null, n, k: widths[l], relu: relus[l] }));
}

const chainShapes: [number, number[], boolean[], boolean[]][] = [
  [1, [7, 13, 5], [true, false], [true, true]],
  [13, [31, 17, 11, 3], [true, true, false], [true, false, true]],
  [64, [64, 37, 10], [true, false], [false, true]],
  [0, [5, 3, 2], [true, false], [true, true]],
];

/** The input of `rows` rows of 5 features and its projection's weights (with a bias when `bias`). */
function lstmInput(next: Next, rows: number, H: number, bias: boolean): LstmInput<Float32Array> {
  return { x: floats(next, rows * 5), wIh: floats(next, 4 * H * 5), bIh: bias ? floats(next, 4 * H) : null, features: 5 };
}

function lstmSaved(T: number, B: number, H: number): LstmSaved<Float32Array> {
  return { out: new Float32Array((T + 1) * B * H), cell: null };
}

const lstmShapes: [number, number, number, boolean][] = [
  [1, 1, 4, false],
  [3, 5, 8, true],
  [7, 2, 12, false],
  [0, 3, 4, false],
  [2, 3, 3, false],
];

const CASES: Record<string, RoutineCases> = {
  relu32: {
    compare: 'exact',
    cases: (next) =>
      [0, 1, 2047, 2048, 4099, 8191].map((n) => {
        const x = floats(next, n);
        if (n > 10) {
          x[3] = NaN;
          x[5] = -0;
          x[7] = 0;
        }
        return [x];
      }),
    outputs: (result) => [result as Float32Array],
  },
  reluGrad32: {
    compare: 'exact',
    cases: (next) => [0, 5, 2048, 4099].map((n) => [floats(next, n).map((v) => Math.max(v, 0)), floats(next, n)]),
    outputs: (result) => [result as Float32Array],
  },
  tanh32: {
    compare: 'exact',
    cases: (next) =>
      [0, 1, 2047, 2048, 4099, 8191].map((n) => {
        // Spread over ±12 (both branches, the clamp), with the special values.
        const x = floats(next, n).map((v) => v * v * v * 12);
        const special = [NaN, -0, 0, Infinity, -Infinity, 0.015625, -0.015625, 1e-40, -3.4e38, 9.02];
        if (n > 10) special.forEach((v, i) => (x[3 + 7 * i] = v));
        return [x];
      }),
    outputs: (result) => [result as Float32Array],
  },
  tanhGrad32: {
    compare: 'exact',
    cases: (next) => [0, 5, 2048, 4099].map((n) => [floats(next, n).map(Math.tanh), floats(next, n)]),
    outputs: (result) => [result as Float32Array],
  },
  maxPool2d: {
    compare: 'exact',
    cases: (next) =>
      [
        { n: 2, c: 3, h: 23, w: 29, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 },
        { n: 1, c: 5, h: 31, w: 17, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
        { n: 3, c: 7, h: 13, w: 11, kh: 3, kw: 2, sh: 1, sw: 2, ph: 1, pw: 0, dh: 2, dw: 1 },
        { n: 1, c: 1, h: 3, w: 3, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 },
      ].map((s) => {
        const g = { ...s, ho: Math.floor((s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh) + 1, wo: Math.floor((s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw) + 1 };
        const x = floats(next, g.n * g.c * g.h * g.w);
        if (x.length > 40) x[40] = NaN;
        return [x, g];
      }),
    outputs: (result) => {
      const r = result as { values: Float32Array; offsets: Int32Array };
      return [r.values, r.offsets];
    },
  },
  adamStep: {
    compare: 'exact',
    cases: (next) =>
      [2048, 2053, 4099, 20, 3].map((n) => {
        const k: AdamScalars = { sign: -1, l2: 0.01, shrink: 0.999, mu: 0.9, keep: 0.1, lr: 0.003, vScale: 0.3, b2: 0.999, c2: 0.001, eps: 1e-8 };
        return [floats(next, n), floats(next, n), floats(next, n), floats(next, n).map(Math.abs), k];
      }),
    outputs: (_result, args) => args.slice(0, 4) as Float32Array[],
  },
  sgdStep: {
    compare: 'exact',
    cases: (next) =>
      [
        [2053, false, false, false],
        [16, true, true, false],
        [2053, true, false, false],
        [4099, true, false, true],
        [3, true, false, true],
      ].map(([n, momentum, firstTerm, nesterov]) => {
        const k: SgdScalars = { sign: -1, l2: 0.01, shrink: 0.999, mu: 0.9, keep: 0.7, lr: 0.003, vScale: 1, firstTerm: firstTerm as boolean };
        return [floats(next, n as number), floats(next, n as number), momentum ? floats(next, n as number) : null, k, nesterov];
      }),
    outputs: (_result, args) => args.slice(0, 3) as (Float32Array | null)[],
  },
  conv2dForward: {
    compare: 'exact',
    cases: (next) => convShapes.map(([g, e], i) => convForwardArgs(next, g, e, i % 2 === 0)),
    outputs: (result) => {
      const r = result as { y: Float32Array; offsets: Int32Array | null };
      return [r.y, r.offsets];
    },
  },
  conv2dBackward: {
    compare: 'exact',
    cases: (next) =>
      // A backward needs the forward's arg-max offsets: the argMax: false epilogues (inference) have none.
      convShapes
        .filter(([, epilogue]) => epilogue?.argMax !== false)
        .map(([g, epilogue]) => {
          const x = floats(next, g.n * g.c * g.h * g.w),
            weight = floats(next, g.o * g.c * g.kh * g.kw);
          const forward = routineNamed('conv2dForward').reference(...([g, x, weight, null, epilogue] as never[])) as { y: Float32Array; offsets: Int32Array | null };
          const dy = floats(next, forward.y.length);
          return [g, { x, dy, weight, input: true, weights: true, bias: true, epilogue: epilogue && { ...epilogue, ...forward } }];
        }),
    outputs: (result) => {
      const r = result as { dx: Float32Array; dw: Float32Array; db: Float32Array };
      return [r.dx, r.dw, r.db];
    },
  },
  denseChainForward: {
    compare: 'exact',
    cases: (next) => chainShapes.map(([m, widths, relus, biases]) => [floats(next, m * widths[0]), m, chain(next, widths, relus, biases)]),
    outputs: (result) => result as Float32Array[],
  },
  denseChainBackward: {
    compare: 'exact',
    cases: (next) =>
      chainShapes.map(([m, widths, relus, biases]) => {
        const layers = chain(next, widths, relus, biases),
          x = floats(next, m * widths[0]);
        const outputs = routineNamed('denseChainForward').reference(...([x, m, layers] as never[])) as Float32Array[];
        const wanted = layers.map((_, l) => l % 2 === 0);
        return [m, layers, { x, outputs, dOut: floats(next, m * widths[widths.length - 1]), wantDx: true, wantDw: layers.map(() => true), wantDb: wanted }];
      }),
    outputs: (result) => {
      const r = result as { dx: Float32Array | null; dw: (Float32Array | null)[]; db: (Float32Array | null)[] };
      return [r.dx, ...r.dw, ...r.db];
    },
  },
  denseRows: {
    compare: 'exact',
    cases: (next) =>
      (
        [
          [1, [7, 13, 5]],
          [3, [31, 17, 3]],
          [8, [64, 37, 10, 11]],
          [0, [5, 3]],
        ] as [number, number[]][]
      ).map(([m, widths]) => {
        const layers = widths.slice(1).map((n, l) => ({
          w: { data: floats(next, n * widths[l]), version: 0 },
          b: l % 2 ? null : { data: floats(next, n), version: 0 },
          n,
          k: widths[l],
          relu: l < widths.length - 2,
        }));
        return [floats(next, 2 + m * widths[0]), 2, m, layers, new Float32Array(m * widths[widths.length - 1])];
      }),
    outputs: (_result, args) => [args[4] as Float32Array],
  },
  columnSums: {
    compare: 'exact',
    cases: (next) =>
      (
        [
          [0, 7],
          [1, 1],
          [5, 31],
          [13, 64],
        ] as [number, number][]
      ).map(([rows, cols]) => [floats(next, rows * cols), rows, cols, new Float32Array(cols)]),
    outputs: (_result, args) => [args[3] as Float32Array],
  },
  lstmForward: {
    compare: 'close',
    cases: (next) =>
      lstmShapes.map(([T, B, H, bias]) => [
        lstmInput(next, T * B, H, bias),
        floats(next, 4 * H * H),
        bias ? floats(next, 4 * H) : null,
        floats(next, B * H),
        floats(next, B * H),
        T,
        B,
        H,
        T % 2 === 1,
        lstmSaved(T, B, H),
        true,
      ]),
    outputs: (_result, args) => {
      const saved = args[9] as LstmSaved;
      return [saved.out, ...Object.values(lstmCellArrays(saved))];
    },
  },
  lstmBackward: {
    compare: 'close',
    cases: (next) =>
      lstmShapes.map(([T, B, H, bias]) => {
        const saved = lstmSaved(T, B, H),
          reverse = T % 2 === 1;
        const w = floats(next, 4 * H * H);
        routineNamed('lstmForward').reference(...([lstmInput(next, T * B, H, bias), w, null, floats(next, B * H), floats(next, B * H), T, B, H, reverse, saved, true] as never[]));
        return [floats(next, (T + 1) * B * H), saved, w, T, B, H, reverse, new Float32Array(B * H), floats(next, B * H), bias ? new Float32Array(4 * H) : null];
      }),
    outputs: (result, args) => {
      const { dx, release } = result as LstmGateGradients;
      const gates = dx.slice();
      release?.();
      return [gates, args[7], args[8], args[9]] as (Float32Array | null)[];
    },
  },
};

/** The reference solver of svcPairs is the models layer's (test/svm-wasm.test.ts compares the wasm solver with it); buildHistograms: test/hgb-histogram.test.ts; int8Linear, int8Conv2d: test/quant-kernels.test.ts; int8Chain: test/quant-chain.test.ts; convChainForward, convChainTrainForward, convChainBackward: test/conv-chain.test.ts. */
const CHECKED_ELSEWHERE = new Set(['svcPairs', 'buildHistograms', 'int8Linear', 'int8Conv2d', 'int8Chain', 'convChainForward', 'convChainTrainForward', 'convChainBackward']);

function routineNamed(name: string): Routine<never[], unknown> {
  const routine = routines.find((r) => r.name === name);
  assert.ok(routine, `no routine named ${name}`);
  return routine;
}

describe('routines: the wasm implementations against the TypeScript references', () => {
  it('every registered routine has cases here', () => {
    for (const routine of routines) assert.ok(CASES[routine.name] || CHECKED_ELSEWHERE.has(routine.name), `no cases for the routine '${routine.name}'`);
  });

  for (const [name, spec] of Object.entries(CASES)) {
    it(`${name}: wasm agrees with the reference (${spec.compare === 'exact' ? 'to the bit' : 'to float32 tolerance'}) on random shapes`, {
      skip: wasmSupport === 'none' && 'no WebAssembly SIMD here',
    }, () => {
      const routine = routineNamed(name);
      const impl = routine.implementations.wasm;
      assert.ok(impl, `${name} has no wasm implementation`);
      withBackend('wasm', () => {
        let ran = 0;
        spec.cases(rng(name.length * 7919)).forEach((args, c) => {
          if (!impl.supports(...(args as never[]))) return;
          ran++;
          const refArgs = copy(args),
            wasmArgs = copy(args);
          const expected = spec.outputs(routine.reference(...(refArgs as never[])), refArgs);
          const actual = spec.outputs(impl.run(...(wasmArgs as never[])), wasmArgs);
          assert.equal(actual.length, expected.length);
          actual.forEach((a, i) => {
            if (spec.compare === 'exact' || a === null || expected[i] === null) assertSame(a, expected[i], `${name} case ${c} output ${i}`);
            else assertCloseFloat32(a, expected[i]!, `${name} case ${c} output ${i}`);
          });
        });
        assert.ok(ran >= 2, `${name}: the wasm implementation took only ${ran} of the cases`);
      });
    });
  }
});
