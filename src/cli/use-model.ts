/** `frugal evaluate`, `frugal predict` and `frugal info`: the commands that use a trained model folder. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ValueError } from '../errors.js';
import type { Estimator } from '../models/base.js';
import type { Label } from '../utils/validation.js';
import { parseCommandArgs, positionals, type OptionSpec } from './args.js';
import { readFeatures } from './dataset.js';
import { evaluate as evaluatePipeline } from './evaluation.js';
import { loadModelDir, readModelInfo, type ModelInfo } from './model-dir.js';
import { formatNumber, formatTable, type Streams } from './output.js';

export const EVALUATE_HELP = `Usage: frugal evaluate MODEL_DIR DATA.csv [--json]

Scores a trained model on labeled rows: DATA.csv needs the model's feature
columns (any order; other columns are ignored) and its target column.

Options:
  --json        print one JSON object ({task, model, metrics, rows})
  -h, --help    this help

Examples:
  frugal evaluate frugal-model new-houses.csv
  frugal evaluate churn-model churn-2025.csv --json`;

export const PREDICT_HELP = `Usage: frugal predict MODEL_DIR DATA.csv [--out predictions.csv]

Predicts the target of every row of DATA.csv. The model's feature columns
may come in any order; other columns are ignored; a missing one is named.
Writes CSV: a 'prediction' column (and one probability column per class for
classifiers that give them), to --out or to stdout.

Options:
  --out FILE    write the predictions there instead of stdout
  -h, --help    this help

Examples:
  frugal predict frugal-model new-houses.csv --out prices.csv
  frugal predict churn-model customers.csv | head`;

export const INFO_HELP = `Usage: frugal info MODEL_DIR [--json]

Shows what a model folder holds: task, model, target, feature columns with
their kinds, classes, the test metrics and the cross-validation comparison.

Examples:
  frugal info frugal-model`;

type Predictor = Estimator & { predict(X: unknown): Label[] | Float64Array; predictProba?(X: unknown): { data: ArrayLike<number>; shape: readonly number[] } };

/** Labels of rows for evaluation: the target column of the file, decoded as training did. */
function targetOf(path: string, info: ModelInfo, table: Awaited<ReturnType<typeof readFeatures>>['table']): Label[] | Float64Array {
  if (!table.columnNames.includes(info.target)) throw new ValueError(`${path}: missing the target column '${info.target}' (evaluate needs labeled rows; predict does not)`);
  const column = table.column(info.target);
  const missing = column.values.findIndex((v) => Number.isNaN(v));
  if (missing >= 0) throw new ValueError(`${path}: target '${info.target}' is missing on ${table.lineWord} ${table.lines[missing]}`);
  if (info.task === 'regression') {
    if (column.kind === 'category') throw new ValueError(`${path}: target '${info.target}' should hold numbers`);
    return Float64Array.from(column.values);
  }
  const numericClasses = (info.classes ?? []).every((c) => typeof c === 'number');
  if (column.kind === 'number') return numericClasses ? Array.from(column.values) : Array.from(column.values, String);
  const names = column.categories ?? [];
  return Array.from(column.values, (code) => (numericClasses ? Number(names[code]) : names[code]));
}

/** Parses `MODEL_DIR DATA.csv [options]`, loads the model and reads the file's feature columns; null once help is printed. */
async function modelAndData(command: string, argv: readonly string[], options: OptionSpec, help: string, streams: Streams) {
  const args = parseCommandArgs(command, argv, options);
  if (args.values.help) {
    streams.out(`${help}\n`);
    return null;
  }
  const [dir, data] = positionals(command, args, ['MODEL_DIR', 'DATA.csv']);
  const { info, pipeline } = await loadModelDir(dir);
  return { args, data, info, pipeline, ...(await readFeatures(data, info.features)) };
}

export async function evaluateCommand(argv: readonly string[], streams: Streams): Promise<number> {
  const loaded = await modelAndData('evaluate', argv, { json: { type: 'boolean' } }, EVALUATE_HELP, streams);
  if (!loaded) return 0;
  const { args, data, info, pipeline, table, X } = loaded;
  const y = targetOf(data, info, table);
  const result = evaluatePipeline(pipeline, info.task, info.classes, X, y);
  if (args.values.json) {
    streams.out(`${JSON.stringify({ task: info.task, model: info.model, metrics: result.metrics, rows: table.nRows })}\n`);
  } else {
    streams.out(`${formatTable(['metric', info.model], Object.entries(result.metrics))}\n(${table.nRows} rows of ${data})\n`);
  }
  return 0;
}

/** A CSV field, quoted when it must be (RFC 4180). */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function predictCommand(argv: readonly string[], streams: Streams): Promise<number> {
  const loaded = await modelAndData('predict', argv, { out: { type: 'string' } }, PREDICT_HELP, streams);
  if (!loaded) return 0;
  const { args, info, pipeline, X } = loaded;
  const model = pipeline as Predictor;
  const predicted = model.predict(X);
  const header = ['prediction'];
  const proba = info.task === 'classification' && typeof model.predictProba === 'function' ? model.predictProba(X) : null;
  if (proba) header.push(...(info.classes ?? []).map((c) => `p_${String(c)}`));
  const lines = [header.map(csvField).join(',')];
  for (let i = 0; i < predicted.length; i++) {
    const row: (string | number)[] = [predicted[i]];
    if (proba) for (let c = 0; c < proba.shape[1]; c++) row.push(Number(proba.data[i * proba.shape[1] + c].toPrecision(6)));
    lines.push(row.map(csvField).join(','));
  }
  const text = `${lines.join('\n')}\n`;
  if (typeof args.values.out === 'string') {
    await writeFile(args.values.out, text);
    streams.err(`${predicted.length} predictions written to ${resolve(args.values.out)}\n`);
  } else {
    streams.out(text);
  }
  return 0;
}

export async function infoCommand(argv: readonly string[], streams: Streams): Promise<number> {
  const args = parseCommandArgs('info', argv, { json: { type: 'boolean' } });
  if (args.values.help) {
    streams.out(`${INFO_HELP}\n`);
    return 0;
  }
  const [dir] = positionals('info', args, ['MODEL_DIR']);
  const info = await readModelInfo(dir);
  if (args.values.json) {
    streams.out(`${JSON.stringify(info)}\n`);
    return 0;
  }
  const rows: [string, string][] = [
    ['task', info.task],
    ['model', `${info.model} (${info.estimator})`],
    ['target', info.target],
    ['features', info.features.map((f) => (f.kind === 'category' ? `${f.name} (category: ${f.categories?.length ?? 0} values)` : f.name)).join(', ')],
  ];
  if (info.classes) rows.push(['classes', info.classes.map(String).join(', ')]);
  rows.push(['rows', `${info.trainRows} train, ${info.testRows} test`], ['trained', info.trainedAt]);
  for (const [k, v] of Object.entries(info.metrics)) rows.push([`test ${k}`, formatNumber(v)]);
  if (info.cv) rows.push([`cv ${info.cv.scoring}`, info.cv.candidates.map((c) => `${c.model} ${c.skipped ? '(skipped)' : formatNumber(c.mean)}`).join(', ')]);
  streams.out(`${formatTable(['', dir], rows)}\n`);
  return 0;
}
