/**
 * Module behaviour of the nn layers: parameter names, train/eval, state
 * dicts, the config registry, shape errors, seeded initialisation, dropout
 * statistics and the init helpers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, FrugalError, ShapeError, type Tensor, ValueError, manualSeed, noGrad, randint, randn, tensor, zeros } from '../src/index.js';
import * as nn from '../src/nn/index.js';

const names = (m: nn.Module): string[] => [...m.namedParameters()].map(([n]) => n);

describe('parameters and names', () => {
  it('follow PyTorch naming, including nested Sequential and recurrent layers', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2, { bias: false })));
    assert.deepEqual(names(model), ['0.weight', '0.bias', '1.weight', '1.bias', '3.1.weight']);
    assert.deepEqual(
      [...model.namedBuffers()].map(([n]) => n),
      ['1.running_mean', '1.running_var', '1.num_batches_tracked'],
    );
    const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    assert.deepEqual(names(lstm), [
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
      'weight_ih_l1',
      'weight_hh_l1',
      'bias_ih_l1',
      'bias_hh_l1',
      'weight_ih_l1_reverse',
      'weight_hh_l1_reverse',
      'bias_ih_l1_reverse',
      'bias_hh_l1_reverse',
    ]);
    const shapes = Object.fromEntries([...lstm.namedParameters()].map(([n, p]) => [n, [...p.shape]]));
    assert.deepEqual(shapes.weight_ih_l0, [20, 3]);
    assert.deepEqual(shapes.weight_ih_l1, [20, 10]);
    assert.deepEqual(shapes.weight_hh_l1_reverse, [20, 5]);
    assert.deepEqual(names(new nn.GRU(2, 3, { bias: false })), ['weight_ih_l0', 'weight_hh_l0']);
    assert.deepEqual(names(new nn.Embedding(5, 2)), ['weight']);
    assert.deepEqual(names(new nn.LayerNorm([2, 3])), ['weight', 'bias']);
    assert.equal(new nn.Linear(3, 2).numParameters(), 8);
  });

  it('parameters() are leaves that require gradients, in the layer dtype', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const m = new nn.Sequential(new nn.Linear(2, 3, { dtype }), new nn.Conv1d(1, 2, 2, { dtype }), new nn.GRU(2, 2, { dtype }));
      for (const p of m.parameters()) {
        assert.ok(p.requiresGrad && p.isLeaf);
        assert.equal(p.dtype, dtype);
      }
    }
  });
});

describe('train() and eval()', () => {
  it('propagate to every sub-module and change behaviour', () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5), new nn.Sequential(new nn.BatchNorm1d(4)));
    model.eval();
    for (const [, m] of model.namedModules()) assert.equal(m.training, false);
    const x = randn([8, 4]);
    assert.deepEqual([...model.call(x).data], [...model.call(x).data], 'eval is deterministic');
    model.train();
    for (const [, m] of model.namedModules()) assert.equal(m.training, true);
  });

  it('batch norm updates running statistics only in training mode', () => {
    const bn = new nn.BatchNorm1d(3);
    const x = randn([10, 3]).mul(2).add(1);
    bn.eval().call(x);
    assert.equal(bn.numBatchesTracked, 0);
    assert.deepEqual([...bn.runningMean!.data], [0, 0, 0]);
    bn.train().call(x);
    assert.equal(bn.numBatchesTracked, 1);
    assert.notDeepEqual([...bn.runningMean!.data], [0, 0, 0]);
  });
});

describe('stateDict', () => {
  it('round-trips into a fresh model, buffers included, and copies', () => {
    manualSeed(1);
    const make = (): nn.Sequential =>
      new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 'same' }), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(3 * 16, 2));
    const a = make();
    a.call(randn([4, 2, 4, 4])); // moves the running statistics
    const b = make();
    const state = a.stateDict();
    b.loadStateDict(state);
    a.eval();
    b.eval();
    const x = randn([2, 2, 4, 4]);
    assert.deepEqual([...a.call(x).data], [...b.call(x).data]);
    (state.get('4.weight') as Tensor).data[0] += 1;
    assert.deepEqual([...a.call(x).data], [...b.call(x).data], 'the state dict holds copies');
    assert.throws(() => b.loadStateDict(new Map([['4.weight', zeros([2, 48])]])), FrugalError, 'strict by default');
    assert.throws(() => b.loadStateDict(new Map([['4.weight', zeros([3, 48])]]), { strict: false }), ShapeError);
  });

  it('round-trips recurrent layers and embeddings', () => {
    const a = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true }),
      b = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true });
    b.loadStateDict(a.stateDict());
    const x = randn([2, 5, 3]);
    assert.deepEqual([...a.call(x).data], [...b.call(x).data]);
  });
});

describe('the layer registry', () => {
  it('rebuilds a nested architecture from JSON with the same parameter names and shapes', () => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, [3, 2], { stride: [1, 2], padding: 'valid', dilation: 1, groups: 1, bias: false }),
      new nn.BatchNorm2d(4, { momentum: null, eps: 1e-3 }),
      new nn.LeakyReLU(0.1),
      new nn.MaxPool2d(2, { stride: 1 }),
      new nn.AdaptiveAvgPool2d([2, null]),
      new nn.Flatten(),
      new nn.Dropout(0.25),
      new nn.Sequential(new nn.Linear(24, 6, { dtype: 'float32' }), new nn.GELU({ approximate: 'tanh' })).add(new nn.Softmax(1), 'probs'),
    );
    const json = JSON.stringify(nn.moduleToConfig(model));
    const rebuilt = nn.layerFromConfig(JSON.parse(json) as nn.LayerConfig);
    assert.equal(JSON.stringify(nn.moduleToConfig(rebuilt)), json);
    assert.deepEqual(names(rebuilt), names(model));
    rebuilt.loadStateDict(model.stateDict());
    model.eval();
    rebuilt.eval();
    const x = randn([2, 1, 6, 9]);
    assert.deepEqual([...rebuilt.call(x).data], [...model.call(x).data]);
  });

  it('describes every built-in layer and rebuilds it', () => {
    const layers: nn.Module[] = [
      new nn.Linear(3, 2),
      new nn.Identity(),
      new nn.Conv1d(2, 4, 3, { padding: 'same', groups: 2 }),
      new nn.Conv2d(2, 2, 1),
      new nn.MaxPool1d(2),
      new nn.AvgPool1d(3, { stride: 1, padding: 1, countIncludePad: false }),
      new nn.AvgPool2d(2),
      new nn.GlobalAvgPool2d({ keepDims: true }),
      new nn.Unflatten(1, [2, 3]),
      new nn.Dropout2d(0.1),
      new nn.BatchNorm1d(3, { affine: false }),
      new nn.LayerNorm(4, { elementwiseAffine: true, bias: false }),
      new nn.Embedding(7, 3, { paddingIdx: -1 }),
      new nn.ReLU(),
      new nn.ELU(0.5),
      new nn.SiLU(),
      new nn.Tanh(),
      new nn.Sigmoid(),
      new nn.LogSoftmax(0),
      new nn.Softplus({ beta: 2, threshold: 10 }),
      new nn.RNN(2, 3, { nonlinearity: 'relu', numLayers: 2, dropout: 0.2 }),
      new nn.LSTM(2, 3, { bidirectional: true }),
      new nn.GRU(2, 3, { batchFirst: true }),
      new nn.RNNCell(2, 3),
      new nn.LSTMCell(2, 3, { bias: false }),
      new nn.GRUCell(2, 3, { dtype: 'float64' }),
      new nn.MSELoss({ reduction: 'sum' }),
      new nn.CrossEntropyLoss({ weight: tensor([1, 2, 3]), labelSmoothing: 0.1 }),
      new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) }),
      new nn.KLDivLoss({ reduction: 'batchmean', logTarget: true }),
    ];
    for (const m of layers) {
      const cfg = nn.moduleToConfig(m);
      const again = nn.moduleToConfig(nn.layerFromConfig(JSON.parse(JSON.stringify(cfg)) as nn.LayerConfig));
      assert.deepEqual(again, cfg, cfg.type);
    }
    assert.ok(nn.registeredLayers().includes('LSTM'));
  });

  it('explains unregistered modules and unknown types', () => {
    class Custom extends nn.Module {
      override forward(x: Tensor): Tensor {
        return x;
      }
    }
    assert.throws(() => nn.moduleToConfig(new nn.Sequential(new Custom())), /Custom is not registered/);
    assert.throws(() => nn.layerFromConfig({ type: 'Nope', config: {} }), /unknown layer type 'Nope'/);
    class Scale extends nn.Module {
      constructor(readonly k: number) {
        super();
      }
      override forward(x: Tensor): Tensor {
        return x.mul(this.k);
      }
      getConfig(): nn.JsonObject {
        return { k: this.k };
      }
      static fromConfig(c: nn.JsonObject): Scale {
        return new Scale(c.k as number);
      }
    }
    nn.registerLayer('Scale', Scale);
    const back = nn.layerFromConfig(nn.moduleToConfig(new nn.Sequential(new Scale(3)))) as nn.Sequential;
    assert.equal((back.at(0) as Scale).k, 3);
    class Scale2 extends Scale {
      static override fromConfig(c: nn.JsonObject): Scale2 {
        return new Scale2(c.k as number);
      }
    }
    assert.throws(() => nn.registerLayer('Scale', Scale2), /already registered/);
    assert.throws(() => nn.moduleToConfig(new Scale2(2)), /Scale2 is not registered/, 'a subclass is not its registered base');
    assert.throws(() => nn.registerLayer('Custom', Custom as unknown as nn.LayerClass), /needs a static fromConfig/);
  });
});

describe('Sequential', () => {
  it('adds, indexes, iterates and names', () => {
    const a = new nn.Linear(2, 3),
      b = new nn.ReLU(),
      c = new nn.Linear(3, 1);
    const seq = new nn.Sequential([a, b]).add(c, 'head');
    assert.equal(seq.length, 3);
    assert.equal(seq.at(0), a);
    assert.equal(seq.at(-1), c);
    assert.equal(seq.get('head'), c);
    assert.deepEqual([...seq], [a, b, c]);
    assert.deepEqual(names(seq), ['0.weight', '0.bias', 'head.weight', 'head.bias']);
    assert.throws(() => seq.at(3), /out of range/);
    assert.deepEqual([...seq.call(randn([5, 2])).shape], [5, 1]);
  });
});

describe('shape and dtype errors say what was expected and what came', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['Linear', () => new nn.Linear(64, 10).call(randn([32, 63])), /Linear\(64 → 10\): expected input with last dimension 64, got \[32, 63\]/],
    ['Linear dtype', () => new nn.Linear(2, 2).call(randn([1, 2], { dtype: 'float64' })), /expected a float32 input, got float64/],
    ['Conv2d channels', () => new nn.Conv2d(3, 4, 3).call(randn([2, 1, 8, 8])), /Conv2d\(3 → 4, kernel 3×3\): expected input \[N, 3, H, W\], got \[2, 1, 8, 8\]/],
    ['Conv2d too small', () => new nn.Conv2d(1, 1, 5).call(randn([1, 1, 3, 3])), /smaller than the kernel/],
    ['Conv1d rank', () => new nn.Conv1d(2, 2, 3).call(randn([2, 2, 4, 4])), /expected input \[N, 2, L\]/],
    ['MaxPool2d rank', () => new nn.MaxPool2d(2).call(randn([4, 4])), /expected a 4-D input/],
    ['BatchNorm2d', () => new nn.BatchNorm2d(3).call(randn([2, 4, 2, 2])), /BatchNorm2d\(3\): expected input \[N, 3, H, W\], got \[2, 4, 2, 2\]/],
    ['BatchNorm1d one value', () => new nn.BatchNorm1d(3).call(randn([1, 3])), /more than 1 value per channel/],
    ['LayerNorm', () => new nn.LayerNorm([4]).call(randn([2, 5])), /expected input ending in \[4\], got \[2, 5\]/],
    ['Embedding dtype', () => new nn.Embedding(4, 2).call(randn([3])), /expected int32 indices, got float32/],
    ['Embedding range', () => new nn.Embedding(4, 2).call(tensor([1, 4], { dtype: 'int32' })), /index 4 at position 1 is out of range \[0, 3\]/],
    ['LSTM features', () => new nn.LSTM(3, 4).call(randn([5, 2, 2])), /LSTM\(3 → 4\): expected input \[T, B, 3\]/],
    ['LSTM h0', () => new nn.LSTM(3, 4, { numLayers: 2 }).run(randn([5, 2, 3]), { h: randn([1, 2, 4]) }), /initial h must have shape \[2, 2, 4\]/],
    ['GRU c0', () => new nn.GRU(3, 4).run(randn([5, 2, 3]), { c: randn([1, 2, 4]) }), /only an LSTM/],
    ['crossEntropy target', () => nn.crossEntropy(randn([4, 3]), randint(0, 3, [5])), /class indices of shape \[4\], got target \[5\]/],
    ['crossEntropy class', () => nn.crossEntropy(randn([2, 3]), tensor([0, 3], { dtype: 'int32' })), /class index 3 at position 1 is out of range \[0, 2\]/],
    ['mseLoss shapes', () => nn.mseLoss(randn([4, 1]), randn([4])), /input \[4, 1\] and target \[4\] must have the same shape/],
    ['bce range', () => nn.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])), /probabilities in \[0, 1\]/],
    ['unknown option', () => new nn.Linear(2, 2, { bais: false } as never), /unknown option 'bais'/],
    ['groups', () => new nn.Conv2d(3, 4, 3, { groups: 2 }), /groups=2 must divide/],
    ['same stride', () => new nn.Conv2d(1, 1, 3, { padding: 'same', stride: 2 }), /'same' needs stride 1/],
  ];
  for (const [name, fn, re] of cases) {
    it(name, () => assert.throws(fn, (e: unknown) => e instanceof FrugalError && re.test((e as Error).message), `${name}: message should match ${re}`));
  }
  it('uses the typed error classes', () => {
    assert.throws(() => new nn.Linear(4, 2).call(randn([3, 5])), ShapeError);
    assert.throws(() => new nn.Embedding(4, 2).call(randn([3])), DTypeError);
    assert.throws(() => new nn.Dropout(1.5), ValueError);
  });
});

describe('initialisation', () => {
  it('is repeatable under manualSeed', () => {
    const build = (): nn.Module => new nn.Sequential(new nn.Linear(5, 4), new nn.Conv2d(2, 3, 3), new nn.LSTM(2, 3), new nn.Embedding(4, 2));
    manualSeed(42);
    const a = build().stateDict();
    manualSeed(42);
    const b = build().stateDict();
    manualSeed(43);
    const c = build().stateDict();
    for (const [k, v] of a) {
      assert.deepEqual([...v.data], [...b.get(k)!.data], k);
    }
    assert.notDeepEqual([...a.get('0.weight')!.data], [...c.get('0.weight')!.data]);
  });

  it('follows PyTorch default bounds', () => {
    manualSeed(0);
    const maxAbs = (t: Tensor): number => Array.from(t.data).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const lin = new nn.Linear(100, 50);
    assert.ok(maxAbs(lin.weight) <= 0.1 && maxAbs(lin.weight) > 0.09);
    assert.ok(maxAbs(lin.bias!) <= 0.1);
    const conv = new nn.Conv2d(4, 8, 3); // fan_in 36
    assert.ok(maxAbs(conv.weight) <= 1 / 6 && maxAbs(conv.weight) > 0.15);
    const lstm = new nn.LSTM(3, 16);
    for (const p of lstm.parameters()) assert.ok(maxAbs(p) <= 0.25);
    const emb = new nn.Embedding(1000, 10, { paddingIdx: 3 });
    const d = Array.from(emb.weight.data);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `N(0,1): mean ${mean}, sd ${sd}`);
    assert.deepEqual([...d.slice(30, 40)], new Array(10).fill(0));
  });

  it('init helpers draw the documented distributions', () => {
    manualSeed(7);
    const stats = (t: Tensor): { mean: number; sd: number; max: number } => {
      const d = Array.from(t.data);
      const mean = d.reduce((s, v) => s + v, 0) / d.length;
      return { mean, sd: Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length), max: d.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
    };
    const w = zeros([200, 300]);
    nn.init.xavierUniform(w);
    assert.ok(stats(w).max <= Math.sqrt(6 / 500));
    nn.init.xavierNormal(w, { gain: 2 });
    assert.ok(Math.abs(stats(w).sd - 2 * Math.sqrt(2 / 500)) < 0.002);
    nn.init.kaimingNormal(w, { nonlinearity: 'relu' });
    assert.ok(Math.abs(stats(w).sd - Math.sqrt(2 / 300)) < 0.002);
    nn.init.kaimingUniform(w, { mode: 'fanOut' });
    assert.ok(stats(w).max <= Math.sqrt(6 / 200) && stats(w).max > 0.95 * Math.sqrt(6 / 200));
    nn.init.normal(w, 3, 0.5);
    assert.ok(Math.abs(stats(w).mean - 3) < 0.01 && Math.abs(stats(w).sd - 0.5) < 0.01);
    nn.init.uniform(w, -2, -1);
    assert.ok(w.data.every((v) => v >= -2 && v < -1));
    nn.init.truncNormal(w, 0, 1, -0.5, 0.5);
    assert.ok(w.data.every((v) => v >= -0.5 && v <= 0.5));
    nn.init.ones(w);
    assert.ok(w.data.every((v) => v === 1));
    assert.equal(nn.init.calculateGain('leakyRelu', Math.sqrt(5)), Math.sqrt(2 / 6));
    for (const shape of [
      [4, 6],
      [6, 4],
      [3, 2, 2],
    ]) {
      const q = zeros(shape, { dtype: 'float64' });
      nn.init.orthogonal(q, { gain: 1.5 });
      const rows = shape[0],
        cols = q.size / rows;
      const m = q.reshape([rows, cols]);
      const gram = rows <= cols ? m.matmul(m.T) : m.T.matmul(m);
      const k = Math.min(rows, cols);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) assert.ok(Math.abs(gram.data[i * k + j] - (i === j ? 2.25 : 0)) < 1e-12);
    }
  });
});

describe('dropout', () => {
  it('is the identity in eval mode and scales survivors by 1/(1 − p) in training', () => {
    manualSeed(3);
    const drop = new nn.Dropout(0.3);
    const x = randn([200, 100]).abs().add(0.1);
    const y = drop.call(x);
    let zerosCount = 0;
    for (let i = 0; i < x.size; i++) {
      if (y.data[i] === 0) zerosCount++;
      else assert.ok(Math.abs(y.data[i] - x.data[i] / 0.7) < 1e-5);
    }
    const rate = zerosCount / x.size;
    assert.ok(Math.abs(rate - 0.3) < 0.01, `drop rate ${rate}`);
    drop.eval();
    assert.equal(drop.call(x), x);
    assert.equal(new nn.Dropout(0).call(x), x);
    assert.ok(new nn.Dropout(1).call(x).data.every((v) => v === 0));
  });

  it('draws masks from the seeded generator and passes gradients through the mask', () => {
    const x = randn([10, 10]);
    x.requiresGrad = true;
    manualSeed(5);
    const a = new nn.Dropout(0.5).call(x);
    manualSeed(5);
    const b = new nn.Dropout(0.5).call(x);
    assert.deepEqual([...a.data], [...b.data]);
    a.sum().backward();
    for (let i = 0; i < x.size; i++) assert.equal(x.grad!.data[i], a.data[i] === 0 ? 0 : 2);
    const d2 = new nn.Dropout2d(0.5).call(randn([4, 6, 3, 3]).abs().add(1));
    for (let p = 0; p < 24; p++) {
      const plane = [...d2.data.slice(p * 9, p * 9 + 9)];
      assert.ok(plane.every((v) => v === 0) || plane.every((v) => v !== 0));
    }
  });
});

describe('recurrent API', () => {
  it('returns outputs and final states in batch-first and unbatched layouts', () => {
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const { output, h } = gru.run(randn([2, 7, 3]));
    assert.deepEqual([...output.shape], [2, 7, 8]);
    assert.deepEqual([...h.shape], [4, 2, 4]);
    // The forward direction's final state is the last output step's first half.
    for (let b = 0; b < 2; b++) for (let j = 0; j < 4; j++) assert.equal(h.data[(2 * 2 + b) * 4 + j], output.data[(b * 7 + 6) * 8 + j]);
    const lstm = new nn.LSTM(3, 4);
    const r = lstm.run(randn([5, 3]));
    assert.deepEqual([...r.output.shape], [5, 4]);
    assert.deepEqual([...r.h.shape], [1, 4]);
    assert.deepEqual([...r.c.shape], [1, 4]);
    const cell = new nn.LSTMCell(3, 4);
    const s = cell.run(randn([2, 3]));
    const s2 = cell.run(randn([2, 3]), s);
    assert.deepEqual([...s2.c.shape], [2, 4]);
  });

  it('runs a sequence step by step with the cell exactly like the layer', () => {
    const lstm = new nn.LSTM(3, 4, { dtype: 'float64' });
    const cell = new nn.LSTMCell(3, 4, { dtype: 'float64' });
    cell.loadStateDict(Object.fromEntries([...lstm.stateDict()].map(([k, v]) => [k.replace('_l0', ''), v])));
    const x = randn([6, 2, 3], { dtype: 'float64' });
    const whole = noGrad(() => lstm.run(x));
    let state: { h?: Tensor; c?: Tensor } = {};
    for (let t = 0; t < 6; t++) state = cell.run(x.slice([[t, t + 1]]).reshape([2, 3]), state);
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(state.h!.data[i] - whole.h.data[i]) < 1e-14);
  });

  it('applies dropout between layers only while training', () => {
    const rnn = new nn.RNN(2, 3, { numLayers: 2, dropout: 0.9 });
    const x = randn([4, 2, 2]);
    rnn.eval();
    assert.deepEqual([...rnn.call(x).data], [...rnn.call(x).data]);
    rnn.train();
    manualSeed(1);
    const a = rnn.call(x);
    manualSeed(2);
    const b = rnn.call(x);
    assert.notDeepEqual([...a.data], [...b.data]);
  });
});
