/**
 * Layers described as JSON, so a model's architecture can be written out
 * and rebuilt (the weights travel separately, through `stateDict`).
 *
 * Every layer class has a static `fromConfig(config, children)` and an
 * instance `getConfig()` returning plain JSON, and is registered under a
 * name. `moduleToConfig(model)` gives `{ type, config, children? }`
 * (children for containers such as Sequential, nested to any depth) and
 * `layerFromConfig(that)` builds a fresh, newly initialised model of the
 * same architecture, with parameter names unchanged so
 * `loadStateDict(saved)` restores the weights.
 *
 * Custom modules join by implementing `getConfig()` (and, for containers,
 * `configChildren()`), a static `fromConfig`, and calling `registerLayer`.
 */
import { FrugalError, LimitError, ValueError } from '../errors.js';
import type { Module } from './module.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A module's architecture as JSON. */
export interface LayerConfig {
  /** The name the class was registered under ('Linear', 'Sequential', ...). */
  type: string;
  /** The constructor's arguments (what `getConfig()` returns). */
  config: JsonObject;
  /** Sub-modules of a container, in order. */
  children?: LayerConfig[];
}

/** What a registered class provides. */
export interface LayerClass {
  /** Builds the module from its config (and, for containers, its already built children). */
  fromConfig(config: JsonObject, children: Module[]): Module;
  readonly prototype: Module;
}

/** A module that can describe itself (every built-in layer). */
export interface ConfigurableModule extends Module {
  getConfig(): JsonObject;
  /** Containers: the sub-modules to save as `children`. */
  configChildren?(): Module[];
}

const byName = new Map<string, LayerClass>();
const byClass = new Map<LayerClass, string>();

/**
 * Registers a layer class under `name` (by convention the class name).
 * Registering the same class again under the same name is a no-op; a name
 * already taken by another class needs `{ override: true }`.
 */
export function registerLayer(name: string, cls: LayerClass, options: { override?: boolean } = {}): void {
  if (typeof name !== 'string' || name === '') throw new ValueError('registerLayer: name must be a non-empty string');
  if (typeof cls?.fromConfig !== 'function') {
    throw new ValueError(`registerLayer('${name}'): the class needs a static fromConfig(config, children) method`);
  }
  const existing = byName.get(name);
  if (existing && existing !== cls && !options.override) {
    throw new FrugalError(`registerLayer: '${name}' is already registered to another class; pass { override: true } to replace it`);
  }
  if (existing) byClass.delete(existing);
  byName.set(name, cls);
  byClass.set(cls, name);
}

/** The registered class for a name, if any. */
export function getLayerClass(name: string): LayerClass | undefined {
  return byName.get(name);
}

/** Names of every registered layer, sorted. */
export function registeredLayers(): string[] {
  return [...byName.keys()].sort();
}

function isConfigurable(m: Module): m is ConfigurableModule {
  return typeof (m as unknown as { getConfig?: unknown }).getConfig === 'function';
}

/** The registered name of a module's class (walking up to a registered base class). */
function typeName(module: Module): string {
  let proto: object | null = Object.getPrototypeOf(module);
  while (proto && proto !== Object.prototype) {
    const name = byClass.get((proto as { constructor: LayerClass }).constructor);
    if (name !== undefined) {
      // A subclass of a registered layer would be rebuilt as its base: refuse unless it is the class itself.
      if ((proto as { constructor: unknown }).constructor !== module.constructor) break;
      return name;
    }
    proto = Object.getPrototypeOf(proto);
  }
  throw new FrugalError(
    `moduleToConfig: ${module.constructor.name} is not registered; give it getConfig() and a static fromConfig(), then call registerLayer('${module.constructor.name}', ${module.constructor.name})`,
  );
}

/** The architecture of `module` (and its children) as JSON. */
export function moduleToConfig(module: Module): LayerConfig {
  const type = typeName(module);
  if (!isConfigurable(module)) throw new FrugalError(`moduleToConfig: ${type} has no getConfig() method`);
  const out: LayerConfig = { type, config: module.getConfig() };
  if (module.configChildren) out.children = module.configChildren().map(moduleToConfig);
  return out;
}

/** Containers nested deeper than this in a saved architecture are refused (an untrusted file could overflow the stack). */
const MAX_NESTING = 256;

/** Builds a freshly initialised module from `moduleToConfig`'s JSON. */
export function layerFromConfig(spec: LayerConfig, depth = 0): Module {
  if (depth > MAX_NESTING) throw new LimitError(`layerFromConfig: containers nested deeper than ${MAX_NESTING} levels`);
  if (spec === null || typeof spec !== 'object' || typeof spec.type !== 'string') {
    throw new ValueError(`layerFromConfig: expected { type, config, children? }, got ${JSON.stringify(spec)}`);
  }
  const cls = byName.get(spec.type);
  if (!cls) {
    throw new ValueError(`layerFromConfig: unknown layer type '${spec.type}'; registered: ${registeredLayers().join(', ')}`);
  }
  if (spec.children !== undefined && !Array.isArray(spec.children)) {
    throw new ValueError(`layerFromConfig: '${spec.type}' children must be an array`);
  }
  const children = (spec.children ?? []).map((child) => layerFromConfig(child, depth + 1));
  return cls.fromConfig(spec.config ?? {}, children);
}
