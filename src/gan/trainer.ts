/**
 * The GAN trainer: a generator G and a discriminator D (any Modules),
 * trained against each other with alternating steps and separate
 * optimisers.
 *
 * ```ts
 * const gan = new GAN({
 *   generator: mlpGenerator({ latentDim: 16, outFeatures: 64 }),
 *   discriminator: mlpDiscriminator({ inFeatures: 64 }),
 *   latentDim: 16,
 * });
 * const history = await gan.fit(x, { steps: 2000, batchSize: 64 });
 * const samples = gan.sample(100, { seed: 1 });
 * ```
 *
 * With `numClasses` it is a conditional GAN: the label's one-hot code is
 * appended to G's noise and to D's input (so G takes latentDim + numClasses
 * features and D takes the sample's features + numClasses), and
 * `sample(n, { label })` draws samples of that class.
 *
 * Modules that read the labels themselves (such as dcganGenerator and
 * dcganDiscriminator built with `classes`) take `conditioning: 'module'`:
 * the trainer then calls `G.call(z, labels)` and `D.call(x, labels)` with
 * int32 labels [N] instead of appending one-hot codes, so the samples may
 * have any shape (images [N, C, H, W]).
 */
import { noGrad } from '../autograd/graph.js';
import { NumericalError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { Adam } from '../optim/optimizers.js';
import { randn } from '../tensor/creation.js';
import { concat } from '../tensor/ops/shape.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Logs } from '../train/callbacks.js';
import { checkInt } from '../train/data.js';
import { History } from '../train/history.js';
import { Progress, type Verbosity } from '../train/progress.js';
import { moduleGenerators } from '../train/resume.js';
import { abortError, checkSignal, Yielder } from '../train/yielder.js';
import { checkOptions } from '../utils/options.js';
import { RowSampler } from './batches.js';
import { GAN_CHECKPOINT_VERSION, ganCheckpointFromBytes, loadGanCheckpoint, saveGanCheckpoint, validateGanCheckpoint, type GanCheckpoint } from './checkpoint.js';
import { discriminatorLoss, generatorLoss, gradientPenalty, meanVerdict, Targets, type GanLoss } from './losses.js';

export interface GanOptions {
  generator: Module;
  discriminator: Module;
  /** Size of G's noise vector z ~ N(0, I). */
  latentDim: number;
  /** A conditional GAN over this many classes (labels 0..numClasses-1); 0 or absent: unconditional. */
  numClasses?: number;
  /**
   * How a conditional GAN gives the labels to its modules: 'concat' (default)
   * appends their one-hot codes to G's noise and to D's flat input; 'module'
   * passes them as a second argument, int32 [N] (`G.call(z, labels)`,
   * `D.call(x, labels)`), for modules that condition themselves.
   */
  conditioning?: GanConditioning;
  /** 'nonSaturating' (default) or 'wasserstein' (WGAN-GP: critic with a gradient penalty). */
  loss?: GanLoss;
  /** Discriminator updates per generator update (default 1; 5 for 'wasserstein'). */
  dSteps?: number;
  /** G's optimiser (default Adam over G's parameters with `lr` and `betas`). */
  optimizerG?: Optimizer;
  /** D's optimiser (default Adam over D's parameters with `lr` and `betas`). */
  optimizerD?: Optimizer;
  /** Learning rate of the default optimisers (2e-4; 1e-4 for 'wasserstein'). */
  lr?: number;
  /** Adam's betas for the default optimisers ([0.5, 0.999]; [0, 0.9] for 'wasserstein'). */
  betas?: readonly [number, number];
  /** One-sided label smoothing: D's target for real samples is 1 − labelSmoothing (default 0; 0.1 is common). */
  labelSmoothing?: number;
  /** λ of the gradient penalty ('wasserstein' only; default 10). */
  gradientPenalty?: number;
  /** Seed of the GAN's own generator (noise, batch order, penalty mixing); default: drawn from the global generator. */
  seed?: number;
}

const GAN_OPTIONS: readonly (keyof GanOptions)[] = [
  'generator',
  'discriminator',
  'latentDim',
  'numClasses',
  'conditioning',
  'loss',
  'dSteps',
  'optimizerG',
  'optimizerD',
  'lr',
  'betas',
  'labelSmoothing',
  'gradientPenalty',
  'seed',
];

/** How a conditional GAN's modules receive the labels (see GanOptions.conditioning). */
export type GanConditioning = 'concat' | 'module';

/** Real data: samples [N, ...], with class labels [N] for a conditional GAN. */
export type GanData = Tensor | { x: Tensor; y?: Tensor };

export interface GanFitOptions {
  /** Steps in total (each: dSteps discriminator updates, then one generator update); a resumed run continues up to this. */
  steps: number;
  /** Real and fake samples per batch (default 64). */
  batchSize?: number;
  /** Record the history (means over the interval) every this many steps (default: steps / 100, at least 1). */
  logEvery?: number;
  /** 0 silent, 1 progress bar on a terminal / a line per record otherwise (default), 2 a line per record. */
  verbose?: Verbosity;
  /** Called after each history record; return false to stop training there. */
  onLog?: (step: number, logs: Logs) => unknown;
  /** Write a checkpoint every this many steps (to `checkpointPath`, and/or give it to `onCheckpoint`). */
  checkpointEvery?: number;
  /** File the periodic checkpoint goes to (Node.js; replaced atomically each time). */
  checkpointPath?: string;
  /** Receives each periodic checkpoint (e.g. to store its bytes, see ganCheckpointToBytes). */
  onCheckpoint?: (ckpt: GanCheckpoint) => void | Promise<void>;
  /** Continue from a checkpoint: a path, its bytes, or the object. */
  resumeFrom?: string | Uint8Array | GanCheckpoint;
  /** Stops training between two steps with an AbortError (the weights are those after the last whole step). */
  signal?: AbortSignal;
}

const FIT_OPTIONS: readonly (keyof GanFitOptions)[] = [
  'steps',
  'batchSize',
  'logEvery',
  'verbose',
  'onLog',
  'checkpointEvery',
  'checkpointPath',
  'onCheckpoint',
  'resumeFrom',
  'signal',
];

/** What a GAN run logged: `get('lossD')`, `get('lossG')`, `get('dReal')` (mean D(x)), `get('dFake')` (mean D(G(z))), `get('gradientPenalty')` (WGAN-GP). */
export class GanHistory extends History {
  /** The step count at each record (the `epoch` list of a fit history). */
  get steps(): number[] {
    return this.epoch;
  }
}

/** What the history averages over each interval, and how many D and G updates went into the sums. */
interface IntervalSums {
  lossD: number;
  lossG: number;
  dReal: number;
  dFake: number;
  gradientPenalty: number;
  dUpdates: number;
  gUpdates: number;
}

function emptySums(): IntervalSums {
  return { lossD: 0, lossG: 0, dReal: 0, dFake: 0, gradientPenalty: 0, dUpdates: 0, gUpdates: 0 };
}

function isModule(m: unknown): m is Module {
  return !!m && typeof (m as Module).parameters === 'function' && typeof (m as Module).call === 'function';
}

/** The one-hot codes of `labels` [rows, numClasses]. */
function oneHot(labels: Int32Array, numClasses: number, dtype: 'float32' | 'float64'): Tensor {
  const out = dtype === 'float32' ? new Float32Array(labels.length * numClasses) : new Float64Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + labels[i]] = 1;
  return new Tensor(out, [labels.length, numClasses]);
}

