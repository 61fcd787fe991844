/**
 * The Module conformance suite: every Module class the library exports
 * (found by walking src/index.ts and its namespaces, so a new layer cannot
 * be left out) passes a float64 gradient check against finite differences
 * and a stateDict round trip through safetensors. A class with no entry
 * below fails the suite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../src/index.js';
import { decodeSafetensors, encodeSafetensors, Generator, manualSeed, Module, noGrad, Tensor } from '../src/index.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const nn = F.nn;
const dtype = 'float64' as const;
type Input = () => Tensor;
const int32 = (values: number[], shape: number[]): Tensor => new Tensor(Int32Array.from(values), shape);
const away =
  (shape: number[]): Input =>
  () =>
    randomF64(shape, 0.2, 1); // away from kinks at 0

interface Entry {
  /** A float64 instance. */
  make(): Module;
  /** The differentiable inputs (float64). */
  inputs: Input[];
  /** How to run it (default: module.call(...inputs)); losses bind their target here. */
  run?(module: Module, ...xs: Tensor[]): Tensor;
  /** Check gradients of the parameters too (default true). */
  params?: boolean;
  /** false for inference-only layers (int8): no gradient check. */
  gradients?: false;
}

/** An int8 layer whose input scale stays positive when the round trip below adds noise to its state (its int8 weights start at 0). */
function withInputScale<M extends Module>(m: M): M {
  m.loadStateDict(new Map([...m.stateDict()].map(([k, v]) => [k, k === 'inputScale' ? v.add(10) : v])));
  return m;
}

