/**
 * Containers that hold sub-modules without a forward of their own
 * (PyTorch's ModuleList and ModuleDict): a plain array or object of modules
 * in a field is not walked by parameters(), these are.
 */
import { FrugalError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';

export function checkModule(where: string, module: unknown): asserts module is Module {
  if (!(module instanceof Module)) throw new ValueError(`${where}: expected a Module, got ${module === null ? 'null' : typeof module}`);
}

/** modules[i], negative i counting from the end (the `at` of ModuleList and Sequential). */
export function moduleAt(where: string, modules: readonly Module[], i: number): Module {
  const j = i < 0 ? i + modules.length : i;
  if (!Number.isInteger(i) || j < 0 || j >= modules.length) {
    throw new FrugalError(`${where}: index ${i} is out of range for ${modules.length} module(s)`);
  }
  return modules[j];
}

/** A list of modules, registered as '0', '1', ... (parameters '0.weight', as in PyTorch). */
export class ModuleList extends Module implements Iterable<Module> {
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end; returns this. */
  append(module: Module): this {
    checkModule('ModuleList.append', module);
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  /** The module at position i (negative i counts from the end). */
  at(i: number): Module {
    return moduleAt('ModuleList.at', this.items, i);
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  override forward(): Tensor {
    throw new FrugalError('ModuleList has no forward: call its modules from the forward of the module that holds it');
  }

  getConfig(): JsonObject {
    return {};
  }

  configChildren(): Module[] {
    return [...this.items];
  }

  static fromConfig(_config: JsonObject, children: Module[]): ModuleList {
    return new ModuleList(children);
  }
}

/** Modules by name, in insertion order. */
export class ModuleDict extends Module {
  private readonly items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    if (modules === null || typeof modules !== 'object') throw new ValueError('ModuleDict: expected an object or [name, module] pairs');
    const pairs = Symbol.iterator in modules ? (modules as Iterable<[string, Module]>) : Object.entries(modules);
    for (const [name, m] of pairs) this.set(name, m);
  }

  /** Adds a module under `name` (a new name: registered modules are not replaced); returns this. */
  set(name: string, module: Module): this {
    checkModule(`ModuleDict.set('${name}')`, module);
    this.registerModule(name, module);
    this.items.set(name, module);
    return this;
  }

  /** The module under `name`. */
  get(name: string): Module {
    const m = this.items.get(name);
    if (!m) throw new FrugalError(`ModuleDict.get: no module named '${name}' (names: ${[...this.items.keys()].join(', ')})`);
    return m;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  get size(): number {
    return this.items.size;
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): IterableIterator<Module> {
    return this.items.values();
  }

  entries(): IterableIterator<[string, Module]> {
    return this.items.entries();
  }

  override forward(): Tensor {
    throw new FrugalError('ModuleDict has no forward: call its modules from the forward of the module that holds it');
  }

  getConfig(): JsonObject {
    return { names: [...this.items.keys()] };
  }

  configChildren(): Module[] {
    return [...this.items.values()];
  }

  static fromConfig(config: JsonObject, children: Module[]): ModuleDict {
    const names = config.names;
    if (!Array.isArray(names) || names.length !== children.length || names.some((n) => typeof n !== 'string')) {
      throw new ValueError(`ModuleDict.fromConfig: 'names' must list one name per child (${children.length}), got ${JSON.stringify(names)}`);
    }
    return new ModuleDict(children.map((m, i) => [names[i] as string, m] as [string, Module]));
  }
}

registerLayer('ModuleList', ModuleList);
registerLayer('ModuleDict', ModuleDict);
