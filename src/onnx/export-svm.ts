/**
 * Export of fitted support vector machines with the ONNX-ML operators, as
 * skl2onnx writes them: SVC as SVMClassifier (libsvm's one-vs-one model:
 * support vectors per class, dual coefficients, intercepts, Platt's A/B when
 * fitted with probability), SVR as SVMRegressor. Kernels linear, poly, rbf
 * and sigmoid (a precomputed or callable kernel has no ONNX form).
 *
 * Outputs: `label` (the predicted class) and `output`: SVC's predictProba
 * when fitted with probability, else its decisionFunction ('ovr' scores
 * rebuilt from the one-vs-one values as scikit-learn does); SVR's predict.
 */
import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { SVC, SVR } from '../models/svm/svc.js';
import { Tensor } from '../tensor/tensor.js';
import type { Label } from '../utils/validation.js';
import { floats, type GraphBuilder, int, ints, ML_DOMAIN, str, strs, floatLike } from './graph-builder.js';
import { int64Proto, stringProto, type AttributeProto } from './proto.js';

/** What an estimator's graph gives: the main output and, for classifiers, the label. */
export interface EstimatorOutputs {
  outputName: string;
  /** The main output as the estimator computes it on the sample (shape and float type). */
  output: Tensor;
  /** The predicted class: int64 for integer labels, string for text labels. */
  label?: { name: string; strings: boolean };
}

export type SvmEstimator = SVC | SVR;

export function isSvm(x: unknown): x is SvmEstimator {
  return x instanceof SVC || x instanceof SVR;
}

/** Class labels as an ONNX-ML attribute: integers as classlabels_ints, text as classlabels_strings. */
export function classLabelsAttribute(classes: readonly Label[], who: string): { attribute: AttributeProto; strings: boolean } {
  if (classes.every((c) => typeof c === 'string')) return { attribute: strs('classlabels_strings', classes as string[]), strings: true };
  if (classes.every((c) => typeof c === 'number' && Number.isSafeInteger(c))) return { attribute: ints('classlabels_ints', classes as number[]), strings: false };
  throw new ValueError(`exportOnnx(${who}): class labels must be all integers or all strings, got ${JSON.stringify(classes.slice(0, 5))}`);
}

/** The label of the highest column of `scores` [N, classes]: an index looked up in the classes. */
export function argmaxLabel(g: GraphBuilder, scores: string, classes: readonly Label[], who: string): { name: string; strings: boolean } {
  const { strings } = classLabelsAttribute(classes, who);
  const index = g.node('ArgMax', [scores], [int('axis', 1), int('keepdims', 0)]);
  const table = g.initializer(strings ? stringProto(g.fresh('classes'), classes as string[]) : int64Proto(g.fresh('classes'), classes as number[]));
  return { name: g.node('Gather', [table, index], [int('axis', 0)]), strings };
}

function kernelAttributes(est: SVC | SVR, who: string): AttributeProto[] {
  const { kernel, coef0, degree } = est.getParams() as { kernel: unknown; coef0: number; degree: number };
  if (typeof kernel !== 'string' || !['linear', 'poly', 'rbf', 'sigmoid'].includes(kernel)) {
    throw new ValueError(`exportOnnx(${who}): kernel ${typeof kernel === 'string' ? `'${kernel}'` : 'function'} has no ONNX form (supported: linear, poly, rbf, sigmoid)`);
  }
  return [str('kernel_type', kernel.toUpperCase()), floats('kernel_params', [est.fittedGamma!, coef0, degree]), floats('support_vectors', est.supportVectors!.data)];
}

function checkWidth(nFeatures: number, sample: Tensor, who: string): void {
  if (nFeatures !== sample.shape[1]) throw new ShapeError(`exportOnnx(${who}): fitted on ${nFeatures} features, sampleInput has ${sample.shape[1]}`);
}

/**
 * scikit-learn's one-vs-rest scores from one-vs-one decision values d [N, P]
 * (pair p = (i, j), i < j; d > 0 votes i): votes + s / (3(|s| + 1)) with
 * s_i = Σ over pairs of ±d. Votes = (d ≥ 0)·A + (d < 0)·B, so with the
 * pair-to-class matrices A (1 at i) and B (1 at j): votes = 1·B + (d ≥ 0)·(A − B), s = d·(A − B).
 */
