/**
 * The losses as modules (PyTorch's nn.MSELoss, nn.CrossEntropyLoss, ...):
 * each holds its options, calls its loss function in forward, and saves
 * its options as its config.
 */
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions } from '../../utils/options.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import {
  bceWithLogits,
  binaryCrossEntropy,
  crossEntropy,
  klDiv,
  nllLoss,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type ClassWeightOptions,
  type CrossEntropyOptions,
  type KLDivOptions,
} from './classification.js';
import { checkReduction, type ReductionOptions } from './reduction.js';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss, type HuberOptions, type SmoothL1Options } from './regression.js';

/** What a loss module wraps: its loss function and its options. */
interface LossSpec<O> {
  name: string;
  lossFn: (input: Tensor, target: Tensor, options: O) => Tensor;
  /** Every option, in order, with the value saved when it is left out. */
  defaults: JsonObject;
  /** Options holding tensors, saved as plain arrays. */
  tensorOptions?: readonly string[];
  /** KLDivLoss also takes reduction 'batchmean'. */
  allowBatchmean?: boolean;
}

/** Tensors in configs are saved as plain arrays. */
function tensorConfig(t: Tensor | null | undefined): JsonObject[string] {
  return t ? { shape: [...t.shape], data: Array.from(t.data), dtype: t.dtype } : null;
}

function tensorFromConfig(v: unknown): Tensor | null {
  if (!v) return null;
  const o = v as { shape: number[]; data: number[]; dtype: 'float32' | 'float64' };
  const data = o.dtype === 'float64' ? Float64Array.from(o.data) : Float32Array.from(o.data);
  return new Tensor(data, o.shape);
}

/** The options saved in a config, with its tensor options turned back into tensors. */
function optionsFromConfig<O>(config: JsonObject, spec: LossSpec<O>): O {
  const options: Record<string, unknown> = { ...config };
  for (const key of spec.tensorOptions ?? []) options[key] = tensorFromConfig(config[key]);
  return options as O;
}

/** A loss class: its static `spec` says which function it wraps and which options it takes. */
interface LossClass<T> {
  new (options?: never): T;
  readonly spec: LossSpec<never>;
}

abstract class Loss<O extends object> extends Module {
  constructor(readonly options: O = {} as O) {
    super();
    const spec = (new.target as unknown as LossClass<Loss<O>>).spec as LossSpec<O>;
    checkOptions(spec.name, options, Object.keys(spec.defaults));
    checkReduction(spec.name, (options as { reduction?: unknown }).reduction ?? 'mean', spec.allowBatchmean);
  }
  private get spec(): LossSpec<O> {
    return (this.constructor as unknown as LossClass<Loss<O>>).spec as LossSpec<O>;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return this.spec.lossFn(input, target, this.options);
  }
  getConfig(): JsonObject {
    const config: JsonObject = {};
    const options = this.options as Record<string, unknown>;
    for (const [key, fallback] of Object.entries(this.spec.defaults)) {
      config[key] = this.spec.tensorOptions?.includes(key)
        ? tensorConfig(options[key] as Tensor | null | undefined)
        : ((options[key] as JsonObject[string] | undefined) ?? fallback);
    }
    return config;
  }
  static fromConfig<T>(this: LossClass<T>, config: JsonObject): T {
    return new this(optionsFromConfig(config, this.spec) as never);
  }
}

export class MSELoss extends Loss<ReductionOptions> {
  static readonly spec: LossSpec<ReductionOptions> = { name: 'MSELoss', lossFn: mseLoss, defaults: { reduction: 'mean' } };
}

export class L1Loss extends Loss<ReductionOptions> {
  static readonly spec: LossSpec<ReductionOptions> = { name: 'L1Loss', lossFn: l1Loss, defaults: { reduction: 'mean' } };
}

export class HuberLoss extends Loss<HuberOptions> {
  static readonly spec: LossSpec<HuberOptions> = { name: 'HuberLoss', lossFn: huberLoss, defaults: { reduction: 'mean', delta: 1 } };
}

export class SmoothL1Loss extends Loss<SmoothL1Options> {
  static readonly spec: LossSpec<SmoothL1Options> = { name: 'SmoothL1Loss', lossFn: smoothL1Loss, defaults: { reduction: 'mean', beta: 1 } };
}

export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  static readonly spec: LossSpec<CrossEntropyOptions> = {
    name: 'CrossEntropyLoss',
    lossFn: crossEntropy,
    defaults: { reduction: 'mean', weight: null, ignoreIndex: -100, labelSmoothing: 0 },
    tensorOptions: ['weight'],
  };
}

export class NLLLoss extends Loss<ClassWeightOptions> {
  static readonly spec: LossSpec<ClassWeightOptions> = {
    name: 'NLLLoss',
    lossFn: nllLoss,
    defaults: { reduction: 'mean', weight: null, ignoreIndex: -100 },
    tensorOptions: ['weight'],
  };
}

export class BCELoss extends Loss<BCEOptions> {
  static readonly spec: LossSpec<BCEOptions> = { name: 'BCELoss', lossFn: binaryCrossEntropy, defaults: { reduction: 'mean', weight: null }, tensorOptions: ['weight'] };
}

export class BCEWithLogitsLoss extends Loss<BCEWithLogitsOptions> {
  static readonly spec: LossSpec<BCEWithLogitsOptions> = {
    name: 'BCEWithLogitsLoss',
    lossFn: bceWithLogits,
    defaults: { reduction: 'mean', weight: null, posWeight: null },
    tensorOptions: ['weight', 'posWeight'],
  };
}

export class KLDivLoss extends Loss<KLDivOptions> {
  static readonly spec: LossSpec<KLDivOptions> = { name: 'KLDivLoss', lossFn: klDiv, defaults: { reduction: 'mean', logTarget: false }, allowBatchmean: true };
}

registerLayer('MSELoss', MSELoss);
registerLayer('L1Loss', L1Loss);
registerLayer('HuberLoss', HuberLoss);
registerLayer('SmoothL1Loss', SmoothL1Loss);
registerLayer('CrossEntropyLoss', CrossEntropyLoss);
registerLayer('NLLLoss', NLLLoss);
registerLayer('BCELoss', BCELoss);
registerLayer('BCEWithLogitsLoss', BCEWithLogitsLoss);
registerLayer('KLDivLoss', KLDivLoss);
