// The float32 convolution chain (src/backend/routines/conv-chain.ts, the
// fused pattern src/nn/fused/conv-chain.ts): a stack of Conv → ReLU
// (→ MaxPool) blocks run one sample per chunk with the blocks' outputs kept
// in the engine's memory. It must give the bits of the blocks one by one
// (and so of the training-mode forward), on any number of threads, and
// reject chains whose sizes do not fit. In training (convChainTrainForward,
// convChainBackward) the forward parks every block's state and the backward
// runs every block's backward on a sample in one job: the gradients must be
// the blocks' one by one to float32 rounding (a pooled block's backward sums
// from the pooled cells: asm/conv-pooled.ts), and the same bits whether the
// parked state is still there or was given up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grad, noGrad } from '../src/autograd/graph.js';
import {
  convChainBackward,
  convChainForward,
  convChainTrainForward,
  type ConvChainBlock,
  type ConvChainGradients,
  type ConvChainWanted,
} from '../src/backend/routines/conv-chain.js';
import { withResidentOperand } from '../src/backend/index.js';
import type { ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { wasmBackend, wasmSupport, warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { ShapeError, ValueError } from '../src/errors.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../src/nn/index.js';
import { fusedBlock } from '../src/nn/fused/plan.js';
import { convBlock } from '../src/nn/fused/conv-block.js';
// Registers the chain (as frugal-ml's Node entry point does).
import '../src/nn/fused/conv-chain.js';
import { randn } from '../src/tensor/creation.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { predict } from '../src/train/index.js';
import { assertCloseFloat32, withBackend, withThreads, assertSameBits } from './helpers/backends.js';

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
      assertSameBits(
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
    assertSameBits(
      withBackend('wasm', () => convChainForward.run(x, blocks)),
      convChainForward.reference(x, blocks),
      'three blocks',
    );
    assertSameBits(
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
      assertSameBits(
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

describe('Sequential runs consecutive conv blocks as one chain', { skip: noWasm }, () => {
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
      10,
      'recording: the chain of three blocks with the Flatten and Linear after it (conv-chain-dense.test.ts)',
    );
    const float64 = randn([3, 1, 20, 20], { dtype: 'float64' });
    assert.equal(
      withBackend('wasm', () => fusedBlock(layers, 0, float64)),
      null,
      'a float64 input goes through the layers',
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
      assertSameBits(inferred.data as Float32Array, recorded.data as Float32Array, 'predict vs forward');
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

/** Every gradient of a chain's backward, in block order (null where not wanted). */
function gradientArrays(grads: ConvChainGradients): (Float32Array | null)[] {
  return [grads.dx, ...grads.blocks.flatMap((b) => [b.dw, b.db])];
}

/**
 * The gradients to the bit (exact), or to float32 rounding: against the
 * reference, whose blocks' backwards multiply the dense gradient of the
 * convolution's output, where the chain's pooled blocks take theirs from the
 * pooled cells (asm/conv-pooled.ts: the same sums in another order).
 */
function sameGradients(actual: ConvChainGradients, expected: ConvChainGradients, what: string, exact = true): void {
  const a = gradientArrays(actual),
    e = gradientArrays(expected);
  assert.equal(a.length, e.length, `${what}: gradients`);
  e.forEach((expect, i) => {
    if (expect === null || a[i] === null) assert.equal(a[i], expect, `${what}: gradient ${i}`);
    else if (exact) assertSameBits(a[i]!, expect, `${what}: gradient ${i}`);
    else assertCloseFloat32(a[i]!, expect, `${what}: gradient ${i}`);
  });
}

/** The chain's training forward and backward on `backend` (given-up parks: `around` wraps the backward). */
function trainStep(
  backend: 'reference' | 'wasm',
  x: Float32Array,
  blocks: ConvChainBlock[],
  dy: (n: number) => Float32Array,
  wanted: ConvChainWanted,
  around = <T>(run: () => T): T => run(),
) {
  // The references' products on the wasm backend's GEMM, as the block-by-block routines' tests run them.
  const [forward, backward] = backend === 'wasm' ? [convChainTrainForward.run, convChainBackward.run] : [convChainTrainForward.reference, convChainBackward.reference];
  return withBackend('wasm', () => {
    const { y, saved } = forward.call(convChainTrainForward, x, blocks);
    return { y, grads: around(() => backward.call(convChainBackward, saved, dy(y.length), wanted)) };
  });
}

describe('convChainTrainForward and convChainBackward', { skip: noWasm }, () => {
  const cases = CHAINS.filter(([, input]) => input[0] > 0);
  for (const [name, input, specs] of cases) {
    it(`${name}: the wasm chain gives the reference's output (to the bit) and gradients (to float32 rounding)`, () => {
      const gen = new Generator(11);
      const blocks = chain(gen, input, specs);
      const x = floats(
        gen,
        input.reduce((a, b) => a * b, 1),
      );
      const dySeed = new Generator(12);
      const dys = new Map<number, Float32Array>();
      const dy = (n: number): Float32Array => dys.get(n) ?? dys.set(n, floats(dySeed, n)).get(n)!;
      assert.ok(convChainTrainForward.implementations.wasm?.supports(x, blocks), 'the wasm chain takes it');
      // Every gradient; then the input's alone with the first block's weight only (a frozen layer, no bias).
      const wantedCases: ConvChainWanted[] = [
        { input: true, weights: blocks.map(() => true), bias: blocks.map((b) => b.bias !== null) },
        { input: false, weights: blocks.map((_, l) => l === 0), bias: blocks.map(() => false) },
      ];
      for (const wanted of wantedCases) {
        const reference = trainStep('reference', x, blocks, dy, wanted);
        const fast = trainStep('wasm', x, blocks, dy, wanted);
        assertSameBits(fast.y, reference.y, `${name}: output`);
        sameGradients(fast.grads, reference.grads, `${name} (input ${wanted.input})`, false);
      }
    });
  }

  const cnnFashion = (): { x: Float32Array; blocks: ConvChainBlock[]; dy: (n: number) => Float32Array } => {
    const gen = new Generator(13);
    const blocks = chain(gen, [64, 1, 28, 28], CHAINS[0][2]);
    const x = floats(gen, 64 * 28 * 28);
    const dy = floats(gen, 64 * 32 * 7 * 7);
    return { x, blocks, dy: () => dy };
  };
  const every = (blocks: ConvChainBlock[]): ConvChainWanted => ({ input: false, weights: blocks.map(() => true), bias: blocks.map(() => true) });

  it('recomputes the parked state where it was given up (a resident GEMM operand took the memory), the same bits', () => {
    const { x, blocks, dy } = cnnFashion();
    const kept = trainStep('wasm', x, blocks, dy, every(blocks));
    const operand = new Float32Array(1000).fill(1);
    const givenUp = trainStep('wasm', x, blocks, dy, every(blocks), (run) => withResidentOperand(operand, run));
    sameGradients(givenUp.grads, kept.grads, 'given up');
    // A second backward of the same forward (its park released by the first) recomputes it too.
    const twice = withBackend('wasm', () => {
      const { saved } = convChainTrainForward.run(x, blocks);
      convChainBackward.run(saved, dy(0), every(blocks));
      return convChainBackward.run(saved, dy(0), every(blocks));
    });
    sameGradients(twice, kept.grads, 'twice');
  });

  it('one thread and two threads give the same bits', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
    const { x, blocks, dy } = cnnFashion();
    const two = withThreads(2, () => trainStep('wasm', x, blocks, dy, every(blocks)));
    const one = withThreads(1, () => trainStep('wasm', x, blocks, dy, every(blocks)));
    assertSameBits(one.y, two.y, 'output');
    sameGradients(one.grads, two.grads, 'one thread');
  });

  it('rejects a gradient of the wrong size and wanted lists that do not name every block', () => {
    const { x, blocks } = cnnFashion();
    for (const backend of ['wasm', 'js'] as const) {
      withBackend(backend, () => {
        const { y, saved } = convChainTrainForward.run(x, blocks);
        // The js backend has no chain: its routines' run is the reference.
        assert.throws(() => convChainBackward.run(saved, new Float32Array(y.length - 1), every(blocks)), ValueError, `${backend}: dy too short`);
        assert.throws(() => convChainBackward.run(saved, new Float32Array(y.length + 7), every(blocks)), ValueError, `${backend}: dy too long`);
      });
    }
    const { saved } = withBackend('wasm', () => convChainTrainForward.run(x, blocks));
    const y = new Float32Array(64 * 32 * 7 * 7);
    assert.throws(() => withBackend('wasm', () => convChainBackward.run(saved, y, { ...every(blocks), weights: [true] })), ValueError);
  });
});

describe('a training step through the chain', { skip: noWasm }, () => {
  /** The model's output and its parameters' gradients for sum(output · w), by the plan (the chain) or block by block (convBlock). */
  function gradients(chained: boolean): Float32Array[] {
    manualSeed(21);
    const layers = cnn();
    const model = new Sequential(...layers);
    const x = randn([6, 1, 20, 20], { generator: new Generator(22) });
    return withBackend('wasm', () => {
      let y: Tensor;
      if (chained) y = model.call(x);
      else {
        y = x;
        for (let i = 0; i < layers.length; ) {
          const block = convBlock.match(layers, i)?.run(y);
          if (block) {
            y = block;
            i += layers[i + 2]?.constructor === MaxPool2d ? 3 : 2;
          } else y = layers[i++].call(y);
        }
      }
      const w = randn(y.shape, { generator: new Generator(23) });
      y.mul(w).sum().backward();
      return [y.data as Float32Array, ...model.parameters().map((p) => p.grad!.data as Float32Array)];
    });
  }

  it('gives the output and gradients of the blocks one by one, to the bit', () => {
    const chained = gradients(true);
    const oneByOne = gradients(false);
    assert.equal(chained.length, oneByOne.length);
    chained.forEach((a, i) => assertSameBits(a, oneByOne[i], `array ${i}`));
  });

  it('gradients of gradients go through the blocks as ordinary ops', () => {
    manualSeed(24);
    const layers = cnn().slice(0, 6);
    const x = randn([2, 1, 12, 12], { generator: new Generator(25) });
    x.requiresGrad = true;
    const model = new Sequential(...layers);
    const penalty = (y: Tensor): Float32Array[] => {
      const [gx] = grad(y.sum(), [x], { createGraph: true });
      const params = model.parameters();
      return grad(gx.mul(gx).sum(), params, { allowUnused: true }).map((g) => g.data as Float32Array);
    };
    const chained = withBackend('wasm', () => penalty(model.call(x)));
    const plain = withBackend('js', () => penalty(model.call(x)));
    chained.forEach((g, i) => assertCloseFloat32(g, plain[i], `parameter ${i}`));
  });
});
