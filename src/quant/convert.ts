/**
 * Turning a float model into a quantised one (PyTorch's eager-mode flow):
 *
 * - post-training, static: `prepare(model)` wraps every Linear and Conv2d in
 *   an observer of its input, `calibrate(prepared, batches)` runs a few
 *   batches through it, `convert(prepared)` replaces each wrapped layer by
 *   its int8 form with the observed input range;
 * - quantisation-aware training: `prepareQat(model)` wraps them so that
 *   training sees fake-quantised inputs and weights (./fake-quantize.ts);
 *   train as usual, then `convert`;
 * - dynamic: `quantizeDynamic(model)` replaces every Linear (and LSTM) by
 *   an int8 one that quantises each batch with that batch's range (no
 *   calibration).
 *
 * Inside a Sequential, a Conv2d followed by ReLU (and a MaxPool2d without
 * padding or dilation) becomes one QuantizedConv2d with the ReLU and pooling
 * fused, a Linear followed by ReLU one QuantizedLinear with ReLU; the
 * absorbed layers become Identity, so parameter names do not move.
 *
 * The float model is left as it was: these functions work on a copy (built
 * from the layer registry) unless `inplace: true`.
 */
import { FrugalError, ValueError } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import { ReLU } from '../nn/layers/activation.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Identity, Linear } from '../nn/layers/linear.js';
import { MaxPool2d } from '../nn/layers/pooling.js';
import { LSTM } from '../nn/layers/recurrent.js';
import { QuantizedLSTM } from './lstm.js';
import { Sequential } from '../nn/layers/sequential.js';
import { Module } from '../nn/module.js';
import { layerFromConfig, moduleToConfig } from '../nn/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { fakeQuantize, fakeQuantizeWeights } from './fake-quantize.js';
import { linear } from '../nn/layers/linear.js';
import { conv2d } from '../tensor/ops/conv.js';
import { QuantizedConv2d, QuantizedLinear } from './modules.js';
import { Observer, type ObserverOptions } from './qparams.js';

export interface PrepareOptions extends ObserverOptions {
  /** Change `model` itself instead of a copy (needed for modules outside the layer registry; default false). */
  inplace?: boolean;
}

const PREPARE_KEYS = ['observer', 'percentile', 'symmetric', 'inplace'];

/**
 * A Linear or Conv2d with an observer of its input. For calibration it runs
 * the float layer unchanged; for quantisation-aware training (`qat`) it
 * fake-quantises its input (with the range observed so far) and its weights.
 */
export class Observed extends Module {
  constructor(
    readonly layer: Linear | Conv2d,
    readonly observer: Observer,
    readonly qat: boolean,
  ) {
    super();
    this.registerModule('layer', layer);
  }

  override forward(x: Tensor): Tensor {
    if (this.training || !this.qat) noGrad(() => this.observer.observe(x.data));
    if (!this.qat) return this.layer.call(x);
    const input = this.observer.seen ? fakeQuantize(x, this.observer.qparams()) : x;
    const w = fakeQuantizeWeights(this.layer.weight);
    if (this.layer instanceof Linear) {
      if (input.ndim === 2) return linear(input, w, this.layer.bias);
      const rows = input.reshape([-1, this.layer.inFeatures]);
      return linear(rows, w, this.layer.bias).reshape([...input.shape.slice(0, -1), this.layer.outFeatures]);
    }
    const [top, , left] = this.layer.pads;
    const options = { stride: this.layer.stride, padding: [top, left] as [number, number], dilation: this.layer.dilation };
    if (input.ndim === 3) return conv2d(input.unsqueeze(0), w, this.layer.bias, options).squeeze(0);
    return conv2d(input, w, this.layer.bias, options);
  }
}

/** Whether a layer has an int8 form here: Linear, or Conv2d of groups 1 with the same padding on both sides (float32). */
function quantisable(m: Module): m is Linear | Conv2d {
  if (m instanceof Linear) return m.dtype === 'float32';
  if (m instanceof Conv2d) {
    const [top, bottom, left, right] = m.pads;
    return m.dtype === 'float32' && m.groups === 1 && top === bottom && left === right;
  }
  return false;
}

/** A copy of the model built from the layer registry, with its weights. */
function copyModel(model: Module, where: string): Module {
  let copy: Module;
  try {
    copy = layerFromConfig(moduleToConfig(model));
  } catch (err) {
    throw new FrugalError(`${where}: cannot copy the model (${(err as Error).message}); pass { inplace: true } to change it in place`);
  }
  copy.loadStateDict(model.stateDict());
  return copy.train(model.training);
}

/**
 * Rebuilds `module` with `replace` applied to every child (a Sequential's
 * children as a list, so that patterns across neighbours can be fused);
 * other modules have their changed children put back in the fields that held them.
 */
function mapModules(module: Module, replaceList: (children: Module[]) => Module[], replaceOne: (child: Module) => Module): Module {
  if (module instanceof Sequential) {
    const names = [...module.children()].map(([name]) => name);
    const before = [...module];
    // Replaced children are new leaves; the others may hold replaceable layers deeper down.
    const children = replaceList(before).map((child, i) => (child === before[i] ? mapModules(child, replaceList, replaceOne) : child));
    const seq = new Sequential();
    children.forEach((child, i) => seq.add(child, names[i]));
    return seq.train(module.training);
  }
  const replaced = replaceOne(module);
  if (replaced !== module) return replaced;
  for (const [name, child] of [...module.children()]) {
    const next = mapModules(child, replaceList, replaceOne);
    if (next === child) continue;
    const fields = module as unknown as Record<string, unknown>;
    if (fields[name] !== child)
      throw new FrugalError(`quantisation: cannot replace the sub-module '${name}' of ${module.constructor.name} (it is not held in a field of that name)`);
    fields[name] = next;
  }
  return module;
}

