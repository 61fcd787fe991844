/**
 * Export of fitted estimators: linear regressors (`predict`, [N]) and
 * LogisticRegression (`predictProba`, [N, classes]) as plain MatMul / Add /
 * Sigmoid / Softmax graphs, other linear classifiers (LinearSVC, ...) as
 * their decision values, SVC and SVR with the ONNX-ML operators
 * (export-svm.ts); each after the preprocessing steps of a Pipeline
 * (export-transformers.ts). Classifiers also give their predicted `label`.
 * Weights are written in the sample input's float type.
 */
import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { LinearClassifierBase, LinearRegressorBase } from '../models/linear/linear-model.js';
import { LogisticRegression } from '../models/linear/logistic.js';
import { Pipeline } from '../preprocessing/pipeline.js';
import { Tensor } from '../tensor/tensor.js';
import { argmaxLabel, type EstimatorOutputs, isSvm, type SvmEstimator, svmGraph } from './export-svm.js';
import { transformerGraph } from './export-transformers.js';
import { type GraphBuilder, int, floatLike } from './graph-builder.js';
import { int64Proto } from './proto.js';

type LinearEstimator = LinearRegressorBase<object> | LinearClassifierBase<object>;
/** A fitted linear estimator or SVM, or a Pipeline of preprocessing steps ending in one. */
export type ExportableEstimator = LinearEstimator | SvmEstimator | Pipeline;

function isFinalEstimator(x: unknown): x is LinearEstimator | SvmEstimator {
  return x instanceof LinearRegressorBase || x instanceof LinearClassifierBase || isSvm(x);
}

export function isExportableEstimator(x: unknown): x is ExportableEstimator {
  return isFinalEstimator(x) || x instanceof Pipeline;
}

/** The steps of a Pipeline: preprocessing, then a linear estimator or SVM. */
function pipelineGraph(g: GraphBuilder, pipeline: Pipeline, x: string, sample: Tensor): EstimatorOutputs {
  const steps = pipeline.steps;
  const last = steps.at(-1)?.[1];
  if (!isFinalEstimator(last))
    throw new ValueError(
      `exportOnnx(Pipeline): the last step must be a fitted linear estimator or SVM (LinearRegression, Ridge, ..., LogisticRegression, LinearSVC, SVC, SVR), got ${describe(last)}`,
    );
  let current = { name: x, value: sample };
  for (const [stepName, step] of steps.slice(0, -1)) current = transformerGraph(g, step, current.name, current.value, `step '${stepName}'`);
  return finalGraph(g, last, current.name, current.value);
}

function describe(x: unknown): string {
  return x !== null && typeof x === 'object' ? (x.constructor?.name ?? 'an object') : String(x);
}

/** The graph of `est` on input `x`; its output traced on the sample as `est` itself computes it. */
export function estimatorGraph(g: GraphBuilder, est: ExportableEstimator, x: string, sample: Tensor): EstimatorOutputs {
  if (sample.dtype === 'int32' || sample.ndim !== 2) throw new ShapeError(`exportOnnx(${est.constructor.name}): sampleInput must be a float [N, features] matrix`);
  return est instanceof Pipeline ? pipelineGraph(g, est, x, sample) : finalGraph(g, est, x, sample);
}

function finalGraph(g: GraphBuilder, est: LinearEstimator | SvmEstimator, x: string, sample: Tensor): EstimatorOutputs {
  return isSvm(est) ? svmGraph(g, est, x, sample) : linearGraph(g, est, x, sample);
}

function linearGraph(g: GraphBuilder, est: LinearEstimator, x: string, sample: Tensor): EstimatorOutputs {
  const name = est.constructor.name;
  if (est.coef === undefined || est.intercept === undefined) throw new NotFittedError(`exportOnnx(${name}): the estimator is not fitted`);
  const nFeatures = sample.shape[1];
  if (est instanceof LinearRegressorBase) {
    const coef = est.coef as Float64Array;
    if (coef.length !== nFeatures) throw new ShapeError(`exportOnnx(${name}): fitted on ${coef.length} features, sampleInput has ${nFeatures}`);
    const scores = g.node('MatMul', [x, g.constant('coef', floatLike(coef, [nFeatures], sample))]);
    const outputName = g.node('Add', [scores, g.constant('intercept', floatLike([est.intercept as number], [], sample))]);
    return { outputName, output: floatLike(est.predict(sample) as ArrayLike<number>, [sample.shape[0]], sample) };
  }
  const coef = est.coef as Tensor;
  const [rows, cols] = coef.shape;
  if (cols !== nFeatures) throw new ShapeError(`exportOnnx(${name}): fitted on ${cols} features, sampleInput has ${nFeatures}`);
  // X·Wᵀ + b: the weights are written transposed, [features, rows].
  const wT = coef.transpose(0, 1);
  const scores = g.node('Add', [
    g.node('MatMul', [x, g.constant('coefT', floatLike(wT.data, [cols, rows], sample))]),
    g.constant('intercept', floatLike(est.intercept as Float64Array, [rows], sample)),
  ]);
  const classes = est.classes!;
  if (!(est instanceof LogisticRegression)) return decisionGraph(g, est, scores, sample);
  const multinomial = (est as unknown as { multinomial: boolean }).multinomial;
  let outputName: string;
  if (rows === 1) {
    // Two classes: p1 = σ(z) (ovr) or σ(2z) (multinomial); output [1 − p1, p1].
    const z = multinomial ? g.node('Add', [scores, scores]) : scores;
    const p1 = g.node('Sigmoid', [z]);
    const one = g.constant('one', floatLike([1], [], sample));
    outputName = g.node('Concat', [g.node('Sub', [one, p1]), p1], [int('axis', 1)]);
  } else if (multinomial) outputName = g.node('Softmax', [scores], [int('axis', 1)]);
  else {
    const p = g.node('Sigmoid', [scores]);
    outputName = g.node('Div', [p, g.node('ReduceSum', [p, g.int64s('axes', [1])], [int('keepdims', 1)])]);
  }
  const proba = est.predictProba(sample);
  return { outputName, output: floatLike(proba.data, [...proba.shape], sample), label: argmaxLabel(g, outputName, classes, name) };
}

/** A linear classifier without probabilities: its decision values ([N] for two classes) and the label of the highest. */
function decisionGraph(g: GraphBuilder, est: LinearClassifierBase<object>, scores: string, sample: Tensor): EstimatorOutputs {
  const dec = est.decisionFunction(sample);
  const output = dec instanceof Tensor ? floatLike(dec.data, [...dec.shape], sample) : floatLike(dec, [dec.length], sample);
  if (est.coef!.shape[0] > 1) return { outputName: scores, output, label: argmaxLabel(g, scores, est.classes!, est.constructor.name) };
  // Two classes: one score, positive for classes[1]; the label's argmax runs over [−s, s].
  const both = g.node('Concat', [g.node('Neg', [scores]), scores], [int('axis', 1)]);
  const flat = g.node('Reshape', [scores, g.initializer(int64Proto(g.fresh('shape'), [-1]))]);
  return { outputName: flat, output, label: argmaxLabel(g, both, est.classes!, est.constructor.name) };
}
