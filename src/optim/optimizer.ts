/**
 * One general optimiser. SGD, Adam, AdamW, RMSprop and Adagrad are not
 * separate algorithms here but configurations of a single update rule
 * (tinygrad's lesson): each named optimiser only maps its PyTorch-style
 * hyper-parameters onto an {@link UpdateRule}.
 *
 * The update for one parameter p with gradient g, step t (1-based):
 *
 *   g ← −g                                   if maximize
 *   g ← g + λ·p                              L2 decay (coupled)
 *   p ← p·(1 − lr·λ)                         decoupled decay (AdamW)
 *   v ← β₂·v + c₂·g²                         second moment (Adam, RMSprop, Adagrad)
 *   ḡ ← β₂·ḡ + (1 − β₂)·g                    centered (RMSprop)
 *   d ← √(max(v) or v − ḡ²) / √(1 − β₂ᵗ) + ε  preconditioner (1 without a second moment)
 *   momentum on g, then u = m / d            (Adam:     m ← β₁·m + (1 − β₁)·g)
 *   or on g / d, u = m                       (SGD, RMSprop: m ← μ·m + (1 − τ)·g/d)
 *   u ← g/d + μ·m                            Nesterov
 *   p ← p − lr_t · u                         lr_t = lr / (1 − β₁ᵗ) (Adam) or lr / (1 + (t − 1)·η) (Adagrad)
 *
 * These are PyTorch's exact formulas (checked against it to ~1e-12 in
 * float64 by test/optim.test.ts). The arithmetic is the parameter's own, as
 * PyTorch's: float64 for float64 parameters, float32 (every scalar and every
 * operation rounded to float32) for float32 ones. The loop runs in place over
 * the typed arrays of `p.data` and `p.grad.data`: a step allocates no tensors.
 */
import { FrugalError, ValueError } from '../errors.js';
import { arrayFor, type TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { FloatArray } from '../backend/backend.js';
import { adamStep, residentAdamMoments, roundingOf, roundScalarsToFloat32, type AdamScalars, type Rounding } from '../backend/routines/adam.js';
import { sgdStep } from '../backend/routines/sgd.js';
import { markModified } from '../nn/module.js';
import { checkOptions } from '../utils/options.js';
import type { ResidentAdamMoments } from '../backend/wasm/adam-moments.js';

/** The general rule, resolved from a parameter group's hyper-parameters. */
export interface UpdateRule {
  lr: number;
  weightDecay: number;
  /** Decay the weights directly (AdamW) instead of adding λ·p to the gradient. */
  decoupledDecay: boolean;
  maximize: boolean;
  /** Momentum factor μ (β₁ for Adam); 0 turns the first moment off. */
  momentum: number;
  /** τ: the new term is weighted (1 − τ). Adam uses τ = β₁. */
  dampening: number;
  nesterov: boolean;
  /** The first momentum buffer starts as the first term itself (SGD) or as zeros (Adam). */
  momentumInit: 'value' | 'zero';
  /** Momentum accumulates the raw gradient (Adam) or the preconditioned step g/d (SGD, RMSprop). */
  momentumOf: 'gradient' | 'step';
  /** Keep a second moment v (and divide by √v + ε). */
  secondMoment: boolean;
  /** v ← β₂·v + c₂·g². */
  beta2: number;
  secondScale: number;
  /** Initial value of v (Adagrad's initial accumulator). */
  secondInit: number;
  centered: boolean;
  amsgrad: boolean;
  eps: number;
  /** Adam's bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  biasCorrection: boolean;
  /** Adagrad's learning-rate decay η. */
  lrDecay: number;
}

/** A group of parameters sharing hyper-parameters (PyTorch's param_groups). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  /** Hyper-parameters of the optimiser, and values schedulers keep here (initialLr, maxLr, ...). */
  [option: string]: unknown;
}

/** What `new SGD(...)` and the others accept for params: tensors, or groups with their own options. */
export type ParamsInput<O> = Iterable<Tensor> | readonly (Partial<O> & { params: Iterable<Tensor> })[];

