/**
 * Export of the fitted preprocessing steps of a Pipeline: per-feature
 * scalers (Mul + Add), SimpleImputer (IsNaN + Where), OneHotEncoder (the
 * ONNX-ML OneHotEncoder, one per feature, as skl2onnx writes it),
 * OrdinalEncoder (the ONNX-ML LabelEncoder per feature), ColumnTransformer
 * (Gather of its columns, each part, Concat) and nested Pipelines of these.
 * Each step is also run on the sample, so the next one knows its input.
 */
import { ValueError } from '../errors.js';
import { ColumnTransformer } from '../preprocessing/compose.js';
import { OneHotEncoder, OrdinalEncoder } from '../preprocessing/encoders.js';
import { SimpleImputer } from '../preprocessing/imputer.js';
import { Pipeline } from '../preprocessing/pipeline.js';
import { MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler } from '../preprocessing/scalers.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, type GraphBuilder, int, ints, ML_DOMAIN, floatLike } from './graph-builder.js';
import { int64Proto } from './proto.js';

type AffineScaler = StandardScaler | MinMaxScaler | MaxAbsScaler | RobustScaler;

/** A step's output: its name in the graph and its value on the sample. */
export interface Traced {
  name: string;
  value: Tensor;
}

const SUPPORTED = 'StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, SimpleImputer, OneHotEncoder, OrdinalEncoder, ColumnTransformer, Pipeline of these, passthrough';

function isAffineScaler(x: unknown): x is AffineScaler {
  return x instanceof StandardScaler || x instanceof MinMaxScaler || x instanceof MaxAbsScaler || x instanceof RobustScaler;
}

/** Whether the step is a transformer this module writes. */
export function isExportableTransformer(x: unknown): boolean {
  return isAffineScaler(x) || x instanceof SimpleImputer || x instanceof OneHotEncoder || x instanceof OrdinalEncoder || x instanceof ColumnTransformer || x instanceof Pipeline;
}

/** The sample after `step`, in the sample's float type. */
function transformed(step: { transform(x: Tensor): Tensor }, sample: Tensor): Tensor {
  const t = step.transform(sample);
  return floatLike(t.data, [...t.shape], sample);
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
  return g.node('Add', [g.node('Mul', [x, g.constant('scale', floatLike(a, [n], sample))]), g.constant('offset', floatLike(b, [n], sample))]);
}

/** Missing values (NaN) replaced by the fitted statistics. */
function imputerGraph(g: GraphBuilder, imputer: SimpleImputer, x: string, sample: Tensor): string {
  const { missingValues, addIndicator, keepEmptyFeatures, strategy } = imputer.getParams();
  const stats = imputer.statistics!;
  if (!Number.isNaN(missingValues) || addIndicator) throw new ValueError('exportOnnx(SimpleImputer): only missingValues NaN without addIndicator is supported');
  if (!keepEmptyFeatures && strategy !== 'constant' && stats.some((v) => Number.isNaN(v)))
    throw new ValueError('exportOnnx(SimpleImputer): a feature with no observed value is dropped; fit with keepEmptyFeatures: true');
  const fill = floatLike(
    Array.from(stats, (v) => (Number.isNaN(v) ? 0 : v)),
    [stats.length],
    sample,
  );
  return g.node('Where', [g.node('IsNaN', [x]), g.constant('fill', fill), x]);
}

/** Column j of x as [N, 1]. */
function column(g: GraphBuilder, x: string, j: number): string {
  return g.node('Gather', [x, g.initializer(int64Proto(g.fresh('column'), [j]))], [int('axis', 1)]);
}

function integerCategories(categories: readonly unknown[], who: string): number[] {
  if (!categories.every((c) => typeof c === 'number' && Number.isSafeInteger(c)))
    throw new ValueError(`exportOnnx(${who}): only integer categories can be exported (the ONNX input is a number matrix), got ${JSON.stringify(categories.slice(0, 5))}`);
  return categories as number[];
}

/** One ONNX-ML OneHotEncoder per feature ([N, 1] → [N, 1, K] → [N, K]), joined along columns. */
function oneHotGraph(g: GraphBuilder, encoder: OneHotEncoder, x: string): string {
  const who = 'OneHotEncoder';
  if (encoder.dropIdx) throw new ValueError(`exportOnnx(${who}): drop is not supported`);
  const zeros = encoder.getParams().handleUnknown === 'ignore' ? 1 : 0;
  const parts = encoder.categories!.map((cats, j) => {
    const encoded = g.nodeOutputs('OneHotEncoder', [column(g, x, j)], 1, [ints('cats_int64s', integerCategories(cats, who)), int('zeros', zeros)], ML_DOMAIN)[0];
    return g.node('Reshape', [encoded, g.initializer(int64Proto(g.fresh('shape'), [-1, cats.length]))]);
  });
  return parts.length === 1 ? parts[0] : g.node('Concat', parts, [int('axis', 1)]);
}

