/**
 * `frugal export MODEL_DIR model.onnx`: a trained model folder as an ONNX
 * file (src/onnx), preprocessing included. Its input is the float matrix
 * `frugal predict` builds from a CSV file: the feature columns in
 * model.json's order, a categorical column as the position of its value in
 * that feature's categories (-1 for a value never seen in training), NaN
 * for a missing value. The feature layout is also written into the file's
 * metadata.
 */
import { resolve } from 'node:path';
import { FrugalError, ValueError } from '../errors.js';
import { exportOnnx } from '../onnx/export.js';
import { Tensor } from '../tensor/tensor.js';
import { parseCommandArgs, positionals } from './args.js';
import { loadModelDir } from './model-dir.js';
import type { Streams } from './output.js';

export const EXPORT_HELP = `Usage: frugal export MODEL_DIR MODEL.onnx

Writes a trained model folder as an ONNX file (opset 17, with the ONNX-ML
operators where scikit-learn converters use them), preprocessing included,
for ONNX Runtime and other ONNX engines. Models that export: linear, ridge,
lasso, logistic, svc, linear-svc, sgd (and auto when it chose one of them).

The file's input 'input' is a float32 matrix [rows, features]: the feature
columns in the order 'frugal info' lists them; a category column holds the
index of its value in that feature's categories (model.json; -1 for one
never seen), a missing value NaN. Outputs: 'output' (regression: the
prediction; logistic and svc: the class probabilities in model.json's class
order; other classifiers: their decision values) and, for classifiers,
'label' (the predicted class).

Examples:
  frugal export churn-model churn.onnx`;

export async function exportCommand(argv: readonly string[], streams: Streams): Promise<number> {
  const args = parseCommandArgs('export', argv, {});
  if (args.values.help) {
    streams.out(`${EXPORT_HELP}\n`);
    return 0;
  }
  const [dir, path] = positionals('export', args, ['MODEL_DIR', 'MODEL.onnx']);
  const { info, pipeline } = await loadModelDir(dir);
  // One row of zeros in the model's layout: the sample only fixes the width (the batch dimension stays dynamic).
  const sample = new Tensor(new Float32Array(info.features.length), [1, info.features.length]);
  const metadata = {
    features: JSON.stringify(info.features),
    target: info.target,
    task: info.task,
    ...(info.classes ? { classes: JSON.stringify(info.classes) } : {}),
  };
  try {
    await exportOnnx(pipeline as Parameters<typeof exportOnnx>[0], sample, path, { metadata });
  } catch (err) {
    if (err instanceof FrugalError) throw new ValueError(`model '${info.model}' (${info.estimator}) cannot be exported to ONNX: ${err.message}`);
    throw err;
  }
  streams.err(`${dir} (${info.model}, ${info.task}) exported to ${resolve(path)}\n`);
  return 0;
}
