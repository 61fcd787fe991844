/** Sequential: modules applied one after another. */
import { FrugalError, ValueError } from '../../errors.js';
import { assertTensor, type Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkModule, moduleAt } from './containers.js';
import { planFusion, runPlan } from '../fused/plan.js';
import type { FusedBlock } from '../fused/pattern.js';

/**
 * Applies its modules in order: `new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2))`.
 * Children are named '0', '1', ... (so parameters are '0.weight', as in
 * PyTorch) unless `add(module, name)` gives a name. Index with `at(i)`
 * (negative counts from the end), iterate with `for (const m of seq)`.
 */
export class Sequential extends Module implements Iterable<Module> {
  private readonly layers: Module[] = [];
  private readonly names: string[] = [];
  /** The fused blocks starting at each layer (planned at the first forward, dropped when a layer is added). */
  private plan: FusedBlock[][] | null = null;

  constructor(...modules: Module[] | [readonly Module[]]) {
    super();
    const list = modules.length === 1 && Array.isArray(modules[0]) ? (modules[0] as readonly Module[]) : (modules as Module[]);
    for (const m of list) this.add(m);
  }

  /** Appends a module (named by its position unless `name` is given); returns this. */
  add(module: Module, name?: string): this {
    checkModule('Sequential.add', module);
    const key = name ?? String(this.layers.length);
    this.registerModule(key, module);
    this.layers.push(module);
    this.names.push(key);
    this.plan = null;
    return this;
  }

  get length(): number {
    return this.layers.length;
  }

  /** The module at position i (negative i counts from the end). */
  at(i: number): Module {
    return moduleAt('Sequential.at', this.layers, i);
  }

  /** The module registered under `name`. */
  get(name: string): Module {
    return this.layers[this.indexOf(name)];
  }

  /**
   * Puts `module` in place of the one at position i (negative counts from
   * the end) or registered under a name, keeping its name, so a model's
   * head can be replaced for a new task: `model.set(-1, new Linear(64, 5))`.
   * Returns the module taken out.
   */
  set(at: number | string, module: Module): Module {
    checkModule('Sequential.set', module);
    if (typeof at === 'number') moduleAt('Sequential.set', this.layers, at); // checks the position
    const i = typeof at === 'string' ? this.indexOf(at) : at < 0 ? at + this.layers.length : at;
    const old = this.replaceModule(this.names[i], module);
    this.layers[i] = module;
    this.plan = null;
    return old;
  }

  /**
   * The layers from `start` up to (not including) `end`, as a new
   * Sequential sharing the same modules and names (PyTorch's `model[a:b]`):
   * `model.slice(0, -1)` is the model without its head, a feature extractor
   * whose parameters are the model's own. Negative positions count from the end.
   */
  slice(start = 0, end = this.layers.length): Sequential {
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw new ValueError(`Sequential.slice: start and end must be integers, got ${start} and ${end}`);
    const n = this.layers.length;
    const from = Math.max(0, start < 0 ? start + n : Math.min(start, n));
    const to = Math.max(from, end < 0 ? end + n : Math.min(end, n));
    const out = new Sequential();
    for (let i = from; i < to; i++) out.add(this.layers[i], this.names[i]);
    return out;
  }

  private indexOf(name: string): number {
    const i = this.names.indexOf(name);
    if (i < 0) throw new FrugalError(`Sequential: no module named '${name}' (names: ${this.names.join(', ')})`);
    return i;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  override forward(x: Tensor): Tensor {
    assertTensor(x, 'Sequential', 'the input');
    this.plan ??= planFusion(this.layers);
    return runPlan(this.layers, this.plan, x);
  }

  getConfig(): JsonObject {
    const custom = this.names.some((n, i) => n !== String(i));
    return custom ? { names: [...this.names] } : {};
  }

  configChildren(): Module[] {
    return [...this.layers];
  }

  static fromConfig(config: JsonObject, children: Module[]): Sequential {
    const names = config.names as string[] | undefined;
    if (names !== undefined && (!Array.isArray(names) || names.length !== children.length)) {
      throw new ValueError(`Sequential.fromConfig: 'names' must list one name per child (${children.length}), got ${JSON.stringify(names)}`);
    }
    const seq = new Sequential();
    children.forEach((m, i) => seq.add(m, names?.[i]));
    return seq;
  }
}

registerLayer('Sequential', Sequential);