/** Per-parameter state: step count and the rule's buffers. */
interface ParamState {
  step: number;
  /** While resident (ResidentMoments), momentum and secondMoment are stale copies of the moments in WebAssembly memory. */
  momentum?: TypedArray;
  secondMoment?: TypedArray;
  maxSecondMoment?: TypedArray;
  gradAverage?: TypedArray;
}

const BUFFERS = ['momentum', 'secondMoment', 'maxSecondMoment', 'gradAverage'] as const;
type BufferName = (typeof BUFFERS)[number];

/** `optimizer.stateDict()`: enough to resume training exactly. */
export interface OptimizerState {
  /** Which optimiser wrote it (a load into another kind is refused). */
  kind: string;
  /** By parameter index (counted across groups, in order). */
  state: Record<string, { step: number } & Partial<Record<BufferName, Tensor>>>;
  /** Each group's options (JSON values) and the indices of its parameters. */
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * The general optimiser. Subclasses (SGD, Adam, ...) give the defaults, a
 * validator, and the map from their options to the {@link UpdateRule}.
 */
export class Optimizer<O extends { lr: number } = { lr: number } & Record<string, unknown>> {
  readonly paramGroups: ParamGroup[] = [];
  readonly defaults: Readonly<O>;
  /** The optimiser's name ('SGD', 'Adam', ...). */
  readonly kind: string;
  private readonly state = new Map<Tensor, ParamState>();
  /** Adam's moments kept in WebAssembly memory between steps (the state's arrays are stale while resident: wasm/adam-moments.ts). */
  private readonly moments = residentAdamMoments(() => this.params().map((p) => p.size));
  private readonly resolve: (group: ParamGroup) => UpdateRule;
  private readonly validate: (options: Record<string, unknown>, where: string) => void;

