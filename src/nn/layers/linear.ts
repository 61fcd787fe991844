/** Linear (fully connected) layer and Identity. */
import { ShapeError } from '../../errors.js';
import { isGradEnabled, noGrad, record } from '../../autograd/graph.js';
import { gemm } from '../../backend/index.js';
import { columnSums } from '../../backend/routines/dense-rows.js';
import { zeros } from '../../tensor/creation.js';
import { arrayFor } from '../../tensor/dtype.js';
import { matmulTransposed } from '../../tensor/ops/matmul.js';
import { sum } from '../../tensor/ops/reduce.js';
import { reshape } from '../../tensor/ops/shape.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { denseInference } from '../fused/dense.js';
import { checkFloatInput, checkOptions, floatDType, positiveInt, type DTypeOption, type Floats, type FloatDType } from './common.js';

/**
 * x·Wᵀ + b for x [M, K], W [N, K] (PyTorch's layout), b [N]: one GEMM into
 * a buffer pre-filled with the bias, one recorded node. The backward is
 * written with recorded matmuls, so it is differentiable again.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [m, k] = x.shape;
  const n = w.shape[0];
  if (x.ndim !== 2 || w.ndim !== 2 || w.shape[1] !== k) {
    throw new ShapeError(`linear: input ${shapeStr(x.shape)} and weight ${shapeStr(w.shape)} do not fit`);
  }
  if (b && (b.ndim !== 1 || b.shape[0] !== n)) throw new ShapeError(`linear: bias ${shapeStr(b.shape)} does not fit weight ${shapeStr(w.shape)} (expected [${n}])`);
  const small = denseInference(x, [{ weight: w, bias: b, relu: false }]);
  if (small) return small;
  const dtype = w.dtype as 'float32' | 'float64';
  const out = arrayFor(dtype, m * n) as Floats;
  if (b) {
    const bias = b.data;
    for (let i = 0; i < m; i++) out.set(bias, i * n);
  }
  gemm({ m, n, k, a: x.data as Floats, b: w.data as Floats, transB: true, c: out, accumulate: b !== null });
  const inputs = b ? [x, w, b] : [x, w];
  return record(new Tensor(out, [m, n]), 'linear', inputs, (g) => [
    x.requiresGrad ? matmulTransposed(g, w, false, false) : null,
    w.requiresGrad ? matmulTransposed(g, x, true, false) : null,
    b?.requiresGrad ? biasGrad(g) : null,
  ]);
}

/** Σ over the rows of g [M, N]: the bias gradient (on the small kernels for float32 when not recorded). */
export function biasGrad(g: Tensor): Tensor {
  const [m, n] = g.shape;
  if (g.dtype === 'float32' && !isGradEnabled()) {
    const db = new Float32Array(n),
      gs = g.data as Float32Array;
    const fast = columnSums.implementation(gs, m, n, db);
    if (fast) {
      fast.run(gs, m, n, db);
      return new Tensor(db, [n]);
    }
  }
  return sum(g, 0);
}

export interface LinearOptions extends DTypeOption {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b over the last axis: [*, inFeatures] → [*, outFeatures].
 * `weight` is [outFeatures, inFeatures] and `bias` [outFeatures], as in
 * PyTorch (so torch weights load as they are). Initialised like PyTorch:
 * W ~ U(±1/√in) (Kaiming-uniform with a = √5), b ~ U(±1/√in).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly dtype: FloatDType;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions('Linear', options, ['bias', 'dtype']);
    this.inFeatures = positiveInt(inFeatures, 'inFeatures', 'Linear');
    this.outFeatures = positiveInt(outFeatures, 'outFeatures', 'Linear');
    this.dtype = floatDType(options.dtype, 'Linear');
    this.weight = this.registerParameter('weight', new Parameter(zeros([outFeatures, inFeatures], { dtype: this.dtype })));
    this.bias = this.registerParameter('bias', options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype: this.dtype })));
    this.resetParameters();
  }

  /** Draws fresh weights (PyTorch's default initialisation). */
  resetParameters(): void {
    noGrad(() => init.affineDefault(this.weight, this.bias));
  }

  private get label(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures})`;
  }

  override forward(x: Tensor): Tensor {
    checkFloatInput(this.label, x, this.dtype);
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`${this.label}: expected input with last dimension ${this.inFeatures}, got ${shapeStr(x.shape)}`);
    }
    if (x.ndim === 2) return linear(x, this.weight, this.bias);
    const rows = x.size / this.inFeatures;
    const y = linear(reshape(x, [rows, this.inFeatures]), this.weight, this.bias);
    return reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }

  getConfig(): JsonObject {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, dtype: this.dtype };
  }

  static fromConfig(config: JsonObject): Linear {
    const { inFeatures, outFeatures, ...options } = config as unknown as { inFeatures: number; outFeatures: number } & LinearOptions;
    return new Linear(inFeatures, outFeatures, options);
  }
}

/** Passes its input through unchanged (a placeholder, e.g. for a removed head). */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }

  getConfig(): JsonObject {
    return {};
  }

  static fromConfig(): Identity {
    return new Identity();
  }
}

registerLayer('Linear', Linear);
registerLayer('Identity', Identity);