/** One ONNX-ML LabelEncoder per feature (category → code, unknown → unknownValue), NaN → encodedMissingValue. */
function ordinalGraph(g: GraphBuilder, encoder: OrdinalEncoder, x: string, sample: Tensor): string {
  const who = 'OrdinalEncoder';
  const { handleUnknown, unknownValue, encodedMissingValue } = encoder.getParams() as { handleUnknown: string; unknownValue: number | null; encodedMissingValue: number };
  const fallback = handleUnknown === 'use_encoded_value' ? (unknownValue as number) : Number.NaN;
  const parts = encoder.categories!.map((cats, j) => {
    const keys = integerCategories(cats, who);
    const attrs = [
      floats('keys_floats', keys),
      floats(
        'values_floats',
        keys.map((_, c) => c),
      ),
      { name: 'default_float', type: 1, f: fallback },
    ];
    const col = column(g, x, j);
    // The ML operator works in float32; a float64 model casts in and out.
    const input = sample.dtype === 'float64' ? g.node('Cast', [col], [int('to', 1)]) : col;
    let codes = g.nodeOutputs('LabelEncoder', [input], 1, attrs, ML_DOMAIN)[0];
    if (sample.dtype === 'float64') codes = g.node('Cast', [codes], [int('to', 11)]);
    return g.node('Where', [g.node('IsNaN', [col]), g.constant('missing', floatLike([encodedMissingValue], [], sample)), codes]);
  });
  return parts.length === 1 ? parts[0] : g.node('Concat', parts, [int('axis', 1)]);
}

function columnTransformerGraph(g: GraphBuilder, ct: ColumnTransformer, x: string, sample: Tensor): string {
  const parts: string[] = [];
  for (const { name, transformer, columns } of ct.transformersFitted!) {
    const cols = g.node('Gather', [x, g.initializer(int64Proto(g.fresh('columns'), columns))], [int('axis', 1)]);
    if (transformer === 'passthrough') parts.push(cols);
    else {
      const sub = new Tensor(sample.dtype === 'float64' ? new Float64Array(sample.shape[0] * columns.length) : new Float32Array(sample.shape[0] * columns.length), [
        sample.shape[0],
        columns.length,
      ]);
      for (let i = 0; i < sample.shape[0]; i++) columns.forEach((c, k) => (sub.data[i * columns.length + k] = sample.data[i * sample.shape[1] + c]));
      parts.push(transformerGraph(g, transformer, cols, sub, `ColumnTransformer '${name}'`).name);
    }
  }
  if (parts.length === 0) throw new ValueError('exportOnnx(ColumnTransformer): every column is dropped');
  return parts.length === 1 ? parts[0] : g.node('Concat', parts, [int('axis', 1)]);
}

/** Writes one fitted preprocessing step applied to `x` (whose value on the sample is `sample`). */
export function transformerGraph(g: GraphBuilder, step: unknown, x: string, sample: Tensor, where: string): Traced {
  if (step === 'passthrough' || step === null) return { name: x, value: sample };
  if (step instanceof Pipeline) {
    let current: Traced = { name: x, value: sample };
    for (const [name, inner] of step.steps) current = transformerGraph(g, inner, current.name, current.value, `${where} step '${name}'`);
    return current;
  }
  if (!isExportableTransformer(step))
    throw new ValueError(`exportOnnx(Pipeline): ${where} (${(step as object)?.constructor?.name ?? String(step)}) is not supported (supported: ${SUPPORTED})`);
  // Run first: an unfitted step throws its NotFittedError before anything is read from it.
  const value = transformed(step as { transform(x: Tensor): Tensor }, sample);
  let name: string;
  if (isAffineScaler(step)) name = scalerGraph(g, step, x, sample);
  else if (step instanceof SimpleImputer) name = imputerGraph(g, step, x, sample);
  else if (step instanceof OneHotEncoder) name = oneHotGraph(g, step, x);
  else if (step instanceof OrdinalEncoder) name = ordinalGraph(g, step, x, sample);
  else name = columnTransformerGraph(g, step as ColumnTransformer, x, sample);
  return { name, value };
}
