import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Generator, Tensor, tensor, zeros, ValueError } from '../src/index.js';
import {
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  createOptimizer,
  ExponentialLR,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  ReduceLROnPlateau,
  RMSprop,
  SGD,
  StepLR,
  clipGradNorm,
  clipGradValue,
  type LRScheduler,
} from '../src/optim/index.js';
import { useGeneralLoopOnly } from '../src/optim/optimizer.js';
// Adam's moments kept in WebAssembly memory (as the Node entry loads it).
import '../src/backend/wasm/adam-moments.js';

interface OptCase {
  name: string;
  options: Record<string, unknown>;
  groups: Record<string, unknown>[] | null;
  shapes: number[][];
  params: number[][];
  grads: number[][][];
  trajectory: number[][][];
}
interface SchedCase {
  kind: string;
  options: Record<string, unknown>;
  optimizer: string;
  optimizerOptions: Record<string, unknown>;
  lrs: number[];
  momenta: (number | null)[];
}
interface PlateauCase {
  options: Record<string, unknown>;
  metrics: number[];
  lrs: number[];
}
interface ClipCase {
  maxNorm: number;
  normType: number | 'inf';
  grads: number[][];
  totalNorm: number;
  clipped: number[][];
}
const fixtures = JSON.parse(readFileSync(new URL('../../test/fixtures/torch-optim.json', import.meta.url), 'utf8')) as {
  optimizers: OptCase[];
  schedulers: SchedCase[];
  plateau: PlateauCase[];
  clip: ClipCase[];
};

const TOL = 1e-12;
function close(actual: ArrayLike<number>, expected: readonly number[], what: string, tol = TOL): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, PyTorch ${expected[i]} (diff ${err})`);
    }
  }
}

const f64 = (values: readonly number[], shape: readonly number[]): Tensor => tensor(Float64Array.from(values), { shape });
function leaf(values: readonly number[], shape: readonly number[]): Tensor {
  const t = f64(values, shape);
  t.requiresGrad = true;
  return t;
}

function build(c: OptCase, params: Tensor[]): Optimizer {
  const input = c.groups ? params.map((p, i) => ({ params: [p], ...c.groups![i] })) : params;
  return createOptimizer(c.name, input as never, c.options);
}

function label(c: OptCase): string {
  return `${c.name} ${JSON.stringify(c.options)}${c.groups ? ` groups ${JSON.stringify(c.groups)}` : ''}`;
}

describe('optimisers follow PyTorch trajectories (float64, 1e-12)', () => {
  for (const c of fixtures.optimizers) {
    it(label(c), () => {
      const params = c.params.map((v, i) => leaf(v, c.shapes[i]));
      const opt = build(c, params);
      c.trajectory.forEach((expected, step) => {
        params.forEach((p, i) => (p.grad = f64(c.grads[step][i], c.shapes[i])));
        opt.step();
        params.forEach((p, i) => close(p.data, expected[i], `step ${step + 1} param ${i}`));
      });
    });
  }
});

describe('float32 parameters: float32 arithmetic, as PyTorch (test/fixtures/torch-optim-f32.json)', () => {
  const f32 = JSON.parse(readFileSync(new URL('../../test/fixtures/torch-optim-f32.json', import.meta.url), 'utf8')) as {
    sizes: number[];
    steps: number;
    cases: { name: string; options: Record<string, unknown>; after: Record<string, number[][]> }[];
  };
  // The integer formulas of scripts/make-optim-f32-fixtures.py, rounded to float32.
  const initial = (p: number, i: number): number => ((i * 31337 + p * 7) % 4099) / 2049.5 - 1;
  const gradient = (step: number, p: number, i: number): number => ((i * 7919 + step * 104729 + p * 13) % 2003) / 1001.5 - 1;
  for (const c of f32.cases) {
    it(`${c.name} ${JSON.stringify(c.options)}: within 3e-7 of PyTorch after every recorded step, most elements equal to the bit`, () => {
      const params = f32.sizes.map(
        (n, p) =>
          new Tensor(
            Float32Array.from({ length: n }, (_, i) => initial(p, i)),
            [n],
            { requiresGrad: true },
          ),
      );
      const opt = createOptimizer(c.name, params, c.options);
      for (let step = 1; step <= f32.steps; step++) {
        params.forEach(
          (t, p) =>
            (t.grad = new Tensor(
              Float32Array.from({ length: f32.sizes[p] }, (_, i) => gradient(step, p, i)),
              [f32.sizes[p]],
            )),
        );
        opt.step();
        const expected = c.after[String(step)];
        if (!expected) continue;
        let equal = 0,
          total = 0;
        params.forEach((t, p) => {
          close(t.data, expected[p], `step ${step} param ${p}`, 3e-7);
          expected[p].forEach((e, i) => ((total += 1), (equal += t.data[i] === Math.fround(e) ? 1 : 0)));
        });
        // PyTorch fuses some multiply-adds (FMA), so not every element can agree; float64 arithmetic agreed on far fewer.
        const wanted = c.name.startsWith('adam') ? 0.85 : 0.5;
        assert.ok(equal >= wanted * total, `step ${step}: ${equal} of ${total} elements equal PyTorch's`);
      }
    });
  }
});

