/**
 * Structured pruning: whole output channels of convolutions and whole
 * neurons of Linear layers are removed, and a smaller dense Sequential is
 * built, so the speed-up is real (no sparse kernels needed).
 *
 * A layer can lose outputs when they reach exactly one next Conv/Linear
 * layer (its "consumer") through layers that act on each channel alone:
 * activations with f(0) = 0, pooling, dropout, batch norm (sliced with the
 * channels) and a Flatten (after which channel c is the block of features
 * c·B … c·B + B − 1 of the Linear, B = H·W). The consumer loses the matching
 * input channels or features. The last Conv/Linear (the model's outputs) is
 * never pruned. Channels are ranked by the L1 (or L2) norm of their filter
 * (Li et al., 2017, "Pruning filters for efficient ConvNets").
 *
 * The pruned model computes what the original computes with the pruned
 * channels zeroed (`maskChannels`), up to float rounding: the sums it
 * leaves out are sums of zeros.
 */
import { noGrad } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { ELU, GELU, LeakyReLU, ReLU, SiLU, Tanh } from '../nn/layers/activation.js';
import { Conv1d, Conv2d } from '../nn/layers/conv.js';
import { Dropout, Dropout2d } from '../nn/layers/dropout.js';
import { Flatten } from '../nn/layers/flatten.js';
import { Identity, Linear } from '../nn/layers/linear.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/layers/normalization.js';
import { AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, GlobalAvgPool2d, MaxPool1d, MaxPool2d } from '../nn/layers/pooling.js';
import { Sequential } from '../nn/layers/sequential.js';
import type { Module } from '../nn/module.js';
import { layerFromConfig, moduleToConfig } from '../nn/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { countFlops } from './flops.js';

type Prunable = Conv1d | Conv2d | Linear;

/** Layers whose outputs (channels / neurons) can be removed and whose inputs can be cut. */
function isPrunable(layer: Module): layer is Prunable {
  return layer instanceof Linear || ((layer instanceof Conv2d || layer instanceof Conv1d) && layer.groups === 1);
}

/** Layers that map channel c to channel c alone and keep a zero channel zero. */
const CHANNELWISE = [ReLU, LeakyReLU, ELU, GELU, SiLU, Tanh, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, Dropout, Dropout2d, Identity];

function outputsOf(layer: Prunable): number {
  return layer instanceof Linear ? layer.outFeatures : layer.outChannels;
}

function inputsOf(layer: Prunable): number {
  return layer instanceof Linear ? layer.inFeatures : layer.inChannels;
}

/** A prunable layer, the layer that reads its outputs, and what lies between. */
interface ChannelLink {
  producer: number;
  consumer: number;
  /** Consumer inputs per producer output: H·W after a Flatten, 1 otherwise. */
  block: number;
  /** Batch norms in between, sliced along with the producer's outputs. */
  norms: number[];
}

/** The producer → consumer links of a Sequential's top-level layers. */
function findLinks(layers: readonly Module[]): ChannelLink[] {
  const links: ChannelLink[] = [];
  for (let p = 0; p < layers.length; p++) {
    const producer = layers[p];
    if (!isPrunable(producer)) continue;
    const channels = outputsOf(producer);
    const norms: number[] = [];
    let flat = producer instanceof Linear;
    for (let k = p + 1; k < layers.length; k++) {
      const layer = layers[k];
      if (isPrunable(layer)) {
        const inputs = inputsOf(layer);
        const ok = layer instanceof Linear ? flat && inputs % channels === 0 : !flat && !(producer instanceof Linear) && inputs === channels;
        if (ok) links.push({ producer: p, consumer: k, block: inputs / channels, norms });
        break;
      }
      if ((layer instanceof BatchNorm1d || layer instanceof BatchNorm2d) && layer.numFeatures === channels) norms.push(k);
      else if (layer instanceof Flatten && !flat && layer.startDim === 1 && layer.endDim === -1) flat = true;
      else if (layer instanceof GlobalAvgPool2d && !flat) flat = !layer.keepDims;
      else if (!CHANNELWISE.some((cls) => layer instanceof cls)) break;
    }
  }
  return links;
}

/**
 * Which outputs each layer keeps: `keep[i]` lists the kept channel indices
 * (ascending) of layer i of the Sequential, or is null for a layer left whole.
 */
export interface ChannelPlan {
  keep: (number[] | null)[];
}

export type ChannelNorm = 'l1' | 'l2';

