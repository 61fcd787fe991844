/**
 * PyTorch's Module: parameters and sub-modules are discovered by
 * registration, and `stateDict()` is the one source of truth for saving
 * and loading.
 */
import { FrugalError, ShapeError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
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

  /**
   * Whether training changes this parameter (PyTorch's `requires_grad_`):
   * false freezes it, so backward computes no gradient for it and
   * optimisers, which skip parameters without one, leave it as it is.
   * Freezing also drops a gradient already there. Returns this.
   */
  requiresGrad_(flag = true): this {
    if (typeof flag !== 'boolean') throw new ValueError(`requiresGrad_: flag must be true or false, got ${String(flag)}`);
    this.requiresGrad = flag;
    if (!flag) this.grad = null;
    return this;
  }
}

/** Bumps t's version when it is a Parameter (for writers that take any tensor). */
export function markModified(t: Tensor): void {
  if (t instanceof Parameter) t.markModified();
}

/**
 * The base of every layer and model. Parameters, buffers and sub-modules are
 * registered by name; as in PyTorch, a Parameter or Module assigned to a
 * field (`this.fc = new Linear(4, 2)`) is registered under the field's name
 * automatically the next time the module is walked (parameters(),
 * children(), stateDict(), ...), and assigning a new one to the same field
 * replaces it. Tensors that are state but not parameters need
 * `registerBuffer`; arrays of modules need a ModuleList.
 */
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

  /** Puts `module` in place of the sub-module registered under `name` (same position in the order); returns the old one. */
  protected replaceModule(name: string, module: Module): Module {
    this.registerFields();
    const old = this._modules.get(name);
    if (!old) throw new FrugalError(`${this.constructor.name}: no sub-module named '${name}' to replace`);
    this._modules.set(name, module);
    // a field of that name holding the old module would put it back at the next walk (registerFields)
    const fields = this as unknown as Record<string, unknown>;
    if (fields[name] === old) fields[name] = module;
    return old;
  }

  private checkName(name: string): void {
    if (!name || name.includes('.')) throw new FrugalError(`invalid name '${name}': must be non-empty and contain no '.'`);
    if (this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name)) {
      throw new FrugalError(`'${name}' is already registered on ${this.constructor.name}`);
    }
  }

  /**
   * Registers the Parameters and Modules held in fields that are not
   * registered yet (PyTorch's `__setattr__`, done lazily: a Proxy would slow
   * every field access in forward). A field already registered under its own
   * name is replaced by a new value; a value registered under another name
   * (`this.weight = this.registerParameter('weight', ...)`) is left alone.
   */
  private registerFields(): void {
    let known: Set<unknown> | null = null;
    for (const field of Object.keys(this)) {
      const value = (this as Record<string, unknown>)[field];
      if (!(value instanceof Parameter) && !(value instanceof Module)) continue;
      if (value === this) continue;
      const registered = value instanceof Parameter ? this._parameters : this._modules;
      const current = registered.get(field);
      if (current === value) continue;
      known ??= new Set<unknown>([...this._parameters.values(), ...this._modules.values()]);
      if (current !== undefined) {
        // A registered field given a new value: the new one takes its place (PyTorch's behaviour).
        (registered as Map<string, unknown>).set(field, value);
      } else if (!known.has(value) && !this._buffers.has(field) && !this._parameters.has(field) && !this._modules.has(field)) {
        (registered as Map<string, unknown>).set(field, value);
      }
      known.add(value);
    }
  }

  /** Direct sub-modules, in registration order. */
  *children(): IterableIterator<[string, Module]> {
    this.registerFields();
    yield* this._modules.entries();
  }

  /** This module and every module below it, with dotted names. */
  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    this.registerFields();
    yield [prefix, this];
    for (const [name, m] of this._modules) yield* m.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *namedParameters(prefix = ''): IterableIterator<[string, Parameter]> {
    this.registerFields();
    for (const [name, p] of this._parameters) if (p) yield [prefix ? `${prefix}.${name}` : name, p];
    for (const [name, m] of this._modules) yield* m.namedParameters(prefix ? `${prefix}.${name}` : name);
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** The parameters training changes (not frozen): what to give an optimiser when part of the model is frozen. */
  trainableParameters(): Parameter[] {
    return this.parameters().filter((p) => p.requiresGrad);
  }

  /** Sets `requiresGrad_(flag)` on every parameter of this module and its sub-modules (PyTorch's `module.requires_grad_`); returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /**
   * Freezes every parameter of this module and its sub-modules (a
   * pre-trained backbone): no gradients, no optimiser updates. Batch norm's
   * running statistics still update in training mode; call `eval()` on
   * the frozen part to keep them too. Returns this.
   */
  freeze(): this {
    return this.requiresGrad_(false);
  }

  /** Makes every parameter of this module and its sub-modules trainable again; returns this. */
  unfreeze(): this {
    return this.requiresGrad_(true);
  }

  *namedBuffers(prefix = ''): IterableIterator<[string, Tensor]> {
    this.registerFields();
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
   * every name must match both ways; shapes must always match. Every name
   * and shape is checked before anything is copied, so a failed load leaves
   * the module unchanged.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    checkOptions('loadStateDict', options, ['strict']);
    if (state === null || typeof state !== 'object') throw new ValueError('loadStateDict: expected a Map or an object of tensors');
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
    const copies: [Tensor, Tensor][] = [];
    for (const [name, value] of entries) {
      const target = targets.get(name);
      if (!target) continue;
      if (!(value instanceof Tensor)) throw new ValueError(`loadStateDict: '${name}' is not a Tensor`);
      if (!sameShape(target.shape, value.shape)) {
        throw new ShapeError(`loadStateDict: '${name}' has shape ${shapeStr(value.shape)}, the model expects ${shapeStr(target.shape)}`);
      }
      copies.push([target, value]);
    }
    noGrad(() => {
      for (const [target, value] of copies) target.assign_(value.dtype === target.dtype ? value : value.astype(target.dtype));
    });
  }

  /** The module's structure, one line per sub-module (PyTorch's repr): `Sequential(\n  (0): Linear(inFeatures=4, ...)\n)`. */
  toString(): string {
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    const lines = [...this.children()].map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return lines.length === 0 ? `${head})` : `${head}\n${lines.join('\n')}\n)`;
  }

  /** The settings shown inside the parentheses of toString(): by default the layer's config (getConfig()). */
  extraRepr(): string {
    const getConfig = (this as { getConfig?: () => Record<string, unknown> }).getConfig;
    if (typeof getConfig !== 'function') return '';
    return Object.entries(getConfig.call(this))
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  }
}