describe('optimiser state dict resumes exactly', () => {
  for (const c of fixtures.optimizers.filter((_, i) => i % 3 === 1)) {
    it(label(c), () => {
      // The uninterrupted run, then one stopped after k steps and resumed in a new optimiser.
      const straight = c.params.map((v, i) => leaf(v, c.shapes[i]));
      const whole = build(c, straight);
      const expected = c.grads.map((gs) => {
        straight.forEach((p, i) => (p.grad = f64(gs[i], c.shapes[i])));
        whole.step();
        return straight.map((p) => [...p.data]);
      });
      const params = c.params.map((v, i) => leaf(v, c.shapes[i]));
      const first = build(c, params);
      const k = 2;
      for (let step = 0; step < k; step++) {
        params.forEach((p, i) => (p.grad = f64(c.grads[step][i], c.shapes[i])));
        first.step();
      }
      // JSON round trip of the non-tensor part, as a checkpoint would do.
      const saved = first.stateDict();
      const copies = params.map((p) => f64([...p.data], p.shape));
      copies.forEach((p) => (p.requiresGrad = true));
      const second = build(c, copies);
      second.loadStateDict(saved);
      for (let step = k; step < c.grads.length; step++) {
        copies.forEach((p, i) => (p.grad = f64(c.grads[step][i], c.shapes[i])));
        second.step();
        copies.forEach((p, i) => assert.deepEqual([...p.data], expected[step][i], `resumed step ${step + 1} param ${i}`));
      }
    });
  }

  it('refuses a state from another optimiser or other groups', () => {
    const p = leaf([1, 2], [2]);
    const adam = new Adam([p]);
    p.grad = f64([1, 1], [2]);
    adam.step();
    assert.throws(() => new SGD([p]).loadStateDict(adam.stateDict()), /saved by Adam/);
    const q = leaf([1], [1]);
    assert.throws(() => new Adam([p, q]).loadStateDict(adam.stateDict()), ValueError);
  });
});