/** The L1 or L2 norm of each output channel's filter (each row of a Linear weight). */
export function rankChannels(layer: Conv1d | Conv2d | Linear, norm: ChannelNorm = 'l1'): Float64Array {
  if (!isPrunable(layer)) throw new ValueError('rankChannels: expected a Linear, or a Conv1d / Conv2d without groups');
  if (norm !== 'l1' && norm !== 'l2') throw new ValueError(`rankChannels: norm must be 'l1' or 'l2', got ${String(norm)}`);
  const w = layer.weight.data;
  const channels = outputsOf(layer);
  const per = w.length / channels;
  const scores = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = c * per; i < (c + 1) * per; i++) s += norm === 'l1' ? Math.abs(w[i]) : w[i] * w[i];
    scores[c] = norm === 'l1' ? s : Math.sqrt(s);
  }
  return scores;
}

/** The `count` highest-scoring indices, ascending (ties keep the lower index). */
function topIndices(scores: Float64Array, count: number): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

export interface StructuredPruneOptions {
  /** Fraction of the outputs of every prunable layer to remove, in [0, 1). */
  amount?: number;
  /** Instead of amount: remove the fewest channels (the same fraction in every layer) that bring the multiply-adds to at most this fraction of the original's. Needs inputShape. */
  flopsRatio?: number;
  /** One sample's shape without the batch axis ([1, 28, 28]), for flopsRatio. */
  inputShape?: number[];
  /** How channels are ranked: 'l1' (default) or 'l2' norm of their filter. */
  norm?: ChannelNorm;
}

function layersOf(model: Sequential, who: string): Module[] {
  if (!(model instanceof Sequential)) throw new ValueError(`${who}: model must be a Sequential`);
  return [...model];
}

/** The plan that removes `amount` of the outputs of every linked layer, lowest-norm first. */
function uniformPlan(layers: readonly Module[], links: readonly ChannelLink[], amount: number, norm: ChannelNorm): ChannelPlan {
  const keep: (number[] | null)[] = layers.map(() => null);
  for (const { producer } of links) {
    const layer = layers[producer] as Prunable;
    const channels = outputsOf(layer);
    const count = Math.max(1, Math.round(channels * (1 - amount)));
    if (count < channels) keep[producer] = topIndices(rankChannels(layer, norm), count);
  }
  return { keep };
}

/**
 * Chooses the channels to keep: `amount` of each prunable layer's outputs
 * removed, or the smallest uniform amount that reaches `flopsRatio`.
 */
export function planChannelPruning(model: Sequential, options: StructuredPruneOptions): ChannelPlan {
  const who = 'planChannelPruning';
  const layers = layersOf(model, who);
  if (!options || typeof options !== 'object') throw new ValueError(`${who}: options { amount } or { flopsRatio, inputShape } are required`);
  checkOptions(who, options, ['amount', 'flopsRatio', 'inputShape', 'norm']);
  const norm = options.norm ?? 'l1';
  if (norm !== 'l1' && norm !== 'l2') throw new ValueError(`${who}: norm must be 'l1' or 'l2', got ${String(norm)}`);
  const links = findLinks(layers);
  if (links.length === 0) throw new ValueError(`${who}: no layer can be pruned (a Conv/Linear must feed another through activations, pooling, batch norm or Flatten)`);
  const { amount, flopsRatio, inputShape } = options;
  if ((amount === undefined) === (flopsRatio === undefined)) throw new ValueError(`${who}: give either amount or flopsRatio`);
  if (amount !== undefined) {
    if (typeof amount !== 'number' || !(amount >= 0 && amount < 1)) throw new ValueError(`${who}: amount must be a number in [0, 1), got ${String(amount)}`);
    return uniformPlan(layers, links, amount, norm);
  }
  if (typeof flopsRatio !== 'number' || !(flopsRatio > 0 && flopsRatio <= 1)) throw new ValueError(`${who}: flopsRatio must be a number in (0, 1], got ${String(flopsRatio)}`);
  if (inputShape === undefined) throw new ValueError(`${who}: flopsRatio needs inputShape (one sample's shape, without the batch axis)`);
  const target = countFlops(model, inputShape).total * flopsRatio;
  const flopsAt = (a: number): number => countFlops(applyChannelPlan(model, uniformPlan(layers, links, a, norm)), inputShape).total;
  // Bisection on the amount: the multiply-adds never grow as it rises.
  let lo = 0,
    hi = 1 - 1e-9;
  if (flopsAt(hi) > target) throw new ValueError(`${who}: flopsRatio ${flopsRatio} cannot be reached by pruning the linked layers alone`);
  if (flopsAt(lo) <= target) return uniformPlan(layers, links, lo, norm);
  for (let iter = 0; iter < 40 && hi - lo > 1e-6; iter++) {
    const mid = (lo + hi) / 2;
    if (flopsAt(mid) <= target) hi = mid;
    else lo = mid;
  }
  return uniformPlan(layers, links, hi, norm);
}

