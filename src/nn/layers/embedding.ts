/** Embedding: a lookup table of learned vectors indexed by int32 ids. */
import { isGradEnabled, noGrad, record } from '../../autograd/graph.js';
import { DTypeError, ValueError } from '../../errors.js';
import { zeros } from '../../tensor/creation.js';
import { arrayFor } from '../../tensor/dtype.js';
import { putAddFlat } from '../../tensor/ops/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkOptions, floatDType, positiveInt, type DTypeOption, type FloatDType } from './common.js';

export interface EmbeddingOptions extends DTypeOption {
  /** Index whose vector is kept at zero and never receives a gradient (negative counts from the end). */
  paddingIdx?: number | null;
}

/** `paddingIdx` as a row index in [0, numEmbeddings): a negative one counts from the end, as in PyTorch. */
function resolvePaddingIdx(pad: number | null, numEmbeddings: number): number | null {
  if (pad === null) return null;
  if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
    throw new ValueError(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${pad}`);
  }
  return pad < 0 ? pad + numEmbeddings : pad;
}

/**
 * Rows of `weight` [numEmbeddings, embeddingDim] at the given int32 ids:
 * ids of any shape S give [...S, embeddingDim]. Initialised N(0, 1), with
 * the padding row (if any) zero, as in PyTorch.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly dtype: FloatDType;
  readonly weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkOptions('Embedding', options, ['paddingIdx', 'dtype']);
    this.numEmbeddings = positiveInt(numEmbeddings, 'numEmbeddings', 'Embedding');
    this.embeddingDim = positiveInt(embeddingDim, 'embeddingDim', 'Embedding');
    this.paddingIdx = resolvePaddingIdx(options.paddingIdx ?? null, this.numEmbeddings);
    this.dtype = floatDType(options.dtype, 'Embedding');
    this.weight = this.registerParameter('weight', new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: this.dtype })));
    this.resetParameters();
  }

  resetParameters(): void {
    noGrad(() => {
      init.normal(this.weight);
      if (this.paddingIdx !== null) this.weight.data.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
    });
  }

  private get label(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }

  override forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') {
      throw new DTypeError(`${this.label}: expected int32 indices, got ${ids.dtype}; convert them with ids.astype('int32')`);
    }
    const n = this.numEmbeddings,
      dim = this.embeddingDim;
    const w = this.weight;
    const count = ids.size;
    const out = arrayFor(this.dtype, count * dim);
    const src = w.data;
    const idx = ids.data;
    for (let i = 0; i < count; i++) {
      const k = idx[i];
      if (k < 0 || k >= n) throw new ValueError(`${this.label}: index ${k} at position ${i} is out of range [0, ${n - 1}]`);
      out.set(src.subarray(k * dim, (k + 1) * dim), i * dim);
    }
    const y = new Tensor(out, [...ids.shape, dim]);
    if (!w.requiresGrad || !isGradEnabled()) return y;
    const saved = Int32Array.from(idx);
    const pad = this.paddingIdx;
    return record(y, 'embedding', [w], (g) => {
      // Gradient rows are added back onto the rows they came from; the padding row gets none.
      const offsets = new Int32Array(count * dim);
      let hasPadding = false;
      for (let i = 0; i < count; i++) {
        const base = saved[i] * dim;
        if (saved[i] === pad) hasPadding = true;
        for (let j = 0; j < dim; j++) offsets[i * dim + j] = base + j;
      }
      let gm = g;
      if (hasPadding) {
        const mask = arrayFor(g.dtype, count * dim).fill(1);
        for (let i = 0; i < count; i++) if (saved[i] === pad) mask.fill(0, i * dim, (i + 1) * dim);
        gm = g.mul(new Tensor(mask, g.shape));
      }
      return [putAddFlat(gm, offsets, w.shape)];
    });
  }

  getConfig(): JsonObject {
    return { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx, dtype: this.dtype };
  }

  static fromConfig(config: JsonObject): Embedding {
    const { numEmbeddings, embeddingDim, ...options } = config as unknown as { numEmbeddings: number; embeddingDim: number } & EmbeddingOptions;
    return new Embedding(numEmbeddings, embeddingDim, options);
  }
}

registerLayer('Embedding', Embedding);