export class GAN {
  readonly generator: Module;
  readonly discriminator: Module;
  readonly optimizerG: Optimizer;
  readonly optimizerD: Optimizer;
  readonly latentDim: number;
  readonly numClasses: number;
  readonly conditioning: GanConditioning;
  readonly loss: GanLoss;
  readonly dSteps: number;
  readonly labelSmoothing: number;
  readonly gradientPenaltyWeight: number;
  /** The GAN's own random generator: noise, batch order, penalty mixing. */
  readonly random: Generator;
  /** Steps completed by the last fit. */
  step = 0;
  /** The last fit's history. */
  history = new GanHistory();
  private sampler: RowSampler | null = null;
  /** Sums over the history interval in progress (so a checkpoint taken mid-interval resumes it exactly). */
  private pending: IntervalSums = emptySums();
  private readonly dtype: 'float32' | 'float64';
  private readonly targets: Targets;

  constructor(options: GanOptions) {
    const who = 'GAN';
    if (!options || typeof options !== 'object') throw new ValueError(`${who}: options are required (at least { generator, discriminator, latentDim })`);
    checkOptions(who, options, GAN_OPTIONS);
    if (!isModule(options.generator)) throw new ValueError(`${who}: generator must be a Module`);
    if (!isModule(options.discriminator)) throw new ValueError(`${who}: discriminator must be a Module`);
    this.generator = options.generator;
    this.discriminator = options.discriminator;
    this.latentDim = checkInt(options.latentDim, 'latentDim', 1, who);
    this.numClasses = checkInt(options.numClasses ?? 0, 'numClasses', 0, who);
    if (this.numClasses === 1) throw new ValueError(`${who}: numClasses must be 0 (unconditional) or at least 2, got 1`);
    const conditioning = options.conditioning ?? 'concat';
    if (conditioning !== 'concat' && conditioning !== 'module') throw new ValueError(`${who}: conditioning must be 'concat' or 'module', got ${JSON.stringify(conditioning)}`);
    if (options.conditioning !== undefined && this.numClasses === 0) throw new ValueError(`${who}: conditioning applies to a conditional GAN only (set numClasses)`);
    this.conditioning = conditioning;
    // Modules that condition themselves (dcganGenerator/dcganDiscriminator with `classes`) say so with a numeric `classes`.
    for (const [name, m] of [
      ['generator', options.generator],
      ['discriminator', options.discriminator],
    ] as const) {
      const classes = (m as { classes?: unknown }).classes;
      if (typeof classes !== 'number') continue;
      if (conditioning !== 'module' || classes !== this.numClasses)
        throw new ValueError(`${who}: the ${name} reads labels over ${classes} classes itself; use numClasses: ${classes} and conditioning: 'module'`);
    }
    const loss = options.loss ?? 'nonSaturating';
    if (loss !== 'nonSaturating' && loss !== 'wasserstein') throw new ValueError(`${who}: loss must be 'nonSaturating' or 'wasserstein', got ${JSON.stringify(loss)}`);
    this.loss = loss;
    const wgan = loss === 'wasserstein';
    this.dSteps = checkInt(options.dSteps ?? (wgan ? 5 : 1), 'dSteps', 1, who);
    const smoothing = options.labelSmoothing ?? 0;
    if (!(smoothing >= 0 && smoothing < 1)) throw new ValueError(`${who}: labelSmoothing must be in [0, 1), got ${String(smoothing)}`);
    if (smoothing !== 0 && wgan) throw new ValueError(`${who}: labelSmoothing applies to the 'nonSaturating' loss only`);
    this.labelSmoothing = smoothing;
    const lambda = options.gradientPenalty ?? 10;
    if (!(lambda >= 0 && Number.isFinite(lambda))) throw new ValueError(`${who}: gradientPenalty must be a finite number >= 0, got ${String(lambda)}`);
    if (options.gradientPenalty !== undefined && !wgan) throw new ValueError(`${who}: gradientPenalty applies to the 'wasserstein' loss only`);
    this.gradientPenaltyWeight = lambda;
    if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new ValueError(`${who}: seed must be a finite number`);
    this.random = new Generator(options.seed ?? globalGenerator.nextUint32());

    const gParams = this.generator.parameters(),
      dParams = this.discriminator.parameters();
    if (gParams.length === 0 || dParams.length === 0) throw new ValueError(`${who}: the generator and the discriminator must both have parameters`);
    const dtype = gParams[0].dtype;
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${who}: the generator's parameters must be float32 or float64, got ${dtype}`);
    this.dtype = dtype;
    this.targets = new Targets(dtype);
    const lr = options.lr ?? (wgan ? 1e-4 : 2e-4);
    const betas = options.betas ?? (wgan ? [0, 0.9] : [0.5, 0.999]);
    const own = (given: Optimizer | undefined, params: Tensor[], name: string): Optimizer => {
      if (given === undefined) return new Adam(params, { lr, betas: [betas[0], betas[1]] });
      if (!(given instanceof Optimizer)) throw new ValueError(`${who}: ${name} must be an Optimizer`);
      if (options.lr !== undefined || options.betas !== undefined) throw new ValueError(`${who}: give lr and betas to the optimisers you construct, not to GAN`);
      return given;
    };
    this.optimizerG = own(options.optimizerG, gParams, 'optimizerG');
    this.optimizerD = own(options.optimizerD, dParams, 'optimizerD');
  }

