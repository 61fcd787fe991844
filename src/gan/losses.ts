/**
 * The two GAN objectives, as functions of the discriminator's raw outputs:
 *
 * - `nonSaturating` (Goodfellow et al. 2014, the form everyone trains
 *   with): D minimises BCE(D(x), 1 − smoothing) + BCE(D(G(z)), 0) on logits;
 *   G minimises BCE(D(G(z)), 1) rather than the saturating −BCE(D(G(z)), 0).
 * - `wasserstein` with gradient penalty (WGAN-GP, Gulrajani et al. 2017): D
 *   (the critic) minimises mean D(G(z)) − mean D(x) + λ·E[(‖∇D(x̂)‖ − 1)²]
 *   at points x̂ between real and fake samples; G minimises −mean D(G(z)).
 *   The penalty differentiates a gradient (double backward).
 */
import { grad } from '../autograd/graph.js';
import { bceWithLogits } from '../nn/losses/classification.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

export type GanLoss = 'nonSaturating' | 'wasserstein';

/** Constant target tensors [rows, 1], made once per value and size. */
export class Targets {
  private readonly cache = new Map<string, Tensor>();
  constructor(private readonly dtype: 'float32' | 'float64') {}

  of(value: number, rows: number): Tensor {
    const key = `${value}/${rows}`;
    let t = this.cache.get(key);
    if (!t) {
      const data = this.dtype === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
      t = new Tensor(data.fill(value), [rows, 1]);
      this.cache.set(key, t);
    }
    return t;
  }
}

/** The discriminator's loss from its outputs on a real and a fake batch. */
export function discriminatorLoss(kind: GanLoss, dReal: Tensor, dFake: Tensor, realTarget: number, targets: Targets): Tensor {
  if (kind === 'wasserstein') return dFake.mean().sub(dReal.mean());
  return bceWithLogits(dReal, targets.of(realTarget, dReal.shape[0])).add(bceWithLogits(dFake, targets.of(0, dFake.shape[0])));
}

/** The generator's loss from the discriminator's output on its samples. */
export function generatorLoss(kind: GanLoss, dFake: Tensor, targets: Targets): Tensor {
  if (kind === 'wasserstein') return dFake.mean().neg();
  return bceWithLogits(dFake, targets.of(1, dFake.shape[0]));
}

/**
 * E[(‖∇ₓ D(x̂)‖₂ − 1)²] at x̂ = ε·real + (1 − ε)·fake, one ε ~ U[0, 1) per
 * row; `critic` maps x̂ to D's outputs (it adds the label for a conditional
 * GAN). The result carries the graph of the gradient, so its own backward
 * reaches D's parameters.
 */
export function gradientPenalty(critic: (x: Tensor) => Tensor, real: Tensor, fake: Tensor, random: Generator): Tensor {
  const rows = real.shape[0];
  const width = real.size / Math.max(rows, 1);
  const mixed = new (real.dtype === 'float64' ? Float64Array : Float32Array)(real.size);
  const r = real.data,
    f = fake.data;
  for (let i = 0; i < rows; i++) {
    const eps = random.random();
    for (let j = i * width, end = j + width; j < end; j++) mixed[j] = eps * r[j] + (1 - eps) * f[j];
  }
  const xHat = new Tensor(mixed, real.shape, { requiresGrad: true });
  const [g] = grad(critic(xHat).sum(), [xHat], { createGraph: true });
  // 1e-12 keeps the norm's gradient finite where ∇ vanishes.
  const norms = g.reshape([rows, width]).square().sum(1).add(1e-12).sqrt();
  return norms.sub(1).square().mean();
}

/** Mean of D's verdicts on a batch: the probability σ(D) for the non-saturating loss, the raw critic score for Wasserstein. */
export function meanVerdict(kind: GanLoss, out: Tensor): number {
  const d = out.data;
  let s = 0;
  if (kind === 'wasserstein') for (let i = 0; i < d.length; i++) s += d[i];
  else for (let i = 0; i < d.length; i++) s += 1 / (1 + Math.exp(-d[i]));
  return d.length ? s / d.length : NaN;
}