function ovrFromOvo(g: GraphBuilder, dec: string, k: number, sample: Tensor): string {
  const pairs = (k * (k - 1)) / 2;
  const diff = new Float64Array(pairs * k);
  const ofJ = new Float64Array(k);
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      diff[p * k + i] = 1;
      diff[p * k + j] = -1;
      ofJ[j] += 1;
    }
  }
  const aMinusB = g.constant('pair_sign', floatLike(diff, [pairs, k], sample));
  const zero = g.constant('zero', floatLike([0], [], sample));
  const positive = g.node('Cast', [g.node('GreaterOrEqual', [dec, zero])], [int('to', sample.dtype === 'float64' ? 11 : 1)]);
  const votes = g.node('Add', [g.node('MatMul', [positive, aMinusB]), g.constant('votes_j', floatLike(ofJ, [k], sample))]);
  const s = g.node('MatMul', [dec, aMinusB]);
  const three = (v: number) => g.constant('c', floatLike([v], [], sample));
  const bounded = g.node('Div', [s, g.node('Mul', [g.node('Add', [g.node('Abs', [s]), three(1)]), three(3)])]);
  return g.node('Add', [votes, bounded]);
}

function svcGraph(g: GraphBuilder, est: SVC, x: string, sample: Tensor): EstimatorOutputs {
  const who = 'SVC';
  if (!est.supportVectors || !est.dualCoef || !est.intercept || !est.classes || !est.nSupport) throw new NotFittedError(`exportOnnx(${who}): the estimator is not fitted`);
  const k = est.classes.length;
  const kernel = kernelAttributes(est, who);
  checkWidth(est.supportVectors.shape[1], sample, who);
  const labels = classLabelsAttribute(est.classes, who);
  // The public dualCoef and intercept are libsvm's; for two classes scikit-learn flips both (positive favours classes[1]), and the operator wants them unflipped.
  const sign = k === 2 ? -1 : 1;
  const attrs = [
    ...kernel,
    ints('vectors_per_class', Array.from(est.nSupport)),
    floats(
      'coefficients',
      Array.from(est.dualCoef.data, (v) => sign * v),
    ),
    floats(
      'rho',
      Array.from(est.intercept, (v) => sign * v),
    ),
    labels.attribute,
    str('post_transform', 'NONE'),
  ];
  const [votedLabel, scores] = g.nodeOutputs('SVMClassifier', [x], 2, attrs, ML_DOMAIN);
  const ovr = est.getParams().decisionFunctionShape === 'ovr';
  // predict takes the one-vs-one vote, or with breakTies (3+ classes, 'ovr') the highest one-vs-rest score.
  const label = est.getParams().breakTies && ovr && k > 2 ? argmaxLabel(g, ovrFromOvo(g, scores, k, sample), est.classes, who) : { name: votedLabel, strings: labels.strings };
  if (est.probA !== undefined && est.probB !== undefined) {
    // With prob_a / prob_b ONNX Runtime labels by the highest probability, which can differ from the vote predict
    // takes: the label comes from the node above, the probabilities from a second node.
    const [, proba] = g.nodeOutputs('SVMClassifier', [x], 2, [...attrs, floats('prob_a', est.probA), floats('prob_b', est.probB)], ML_DOMAIN);
    const expected = est.predictProba(sample);
    return { outputName: proba, output: floatLike(expected.data, [...expected.shape], sample), label };
  }
  const dec = est.decisionFunction(sample);
  const decision = dec instanceof Tensor ? floatLike(dec.data, [...dec.shape], sample) : floatLike(dec, [dec.length], sample);
  let outputName = scores;
  // For two classes the operator writes [N, 2]: the decision value (positive favours classes[1]) and its negation.
  if (k === 2) outputName = g.node('Gather', [scores, g.initializer({ ...int64Proto(g.fresh('first'), [0]), dims: [] })], [int('axis', 1)]);
  else if (ovr) outputName = ovrFromOvo(g, scores, k, sample);
  return { outputName, output: decision, label };
}

function svrGraph(g: GraphBuilder, est: SVR, x: string, sample: Tensor): EstimatorOutputs {
  const who = 'SVR';
  if (!est.supportVectors || !est.dualCoef || !est.intercept) throw new NotFittedError(`exportOnnx(${who}): the estimator is not fitted`);
  const kernel = kernelAttributes(est, who);
  checkWidth(est.supportVectors.shape[1], sample, who);
  const attrs = [...kernel, int('n_supports', est.supportVectors.shape[0]), floats('coefficients', est.dualCoef.data), floats('rho', est.intercept), str('post_transform', 'NONE')];
  const [y] = g.nodeOutputs('SVMRegressor', [x], 1, attrs, ML_DOMAIN);
  const outputName = g.node('Reshape', [y, g.initializer(int64Proto(g.fresh('shape'), [-1]))]);
  return { outputName, output: floatLike(est.predict(sample) as ArrayLike<number>, [sample.shape[0]], sample) };
}

/** The graph of a fitted SVC or SVR on input `x`. */
export function svmGraph(g: GraphBuilder, est: SvmEstimator, x: string, sample: Tensor): EstimatorOutputs {
  return est instanceof SVC ? svcGraph(g, est, x, sample) : svrGraph(g, est, x, sample);
}
