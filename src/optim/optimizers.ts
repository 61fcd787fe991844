/**
 * The named optimisers: each is the general {@link Optimizer} with
 * PyTorch's defaults and a map from its options to the one update rule.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBool, checkNumber, Optimizer, type ParamGroup, type ParamsInput, type UpdateRule } from './optimizer.js';

const PLAIN: UpdateRule = {
  lr: 0,
  weightDecay: 0,
  decoupledDecay: false,
  maximize: false,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  momentumInit: 'value',
  momentumOf: 'step',
  secondMoment: false,
  beta2: 0,
  secondScale: 0,
  secondInit: 0,
  centered: false,
  amsgrad: false,
  eps: 0,
  biasCorrection: false,
  lrDecay: 0,
};

const num = (g: ParamGroup, k: string): number => g[k] as number;
const bool = (g: ParamGroup, k: string): boolean => g[k] as boolean;

/** The options every optimizer here takes. */
export interface CommonOptions {
  /** Learning rate (default 0.01; Adam and AdamW 1e-3). */
  lr: number;
  /** L2 penalty added to the gradient (AdamW: decoupled decay of the weights). */
  weightDecay: number;
  /** Ascend the objective instead of descending it (default false). */
  maximize: boolean;
}

/** The rule's common part (lr, weightDecay, maximize) from a group, every other step off. */
function commonRule(g: ParamGroup): UpdateRule {
  return { ...PLAIN, lr: g.lr, weightDecay: num(g, 'weightDecay'), maximize: bool(g, 'maximize') };
}

/** How an option is checked: true or false, or a number in a range (checkNumber's min, max, maxOpen). */
type OptionCheck = 'boolean' | readonly [min: number, max?: number, maxOpen?: boolean];

const COMMON_CHECKS: Record<keyof CommonOptions, OptionCheck> = { lr: [0], weightDecay: [0], maximize: 'boolean' };

/** Checks the options named in `checks`, in its order. */
function checkOptionTable(where: string, options: object, checks: Record<string, OptionCheck>): void {
  for (const [name, check] of Object.entries(checks)) {
    const value = (options as Record<string, unknown>)[name];
    if (check === 'boolean') checkBool(where, name, value);
    else checkNumber(where, name, value, ...check);
  }
}

// ------------------------------------------------------------------- SGD ---

export interface SGDOptions extends CommonOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

/** Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay (torch.optim.SGD). */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(
      params,
      { lr: 0.01, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      options,
      (g) => ({
        ...commonRule(g),
        momentum: num(g, 'momentum'),
        dampening: num(g, 'dampening'),
        nesterov: bool(g, 'nesterov'),
      }),
      'SGD',
      (o, where) => {
        checkOptionTable(where, o, { ...COMMON_CHECKS, momentum: [0], dampening: [0, 1], nesterov: 'boolean' });
        if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ValueError(`${where}: nesterov needs momentum > 0 and dampening 0`);
      },
    );
  }
}

// ------------------------------------------------------------ Adam/AdamW ---

export interface AdamOptions extends CommonOptions {
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  betas: [number, number];
  eps: number;
  amsgrad: boolean;
}

function adamRule(decoupled: boolean) {
  return (g: ParamGroup): UpdateRule => {
    const [b1, b2] = g.betas as [number, number];
    return {
      ...commonRule(g),
      decoupledDecay: decoupled,
      momentum: b1,
      dampening: b1,
      momentumInit: 'zero',
      momentumOf: 'gradient',
      secondMoment: true,
      beta2: b2,
      secondScale: 1 - b2,
      amsgrad: bool(g, 'amsgrad'),
      eps: num(g, 'eps'),
      biasCorrection: true,
    };
  };
}

function checkAdam(o: AdamOptions, where: string): void {
  checkOptionTable(where, o, COMMON_CHECKS);
  if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new ValueError(`${where}: betas must be a pair [beta1, beta2], got ${String(o.betas)}`);
  checkNumber(where, 'betas[0]', o.betas[0], 0, 1, true);
  checkNumber(where, 'betas[1]', o.betas[1], 0, 1, true);
  checkOptionTable(where, o, { eps: [0], amsgrad: 'boolean' });
}

/** Adam (torch.optim.Adam); `weightDecay` is an L2 term in the gradient. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options, adamRule(false), 'Adam', checkAdam);
  }
}

/** AdamW (torch.optim.AdamW): Adam with decoupled weight decay (default 0.01). */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options, adamRule(true), 'AdamW', checkAdam);
  }
}

// --------------------------------------------------------------- RMSprop ---

export interface RMSpropOptions extends CommonOptions {
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  eps: number;
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
}

/** RMSprop (torch.optim.RMSprop). */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(
      params,
      { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
      options,
      (g) => ({
        ...commonRule(g),
        momentum: num(g, 'momentum'),
        momentumInit: 'zero',
        momentumOf: 'step',
        secondMoment: true,
        beta2: num(g, 'alpha'),
        secondScale: 1 - num(g, 'alpha'),
        centered: bool(g, 'centered'),
        eps: num(g, 'eps'),
      }),
      'RMSprop',
      (o, where) => checkOptionTable(where, o, { ...COMMON_CHECKS, alpha: [0, 1], eps: [0], momentum: [0], centered: 'boolean' }),
    );
  }
}

// --------------------------------------------------------------- Adagrad ---

export interface AdagradOptions extends CommonOptions {
  /** The lr at step t is lr / (1 + (t − 1)·lrDecay). */
  lrDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}

/** Adagrad (torch.optim.Adagrad). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(
      params,
      { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
      options,
      (g) => ({
        ...commonRule(g),
        secondMoment: true,
        beta2: 1,
        secondScale: 1,
        secondInit: num(g, 'initialAccumulatorValue'),
        eps: num(g, 'eps'),
        lrDecay: num(g, 'lrDecay'),
      }),
      'Adagrad',
      (o, where) => checkOptionTable(where, o, { ...COMMON_CHECKS, lrDecay: [0], initialAccumulatorValue: [0], eps: [0] }),
    );
  }
}

// ------------------------------------------------------------- by name ---

export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

const BY_NAME: Record<OptimizerName, new (params: Tensor[], options: Record<string, unknown>) => Optimizer<never>> = {
  sgd: SGD as never,
  adam: Adam as never,
  adamw: AdamW as never,
  rmsprop: RMSprop as never,
  adagrad: Adagrad as never,
};

/** An optimiser from its name ('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'; any case) and options. */
export function createOptimizer(name: string, params: Iterable<Tensor>, options: Record<string, unknown> = {}): Optimizer {
  const key = String(name).toLowerCase() as OptimizerName;
  const Ctor = BY_NAME[key];
  if (!Ctor) throw new ValueError(`unknown optimizer '${name}'; known: ${Object.keys(BY_NAME).join(', ')}`);
  return new Ctor([...params], options) as unknown as Optimizer;
}
