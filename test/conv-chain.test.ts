// The float32 convolution chain (src/backend/routines/conv-chain.ts, the
// fused pattern src/nn/fused/conv-chain.ts): a stack of Conv → ReLU
// (→ MaxPool) blocks run one sample per chunk with the blocks' outputs kept
// in the engine's memory. It must give the bits of the blocks one by one
// (and so of the training-mode forward), on any number of threads, decline
// while gradients are recorded, and reject chains whose sizes do not fit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad } from '../src/autograd/graph.js';
import { convChainForward, type ConvChainBlock } from '../src/backend/routines/conv-chain.js';
import type { ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { wasmBackend, wasmSupport, warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { ShapeError, ValueError } from '../src/errors.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../src/nn/index.js';
import { fusedBlock } from '../src/nn/fused/plan.js';
// Registers the chain (as frugal-ml's Node entry point does).
import '../src/nn/fused/conv-chain.js';
import { randn } from '../src/tensor/creation.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { predict } from '../src/train/index.js';
import { withBackend } from './helpers/backends.js';

const noWasm = wasmSupport === 'none' && 'no WebAssembly SIMD here';

function floats(gen: Generator, n: number): Float32Array {
  return randn([n], { generator: gen }).data as Float32Array;
}

/** A block of the given input [n, c, h, w]: o outputs, a k×k kernel, the stride and padding, with or without a 2×2 pooling and a bias. */
function block(gen: Generator, input: number[], o: number, k: number, s: number, p: number, pool: boolean, bias = true): ConvChainBlock {
  const [n, c, h, w] = input;
  const ho = Math.floor((h + 2 * p - k) / s) + 1,
    wo = Math.floor((w + 2 * p - k) / s) + 1;
  const g: ConvKernelGeometry = { n, c, h, w, o, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1, ho, wo };
  const pooling = pool ? { kh: 2, kw: 2, sh: 2, sw: 2, ho: Math.floor((ho - 2) / 2) + 1, wo: Math.floor((wo - 2) / 2) + 1 } : null;
  return { g, weight: floats(gen, o * c * k * k), bias: bias ? floats(gen, o) : null, epilogue: { relu: true, pool: pooling } };
}

/** The blocks' input shape after `b`. */
function after(b: ConvChainBlock): number[] {
  const { g, epilogue } = b;
  return epilogue.pool ? [g.n, g.o, epilogue.pool.ho, epilogue.pool.wo] : [g.n, g.o, g.ho, g.wo];
}

/** Chains of blocks built from the first block's input: [o, k, stride, padding, pool, bias] per block. */
function chain(gen: Generator, input: number[], specs: [number, number, number, number, boolean, boolean][]): ConvChainBlock[] {
  const blocks: ConvChainBlock[] = [];
  let shape = input;
  for (const [o, k, s, p, pool, bias] of specs) {
    const b = block(gen, shape, o, k, s, p, pool, bias);
    blocks.push(b);
    shape = after(b);
  }
  return blocks;
}

function sameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (!(Object.is(a, e) || (a !== a && e !== e))) assert.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
}

const CHAINS: [string, number[], [number, number, number, number, boolean, boolean][]][] = [
  [
    'cnn-fashion',
    [5, 1, 28, 28],
    [
      [16, 3, 1, 1, true, true],
      [32, 3, 1, 1, true, true],
    ],
  ],
  [
    'three blocks, an unpooled one in the middle, stride 2, no bias',
    [3, 2, 17, 13],
    [
      [5, 3, 1, 1, true, true],
      [4, 3, 2, 0, false, false],
      [7, 1, 1, 0, true, true],
    ],
  ],
  [
    'one sample, odd channels',
    [1, 3, 9, 11],
    [
      [7, 3, 1, 1, false, true],
      [3, 2, 1, 0, true, true],
    ],
  ],
  [
    'no samples',
    [0, 1, 8, 8],
    [
      [2, 3, 1, 1, true, true],
      [2, 3, 1, 1, true, true],
    ],
  ],
];

describe('convChainForward', { skip: noWasm }, () => {
  for (const [name, input, specs] of CHAINS) {
    it(`${name}: the wasm chain gives the reference's bits (the blocks one by one)`, () => {
      const gen = new Generator(7);
      const blocks = chain(gen, input, specs);
      const x = floats(
        gen,
        input.reduce((a, b) => a * b, 1),
      );
      const impl = convChainForward.implementations.wasm;
      // No samples: nothing for the kernels (the reference returns the empty output).
      assert.equal(impl?.supports(x, blocks), input[0] > 0, 'the wasm chain takes it');
      sameBits(
        withBackend('wasm', () => convChainForward.run(x, blocks)),
        convChainForward.reference(x, blocks),
        name,
      );
    });
  }

  it('NaN, infinities and signed zeros: the pooled-first epilogue gives the bits of relu then pooling', () => {
    const gen = new Generator(10);
    const blocks = chain(
      gen,
      [2, 2, 10, 10],
      [
        [3, 3, 1, 1, true, true],
        [4, 3, 1, 1, true, true],
        [2, 1, 1, 0, true, false],
      ],
    );
    // Block 1: zero weights and a bias of −0 (outputs ±0 before relu); block 2: a weight that turns NaN inputs into NaN windows.
    blocks[1].weight.fill(0);
    blocks[1].bias!.fill(-0);
    const x = floats(gen, 2 * 2 * 100);
    x[3] = Number.NaN;
    x[150] = Number.POSITIVE_INFINITY;
    x[151] = Number.NEGATIVE_INFINITY;
    for (let i = 200; i < 260; i += 2) x[i] = -0;
    const first = [blocks[0]];
    sameBits(
      withBackend('wasm', () => convChainForward.run(x, blocks)),
      convChainForward.reference(x, blocks),
      'three blocks',
    );
    sameBits(
      withBackend('wasm', () => convChainForward.run(x, first)),
      convChainForward.reference(x, first),
      'the first block',
    );
  });

  it('one thread and two threads give the same bits', { skip: wasmSupport !== 'threads' && 'no threads here' }, async () => {
    const gen = new Generator(8);
    const blocks = chain(gen, [64, 1, 28, 28], CHAINS[0][2]);
    const x = floats(gen, 64 * 28 * 28);
    const saved = wasmBackend.numThreads();
    try {
      wasmBackend.setNumThreads(2);
      assert.equal(await warmUpWasmThreads(), true, 'workers start');
      const two = withBackend('wasm', () => convChainForward.run(x, blocks));
      wasmBackend.setNumThreads(1);
      sameBits(
        withBackend('wasm', () => convChainForward.run(x, blocks)),
        two,
        'one thread',
      );
    } finally {
      wasmBackend.setNumThreads(saved);
    }
  });

  it('rejects blocks that do not fit one another or their sizes', () => {
    const gen = new Generator(9);
    const good = chain(
      gen,
      [2, 1, 8, 8],
      [
        [3, 3, 1, 1, true, true],
        [4, 3, 1, 1, false, true],
      ],
    );
    const x = floats(gen, 2 * 64);
    const cases: [string, Float32Array, ConvChainBlock[], new (...args: never[]) => Error][] = [
      ['x too short', x.subarray(1), good, ValueError],
      ['a second block on the wrong channels', x, [good[0], block(gen, [2, 5, 4, 4], 4, 3, 1, 1, false)], ShapeError],
      ['a second block on the unpooled size', x, [good[0], { ...good[1], g: { ...good[1].g, h: 8, w: 8 } }], ShapeError],
      ['a weight too short', x, [good[0], { ...good[1], weight: good[1].weight.subarray(1) }], ValueError],
      ['a bias too long', x, [{ ...good[0], bias: new Float32Array(4) }, good[1]], ValueError],
      ['no blocks', x, [], ValueError],
    ];
    for (const [what, xs, blocks, error] of cases) {
      assert.throws(() => withBackend('wasm', () => convChainForward.run(xs, blocks)), error, `wasm: ${what}`);
      assert.throws(() => convChainForward.reference(xs, blocks), error, `reference: ${what}`);
    }
  });
});

function cnn(): Module[] {
  return [
    new Conv2d(1, 6, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 8, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 5, 3, { stride: 2 }),
    new ReLU(),
    new Flatten(),
    new Linear(5 * 2 * 2, 4),
  ];
}

describe('Sequential runs consecutive conv blocks as one chain when inferring', { skip: noWasm }, () => {
  it('covers every block while nothing is recorded, none while gradients are', () => {
    const layers = cnn();
    const x = randn([3, 1, 20, 20]);
    assert.equal(
      withBackend('wasm', () => noGrad(() => fusedBlock(layers, 0, x)?.layers)),
      8,
      'the chain of three blocks',
    );
    assert.equal(
      withBackend('wasm', () => fusedBlock(layers, 0, x)?.layers),
      3,
      'recording: the first block alone',
    );
    assert.equal(
      withBackend('js', () => noGrad(() => fusedBlock(layers, 0, x))),
      null,
      'the js backend has no fused kernels',
    );
  });

  it("predict gives the training-mode forward's bits and its gradients still flow", () => {
    manualSeed(3);
    const model = new Sequential(...cnn());
    const x = randn([40, 1, 20, 20], { generator: new Generator(4) });
    withBackend('wasm', () => {
      const inferred = predict(model, x, { batchSize: 16 });
      model.train();
      const recorded: Tensor = model.call(x);
      sameBits(inferred.data as Float32Array, recorded.data as Float32Array, 'predict vs forward');
      recorded.sum().backward();
      const first = model.parameters()[0];
      assert.ok(first.grad && (first.grad.data as Float32Array).some((v) => v !== 0), 'the first conv gets a gradient');
    });
  });

  it('float64 models and inputs the blocks decline fall back to the layers', () => {
    manualSeed(5);
    const layers = [new Conv2d(1, 2, 3, { dtype: 'float64' }), new ReLU(), new Conv2d(2, 2, 3, { dtype: 'float64' }), new ReLU()];
    const model = new Sequential(...layers);
    const x = randn([2, 1, 7, 7], { dtype: 'float64' });
    const y = withBackend('wasm', () => predict(model, x));
    assert.deepEqual(y.shape, [2, 2, 3, 3]);
    // A wrong channel count is reported by the first convolution, as without the chain.
    assert.throws(() => withBackend('wasm', () => predict(new Sequential(...cnn()), randn([2, 3, 20, 20]))), ShapeError);
  });
});
