/**
 * `frugal train data.csv --target COL`: reads the file, infers the task,
 * splits off a test part, fits preprocessing + model in one Pipeline
 * (`--model auto` cross-validates candidates first and keeps the best),
 * prints the test metrics, and saves the model and its report in --out.
 */
import { resolve } from 'node:path';
import { ValueError } from '../errors.js';
import { crossValidate } from '../model_selection/cross_validation.js';
import { redisExecutor } from '../distributed/index.js';
import { trainTestSplitIndices } from '../model_selection/split.js';
import { estimatorName, type Estimator } from '../models/base.js';
import { comparisonSpec, writeReport, type ReportFigure } from '../report/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { Label } from '../utils/validation.js';
import { numberOption, parseCommandArgs, positionals } from './args.js';
import { readLabeled, type LabeledData, type Task } from './dataset.js';
import { evaluate, learningCurves } from './evaluation.js';
import { saveModelDir, type CvSummary, type ModelInfo } from './model-dir.js';
import { AUTO_CANDIDATES, makeModel, makePipeline, MODEL_NAMES, MODELS } from './models.js';
import { formatNumber, formatTable, StepProgress, type Streams } from './output.js';
import { modelReport } from './report-sections.js';

export const TRAIN_HELP = `Usage: frugal train DATA.csv --target COLUMN [options]

Trains a model on a CSV file: the target column decides the task
(categories, true/false or a few integer codes: classification; other
numbers: regression). Numeric columns are imputed and standardised,
categorical ones imputed and one-hot encoded, all in one Pipeline. A part of
the rows is held out for the test metrics; the model and a report
(report.html with its figures) are saved in --out.

Options:
  --target COLUMN     the column to predict (required)
  --model NAME        ${MODEL_NAMES.join(' | ')} (default auto)
${Object.entries(MODELS)
  .map(([name, m]) => `                        ${name}: ${m.summary}`)
  .join('\n')}
  --task TASK         classification | regression (default: from the target)
  --test-size F       fraction of rows held out for testing (default 0.2)
  --cv K              cross-validation folds (default 5; run for auto, or when given)
  --time-budget S     seconds --model auto may spend cross-validating (default 60)
  --seed N            seed of the split and the models (default 1)
  --redis URL         cross-validate on 'frugal worker' processes through this Redis
                      (redis://host:port) instead of in this process; same results
  --queue NAME        the workers' queue with --redis (default frugal-trials)
  --out DIR           where to save the model and the report (default frugal-model)
  --json              print one JSON object instead of tables
  -h, --help          this help

Examples:
  frugal train houses.csv --target price
  frugal train churn.csv --target churned --model logistic --out churn-model
  frugal train iris.csv --target species --model auto --cv 3 --json`;

