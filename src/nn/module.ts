/**
 * PyTorch's Module: parameters and sub-modules are discovered by
 * registration, and `stateDict()` is the one source of truth for saving
 * and loading.
 */
import { FrugalError, ShapeError } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import { sameShape, shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A tensor the optimiser updates: a leaf that requires a gradient.
 *
 * It counts changes to its values in `version`, so that copies derived
 * from it (the small-batch inference kernels keep weights resident in
 * WebAssembly memory) know when they are stale. The library's own writers
 * bump it: optimiser steps, initialisers, `loadStateDict`, `assign_` and
 * `fill_`. Code that writes into `data` directly must call `markModified()`.
 */
export class Parameter extends Tensor {
  private _version = 0;

  /** A parameter holding a copy of `initial`'s values. */
  constructor(initial: Tensor) {
    super(initial.data.slice(), initial.shape, { requiresGrad: true });
  }

  /** Changes to the values so far (see the class comment). */
  get version(): number {
    return this._version;
  }

  /** Records that the values changed (after writing into `data` directly). */
  markModified(): void {
    this._version++;
  }

  override assign_(source: Tensor | ArrayLike<number>): this {
    super.assign_(source);
    this._version++;
    return this;
  }

  override fill_(value: number): this {
    super.fill_(value);
    this._version++;
    return this;
  }
}

/** Bumps t's version when it is a Parameter (for writers that take any tensor). */
export function markModified(t: Tensor): void {
  if (t instanceof Parameter) t.markModified();
}

export abstract class Module {
  /** Dropout, batch norm and similar layers behave differently when training. */
  training = true;
  private readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _modules = new Map<string, Module>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Calls forward (the PyTorch `module(x)`). */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /** Registers a parameter under `name` and returns it (null for an absent optional one, e.g. bias). */
  registerParameter<P extends Parameter | null>(name: string, param: P): P {
    this.checkName(name);
    this._parameters.set(name, param);
    return param;
  }

  /** Registers a tensor that is state but not a parameter (batch norm's running mean). */
  registerBuffer(name: string, tensor: Tensor): Tensor {
    this.checkName(name);
    this._buffers.set(name, tensor);
    return tensor;
  }

  /** Replaces a registered buffer's tensor (buffers are updated by value, never by gradient). */
  protected setBuffer(name: string, tensor: Tensor): void {
    if (!this._buffers.has(name)) throw new FrugalError(`setBuffer: no buffer named '${name}'`);
    this._buffers.set(name, tensor);
  }

  protected buffer(name: string): Tensor {
    const b = this._buffers.get(name);
    if (!b) throw new FrugalError(`no buffer named '${name}'`);
    return b;
  }

  registerModule<M extends Module>(name: string, module: M): M {
    this.checkName(name);
    this._modules.set(name, module);
    return module;
  }

  private checkName(name: string): void {
    if (!name || name.includes('.')) throw new FrugalError(`invalid name '${name}': must be non-empty and contain no '.'`);
    if (this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name)) {
      throw new FrugalError(`'${name}' is already registered on ${this.constructor.name}`);
    }
  }

  /** Direct sub-modules, in registration order. */
  *children(): IterableIterator<[string, Module]> {
    yield* this._modules.entries();
  }

  /** This module and every module below it, with dotted names. */
  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [name, m] of this._modules) yield* m.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *namedParameters(prefix = ''): IterableIterator<[string, Parameter]> {
    for (const [name, p] of this._parameters) if (p) yield [prefix ? `${prefix}.${name}` : name, p];
    for (const [name, m] of this._modules) yield* m.namedParameters(prefix ? `${prefix}.${name}` : name);
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  *namedBuffers(prefix = ''): IterableIterator<[string, Tensor]> {
    for (const [name, b] of this._buffers) yield [prefix ? `${prefix}.${name}` : name, b];
    for (const [name, m] of this._modules) yield* m.namedBuffers(prefix ? `${prefix}.${name}` : name);
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name (copies, safe to keep). */
  stateDict(): Map<string, Tensor> {
    const state = new Map<string, Tensor>();
    for (const [name, p] of this.namedParameters()) state.set(name, new Tensor(p.data.slice(), p.shape));
    for (const [name, b] of this.namedBuffers()) state.set(name, new Tensor(b.data.slice(), b.shape));
    return state;
  }

  /**
   * Copies values into the parameters and buffers. With `strict` (default)
   * every name must match both ways; shapes must always match.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const strict = options.strict ?? true;
    const targets = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    if (strict) {
      const missing = [...targets.keys()].filter((k) => !entries.has(k));
      const unexpected = [...entries.keys()].filter((k) => !targets.has(k));
      if (missing.length || unexpected.length) {
        throw new FrugalError(`loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
      }
    }
    noGrad(() => {
      for (const [name, value] of entries) {
        const target = targets.get(name);
        if (!target) continue;
        if (!sameShape(target.shape, value.shape)) {
          throw new ShapeError(`loadStateDict: '${name}' has shape ${shapeStr(value.shape)}, the model expects ${shapeStr(target.shape)}`);
        }
        target.assign_(value.dtype === target.dtype ? value : value.astype(target.dtype));
      }
    });
  }
}
