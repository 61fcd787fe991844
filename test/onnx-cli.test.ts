/**
 * `frugal export MODEL_DIR model.onnx`: a model folder written by `frugal
 * train` runs in ONNX Runtime on the rows of a CSV file (encoded as
 * `frugal predict` encodes them) and gives what `frugal predict` writes:
 * the labels and the class probabilities, or the predicted values.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { readFeatures } from '../src/cli/dataset.js';
import { readModelInfo } from '../src/cli/model-dir.js';
import { runCli } from '../src/cli/run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (name: string): string => join(root, 'test', 'fixtures', 'cli', name);
const work = mkdtempSync(join(tmpdir(), 'frugal-onnx-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function frugal(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), interactive: false });
  return { code, stdout, stderr };
}

/** Trains, exports and predicts; returns predict's CSV rows and ONNX Runtime's outputs on the same file. */
async function trainExportPredict(data: string, target: string, model: string) {
  const dir = join(work, `${model}-${target}`);
  const onnx = join(work, `${model}-${target}.onnx`);
  const trained = await frugal('train', fixture(data), '--target', target, '--model', model, '--out', dir, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const exported = await frugal('export', dir, onnx);
  assert.equal(exported.code, 0, exported.stderr);
  const predicted = await frugal('predict', dir, fixture(data));
  assert.equal(predicted.code, 0, predicted.stderr);
  const rows = predicted.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','));
  const info = await readModelInfo(dir);
  const { X } = await readFeatures(fixture(data), info.features);
  const session = await ort.InferenceSession.create(readFileSync(onnx));
  const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(X.data), [...X.shape]) });
  return { header: rows[0], rows: rows.slice(1), result };
}

function assertClose(actual: number, expected: number, what: string, tol = 1e-4): void {
  assert.ok(Math.abs(actual - expected) <= tol * (1 + Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('frugal export', () => {
  it('svc on a table with a category column: labels and probabilities as frugal predict writes them', async () => {
    const { header, rows, result } = await trainExportPredict('customers.csv', 'bought', 'svc');
    assert.deepEqual(header, ['prediction', 'p_no', 'p_yes']);
    const labels = Array.from(result.label.data as string[]);
    const proba = result.output.data as Float32Array;
    rows.forEach((row, i) => {
      assert.equal(labels[i], row[0], `row ${i} label`);
      assertClose(proba[i * 2], Number(row[1]), `row ${i} p_no`);
      assertClose(proba[i * 2 + 1], Number(row[2]), `row ${i} p_yes`);
    });
  });

  it('ridge regression with a category column: the predicted values', async () => {
    const { rows, result } = await trainExportPredict('prices.csv', 'price', 'ridge');
    const values = result.output.data as Float32Array;
    assert.equal(values.length, rows.length);
    rows.forEach((row, i) => assertClose(values[i], Number(row[0]), `row ${i}`));
  });

  it('names the model it cannot export, as a user error', async () => {
    const dir = join(work, 'tree');
    assert.equal((await frugal('train', fixture('customers.csv'), '--target', 'bought', '--model', 'tree', '--out', dir, '--json')).code, 0);
    const r = await frugal('export', dir, join(work, 'tree.onnx'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^frugal export: model 'tree' \(Pipeline\)|^frugal export: model 'tree' \(DecisionTreeClassifier\)/);
    assert.match(r.stderr, /cannot be exported to ONNX: .*DecisionTreeClassifier/);
    const help = await frugal('export', '--help');
    assert.match(help.stdout, /Usage: frugal export MODEL_DIR MODEL\.onnx/);
    assert.match((await frugal('--help')).stdout, /^ {2}export {4}/m);
    assert.equal((await frugal('export', dir)).code, 1);
  });
});