const OPTIONS = {
  target: { type: 'string' },
  model: { type: 'string' },
  task: { type: 'string' },
  'test-size': { type: 'string' },
  cv: { type: 'string' },
  'time-budget': { type: 'string' },
  seed: { type: 'string' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface TrainSettings {
  data: string;
  target: string;
  model: string;
  task?: Task;
  testSize: number;
  folds: number;
  cvRequested: boolean;
  timeBudget: number;
  seed: number;
  /** Cross-validate through Redis workers (redisExecutor) instead of in-process. */
  redis?: { url: string; queue?: string };
  out: string;
  json: boolean;
}

function settings(argv: readonly string[]): TrainSettings | null {
  const args = parseCommandArgs('train', argv, OPTIONS);
  if (args.values.help) return null;
  const [data] = positionals('train', args, ['DATA.csv']);
  const v = args.values;
  if (typeof v.target !== 'string') throw new ValueError('train: --target COLUMN is required (the column to predict)');
  const model = typeof v.model === 'string' ? v.model : 'auto';
  if (!MODEL_NAMES.includes(model)) throw new ValueError(`train: unknown --model '${model}'; choose one of ${MODEL_NAMES.join(', ')}`);
  if (v.queue !== undefined && v.redis === undefined) throw new ValueError('train: --queue names the queue of --redis workers; give --redis URL too');
  if (v.task !== undefined && v.task !== 'classification' && v.task !== 'regression')
    throw new ValueError(`train: --task must be classification or regression, got '${String(v.task)}'`);
  return {
    data,
    target: v.target,
    model,
    task: v.task as Task | undefined,
    testSize: numberOption('train', 'test-size', v['test-size'], 0.2, { min: 0.01, max: 0.9 }),
    folds: numberOption('train', 'cv', v.cv, 5, { min: 2, max: 20, integer: true }),
    cvRequested: v.cv !== undefined,
    timeBudget: numberOption('train', 'time-budget', v['time-budget'], 60, { min: 0, max: 86_400 }),
    seed: numberOption('train', 'seed', v.seed, 1, { min: 0, max: 2 ** 31 - 1, integer: true }),
    redis: typeof v.redis === 'string' ? { url: v.redis, queue: typeof v.queue === 'string' ? v.queue : undefined } : undefined,
    out: typeof v.out === 'string' ? v.out : 'frugal-model',
    json: v.json === true,
  };
}

/** Rows `rows` of X and y. */
function takeRows(data: LabeledData, rows: Int32Array): { X: Tensor; y: Label[] | Float64Array } {
  const p = data.X.shape[1];
  const X = new Float64Array(rows.length * p);
  rows.forEach((r, k) => X.set(data.X.data.subarray(r * p, (r + 1) * p), k * p));
  const y = data.y instanceof Float64Array ? Float64Array.from(rows, (r) => (data.y as Float64Array)[r]) : Array.from(rows, (r) => (data.y as Label[])[r]);
  return { X: new Tensor(X, [rows.length, p]), y };
}

/** Train/test row indices: stratified for classification when every class has two rows or more. */
function split(data: LabeledData, s: TrainSettings): { train: Int32Array; test: Int32Array } {
  const n = data.X.shape[0];
  if (n < 4) throw new ValueError(`${s.data}: ${n} rows are too few to train and test on (4 or more needed)`);
  let stratify: Label[] | undefined;
  if (data.task === 'classification') {
    const counts = new Map<Label, number>();
    for (const l of data.y as Label[]) counts.set(l, (counts.get(l) ?? 0) + 1);
    if ([...counts.values()].every((c) => c >= 2) && Math.ceil(s.testSize * n) >= counts.size && n - Math.ceil(s.testSize * n) >= counts.size) stratify = data.y as Label[];
  }
  const [train, test] = trainTestSplitIndices(n, { testSize: s.testSize, randomState: s.seed, stratify });
  return { train, test };
}

/** Cross-validates each candidate (within the time budget) and returns the comparison. */
async function compareCandidates(candidates: readonly string[], data: LabeledData, X: Tensor, y: Label[] | Float64Array, s: TrainSettings, streams: Streams): Promise<CvSummary> {
  const scoring = data.task === 'classification' ? 'accuracy' : 'r2';
  const folds = Math.min(s.folds, minimumFolds(data.task, y));
  if (folds < 2) throw new ValueError(`${s.data}: too few rows per class to cross-validate; pass --model NAME to skip it`);
  const progress = new StepProgress(streams, 'cross-validating', candidates.length);
  const started = performance.now();
  const results: CvSummary['candidates'] = [];
  for (const name of candidates) {
    // The first candidate always runs, so that there is a model to keep.
    if (results.length > 0 && (performance.now() - started) / 1000 > s.timeBudget) {
      results.push({ model: name, mean: Number.NaN, std: Number.NaN, seconds: 0, skipped: 'time budget spent' });
      progress.step(`${name} skipped`);
      continue;
    }
    const t0 = performance.now();
    const pipeline = makePipeline(data.features, makeModel(name, data.task, s.seed));
    const scores = (await crossValidate(pipeline, X, y, { cv: folds, scoring, executor: s.redis && redisExecutor(s.redis) })).testScore;
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    results.push({ model: name, mean, std, seconds: (performance.now() - t0) / 1000 });
    progress.step(`${name} ${scoring} ${formatNumber(mean)}`);
  }
  progress.finish();
  const ran = results.filter((r) => !r.skipped);
  const best = ran.reduce((a, b) => (b.mean > a.mean ? b : a));
  return { folds, scoring, candidates: results, best: best.model };
}

/** The most folds the data allows (stratified folds need as many rows of each class). */
function minimumFolds(task: Task, y: Label[] | Float64Array): number {
  if (task === 'regression') return y.length;
  const counts = new Map<Label, number>();
  for (const l of y as Label[]) counts.set(l, (counts.get(l) ?? 0) + 1);
  return Math.min(...counts.values());
}

/** Runs `frugal train`; returns the exit code. */
export async function train(argv: readonly string[], streams: Streams): Promise<number> {
  const s = settings(argv);
  if (!s) {
    streams.out(`${TRAIN_HELP}\n`);
    return 0;
  }
  const data = await readLabeled(s.data, s.target, s.task);
  if (s.model !== 'auto') makeModel(s.model, data.task, s.seed); // a model that cannot do this task fails before any work
  const { train: trainRows, test: testRows } = split(data, s);
  const trainPart = takeRows(data, trainRows);
  const testPart = takeRows(data, testRows);
  const candidates = s.model === 'auto' ? AUTO_CANDIDATES[data.task] : s.cvRequested ? [s.model] : [];
  const cv = candidates.length > 0 ? await compareCandidates(candidates, data, trainPart.X, trainPart.y, s, streams) : undefined;
  const chosen = s.model === 'auto' ? cv!.best : s.model;
  const estimator = makeModel(chosen, data.task, s.seed);
  const pipeline = makePipeline(data.features, estimator);
  const fitProgress = new StepProgress(streams, 'training', 1);
  pipeline.fit(trainPart.X, trainPart.y);
  fitProgress.step(`${chosen} fitted`);
  const result = evaluate(pipeline, data.task, data.classes, testPart.X, testPart.y);
  const info: ModelInfo = {
    format: 'frugal-model',
    version: 1,
    task: data.task,
    model: chosen,
    estimator: estimatorName(estimator),
    target: data.targetName,
    features: data.features,
    classes: data.classes,
    metrics: result.metrics,
    cv,
    trainedAt: new Date().toISOString(),
    trainRows: trainRows.length,
    testRows: testRows.length,
    seed: s.seed,
    source: resolve(s.data),
  };
  await saveModelDir(s.out, info, pipeline);
  const figures: ReportFigure[] = [...result.figures, ...learningCurves(finalEstimator(pipeline), data.task)];
  if (cv)
    figures.push({
      name: 'candidates',
      spec: comparisonSpec(
        cv.scoring,
        cv.candidates.filter((c) => !c.skipped),
      ),
    });
  const written = await writeReport(s.out, modelReport(info, figures, result.average));
  if (s.json) {
    streams.out(`${JSON.stringify({ task: data.task, model: chosen, metrics: result.metrics, ...(cv ? { cv } : {}), out: resolve(s.out), report: resolve(written.html) })}\n`);
    return 0;
  }
  streams.out(`${data.task} of '${data.targetName}' from ${data.features.length} columns: ${trainRows.length} rows to train, ${testRows.length} to test\n\n`);
  if (cv) {
    const rows = cv.candidates.map((c) => [
      c.model === cv.best ? `${c.model} *` : c.model,
      c.skipped ?? c.mean,
      c.skipped ? '' : c.std,
      c.skipped ? '' : `${c.seconds.toFixed(1)}s`,
    ]);
    streams.out(`${formatTable(['model', `cv ${cv.scoring}`, '±', 'time'], rows)}\n\n`);
  }
  streams.out(
    `${formatTable(
      ['metric (test)', chosen],
      Object.entries(result.metrics).map(([k, v]) => [k, v]),
    )}\n\n`,
  );
  streams.out(`model saved in ${s.out}/ (model.json, model.safetensors); report: ${written.html}\n`);
  if (written.note) streams.out(`${written.note}\n`);
  return 0;
}

function finalEstimator(pipeline: Estimator): unknown {
  return (pipeline as unknown as { finalEstimator: Estimator | null }).finalEstimator;
}