  /** D's verdict on samples x (with their labels, for a conditional GAN). */
  private critic(x: Tensor, labels: Int32Array | null): Tensor {
    return callConditioned(this.discriminator, x, labels, this.numClasses, this.conditioning);
  }

  private noise(rows: number, random: Generator): Tensor {
    return randn([rows, this.latentDim], { dtype: this.dtype, generator: random });
  }

  /** Checks the data and makes it the run's real rows (in the modules' dtype). */
  private prepareData(data: GanData, batchSize: number, who: string): RowSampler {
    const { x, y } = data instanceof Tensor ? { x: data, y: undefined } : data && typeof data === 'object' ? data : { x: undefined, y: undefined };
    if (!(x instanceof Tensor)) throw new ValueError(`${who}: data must be a Tensor of samples or { x, y }`);
    if (x.ndim < 2) throw new ValueError(`${who}: the samples must have shape [N, features...], got [${x.shape.join(', ')}]`);
    const n = x.shape[0];
    if (n < batchSize) throw new ValueError(`${who}: batchSize ${batchSize} is larger than the ${n} samples`);
    const real = x.dtype === this.dtype ? x : x.astype(this.dtype);
    for (const v of real.data) if (!Number.isFinite(v)) throw new ValueError(`${who}: the samples contain NaN or infinite values`);
    let labels: Int32Array | null = null;
    if (this.numClasses > 0) {
      if (!(y instanceof Tensor)) throw new ValueError(`${who}: a conditional GAN (numClasses ${this.numClasses}) needs { x, y } with class labels y`);
      if (y.size !== n) throw new ValueError(`${who}: ${y.size} labels for ${n} samples`);
      if (x.ndim !== 2 && this.conditioning === 'concat')
        throw new ValueError(
          `${who}: a conditional GAN with conditioning 'concat' appends the label's one-hot code to D's input, so the samples must be [N, features] (or use conditioning 'module'); got [${x.shape.join(', ')}]`,
        );
      labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = y.data[i];
        if (!(Number.isInteger(c) && c >= 0 && c < this.numClasses)) throw new ValueError(`${who}: label ${c} at row ${i} is not a class in 0..${this.numClasses - 1}`);
        labels[i] = c;
      }
    } else if (y !== undefined) throw new ValueError(`${who}: labels were given but the GAN is unconditional (set numClasses)`);
    return new RowSampler(real, labels, batchSize, this.random);
  }

  /** Every random generator the run draws from, by name. */
  private generators(): Map<string, Generator> {
    const out = new Map<string, Generator>([
      ['gan', this.random],
      ['global', globalGenerator],
    ]);
    for (const [k, g] of moduleGenerators(this.generator)) out.set(`generator.${k}`, g);
    for (const [k, g] of moduleGenerators(this.discriminator)) out.set(`discriminator.${k}`, g);
    return out;
  }

  /** The run's complete state after {@link step} steps (for {@link fit}'s `resumeFrom`). */
  checkpoint(): GanCheckpoint {
    if (!this.sampler) throw new ValueError('GAN.checkpoint: nothing to checkpoint before fit');
    const random: Record<string, number[]> = {};
    for (const [name, g] of this.generators()) random[name] = g.getState();
    const h = this.history;
    return {
      version: GAN_CHECKPOINT_VERSION,
      step: this.step,
      generator: this.generator.stateDict(),
      discriminator: this.discriminator.stateDict(),
      optimizerG: this.optimizerG.stateDict(),
      optimizerD: this.optimizerD.stateDict(),
      random,
      rows: { order: new Tensor(Int32Array.from(this.sampler.order), [this.sampler.order.length]), position: this.sampler.position },
      interval: { ...this.pending },
      history: { epoch: [...h.epoch], history: Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, [...v]])) },
    };
  }

  private applyCheckpoint(ckpt: GanCheckpoint, sampler: RowSampler, who: string): void {
    this.generator.loadStateDict(ckpt.generator);
    this.discriminator.loadStateDict(ckpt.discriminator);
    this.optimizerG.loadStateDict(ckpt.optimizerG);
    this.optimizerD.loadStateDict(ckpt.optimizerD);
    for (const [name, g] of this.generators()) g.setState(ckpt.random[name]);
    sampler.restore(ckpt.rows.order.data as Int32Array, ckpt.rows.position, who);
    this.history = new GanHistory();
    this.history.epoch = [...ckpt.history.epoch];
    this.history.history = Object.fromEntries(Object.entries(ckpt.history.history).map(([k, v]) => [k, [...v]]));
    this.step = ckpt.step;
    this.pending = { ...(ckpt.interval as unknown as IntervalSums) };
  }

  /** Puts a checkpoint's state into this GAN; on any refusal, puts back what was there and rethrows. */
  private async restore(source: string | Uint8Array | GanCheckpoint, sampler: RowSampler, who: string): Promise<void> {
    const ckpt = typeof source === 'string' ? await loadGanCheckpoint(source) : source instanceof Uint8Array ? ganCheckpointFromBytes(source) : source;
    validateGanCheckpoint(ckpt);
    for (const [name] of this.generators()) {
      if (!ckpt.random[name]) throw new ValueError(`${who}: the checkpoint has no state for the ${name} random generator; resume with the same modules`);
      new Generator().setState(ckpt.random[name]);
    }
    this.sampler = sampler;
    const before = this.checkpoint();
    try {
      this.applyCheckpoint(ckpt, sampler, who);
    } catch (err) {
      this.applyCheckpoint(before, sampler, who);
      throw err;
    }
  }

  /**
   * Trains for `steps` steps in total on the real samples; returns the
   * history. Both modules are in train mode while fitting and restored to
   * their previous modes afterwards. A NaN or infinite loss stops training
   * with a NumericalError before that update touches the weights.
   */
  async fit(data: GanData, options: GanFitOptions): Promise<GanHistory> {
    const who = 'GAN.fit';
    if (!options || typeof options !== 'object') throw new ValueError(`${who}: options are required (at least { steps })`);
    checkOptions(who, options, FIT_OPTIONS);
    const steps = checkInt(options.steps, 'steps', 1, who);
    const batchSize = checkInt(options.batchSize ?? 64, 'batchSize', 1, who);
    const logEvery = checkInt(options.logEvery ?? Math.max(1, Math.floor(steps / 100)), 'logEvery', 1, who);
    const checkpointEvery = options.checkpointEvery === undefined ? 0 : checkInt(options.checkpointEvery, 'checkpointEvery', 1, who);
    if (checkpointEvery && options.checkpointPath === undefined && options.onCheckpoint === undefined) {
      throw new ValueError(`${who}: checkpointEvery needs checkpointPath or onCheckpoint`);
    }
    const verbose = options.verbose ?? 1;
    if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ValueError(`${who}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
    const signal = checkSignal(options.signal, who);
    const sampler = this.prepareData(data, batchSize, who);
    if (options.resumeFrom !== undefined) await this.restore(options.resumeFrom, sampler, who);
    else {
      this.sampler = sampler;
      this.step = 0;
      this.history = new GanHistory();
      this.pending = emptySums();
    }

    const G = this.generator,
      D = this.discriminator;
    const wasTraining = [G.training, D.training];
    const dParams = D.parameters();
    const dRequiresGrad = dParams.map((p) => p.requiresGrad);
    const realTarget = 1 - this.labelSmoothing;
    const conditional = this.numClasses > 0;
    const labels = conditional ? new Int32Array(batchSize) : null;
    const critic = (x: Tensor): Tensor => this.critic(x, labels);
    const generate = (z: Tensor): Tensor => callConditioned(G, z, labels, this.numClasses, this.conditioning);
    const wgan = this.loss === 'wasserstein';
    const progress = new Progress(verbose, Math.ceil(steps / logEvery), undefined, 'Record');
    const yielder = new Yielder();
    const finite = (value: number, what: string): void => {
      if (!Number.isFinite(value)) {
        throw new NumericalError(
          `${who}: ${what} became ${value} at step ${this.step + 1}; training stopped before this update changed the weights. Try a lower learning rate or the 'wasserstein' loss, and check the data for extreme values.`,
        );
      }
    };

    G.train();
    D.train();
    try {
      progress.epochBegin();
      while (this.step < steps) {
        if (signal?.aborted) throw abortError(signal, who, `before step ${this.step + 1}; the weights are those after the last whole step`);
        // Discriminator: real rows towards "real", G's samples (no gradient into G) towards "fake".
        for (let k = 0; k < this.dSteps; k++) {
          const real = sampler.next(labels);
          const fake = noGrad(() => generate(this.noise(batchSize, this.random)));
          this.optimizerD.zeroGrad();
          const dReal = critic(real);
          const dFake = critic(fake);
          let lossD = discriminatorLoss(this.loss, dReal, dFake, realTarget, this.targets);
          if (wgan && this.gradientPenaltyWeight > 0) {
            const gp = gradientPenalty(critic, real, fake, this.random);
            this.pending.gradientPenalty += gp.item();
            lossD = lossD.add(gp.mul(this.gradientPenaltyWeight));
          }
          const value = lossD.item();
          finite(value, 'the discriminator loss');
          lossD.backward();
          this.optimizerD.step();
          this.pending.lossD += value;
          this.pending.dReal += meanVerdict(this.loss, dReal);
          this.pending.dFake += meanVerdict(this.loss, dFake);
          this.pending.dUpdates++;
        }
        // Generator: its samples towards "real" through a D that is not updated (nor differentiated) here.
        // Conditional: the labels of the last real batch, so classes come in the data's proportions.
        for (const p of dParams) p.requiresGrad = false;
        try {
          this.optimizerG.zeroGrad();
          const lossG = generatorLoss(this.loss, critic(generate(this.noise(batchSize, this.random))), this.targets);
          const value = lossG.item();
          finite(value, 'the generator loss');
          lossG.backward();
          this.optimizerG.step();
          this.pending.lossG += value;
          this.pending.gUpdates++;
        } finally {
          dParams.forEach((p, i) => (p.requiresGrad = dRequiresGrad[i]));
        }
        this.step++;

        const round = Math.ceil(this.step / logEvery) - 1;
        progress.batch(round, ((this.step - 1) % logEvery) + 1, Math.min(logEvery, steps - round * logEvery), this.pending.lossD / this.pending.dUpdates);
        if (this.step % logEvery === 0 || this.step === steps) {
          const { lossD, lossG, dReal, dFake, gradientPenalty, dUpdates, gUpdates } = this.pending;
          const logs: Logs = { lossD: lossD / dUpdates, lossG: lossG / gUpdates, dReal: dReal / dUpdates, dFake: dFake / dUpdates };
          if (wgan) logs.gradientPenalty = gradientPenalty / dUpdates;
          this.history.record(this.step, logs);
          this.pending = emptySums();
          progress.epochEnd(round, logs);
          progress.epochBegin();
          if ((await options.onLog?.(this.step, logs)) === false) break;
        }
        if (checkpointEvery && this.step % checkpointEvery === 0) {
          const ckpt = this.checkpoint();
          if (options.checkpointPath !== undefined) await saveGanCheckpoint(ckpt, options.checkpointPath);
          await options.onCheckpoint?.(ckpt);
        }
        if (yielder.due()) await yielder.yield();
      }
    } finally {
      G.train(wasTraining[0]);
      D.train(wasTraining[1]);
    }
    return this.history;
  }

  /**
   * `n` samples from the generator (in eval mode, nothing recorded). For a
   * conditional GAN, `label` is one class for all, or one per sample
   * (default: classes in turn, 0, 1, ..., 0, 1, ...). `seed` makes the
   * draw repeatable without touching the training's generators (default:
   * the global generator).
   */
  sample(n: number, options: { label?: number | ArrayLike<number>; seed?: number } = {}): Tensor {
    const who = 'GAN.sample';
    checkOptions(who, options, ['label', 'seed']);
    checkInt(n, 'n', 1, who);
    if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new ValueError(`${who}: seed must be a finite number`);
    const random = options.seed !== undefined ? new Generator(options.seed) : globalGenerator;
    let labels: Int32Array | null = null;
    if (this.numClasses > 0) {
      const label = options.label;
      if (typeof label === 'object' && label.length !== n) throw new ValueError(`${who}: ${label.length} labels for ${n} samples`);
      labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = label === undefined ? i % this.numClasses : typeof label === 'number' ? label : label[i];
        if (!(Number.isInteger(c) && c >= 0 && c < this.numClasses)) throw new ValueError(`${who}: label ${String(c)} (sample ${i}) is not a class in 0..${this.numClasses - 1}`);
        labels[i] = c;
      }
    } else if (options.label !== undefined) throw new ValueError(`${who}: label needs a conditional GAN (numClasses)`);
    return generateSamples(this.generator, this.noise(n, random), labels, this.numClasses, this.conditioning);
  }
}

/**
 * A module's output for input x and labels: `m.call(x)` when unconditional;
 * for a conditional GAN, `m.call([x, one-hot])` ('concat') or
 * `m.call(x, labels)` with int32 labels [N] ('module').
 */
function callConditioned(m: Module, x: Tensor, labels: Int32Array | null, numClasses: number, conditioning: GanConditioning): Tensor {
  if (!labels) return m.call(x);
  if (conditioning === 'module') return m.call(x, new Tensor(labels, [labels.length]));
  return m.call(concat([x, oneHot(labels, numClasses, x.dtype as 'float32' | 'float64')], 1));
}

/**
 * G's samples for noise z (and labels, for a conditional G over numClasses
 * classes), with G in eval mode and nothing recorded; G's mode is restored.
 */
export function generateSamples(generator: Module, z: Tensor, labels: Int32Array | null, numClasses: number, conditioning: GanConditioning = 'concat'): Tensor {
  const wasTraining = generator.training;
  generator.eval();
  try {
    return noGrad(() => callConditioned(generator, z, labels, numClasses, conditioning));
  } finally {
    generator.train(wasTraining);
  }
}