/** Every exported Module class, by name. */
const ENTRIES: Record<string, Entry> = {
  Sequential: { make: () => new nn.Sequential(new nn.Linear(3, 4, { dtype }), new nn.Tanh(), new nn.Linear(4, 2, { dtype })), inputs: [() => randomF64([2, 3])] },
  OnnxModule: {
    make: () => F.importOnnxBytes(F.exportOnnxBytes(new nn.Sequential(new nn.Linear(3, 4, { dtype }), new nn.Tanh(), new nn.Linear(4, 2, { dtype })), randomF64([2, 3]))),
    inputs: [() => randomF64([2, 3])],
  },
  ModuleList: {
    make: () => new nn.ModuleList([new nn.Linear(3, 2, { dtype }), new nn.Linear(2, 2, { dtype })]),
    inputs: [() => randomF64([2, 3])],
    run: (m, x) => [...(m as InstanceType<typeof nn.ModuleList>)].reduce((y, layer) => layer.call(y), x),
  },
  ModuleDict: {
    make: () => new nn.ModuleDict({ a: new nn.Linear(3, 2, { dtype }), b: new nn.Tanh() }),
    inputs: [() => randomF64([2, 3])],
    run: (m, x) => (m as InstanceType<typeof nn.ModuleDict>).get('b').call((m as InstanceType<typeof nn.ModuleDict>).get('a').call(x)),
  },
  Linear: { make: () => new nn.Linear(3, 2, { dtype }), inputs: [() => randomF64([4, 3])] },
  Identity: { make: () => new nn.Identity(), inputs: [() => randomF64([2, 3])] },
  Conv1d: { make: () => new nn.Conv1d(2, 3, 3, { dtype, padding: 1 }), inputs: [() => randomF64([2, 2, 5])] },
  Conv2d: { make: () => new nn.Conv2d(2, 2, 3, { dtype, stride: 2, padding: 1 }), inputs: [() => randomF64([1, 2, 5, 5])] },
  ConvTranspose2d: { make: () => new nn.ConvTranspose2d(2, 3, 4, { dtype, stride: 2, padding: 1 }), inputs: [() => randomF64([2, 2, 2, 3])] },
  DcganGenerator: {
    make: () => F.dcganGenerator({ latentDim: 2, imageSize: 8, width: 2, classes: 2, dtype }),
    inputs: [() => randomF64([2, 2])],
    run: (m, z) => m.call(z, int32([1, 0], [2])),
  },
  DcganDiscriminator: { make: () => F.dcganDiscriminator({ imageSize: 8, width: 2, dtype }), inputs: [() => randomF64([2, 1, 8, 8])] },
  Upsample: { make: () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }), inputs: [() => randomF64([1, 2, 3, 2])] },
  MaxPool1d: { make: () => new nn.MaxPool1d(2), inputs: [() => randomF64([2, 2, 6])] },
  MaxPool2d: { make: () => new nn.MaxPool2d(2), inputs: [() => randomF64([1, 2, 4, 4])] },
  AvgPool1d: { make: () => new nn.AvgPool1d(3, { stride: 2, padding: 1 }), inputs: [() => randomF64([2, 2, 7])] },
  AvgPool2d: { make: () => new nn.AvgPool2d(2), inputs: [() => randomF64([1, 2, 4, 4])] },
  AdaptiveAvgPool2d: { make: () => new nn.AdaptiveAvgPool2d([2, 3]), inputs: [() => randomF64([1, 2, 5, 7])] },
  GlobalAvgPool2d: { make: () => new nn.GlobalAvgPool2d(), inputs: [() => randomF64([2, 3, 3, 3])] },
  Flatten: { make: () => new nn.Flatten(), inputs: [() => randomF64([2, 3, 2])] },
  Unflatten: { make: () => new nn.Unflatten(1, [2, 3]), inputs: [() => randomF64([2, 6])] },
  Dropout: {
    make: () => new nn.Dropout({ p: 0.4, generator: new Generator(7) }),
    inputs: [() => randomF64([3, 5])],
    // The same mask on every evaluation: reseed before each call.
    run: (m, x) => {
      (m as unknown as { generator: Generator }).generator.seed(7);
      return m.call(x);
    },
  },
  Dropout2d: {
    make: () => new nn.Dropout2d({ p: 0.5, generator: new Generator(3) }),
    inputs: [() => randomF64([2, 4, 3, 3])],
    run: (m, x) => {
      (m as unknown as { generator: Generator }).generator.seed(3);
      return m.call(x);
    },
  },
  BatchNorm1d: { make: () => new nn.BatchNorm1d(3, { dtype }), inputs: [() => randomF64([5, 3])] },
  BatchNorm2d: { make: () => new nn.BatchNorm2d(2, { dtype }), inputs: [() => randomF64([2, 2, 3, 3])] },
  LayerNorm: { make: () => new nn.LayerNorm([3], { dtype }), inputs: [() => randomF64([4, 3])] },
  Embedding: { make: () => new nn.Embedding(5, 3, { dtype }), inputs: [], run: (m) => m.call(int32([0, 3, 3, 4], [2, 2])) },
  ReLU: { make: () => new nn.ReLU(), inputs: [away([3, 4])] },
  LeakyReLU: { make: () => new nn.LeakyReLU(0.1), inputs: [away([3, 4])] },
  ELU: { make: () => new nn.ELU(), inputs: [() => randomF64([3, 4])] },
  GELU: { make: () => new nn.GELU(), inputs: [() => randomF64([3, 4])] },
  SiLU: { make: () => new nn.SiLU(), inputs: [() => randomF64([3, 4])] },
  Tanh: { make: () => new nn.Tanh(), inputs: [() => randomF64([3, 4])] },
  Sigmoid: { make: () => new nn.Sigmoid(), inputs: [() => randomF64([3, 4])] },
  Softmax: { make: () => new nn.Softmax(1), inputs: [() => randomF64([3, 4])] },
  LogSoftmax: { make: () => new nn.LogSoftmax(-1), inputs: [() => randomF64([3, 4])] },
  Softplus: { make: () => new nn.Softplus({ beta: 2 }), inputs: [() => randomF64([3, 4])] },
  RNN: { make: () => new nn.RNN(3, 4, { dtype, batchFirst: true }), inputs: [() => randomF64([2, 3, 3])] },
  LSTM: { make: () => new nn.LSTM(3, 2, { dtype, numLayers: 2 }), inputs: [() => randomF64([3, 2, 3])] },
  GRU: { make: () => new nn.GRU(2, 3, { dtype, bidirectional: true }), inputs: [() => randomF64([3, 2, 2])] },
  RNNCell: { make: () => new nn.RNNCell(3, 4, { dtype }), inputs: [() => randomF64([2, 3]), () => randomF64([2, 4])] },
  LSTMCell: { make: () => new nn.LSTMCell(3, 2, { dtype }), inputs: [() => randomF64([2, 3]), () => randomF64([2, 2]), () => randomF64([2, 2])] },
  GRUCell: { make: () => new nn.GRUCell(3, 2, { dtype }), inputs: [() => randomF64([2, 3]), () => randomF64([2, 2])] },
  MSELoss: { make: () => new nn.MSELoss(), inputs: [() => randomF64([3, 2])], run: (m, x) => m.call(x, F.tensor(Float64Array.from([1, 0, -1, 2, 0.5, 0]), { shape: [3, 2] })) },
  L1Loss: { make: () => new nn.L1Loss(), inputs: [away([3, 2])], run: (m, x) => m.call(x, F.zeros([3, 2], { dtype })) },
  HuberLoss: { make: () => new nn.HuberLoss({ delta: 0.5 }), inputs: [() => randomF64([4])], run: (m, x) => m.call(x, F.tensor(Float64Array.from([1.2, -0.9, 0.1, 0.3]))) },
  SmoothL1Loss: { make: () => new nn.SmoothL1Loss({ beta: 0.5 }), inputs: [() => randomF64([4])], run: (m, x) => m.call(x, F.tensor(Float64Array.from([1.2, -0.9, 0.1, 0.3]))) },
  CrossEntropyLoss: { make: () => new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }), inputs: [() => randomF64([3, 4])], run: (m, x) => m.call(x, int32([0, 3, 1], [3])) },
  NLLLoss: { make: () => new nn.NLLLoss(), inputs: [() => randomF64([3, 4])], run: (m, x) => m.call(x, int32([2, 0, 1], [3])) },
  BCELoss: { make: () => new nn.BCELoss(), inputs: [() => randomF64([4], 0.1, 0.9)], run: (m, x) => m.call(x, F.tensor(Float64Array.from([1, 0, 1, 0]))) },
  BCEWithLogitsLoss: { make: () => new nn.BCEWithLogitsLoss(), inputs: [() => randomF64([4])], run: (m, x) => m.call(x, F.tensor(Float64Array.from([1, 0, 1, 0]))) },
  QuantizedLinear: {
    make: () => withInputScale(new F.QuantizedLinear(3, 2, { relu: true })),
    inputs: [() => F.randn([4, 3])],
    gradients: false,
  },
  QuantizedConv2d: {
    make: () => withInputScale(new F.QuantizedConv2d(2, 3, 3, { padding: 1, relu: true, pool: { kernelSize: [2, 2], stride: [2, 2] } })),
    inputs: [() => F.randn([1, 2, 4, 4])],
    gradients: false,
  },
  QuantizedLSTM: { make: () => new F.quant.QuantizedLSTM(3, 2, { numLayers: 2, bidirectional: true }), inputs: [() => F.randn([4, 2, 3])], gradients: false },
  KLDivLoss: {
    make: () => new nn.KLDivLoss({ reduction: 'batchmean' }),
    inputs: [() => randomF64([2, 3], -2, -0.5)],
    run: (m, x) => m.call(x, F.tensor(Float64Array.from([0.2, 0.3, 0.5, 0.6, 0.3, 0.1]), { shape: [2, 3] })),
  },
};