describe("the fast update loops give exactly the general loop's numbers", () => {
  const configs: [string, Record<string, unknown>][] = [
    ['sgd', { lr: 0.1 }],
    ['sgd', { lr: 0.1, weightDecay: 0.1 }],
    ['sgd', { lr: 0.1, momentum: 0.9 }],
    ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01, maximize: true }],
    ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true }],
    ['adam', {}],
    ['adam', { weightDecay: 0.1, maximize: true }],
    ['adamw', {}],
    ['adamw', { betas: [0.5, 0.9], weightDecay: 0.3 }],
    ['rmsprop', {}],
    ['rmsprop', { weightDecay: 0.1, alpha: 0.5 }],
    ['adagrad', { lrDecay: 0.1, initialAccumulatorValue: 0.2 }],
  ];
  for (const [name, options] of configs) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name} ${JSON.stringify(options)} ${dtype}`, () => {
        const gen = new Generator(3);
        // 2 053 elements: large float32 parameters take the backend's SIMD kernel (an odd length: its scalar tail too).
        const make = (): Tensor[] =>
          [17, 5, 2053].map((n) => {
            const d = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
            for (let i = 0; i < n; i++) d[i] = gen.normal();
            return new Tensor(d, [n], { requiresGrad: true });
          });
        const fast = make();
        const general = fast.map((p) => new Tensor(p.data.slice(), p.shape, { requiresGrad: true }));
        const grads = Array.from({ length: 4 }, () => make());
        const a = createOptimizer(name, fast, options),
          b = createOptimizer(name, general, options);
        for (const gs of grads) {
          fast.forEach((p, i) => (p.grad = gs[i]));
          general.forEach((p, i) => (p.grad = gs[i]));
          a.step();
          useGeneralLoopOnly(true);
          try {
            b.step();
          } finally {
            useGeneralLoopOnly(false);
          }
          fast.forEach((p, i) => assert.deepEqual([...p.data], [...general[i].data]));
        }
      });
    }
  }
});

describe("Adam's moments kept in WebAssembly memory between steps", () => {
  // Float32 parameters the wasm kernel takes keep m and v in the optimiser's own WebAssembly memory (src/optim/resident-moments.ts).
  const setUp = () => {
    const gen = new Generator(5);
    const make = (): Tensor[] =>
      [2053, 40].map(
        (n) =>
          new Tensor(
            Float32Array.from({ length: n }, () => gen.normal()),
            [n],
            { requiresGrad: true },
          ),
      );
    const fast = make();
    const general = fast.map((p) => new Tensor(p.data.slice(), p.shape, { requiresGrad: true }));
    const grads = Array.from({ length: 6 }, () => make());
    return { fast, general, grads, a: new Adam(fast, { lr: 0.01 }), b: new Adam(general, { lr: 0.01 }) };
  };
  const stepBoth = (s: ReturnType<typeof setUp>, t: number, fastOnGeneralLoop = false): void => {
    s.fast.forEach((p, i) => (p.grad = s.grads[t][i]));
    s.general.forEach((p, i) => (p.grad = s.grads[t][i]));
    useGeneralLoopOnly(fastOnGeneralLoop);
    try {
      s.a.step();
    } finally {
      useGeneralLoopOnly(false);
    }
    useGeneralLoopOnly(true);
    try {
      s.b.step();
    } finally {
      useGeneralLoopOnly(false);
    }
  };
  const moments = (opt: Optimizer) => Object.values(opt.stateDict().state).map((st) => [[...st.momentum!.data], [...st.secondMoment!.data]]);

  it('stateDict gives the moments of the last step', () => {
    const s = setUp();
    for (let t = 0; t < 3; t++) {
      stepBoth(s, t);
      assert.deepEqual(moments(s.a), moments(s.b), `after step ${t + 1}`);
    }
  });

  it('the general loop takes over with the current moments, and the kernel after it again', () => {
    const s = setUp();
    [false, false, true, false, true, false].forEach((onGeneral, t) => {
      stepBoth(s, t, onGeneral);
      s.fast.forEach((p, i) => assert.deepEqual([...p.data], [...s.general[i].data], `step ${t + 1}`));
    });
    assert.deepEqual(moments(s.a), moments(s.b));
  });

  it('loadStateDict replaces the resident moments', () => {
    const s = setUp();
    stepBoth(s, 0);
    stepBoth(s, 1);
    const saved = s.b.stateDict();
    stepBoth(s, 2);
    s.a.loadStateDict(saved);
    s.b.loadStateDict(saved);
    s.fast.forEach((p, i) => p.data.set(s.general[i].data));
    for (let t = 3; t < 6; t++) stepBoth(s, t);
    s.fast.forEach((p, i) => assert.deepEqual([...p.data], [...s.general[i].data]));
    assert.deepEqual(moments(s.a), moments(s.b));
  });
});

describe('optimiser API', () => {
  it('zeroGrad, skipped parameters without gradients, closures, float32 in place', () => {
    const a = new Tensor(new Float32Array([1, 2, 3]), [3], { requiresGrad: true });
    const b = new Tensor(new Float32Array([5]), [1], { requiresGrad: true });
    const opt = new SGD([a, b], { lr: 0.5 });
    const data = a.data;
    a.grad = new Tensor(new Float32Array([1, 1, 1]), [3]);
    const loss = opt.step(() => 42);
    assert.equal(loss, 42);
    assert.equal(a.data, data, 'updated in place');
    assert.deepEqual([...a.data], [0.5, 1.5, 2.5]);
    assert.deepEqual([...b.data], [5], 'no gradient, no change');
    opt.zeroGrad();
    assert.equal(a.grad, null);
  });

  it('validates options with clear errors', () => {
    const p = leaf([1], [1]);
    assert.throws(() => new SGD([p], { lr: -1 }), /lr must be a finite number >= 0/);
    assert.throws(() => new SGD([p], { nesterov: true }), /nesterov needs momentum/);
    assert.throws(() => new Adam([p], { betas: [1, 0.9] }), /betas\[0\]/);
    assert.throws(() => new Adam([p], { lrr: 1 } as never), /unknown option 'lrr'/);
    assert.throws(() => new Adam([]), /empty list/);
    assert.throws(() => new Adam([p, p]), /more than one group/);
    assert.throws(() => new RMSprop([p], { alpha: 2 }), /alpha/);
    assert.throws(() => new Adagrad([p], { lrDecay: -1 }), /lrDecay/);
    assert.throws(() => createOptimizer('lbfgs', [p]), /unknown optimizer 'lbfgs'/);
    assert.throws(() => new SGD([zeros([2], { dtype: 'int32' })]), /int32/);
  });

  it('param groups keep their own lr; setLr changes all', () => {
    const a = leaf([0], [1]),
      b = leaf([0], [1]);
    const opt = new AdamW([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.01 });
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.1, 0.01],
    );
    opt.setLr(0.5);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.5, 0.5],
    );
    assert.equal(opt.params().length, 2);
  });

  it('a 100k-parameter Adam step runs in place, in a few milliseconds', () => {
    const p = new Tensor(new Float32Array(100_000).fill(0.5), [100_000], { requiresGrad: true });
    p.grad = new Tensor(new Float32Array(100_000).fill(0.1), [100_000]);
    const opt = new Adam([p]);
    const data = p.data;
    for (let i = 0; i < 20; i++) opt.step();
    assert.equal(p.data, data);
    const t0 = performance.now();
    const n = 200;
    for (let i = 0; i < n; i++) opt.step();
    const ms = (performance.now() - t0) / n;
    assert.ok(ms < 10, `Adam step on 100k params took ${ms.toFixed(3)} ms`);
  });
});

function makeScheduler(c: SchedCase, opt: Optimizer): LRScheduler {
  const o = c.options as never;
  switch (c.kind) {
    case 'StepLR':
      return new StepLR(opt, o);
    case 'MultiStepLR':
      return new MultiStepLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'OneCycleLR':
      return new OneCycleLR(opt, o);
    default:
      throw new Error(c.kind);
  }
}

function groupMomentum(opt: Optimizer): number | null {
  const g = opt.paramGroups[0];
  return Array.isArray(g.betas) ? (g.betas[0] as number) : ((g.momentum as number | undefined) ?? null);
}

describe('learning-rate schedules follow PyTorch', () => {
  for (const c of fixtures.schedulers) {
    it(`${c.kind} ${JSON.stringify(c.options)} on ${c.optimizer}`, () => {
      const p = leaf([0, 0], [2]);
      const opt = createOptimizer(c.optimizer, [p], c.optimizerOptions);
      const sched = makeScheduler(c, opt);
      const lrs = [opt.paramGroups[0].lr],
        momenta = [groupMomentum(opt)];
      for (let i = 1; i < c.lrs.length; i++) {
        p.grad = f64([1, 1], [2]);
        opt.step();
        sched.step();
        lrs.push(opt.paramGroups[0].lr);
        momenta.push(groupMomentum(opt));
      }
      close(lrs, c.lrs, 'lr');
      close(momenta as number[], c.momenta as number[], 'momentum');
      assert.deepEqual(sched.getLastLr(), [lrs[lrs.length - 1]]);
    });
  }

  for (const c of fixtures.plateau) {
    it(`ReduceLROnPlateau ${JSON.stringify(c.options)}`, () => {
      const opt = new SGD([leaf([0], [1])], { lr: 1 });
      const sched = new ReduceLROnPlateau(opt, c.options as never);
      close(
        c.metrics.map((m) => (sched.step(m), opt.paramGroups[0].lr)),
        c.lrs,
        'lr',
      );
    });
  }

  it('a scheduler resumes from its state dict', () => {
    const run = (stopAt: number | null): number[] => {
      const p = leaf([0], [1]);
      let opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
      let sched: LRScheduler = new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.01 });
      const lrs: number[] = [];
      for (let i = 0; i < 15; i++) {
        if (i === stopAt) {
          const os = JSON.parse(JSON.stringify({ ...opt.stateDict(), state: {} }));
          const ss = JSON.parse(JSON.stringify(sched.stateDict()));
          opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
          sched = new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.01 });
          opt.loadStateDict(os);
          sched.loadStateDict(ss);
        }
        sched.step();
        lrs.push(opt.paramGroups[0].lr);
      }
      return lrs;
    };
    assert.deepEqual(run(7), run(null));
  });

  it('OneCycleLR refuses to step past totalSteps; bad options are rejected', () => {
    const opt = new Adam([leaf([0], [1])]);
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    assert.throws(() => s.step(), /more than totalSteps/);
    assert.throws(() => new OneCycleLR(opt, { maxLr: 0.1 }), /totalSteps/);
    assert.throws(() => new StepLR(opt, { stepSize: 0 }), /stepSize/);
    assert.throws(() => new ReduceLROnPlateau(opt, { factor: 1 }), /factor/);
  });
});

describe('gradient clipping follows PyTorch', () => {
  for (const c of fixtures.clip) {
    it(`clipGradNorm maxNorm ${c.maxNorm} normType ${c.normType}`, () => {
      const params = c.grads.map((g) => {
        const p = zeros([g.length], { dtype: 'float64', requiresGrad: true });
        p.grad = f64(g, [g.length]);
        return p;
      });
      const total = clipGradNorm(params, c.maxNorm, { normType: c.normType === 'inf' ? Infinity : c.normType });
      close([total], [c.totalNorm], 'total norm');
      params.forEach((p, i) => close(p.grad!.data, c.clipped[i], `grad ${i}`));
    });
  }

  it('scales a gradient array shared by two parameters once', () => {
    const shared = f64([3, 4], [2]);
    const a = zeros([2], { dtype: 'float64', requiresGrad: true }),
      b = zeros([2], { dtype: 'float64', requiresGrad: true });
    a.grad = shared;
    b.grad = new Tensor(shared.data, [2]);
    const total = clipGradNorm([a, b], 1);
    close([total], [Math.sqrt(50)], 'norm over both parameters');
    close(a.grad.data, [3 / (Math.sqrt(50) + 1e-6), 4 / (Math.sqrt(50) + 1e-6)], 'scaled once');
  });

  it('clipGradValue clamps in place', () => {
    const p = zeros([4], { requiresGrad: true });
    p.grad = tensor([-3, -0.5, 0.5, 3]);
    clipGradValue([p], 1);
    assert.deepEqual([...p.grad.data], [-1, -0.5, 0.5, 1]);
    assert.throws(() => clipGradValue([p], -1), /clipValue/);
  });
});

describe('optimizer option checks (one table per optimizer)', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['sgd', { lr: -1 }],
    ['sgd', { weightDecay: Number.NaN }],
    ['sgd', { maximize: 'yes' }],
    ['sgd', { momentum: -0.1 }],
    ['sgd', { dampening: 1.5 }],
    ['sgd', { nesterov: 1 }],
    ['adam', { lr: Number.POSITIVE_INFINITY }],
    ['adam', { eps: -1 }],
    ['adam', { amsgrad: 'no' }],
    ['adamw', { betas: [0.9, 1] }],
    ['rmsprop', { alpha: 2 }],
    ['rmsprop', { momentum: -1 }],
    ['rmsprop', { centered: null }],
    ['adagrad', { lrDecay: -1 }],
    ['adagrad', { initialAccumulatorValue: -1 }],
    ['adagrad', { eps: 'tiny' }],
  ];
  for (const [name, options] of cases) {
    const [key] = Object.keys(options);
    it(`${name} rejects ${key} = ${String(options[key])}`, () => {
      const p = tensor([1, 2], { requiresGrad: true });
      assert.throws(
        () => createOptimizer(name, [p], options),
        (e: unknown) => e instanceof ValueError && e.message.includes(key),
      );
    });
  }
});
