/**
 * Ready-made small GAN modules for tabular (flat) data: multilayer
 * perceptrons with LeakyReLU between layers, as in most GAN papers.
 * A conditional GAN's one-hot label is counted in their input sizes.
 */
import { ValueError } from '../errors.js';
import { LeakyReLU, Sigmoid, Tanh } from '../nn/layers/activation.js';
import { Dropout } from '../nn/layers/dropout.js';
import { Linear } from '../nn/layers/linear.js';
import { Sequential } from '../nn/layers/sequential.js';
import type { Module } from '../nn/module.js';
import { checkInt } from '../train/data.js';
import { checkOptions } from '../utils/options.js';

export interface MlpGeneratorOptions {
  latentDim: number;
  /** Features of each generated sample. */
  outFeatures: number;
  /** Hidden layer widths (default [128]). */
  hidden?: readonly number[];
  /** Classes of a conditional GAN (G then takes latentDim + numClasses inputs); default 0. */
  numClasses?: number;
  /** LeakyReLU's negative slope (default 0.2). */
  negativeSlope?: number;
  /** Last activation: 'tanh' (data scaled to [−1, 1], the default), 'sigmoid' ([0, 1]) or 'none'. */
  output?: 'tanh' | 'sigmoid' | 'none';
}

export interface MlpDiscriminatorOptions {
  /** Features of each sample. */
  inFeatures: number;
  /** Hidden layer widths (default [128]). */
  hidden?: readonly number[];
  /** Classes of a conditional GAN (D then takes inFeatures + numClasses inputs); default 0. */
  numClasses?: number;
  /** LeakyReLU's negative slope (default 0.2). */
  negativeSlope?: number;
  /** Dropout after each hidden activation (default 0: none). */
  dropout?: number;
}

function hiddenWidths(hidden: readonly number[] | undefined, who: string): number[] {
  const widths = hidden ?? [128];
  if (!Array.isArray(widths)) throw new ValueError(`${who}: hidden must be an array of layer widths`);
  return widths.map((w, i) => checkInt(w, `hidden[${i}]`, 1, who));
}

function slopeOf(slope: number | undefined, who: string): number {
  const s = slope ?? 0.2;
  if (!Number.isFinite(s)) throw new ValueError(`${who}: negativeSlope must be a finite number, got ${String(s)}`);
  return s;
}

/** Linear layers through `widths`, LeakyReLU (and dropout) after every one but the last. */
function mlp(widths: readonly number[], slope: number, dropout: number): Module[] {
  const layers: Module[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push(new Linear(widths[i - 1], widths[i]));
    if (i < widths.length - 1) {
      layers.push(new LeakyReLU(slope));
      if (dropout > 0) layers.push(new Dropout(dropout));
    }
  }
  return layers;
}

/** z (+ one-hot label) → hidden LeakyReLU layers → outFeatures, through tanh by default. */
export function mlpGenerator(options: MlpGeneratorOptions): Sequential {
  const who = 'mlpGenerator';
  checkOptions(who, options, ['latentDim', 'outFeatures', 'hidden', 'numClasses', 'negativeSlope', 'output']);
  const latent = checkInt(options.latentDim, 'latentDim', 1, who);
  const out = checkInt(options.outFeatures, 'outFeatures', 1, who);
  const classes = checkInt(options.numClasses ?? 0, 'numClasses', 0, who);
  const output = options.output ?? 'tanh';
  if (output !== 'tanh' && output !== 'sigmoid' && output !== 'none') throw new ValueError(`${who}: output must be 'tanh', 'sigmoid' or 'none', got ${JSON.stringify(output)}`);
  const layers = mlp([latent + classes, ...hiddenWidths(options.hidden, who), out], slopeOf(options.negativeSlope, who), 0);
  if (output === 'tanh') layers.push(new Tanh());
  if (output === 'sigmoid') layers.push(new Sigmoid());
  return new Sequential(...layers);
}

/** sample (+ one-hot label) → hidden LeakyReLU layers → one logit (a critic score for WGAN). */
export function mlpDiscriminator(options: MlpDiscriminatorOptions): Sequential {
  const who = 'mlpDiscriminator';
  checkOptions(who, options, ['inFeatures', 'hidden', 'numClasses', 'negativeSlope', 'dropout']);
  const inputs = checkInt(options.inFeatures, 'inFeatures', 1, who);
  const classes = checkInt(options.numClasses ?? 0, 'numClasses', 0, who);
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new ValueError(`${who}: dropout must be in [0, 1), got ${String(dropout)}`);
  return new Sequential(...mlp([inputs + classes, ...hiddenWidths(options.hidden, who), 1], slopeOf(options.negativeSlope, who), dropout));
}