/** Every class exported by src/index.ts (and one level of its namespaces, such as nn) that extends Module. */
function exportedModuleClasses(): Map<string, Function> {
  const found = new Map<string, Function>();
  const visit = (exports: Record<string, unknown>, depth: number): void => {
    for (const value of Object.values(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Module) found.set(value.name, value);
      else if (depth === 0 && value && typeof value === 'object' && Object.prototype.toString.call(value) === '[object Module]') visit(value as Record<string, unknown>, 1);
    }
  };
  visit(F as unknown as Record<string, unknown>, 0);
  return found;
}

const run = (entry: Entry, module: Module, xs: Tensor[]): Tensor => (entry.run ? entry.run(module, ...xs) : module.call(...xs));

describe('Module conformance', () => {
  const classes = exportedModuleClasses();

  it('finds the exported Module classes, and every one has an entry here', () => {
    assert.ok(classes.size >= 40, `only ${classes.size} Module classes found`);
    const missing = [...classes.keys()].filter((name) => !(name in ENTRIES)).sort();
    assert.deepEqual(missing, [], `Module classes without a conformance entry (add them to ENTRIES): ${missing.join(', ')}`);
    const stale = Object.keys(ENTRIES).filter((name) => !classes.has(name));
    assert.deepEqual(stale, [], 'entries for classes that are not exported');
  });

  for (const name of [...classes.keys()].sort()) {
    const entry = ENTRIES[name];
    if (!entry) continue;

    it(`${name}: gradients match finite differences (float64)`, { skip: entry.gradients === false && 'inference only' }, () => {
      manualSeed(11);
      const module = entry.make();
      assert.ok(module instanceof classes.get(name)!, `${name}: the entry builds another class`);
      const inputs = entry.inputs.map((make) => make());
      const params = entry.params === false ? [] : module.parameters();
      for (const p of params) assert.equal(p.dtype, 'float64', `${name}: parameters must be float64 for the check`);
      assert.ok(inputs.length + params.length > 0, `${name}: nothing to check`);
      gradcheck(name, (...xs) => run(entry, module, xs.slice(0, inputs.length)), [...inputs, ...params]);
    });

    it(`${name}: stateDict survives a safetensors round trip into a fresh instance`, () => {
      manualSeed(1);
      const module = entry.make();
      manualSeed(2);
      const fresh = entry.make();
      // Non-trivial values for everything, buffers included (a running mean of zeros would prove nothing).
      const state = new Map([...module.stateDict()].map(([k, v]) => [k, v.add(F.randn([...v.shape], { dtype: v.dtype === 'int32' ? 'float32' : v.dtype }).astype(v.dtype))]));
      module.loadStateDict(state);
      const back = decodeSafetensors(encodeSafetensors(module.stateDict())).tensors;
      fresh.loadStateDict(back);
      const before = [...module.stateDict()].map(([k, v]) => [k, v.dtype, [...v.data]]);
      assert.deepEqual(
        [...fresh.stateDict()].map(([k, v]) => [k, v.dtype, [...v.data]]),
        before,
      );
      module.eval();
      fresh.eval();
      manualSeed(5);
      const xs = entry.inputs.map((make) => make().detach());
      const [a, b] = noGrad(() => [run(entry, module, xs), run(entry, fresh, xs)]);
      assert.deepEqual([...b.data], [...a.data], `${name}: the reloaded module computes something else`);
    });
  }
});
