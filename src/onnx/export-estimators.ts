/**
 * Export of fitted linear estimators as plain ONNX graphs (MatMul, Add and
 * Sigmoid / Softmax): the regressors' `predict` ([N]) and LogisticRegression's
 * `predictProba` ([N, classes], in `classes` order), after the per-feature
 * scalers of a Pipeline. Weights are written in the sample input's float type.
 */
import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { LinearRegressorBase } from '../models/linear/linear-model.js';
import { LogisticRegression } from '../models/linear/logistic.js';
import { Pipeline } from '../preprocessing/pipeline.js';
import { MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler } from '../preprocessing/scalers.js';
import { Tensor } from '../tensor/tensor.js';
import { type GraphBuilder, int } from './graph-builder.js';

type LinearEstimator = LinearRegressorBase<object> | LogisticRegression;
type AffineScaler = StandardScaler | MinMaxScaler | MaxAbsScaler | RobustScaler;
/** A fitted linear estimator, or a Pipeline of per-feature scalers ending in one. */
export type ExportableEstimator = LinearEstimator | Pipeline;

function isLinear(x: unknown): x is LinearEstimator {
  return x instanceof LinearRegressorBase || x instanceof LogisticRegression;
}

function isAffineScaler(x: unknown): x is AffineScaler {
  return x instanceof StandardScaler || x instanceof MinMaxScaler || x instanceof MaxAbsScaler || x instanceof RobustScaler;
}

export function isExportableEstimator(x: unknown): x is ExportableEstimator {
  return isLinear(x) || x instanceof Pipeline;
}

/**
 * A fitted scaler as x·a + b per feature. These scalers are affine per feature,
 * so a and b are read off the scaler itself: b = transform(0), a = transform(1) − b.
 */
function scalerGraph(g: GraphBuilder, scaler: AffineScaler, x: string, sample: Tensor): string {
  const n = sample.shape[1];
  const at = (v: number) => scaler.transform(new Tensor(new Float64Array(n).fill(v), [1, n])).data;
  const b = at(0);
  const a = Array.from(at(1), (v, j) => v - b[j]);
  return g.node('Add', [g.node('Mul', [x, g.constant('scale', floatTensor(a, [n], sample))]), g.constant('offset', floatTensor(b, [n], sample))]);
}

/** The steps of a Pipeline: scalers (or passthrough) then a linear estimator. */
function pipelineGraph(g: GraphBuilder, pipeline: Pipeline, x: string, sample: Tensor): { outputName: string; output: Tensor } {
  const steps = pipeline.steps;
  let name = x;
  let value = sample;
  for (const [stepName, step] of steps.slice(0, -1)) {
    if (step === 'passthrough' || step === null) continue;
    if (!isAffineScaler(step))
      throw new ValueError(
        `exportOnnx(Pipeline): step '${stepName}' (${step.constructor.name}) is not supported (supported: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler)`,
      );
    name = scalerGraph(g, step, name, value);
    const t = step.transform(value);
    value = floatTensor(t.data, [...t.shape], sample);
  }
  const last = steps.at(-1)?.[1];
  if (!isLinear(last)) throw new ValueError('exportOnnx(Pipeline): the last step must be a fitted linear estimator (LinearRegression, Ridge, Lasso, ..., LogisticRegression)');
  return linearGraph(g, last, name, value);
}

function floatTensor(values: ArrayLike<number>, shape: number[], like: Tensor): Tensor {
  return new Tensor(like.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape);
}

/** The graph of `est` on input `x`; its output traced on the sample as `est` itself computes it. */
export function estimatorGraph(g: GraphBuilder, est: ExportableEstimator, x: string, sample: Tensor): { outputName: string; output: Tensor } {
  if (sample.dtype === 'int32' || sample.ndim !== 2) throw new ShapeError(`exportOnnx(${est.constructor.name}): sampleInput must be a float [N, features] matrix`);
  return est instanceof Pipeline ? pipelineGraph(g, est, x, sample) : linearGraph(g, est, x, sample);
}

function linearGraph(g: GraphBuilder, est: LinearEstimator, x: string, sample: Tensor): { outputName: string; output: Tensor } {
  const name = est.constructor.name;
  if (est.coef === undefined || est.intercept === undefined) throw new NotFittedError(`exportOnnx(${name}): the estimator is not fitted`);
  const nFeatures = sample.shape[1];
  if (est instanceof LinearRegressorBase) {
    const coef = est.coef as Float64Array;
    if (coef.length !== nFeatures) throw new ShapeError(`exportOnnx(${name}): fitted on ${coef.length} features, sampleInput has ${nFeatures}`);
    const scores = g.node('MatMul', [x, g.constant('coef', floatTensor(coef, [nFeatures], sample))]);
    const outputName = g.node('Add', [scores, g.constant('intercept', floatTensor([est.intercept as number], [], sample))]);
    return { outputName, output: floatTensor(est.predict(sample) as ArrayLike<number>, [sample.shape[0]], sample) };
  }
  const coef = est.coef as Tensor;
  const [rows, cols] = coef.shape;
  if (cols !== nFeatures) throw new ShapeError(`exportOnnx(${name}): fitted on ${cols} features, sampleInput has ${nFeatures}`);
  // X·Wᵀ + b: the weights are written transposed, [features, rows].
  const wT = coef.transpose(0, 1);
  const scores = g.node('Add', [
    g.node('MatMul', [x, g.constant('coefT', floatTensor(wT.data, [cols, rows], sample))]),
    g.constant('intercept', floatTensor(est.intercept as Float64Array, [rows], sample)),
  ]);
  const multinomial = (est as unknown as { multinomial: boolean }).multinomial;
  let outputName: string;
  if (rows === 1) {
    // Two classes: p1 = σ(z) (ovr) or σ(2z) (multinomial); output [1 − p1, p1].
    const z = multinomial ? g.node('Add', [scores, scores]) : scores;
    const p1 = g.node('Sigmoid', [z]);
    const one = g.constant('one', floatTensor([1], [], sample));
    outputName = g.node('Concat', [g.node('Sub', [one, p1]), p1], [int('axis', 1)]);
  } else if (multinomial) outputName = g.node('Softmax', [scores], [int('axis', 1)]);
  else {
    const p = g.node('Sigmoid', [scores]);
    outputName = g.node('Div', [p, g.node('ReduceSum', [p, g.int64s('axes', [1])], [int('keepdims', 1)])]);
  }
  const proba = est.predictProba(sample);
  return { outputName, output: floatTensor(proba.data, [...proba.shape], sample) };
}