/** Checks a plan against the model: one entry per layer, kept indices only on linked layers, ascending, distinct, in range. */
function checkPlan(layers: readonly Module[], links: readonly ChannelLink[], plan: ChannelPlan, who: string): void {
  if (!plan || !Array.isArray(plan.keep) || plan.keep.length !== layers.length) {
    throw new ValueError(`${who}: plan.keep must have one entry per layer (${layers.length})`);
  }
  plan.keep.forEach((keep, i) => {
    if (keep === null || keep === undefined) return;
    if (!links.some((l) => l.producer === i)) throw new ValueError(`${who}: layer ${i} (${layers[i].constructor.name}) cannot be pruned`);
    const channels = outputsOf(layers[i] as Prunable);
    if (!Array.isArray(keep) || keep.length === 0) throw new ValueError(`${who}: plan.keep[${i}] must list at least one channel`);
    keep.forEach((c, j) => {
      if (!Number.isInteger(c) || c < 0 || c >= channels || (j > 0 && c <= keep[j - 1])) {
        throw new ValueError(`${who}: plan.keep[${i}] must list distinct channel indices in [0, ${channels}) in ascending order`);
      }
    });
  });
}

/** The consumer's input indices for the kept producer channels (each a block of `block` features). */
function expandBlocks(keep: readonly number[], block: number): number[] {
  const out: number[] = [];
  for (const c of keep) for (let b = 0; b < block; b++) out.push(c * block + b);
  return out;
}

/** A copy of `layer` keeping outputs `outKeep` (axis 0 of every state tensor) and inputs `inKeep` (axis 1 of the weight); null keeps all. */
function sliceLayer(layer: Module, outKeep: number[] | null, inKeep: number[] | null): Module {
  const spec = moduleToConfig(layer);
  const config = { ...spec.config };
  if (layer instanceof Linear) {
    if (outKeep) config.outFeatures = outKeep.length;
    if (inKeep) config.inFeatures = inKeep.length;
  } else if (layer instanceof Conv1d || layer instanceof Conv2d) {
    if (outKeep) config.outChannels = outKeep.length;
    if (inKeep) config.inChannels = inKeep.length;
  } else if (outKeep) config.numFeatures = outKeep.length;
  const copy = layerFromConfig({ ...spec, config });
  const state = new Map<string, Tensor>();
  noGrad(() => {
    for (const [name, t] of layer.stateDict()) {
      let v = t;
      if (outKeep && v.ndim >= 1) v = v.indexSelect(0, outKeep);
      if (inKeep && name === 'weight' && v.ndim >= 2) v = v.indexSelect(1, inKeep);
      state.set(name, v);
    }
  });
  copy.loadStateDict(state);
  return copy;
}

/** Builds the smaller Sequential that keeps the channels `plan` lists (the original is left unchanged). */
export function applyChannelPlan(model: Sequential, plan: ChannelPlan): Sequential {
  const who = 'applyChannelPlan';
  const layers = layersOf(model, who);
  const links = findLinks(layers);
  checkPlan(layers, links, plan, who);
  const inputKeep = new Map<number, number[]>();
  const normKeep = new Map<number, number[]>();
  for (const link of links) {
    const keep = plan.keep[link.producer];
    if (!keep) continue;
    inputKeep.set(link.consumer, expandBlocks(keep, link.block));
    for (const n of link.norms) normKeep.set(n, keep);
  }
  const pruned = new Sequential();
  layers.forEach((layer, i) => {
    const outKeep = plan.keep[i] ?? normKeep.get(i) ?? null;
    const inKeep = inputKeep.get(i) ?? null;
    pruned.add(sliceLayer(layer, outKeep, inKeep));
  });
  return pruned.train(model.training);
}

/** Zeroes, in place, the filters, biases and batch-norm scales of the channels the plan removes (the original as the pruned model computes it). */
export function maskChannels(model: Sequential, plan: ChannelPlan): void {
  const who = 'maskChannels';
  const layers = layersOf(model, who);
  const links = findLinks(layers);
  checkPlan(layers, links, plan, who);
  for (const link of links) {
    const keep = plan.keep[link.producer];
    if (!keep) continue;
    const kept = new Set(keep);
    for (const i of [link.producer, ...link.norms]) {
      const layer = layers[i] as Prunable | BatchNorm1d | BatchNorm2d;
      for (const p of [layer.weight, layer.bias]) {
        if (!p) continue;
        const per = p.size / p.shape[0];
        for (let c = 0; c < p.shape[0]; c++) if (!kept.has(c)) p.data.fill(0, c * per, (c + 1) * per);
        p.markModified();
      }
    }
  }
}

/** Removes `amount` of the channels / neurons of every prunable layer (or enough to reach `flopsRatio`) and returns the smaller model. */
export function structuredPrune(model: Sequential, options: StructuredPruneOptions): Sequential {
  return applyChannelPlan(model, planChannelPruning(model, options));
}