  constructor(
    params: ParamsInput<O>,
    base: O,
    options: Partial<O>,
    resolve: (group: ParamGroup) => UpdateRule,
    kind = 'Optimizer',
    validate: (options: O, where: string) => void = () => {},
  ) {
    this.kind = kind;
    this.resolve = resolve;
    this.validate = validate as unknown as (options: Record<string, unknown>, where: string) => void;
    if (options === null || typeof options !== 'object') throw new ValueError(`${kind}: options must be an object`);
    checkOptions(kind, options, Object.keys(base));
    const defaults = { ...base, ...options } as O;
    this.defaults = Object.freeze(defaults);
    validate(defaults, kind);
    if (params === null || typeof (params as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function') {
      throw new ValueError(`${kind}: params must be an iterable of tensors or of parameter groups, got ${params === null ? 'null' : typeof params}`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ValueError(`${kind}: got an empty list of parameters`);
    const groups = list.every((p) => p instanceof Tensor)
      ? [{ params: list as Tensor[] } as unknown as Partial<O> & { params: Iterable<Tensor> }]
      : (list as (Partial<O> & { params: Iterable<Tensor> })[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds parameters with their own options (e.g. a smaller lr for a pre-trained backbone). */
  addParamGroup(group: Partial<O> & { params: Iterable<Tensor> }): void {
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new ValueError(`${this.kind}: a parameter group must be an object with 'params'`);
    }
    const params = [...group.params];
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${this.kind}: parameter ${i} of a group is not a Tensor`);
      if (p.dtype === 'int32') throw new ValueError(`${this.kind}: parameter ${i} is int32; only float tensors can be optimised`);
      if (!p.isLeaf) throw new ValueError(`${this.kind}: parameter ${i} is not a leaf tensor (it was computed from others); optimise the leaves`);
      if (seen.has(p)) throw new ValueError(`${this.kind}: parameter ${i} appears in more than one group (or twice)`);
      seen.add(p);
    });
    const options = { ...this.defaults, ...group, params: undefined } as Record<string, unknown>;
    delete options.params;
    checkOptions(this.kind, group, ['params', ...Object.keys(this.defaults)]);
    this.validate(options, this.kind);
    this.paramGroups.push({ ...(options as O), params });
  }

  /** Every optimised parameter, in group order. */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Sets the learning rate of every group. */
  setLr(lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new ValueError(`${this.kind}.setLr: lr must be a finite number >= 0, got ${lr}`);
    for (const g of this.paramGroups) g.lr = lr;
  }

  /** Forgets the gradients (sets them to null, as PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * One update of every parameter that has a gradient. With a closure, it is
   * called first (to recompute the loss) and its value returned.
   */
  step(closure?: () => number): number | undefined {
    const loss = closure ? closure() : undefined;
    for (const group of this.paramGroups) {
      const rule = this.resolve(group);
      for (const p of group.params) {
        const g = p.grad;
        if (!g) continue;
        if (g.size !== p.size) throw new FrugalError(`${this.kind}.step: gradient has ${g.size} elements, its parameter ${p.size}`);
        let st = this.state.get(p);
        if (!st) {
          st = { step: 0 };
          this.state.set(p, st);
        }
        st.step++;
        update(p.data, g.data, st, rule, this.moments);
        markModified(p);
      }
    }
    return loss;
  }

  /** Hyper-parameters of every group and every parameter's state (copies). */
  stateDict(): OptimizerState {
    const index = new Map<Tensor, number>();
    this.params().forEach((p, i) => index.set(p, i));
    const state: OptimizerState['state'] = {};
    for (const [p, st] of this.state) {
      this.moments?.read(st.momentum);
      const entry: { step: number } & Partial<Record<BufferName, Tensor>> = { step: st.step };
      for (const name of BUFFERS) {
        const buf = st[name];
        if (buf) entry[name] = new Tensor(buf.slice(), p.shape);
      }
      state[String(index.get(p))] = entry;
    }
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> & { params: number[] } = { params: g.params.map((p) => index.get(p)!) };
      for (const [k, v] of Object.entries(g)) if (k !== 'params') out[k] = Array.isArray(v) ? [...v] : v;
      return out;
    });
    return { kind: this.kind, state, paramGroups };
  }

  /** Restores state saved by {@link stateDict} into an optimiser over the same parameters (same shapes, same groups). */
  loadStateDict(saved: OptimizerState): void {
    if (!saved || typeof saved !== 'object' || !Array.isArray(saved.paramGroups) || typeof saved.state !== 'object') {
      throw new ValueError(`${this.kind}.loadStateDict: expected {kind, state, paramGroups}`);
    }
    if (saved.kind !== this.kind) throw new ValueError(`${this.kind}.loadStateDict: the state was saved by ${saved.kind}`);
    if (saved.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(`${this.kind}.loadStateDict: ${saved.paramGroups.length} parameter groups saved, this optimiser has ${this.paramGroups.length}`);
    }
    saved.paramGroups.forEach((sg, i) => {
      if (!Array.isArray(sg.params) || sg.params.length !== this.paramGroups[i].params.length) {
        throw new ValueError(`${this.kind}.loadStateDict: group ${i} has ${sg.params?.length} parameters saved, ${this.paramGroups[i].params.length} here`);
      }
    });
    const params = this.params();
    const restored = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(saved.state)) {
      const i = Number(key);
      const p = params[i];
      if (!Number.isInteger(i) || !p) throw new ValueError(`${this.kind}.loadStateDict: state for parameter ${key}, which does not exist`);
      if (!entry || typeof entry !== 'object' || !Number.isInteger(entry.step) || entry.step < 0)
        throw new ValueError(`${this.kind}.loadStateDict: parameter ${key} has step ${String(entry?.step)}`);
      const st: ParamState = { step: entry.step };
      for (const name of BUFFERS) {
        const t = entry[name];
        if (t === undefined) continue;
        if (!(t instanceof Tensor) || t.size !== p.size) {
          throw new ValueError(`${this.kind}.loadStateDict: buffer '${name}' of parameter ${key} does not match its ${p.size} elements`);
        }
        const buf = arrayFor(p.dtype, p.size);
        buf.set(t.data);
        st[name] = buf;
      }
      restored.set(p, st);
    }
    // Hyper-parameters from a file are checked as the constructor checks them (an lr of -1 is refused) before anything changes.
    const groups = saved.paramGroups.map((sg, i) => {
      const group: Record<string, unknown> = { ...this.paramGroups[i] };
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') group[k] = Array.isArray(v) ? [...v] : v;
      const options = Object.fromEntries(Object.keys(this.defaults).map((k) => [k, group[k]]));
      this.validate(options, `${this.kind}.loadStateDict (group ${i})`);
      return group;
    });
    this.state.clear();
    this.moments?.forget();
    for (const [p, st] of restored) this.state.set(p, st);
    groups.forEach((group, i) => Object.assign(this.paramGroups[i], group));
  }
}

/** Per-step scalars of the rule, resolved once per parameter and step. */
interface StepScalars extends AdamScalars {
  firstTerm: boolean;
}

/** The general update, in place over one parameter's elements. */
function update(p: TypedArray, g: TypedArray, st: ParamState, r: UpdateRule, moments: ResidentAdamMoments | null): void {
  const n = p.length;
  const t = st.step;
  const mu = r.momentum;
  const hasMomentum = mu !== 0;
  const k: StepScalars = {
    sign: r.maximize ? -1 : 1,
    l2: r.decoupledDecay ? 0 : r.weightDecay,
    shrink: r.decoupledDecay && r.weightDecay !== 0 ? 1 - r.lr * r.weightDecay : 1,
    mu,
    keep: 1 - r.dampening,
    lr: r.lr,
    vScale: 1, // √(1 − β₂ᵗ)
    b2: r.beta2,
    c2: r.secondScale,
    eps: r.eps,
    firstTerm: hasMomentum && r.momentumInit === 'value' && !st.momentum,
  };
  if (r.biasCorrection) {
    k.lr = r.lr / (1 - Math.pow(mu, t));
    k.vScale = Math.sqrt(1 - Math.pow(r.beta2, t));
  }
  if (r.lrDecay !== 0) k.lr = r.lr / (1 + (t - 1) * r.lrDecay);
  // Resolved in float64, then rounded to the parameter's arithmetic (float32 for float32).
  if (p instanceof Float32Array) roundScalarsToFloat32(k);
  const dtype = dtypeOfArray(p);
  const m = hasMomentum ? (st.momentum ??= arrayFor(dtype, n)) : null;
  const v = r.secondMoment ? (st.secondMoment ??= arrayFor(dtype, n).fill(r.secondInit)) : null;
  const vMax = v && r.amsgrad ? (st.maxSecondMoment ??= arrayFor(dtype, n)) : null;
  const gAvg = v && r.centered ? (st.gradAverage ??= arrayFor(dtype, n)) : null;

  // The common configurations run in short loops that give the same numbers
  // as the general one (for finite values: a zero decay adds 0·p, a unit
  // shrink multiplies by 1); everything else takes the general loop.
  const fast = !vMax && !gAvg && !generalOnly;
  const adam = fast && v && m && r.momentumOf === 'gradient' && !r.nesterov && !k.firstTerm;
  // The wasm kernel with m and v kept in its memory; any other loop reads and writes the arrays, so it gets them back first.
  if (
    adam &&
    moments &&
    adamStep.implementation(p as FloatArray, g as FloatArray, m as FloatArray, v as FloatArray, k) &&
    moments.step(p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, k)
  )
    return;
  moments?.release(m);
  if (fast) {
    if (!v) return sgdStep.run(p as FloatArray, g as FloatArray, m as FloatArray | null, k, r.nesterov);
    if (adam) {
      // The backend's routine (on large float32 parameters, SIMD kernels giving the same numbers).
      return adamStep.run(p as FloatArray, g as FloatArray, m as FloatArray, v as FloatArray, k);
    }
    if (!m) return adaptiveLoop(p, g, v, k);
  }
  generalLoop(p, g, m, v, vMax, gAvg, k, r.nesterov, r.momentumOf === 'gradient', roundingOf(p as FloatArray));
}

/** Every option of the rule, one element at a time, each operation rounded by `f`: the reference the fast loops agree with. */
function generalLoop(
  p: TypedArray,
  g: TypedArray,
  m: TypedArray | null,
  v: TypedArray | null,
  vMax: TypedArray | null,
  gAvg: TypedArray | null,
  k: StepScalars,
  nesterov: boolean,
  onGradient: boolean,
  f: Rounding,
): void {
  const { sign, l2, shrink, mu, keep, lr, vScale, b2, c2, eps, firstTerm } = k;
  const averageKeep = f(1 - b2);
  for (let i = 0; i < p.length; i++) {
    let gi = sign * g[i];
    let pi = p[i];
    if (l2 !== 0) gi = f(gi + f(l2 * pi));
    if (shrink !== 1) pi = f(pi * shrink);
    let d = 1;
    if (v !== null) {
      const vi = f(f(b2 * v[i]) + f(f(c2 * gi) * gi));
      v[i] = vi;
      let s = vi;
      if (gAvg !== null) {
        const a = f(f(b2 * gAvg[i]) + f(averageKeep * gi));
        gAvg[i] = a;
        s = f(vi - f(a * a));
      }
      if (vMax !== null) {
        const mx = vMax[i] > vi ? vMax[i] : vi;
        vMax[i] = mx;
        s = mx;
      }
      d = f(f(f(Math.sqrt(s)) / vScale) + eps);
    }
    let u: number;
    if (m !== null) {
      const term = onGradient ? gi : f(gi / d);
      const mi = firstTerm ? term : f(f(mu * m[i]) + f(keep * term));
      m[i] = mi;
      const step = onGradient ? f(mi / d) : mi;
      u = nesterov ? f(f(gi / d) + f(mu * step)) : step;
    } else {
      u = f(gi / d);
    }
    p[i] = f(pi - f(lr * u));
  }
}

// The fast loops come in two arithmetics written out (float64; float32 with
// Math.fround after each operation): a rounding function passed in would be
// called, not inlined, once a process has used both dtypes.

/** A second moment without momentum (RMSprop, Adagrad). */
function adaptiveLoop(p: TypedArray, g: TypedArray, v: TypedArray, k: StepScalars): void {
  if (p instanceof Float32Array) return adaptiveLoop32(p, g, v, k);
  const { sign, l2, shrink, lr, vScale, b2, c2, eps } = k;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = sign * g[i] + l2 * pi;
    const vi = b2 * v[i] + c2 * gi * gi;
    v[i] = vi;
    p[i] = pi * shrink - lr * (gi / (Math.sqrt(vi) / vScale + eps));
  }
}

function adaptiveLoop32(p: Float32Array, g: TypedArray, v: TypedArray, k: StepScalars): void {
  const { sign, l2, shrink, lr, vScale, b2, c2, eps } = k;
  const f = Math.fround;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = f(sign * g[i] + f(l2 * pi));
    const vi = f(f(b2 * v[i]) + f(f(c2 * gi) * gi));
    v[i] = vi;
    p[i] = f(pi * shrink) - f(lr * f(gi / f(f(f(Math.sqrt(vi)) / vScale) + eps)));
  }
}

let generalOnly = false;

/** @internal For tests: route every update through the general loop (to check the fast loops against it). */
export function useGeneralLoopOnly(on: boolean): void {
  generalOnly = on;
}

function dtypeOfArray(a: TypedArray): 'float32' | 'float64' {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

// ------------------------------------------------------------ validation ---

export function checkNumber(where: string, name: string, value: unknown, min: number, max = Infinity, maxOpen = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (maxOpen && value === max)) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new ValueError(`${where}: ${name} must be a finite number ${range}, got ${String(value)}`);
  }
}

export function checkInteger(where: string, name: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) throw new ValueError(`${where}: ${name} must be an integer >= ${min}, got ${String(value)}`);
}

export function checkBool(where: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${name} must be true or false, got ${String(value)}`);
}