function prepareWith(model: Module, options: PrepareOptions, qat: boolean, where: string): Module {
  if (!(model instanceof Module)) throw new ValueError(`${where}: expected a Module`);
  checkOptions(where, options, PREPARE_KEYS);
  new Observer(options); // checks the observer options before anything is copied
  const target = options.inplace ? model : copyModel(model, where);
  const wrap = (m: Module): Module => (quantisable(m) ? new Observed(m, new Observer(options), qat) : m);
  const prepared = mapModules(target, (children) => children.map(wrap), wrap);
  return qat ? prepared.train() : prepared.eval();
}

/** Wraps every Linear and Conv2d in an observer of its input, for calibration (post-training static quantisation). */
export function prepare(model: Module, options: PrepareOptions = {}): Module {
  return prepareWith(model, options, false, 'prepare');
}

/** Wraps every Linear and Conv2d for quantisation-aware training: fake-quantised inputs and weights, straight-through gradients. */
export function prepareQat(model: Module, options: PrepareOptions = {}): Module {
  return prepareWith(model, options, true, 'prepareQat');
}

/** Runs batches through a prepared model (no gradients, eval mode) so that its observers see the activations. */
export function calibrate(prepared: Module, batches: Iterable<Tensor>): Module {
  if (!(prepared instanceof Module)) throw new ValueError('calibrate: expected a Module from prepare()');
  const wasTraining = prepared.training;
  prepared.eval();
  let count = 0;
  noGrad(() => {
    for (const batch of batches) {
      if (!(batch instanceof Tensor)) throw new ValueError('calibrate: every batch must be a Tensor');
      prepared.call(batch);
      count++;
    }
  });
  prepared.train(wasTraining);
  if (count === 0) throw new ValueError('calibrate: no batches given');
  return prepared;
}

/** The int8 layer for an observed one (with the ReLU and pooling that follow it fused). */
function quantised(observed: Observed, relu: boolean, pool: MaxPool2d | null): Module {
  if (!observed.observer.seen) throw new FrugalError('convert: a layer saw no input; run calibrate(prepared, batches) (or train the QAT model) first');
  const input = observed.observer.qparams();
  if (observed.layer instanceof Linear) return QuantizedLinear.fromFloat(observed.layer, input, relu);
  const poolSpec = pool && { kernelSize: pool.kernelSize, stride: pool.stride };
  return QuantizedConv2d.fromFloat(observed.layer, input, relu, poolSpec);
}

/** A MaxPool2d the int8 convolution can fuse (no padding, dilation 1). */
function fusablePool(m: Module | undefined): MaxPool2d | null {
  if (!(m instanceof MaxPool2d)) return null;
  const [ph, pw] = m.padding;
  const [dh, dw] = m.dilation;
  return ph === 0 && pw === 0 && dh === 1 && dw === 1 ? m : null;
}

/** Replaces observed layers of a Sequential's children by int8 ones, fusing a following ReLU (and MaxPool2d). */
function convertList(children: Module[]): Module[] {
  const out = [...children];
  for (let i = 0; i < out.length; i++) {
    const m = out[i];
    if (!(m instanceof Observed)) continue;
    const relu = out[i + 1] instanceof ReLU;
    const pool = relu && m.layer instanceof Conv2d ? fusablePool(out[i + 2]) : null;
    out[i] = quantised(m, relu, pool);
    if (relu) out[i + 1] = new Identity();
    if (pool) out[i + 2] = new Identity();
  }
  return out;
}

/**
 * Replaces every observed layer (from prepare + calibrate, or prepareQat +
 * training) by its int8 form; returns the quantised model in eval mode
 * (the prepared model's other modules are reused, not copied).
 */
export function convert(prepared: Module): Module {
  if (!(prepared instanceof Module)) throw new ValueError('convert: expected a Module from prepare() or prepareQat()');
  const one = (m: Module): Module => (m instanceof Observed ? quantised(m, false, null) : m);
  return mapModules(prepared, convertList, one).eval();
}

/** Replaces every float32 Linear by a dynamic QuantizedLinear and every float32 LSTM by a QuantizedLSTM (int8 weights; each batch quantised with its own range). */
export function quantizeDynamic(model: Module, options: { inplace?: boolean } = {}): Module {
  if (!(model instanceof Module)) throw new ValueError('quantizeDynamic: expected a Module');
  checkOptions('quantizeDynamic', options, ['inplace']);
  const target = options.inplace ? model : copyModel(model, 'quantizeDynamic');
  const one = (m: Module): Module => {
    if (m instanceof Linear && m.dtype === 'float32') return QuantizedLinear.fromFloat(m, null);
    if (m instanceof LSTM && m.dtype === 'float32') return QuantizedLSTM.fromFloat(m);
    return m;
  };
  return mapModules(target, (children) => children.map(one), one).eval();
}
