import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, Tensor } from '../src/index.js';
import {
  BatchNorm1d,
  CrossEntropyLoss,
  GELU,
  init,
  Linear,
  LeakyReLU,
  Module,
  ModuleDict,
  ModuleList,
  Parameter,
  ReLU,
  Sequential,
  layerFromConfig,
  moduleToConfig,
  mseLoss,
  nllLoss,
  summary,
} from '../src/nn/index.js';
import { modelFromBytes, modelToBytes } from '../src/nn/serialize.js';
import { Adam } from '../src/optim/index.js';

class TwoLayer extends Module {
  fc1 = new Linear(3, 4);
  act = new ReLU();
  fc2: Linear;
  scale = new Parameter(new Tensor(new Float32Array([2]), [1]));
  notAParameter = randn([2]);
  constructor() {
    super();
    this.fc2 = new Linear(4, 2);
  }
  override forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x))).mul(this.scale);
  }
}

describe('Module: fields register themselves (PyTorch __setattr__)', () => {
  it('finds Modules and Parameters held in fields, with their field names', () => {
    manualSeed(0);
    const m = new TwoLayer();
    // A module's own parameters come before its children's, as in PyTorch.
    assert.deepEqual(
      [...m.namedParameters()].map(([n]) => n),
      ['scale', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
    );
    assert.deepEqual(
      [...m.children()].map(([n]) => n),
      ['fc1', 'act', 'fc2'],
    );
    assert.equal(m.numParameters(), 3 * 4 + 4 + 4 * 2 + 2 + 1);
    assert.deepEqual([...m.stateDict().keys()], ['scale', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    // A plain tensor field is not state (as in PyTorch: use registerBuffer).
    assert.ok(![...m.stateDict().keys()].includes('notAParameter'));
    // Training reaches every parameter.
    m.eval();
    assert.equal(m.fc1.training, false);
    const opt = new Adam(m.parameters(), { lr: 0.1 });
    const before = m.scale.data[0];
    mseLoss(m.call(randn([5, 3])), randn([5, 2])).backward();
    opt.step();
    assert.notEqual(m.scale.data[0], before);
  });

  it('a field given a new module replaces the registered one', () => {
    const m = new TwoLayer();
    m.parameters();
    m.fc2 = new Linear(4, 7);
    assert.deepEqual(m.stateDict().get('fc2.weight')!.shape, [7, 4]);
    assert.equal([...m.children()].length, 3);
  });

  it('explicit registration under another name is not registered twice; tied parameters count once', () => {
    class Tied extends Module {
      a = new Linear(2, 2, { bias: false });
      b = new Linear(2, 2, { bias: false });
      w: Parameter;
      constructor() {
        super();
        this.w = this.registerParameter('weightAlias', new Parameter(randn([2])));
      }
      override forward(x: Tensor): Tensor {
        return x;
      }
    }
    const t = new Tied();
    assert.deepEqual(
      [...t.namedParameters()].map(([n]) => n),
      ['weightAlias', 'a.weight', 'b.weight'],
    );
  });
});

describe('ModuleList and ModuleDict', () => {
  it('register their modules as 0, 1, ... and by name, and survive saving', () => {
    manualSeed(1);
    class Stack extends Module {
      blocks = new ModuleList([new Linear(2, 3), new Linear(3, 3)]);
      heads = new ModuleDict({ cls: new Linear(3, 2), reg: new Linear(3, 1) });
      override forward(x: Tensor): Tensor {
        let y = x;
        for (const b of this.blocks) y = b.call(y).relu();
        return this.heads.get('cls').call(y);
      }
    }
    const s = new Stack();
    assert.deepEqual(
      [...s.namedParameters()].map(([n]) => n),
      ['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias', 'heads.cls.weight', 'heads.cls.bias', 'heads.reg.weight', 'heads.reg.bias'],
    );
    s.blocks.append(new Linear(3, 3));
    assert.equal(s.blocks.length, 3);
    assert.equal(s.blocks.at(-1), [...s.blocks][2]);
    assert.throws(() => s.blocks.at(3), /out of range/);
    assert.throws(() => s.blocks.append({} as Module), /expected a Module/);
    assert.throws(() => s.heads.get('nope'), /no module named 'nope'/);
    assert.throws(() => s.heads.set('cls', new ReLU()), /already registered/);
    assert.throws(() => s.blocks.call(randn([1, 2])), /no forward/);
    for (const container of [s.blocks, s.heads]) {
      const copy = layerFromConfig(moduleToConfig(container));
      copy.loadStateDict(container.stateDict());
      assert.deepEqual([...copy.stateDict().keys()], [...container.stateDict().keys()]);
      const back = modelFromBytes(modelToBytes(container));
      assert.deepEqual(
        [...back.stateDict()].map(([k, v]) => [k, [...v.data]]),
        [...container.stateDict()].map(([k, v]) => [k, [...v.data]]),
      );
    }
  });
});

describe('Module.toString (PyTorch repr)', () => {
  it("prints the structure with each layer's settings", () => {
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Sequential(new Linear(8, 2, { bias: false }), new LeakyReLU(0.2)));
    assert.equal(
      model.toString(),
      [
        'Sequential(',
        '  (0): Linear(inFeatures=4, outFeatures=8, bias=true, dtype=float32)',
        '  (1): ReLU()',
        '  (2): Sequential(',
        '    (0): Linear(inFeatures=8, outFeatures=2, bias=false, dtype=float32)',
        '    (1): LeakyReLU(negativeSlope=0.2)',
        '  )',
        ')',
      ].join('\n'),
    );
    assert.equal(String(new TwoLayer()).split('\n')[0], 'TwoLayer(');
  });
});

describe('loadStateDict is all or nothing', () => {
  it('a bad shape late in the dict leaves earlier parameters untouched', () => {
    const model = new Sequential(new Linear(2, 3), new BatchNorm1d(3), new Linear(3, 1));
    const before = [...model.stateDict()].map(([k, v]) => [k, [...v.data]]);
    const state = new Map([...model.stateDict()].map(([k, v]) => [k, v.add(1)]));
    state.set('2.bias', randn([2]));
    assert.throws(() => model.loadStateDict(state), /'2\.bias' has shape \[2\]/);
    assert.deepEqual(
      [...model.stateDict()].map(([k, v]) => [k, [...v.data]]),
      before,
    );
    assert.throws(() => model.loadStateDict({ '0.weight': [1, 2] as unknown as Tensor }, { strict: false }), /not a Tensor/);
    assert.throws(() => model.loadStateDict(state, { stric: false } as never), /did you mean 'strict'/);
  });
});

describe('options objects reject unknown keys with a suggestion', () => {
  it('layers, losses and loss modules', () => {
    assert.throws(() => new Linear(2, 2, { use_bias: false } as never), /unknown option 'use_bias'/);
    assert.throws(() => new LeakyReLU({ negative_slope: 0.1 } as never), /did you mean 'negativeSlope'/);
    assert.throws(() => new GELU({ approx: 'tanh' } as never), /valid options are: approximate/);
    assert.throws(() => new BatchNorm1d(3, { track_running_stats: false } as never), /did you mean 'trackRunningStats'/);
    assert.throws(() => mseLoss(randn([2]), randn([2]), { reduce: 'sum' } as never), /mseLoss: unknown option 'reduce'/);
    assert.throws(() => nllLoss(randn([2, 3]), new Tensor(new Int32Array([0, 1]), [2]), { ignore_index: 1 } as never), /did you mean 'ignoreIndex'/);
    assert.throws(() => new CrossEntropyLoss({ label_smoothing: 0.1 } as never), /did you mean 'labelSmoothing'/);
  });

  it('initialisers', () => {
    const w = randn([3, 4]);
    assert.throws(() => init.kaimingUniform(w, { non_linearity: 'relu' } as never), /kaimingUniform: unknown option 'non_linearity' \(did you mean 'nonlinearity'\?\)/);
    assert.throws(() => init.xavierNormal(w, { gian: 2 } as never), /did you mean 'gain'/);
    assert.throws(() => init.uniform(w, 0, 1, { seed: 1 } as never), /valid options are: generator/);
    // Valid options still pass through to the draw (same generator seed, same values).
    const a = init.kaimingNormal(randn([3, 4]), { generator: 5, nonlinearity: 'relu' });
    const b = init.kaimingNormal(randn([3, 4]), { generator: 5, nonlinearity: 'relu' });
    assert.deepEqual([...a.data], [...b.data]);
  });
});

describe('summary', () => {
  it("gives each layer's output shape and parameter count, through fused blocks too", () => {
    manualSeed(0);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Sequential(new Linear(8, 2)));
    const s = summary(model, [5, 4]);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape, r.parameters]),
      [
        ['', 'Sequential', [5, 2], 0],
        ['0', 'Linear', [5, 8], 40],
        ['1', 'ReLU', [5, 8], 0],
        ['2', 'Sequential', [5, 2], 0],
        ['2.0', 'Linear', [5, 2], 18],
      ],
    );
    assert.equal(s.totalParameters, 58);
    assert.match(String(s), /Total params: 58/);
    assert.match(String(s), /\n {4}0 \(Linear\) +\[5, 2\] +18\n/);
    // The model is left as it was: same mode, forward no longer patched, same output.
    assert.equal(model.training, true);
    assert.ok(!Object.hasOwn(model, 'forward'));
    assert.throws(() => summary(model, [5, 3]), { name: 'ShapeError' });
    assert.ok(!Object.hasOwn(model.at(0), 'forward'), 'restored after a failing forward');
    assert.throws(() => summary(model, [5, 4], { dtyp: 'float64' } as never), /did you mean 'dtype'/);
  });
});
