// The epilogue of a Conv → ReLU → MaxPool block with 2×2 windows
// (asm/conv-pool.ts): in training, bias, relu and the pooling with its
// arg-max in one pass, relu applied to each window's maximum; in inference,
// the pooling then bias and relu on the pooled values, in one pass too.
// Both must give the bits of the three ops run one by one on the wasm
// backend (conv2d with its bias, relu, maxPool2d) — the output and,
// through the arg-max, every gradient — on inputs where the short cut could
// go wrong: windows all ≤ 0 (relu makes them ties: the arg-max is the
// top-left cell), exact ties, −0, NaN (a NaN wins its window) and ±∞, rows
// of windows narrower than four or not a multiple of four, odd sizes.
// Where a kernel row holds 16 floats or more (C·kw ≥ 16), the block's
// backward sums from the pooled cells (asm/conv-pooled.ts): its gradients
// are then the ops' to float32 rounding, and their bits where the input or
// the weight holds ±∞ or NaN (the dense path runs there, so that 0·∞ makes
// NaN alike).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad } from '../src/autograd/graph.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { conv2d, convReluMaxPool, maxPool2d } from '../src/tensor/ops/conv.js';
import { relu } from '../src/tensor/ops/elementwise.js';
import { Generator } from '../src/tensor/random.js';
import { randn } from '../src/tensor/creation.js';
import { Tensor } from '../src/tensor/tensor.js';
import { assertCloseFloat32, withBackend, assertSameBits } from './helpers/backends.js';

type Inputs = { x: Float32Array; w: Float32Array; b: Float32Array | null; g: Float32Array };

/** The block's output and the gradients of Σ out·g with respect to x, w and b: fused, or the three ops one by one. */
function block(shapes: { x: number[]; w: number[] }, inputs: Inputs, fused: boolean): Float32Array[] {
  return withBackend('wasm', () => {
    const x = new Tensor(inputs.x.slice(), shapes.x, { requiresGrad: true });
    const w = new Tensor(inputs.w.slice(), shapes.w, { requiresGrad: true });
    const b = inputs.b ? new Tensor(inputs.b.slice(), [shapes.w[0]], { requiresGrad: true }) : null;
    const out = fused ? (convReluMaxPool(x, w, b, { padding: [1, 1] }, { kernelSize: [2, 2] }) as Tensor) : maxPool2d(relu(conv2d(x, w, b, { padding: 1 })), 2);
    assert.ok(out, 'the fused block runs here');
    out.mul(new Tensor(inputs.g, out.shape)).sum().backward();
    const grads = [x.grad, w.grad, b?.grad].filter((t): t is Tensor => t != null);
    return [out.data as Float32Array, ...grads.map((t) => t.data as Float32Array)];
  });
}

/** The fused block's output without a backward to come (no arg-max: asm/conv-pool.ts maxPoolBiasReluValuesF32). */
function inference(shapes: { x: number[]; w: number[] }, inputs: Inputs): Float32Array {
  return withBackend('wasm', () =>
    noGrad(() => {
      const x = new Tensor(inputs.x, shapes.x);
      const w = new Tensor(inputs.w, shapes.w);
      const b = inputs.b ? new Tensor(inputs.b, [shapes.w[0]]) : null;
      const out = convReluMaxPool(x, w, b, { padding: [1, 1] }, { kernelSize: [2, 2] });
      assert.ok(out, 'the fused block runs here');
      return out.data as Float32Array;
    }),
  );
}

function random(generator: Generator, n: number): Float32Array {
  return randn([n], { generator }).data as Float32Array;
}

const GEOMETRIES: { x: number[]; w: number[]; what: string }[] = [
  { x: [1, 1, 28, 28], w: [16, 1, 3, 3], what: 'the first block of the CNN (14 windows a row)' },
  { x: [2, 16, 14, 14], w: [32, 16, 3, 3], what: 'the second block (7 windows a row: four, then four overlapping)' },
  { x: [2, 3, 12, 12], w: [5, 3, 3, 3], what: '6 windows a row' },
  { x: [2, 2, 9, 11], w: [3, 2, 3, 3], what: 'odd sizes (the last row and column in no window)' },
  { x: [3, 2, 6, 6], w: [4, 2, 3, 3], what: '3 windows a row (cell by cell)' },
  // Pooled-cell backwards: kernel rows of 18 floats (four vectors and two floats; dW's five vectors, the last in part),
  // 24 (six vectors), 48 (twelve: eight and four), odd sizes.
  { x: [2, 6, 10, 12], w: [8, 6, 3, 3], what: 'six channels (kernel rows of 18 floats)' },
  { x: [2, 8, 8, 8], w: [5, 8, 3, 3], what: 'eight channels (kernel rows of 24 floats)' },
  { x: [2, 16, 9, 11], w: [6, 16, 3, 3], what: 'sixteen channels, odd sizes' },
];

describe('bias, relu and 2×2 max pooling in one pass (wasm)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  for (const [i, shapes] of GEOMETRIES.entries()) {
    it(`${shapes.what}: output and gradients equal conv2d, relu, maxPool2d one by one`, () => {
      const generator = new Generator(40 + i);
      const o = shapes.w[0];
      const sizes = { x: shapes.x.reduce((p, q) => p * q), w: shapes.w.reduce((p, q) => p * q) };
      const pooled = shapes.x[0] * o * Math.floor(shapes.x[2] / 2) * Math.floor(shapes.x[3] / 2);
      const plain: Inputs = { x: random(generator, sizes.x), w: random(generator, sizes.w), b: random(generator, o), g: random(generator, pooled) };
      const cases: [string, Inputs][] = [
        ['random', plain],
        ['no bias', { ...plain, b: null }],
        // Every convolution output ≤ 0 in the planes with a negative bias: relu makes whole windows ties at +0.
        ['zero weights (outputs are the bias: ties, ≤ 0 windows, −0)', { ...plain, w: new Float32Array(sizes.w), b: plain.b!.map((v, c) => (c % 3 === 0 ? -0 : v)) }],
        // Inputs of few values: exact ties between cells of a window, above zero too.
        ['few distinct values', { ...plain, x: plain.x.map((v) => Math.sign(Math.round(v))), w: plain.w.map((v) => Math.round(v)) }],
        [
          'NaN and ±∞ in the input',
          { ...plain, x: plain.x.map((v, j) => (j % 97 === 5 ? Number.NaN : j % 89 === 7 ? Number.POSITIVE_INFINITY : j % 83 === 11 ? Number.NEGATIVE_INFINITY : v)) },
        ],
        ['∞ in the weight', { ...plain, w: plain.w.map((v, j) => (j === 4 ? Number.POSITIVE_INFINITY : v)) }],
      ];
      for (const [what, inputs] of cases) {
        const fused = block(shapes, inputs, true);
        const reference = block(shapes, inputs, false);
        assert.equal(fused.length, reference.length);
        const names = ['output', 'dx', 'dw', 'db'];
        const pooledCells = shapes.w[1] * shapes.w[3] >= 16 && inputs.x.every(Number.isFinite) && inputs.w.every(Number.isFinite);
        assertSameBits(fused[0], reference[0], `${what}: output`);
        for (let t = 1; t < reference.length; t++) {
          if (pooledCells) assertCloseFloat32(fused[t], reference[t], `${what}: ${names[t]}`);
          else assertSameBits(fused[t], reference[t], `${what}: ${names[t]}`);
        }
        assertSameBits(inference(shapes, inputs), reference[0], `${what}: the inference output (pooled before the bias and relu)`);
      }
    });
  }
});
