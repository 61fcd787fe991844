/**
 * A trained model's folder, as `frugal train --out DIR` writes it:
 *
 *   DIR/model.json       what the model needs to read new files (feature
 *                        columns, kinds, categories), the task, the classes,
 *                        the test metrics and how it was trained
 *   DIR/model.safetensors  the fitted pipeline (preprocessing + estimator),
 *                        saved by saveEstimator (src/persist)
 *   DIR/report.html      the report, with its figures in DIR/figures/
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FrugalError, ParseError, ValueError } from '../errors.js';
import type { Estimator } from '../models/base.js';
import type { Label } from '../utils/validation.js';
import type { FeatureSpec, Task } from './dataset.js';
import { loadEstimator, saveEstimator } from '../persist/index.js';

export const MODEL_FORMAT = 'frugal-model';
export const MODEL_FORMAT_VERSION = 1;
/** The largest model.json read back (it holds names and numbers, not weights). */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;

/** model.json. */
export interface ModelInfo {
  format: typeof MODEL_FORMAT;
  version: number;
  task: Task;
  /** The `--model` choice that was fitted (for `auto`: the winner). */
  model: string;
  /** The estimator's class name. */
  estimator: string;
  target: string;
  features: FeatureSpec[];
  classes?: Label[];
  metrics: Record<string, number>;
  cv?: CvSummary;
  trainedAt: string;
  trainRows: number;
  testRows: number;
  seed: number;
  source: string;
}

/** Cross-validation scores: one entry per model tried. */
export interface CvSummary {
  folds: number;
  scoring: string;
  candidates: { model: string; mean: number; std: number; seconds: number; skipped?: string }[];
  best: string;
}

export const MODEL_JSON = 'model.json';
export const MODEL_FILE = 'model.safetensors';

export async function saveModelDir(dir: string, info: ModelInfo, pipeline: Estimator): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveEstimator(pipeline, join(dir, MODEL_FILE));
  await writeFile(join(dir, MODEL_JSON), `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads model.json, checking that it is one and says what the command needs. */
export async function readModelInfo(dir: string): Promise<ModelInfo> {
  const path = join(dir, MODEL_JSON);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new FrugalError(`'${dir}' is not a model folder (no ${MODEL_JSON}); train one with: frugal train data.csv --target COLUMN --out ${dir}`);
    throw new FrugalError(`cannot read '${path}': ${(err as Error).message}`);
  }
  if (bytes.length > MAX_MODEL_JSON_BYTES) throw new ValueError(`${path}: ${bytes.length} bytes is more than the ${MAX_MODEL_JSON_BYTES} a model.json may have`);
  let info: unknown;
  try {
    info = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ParseError(`${path}: not valid JSON (${(err as Error).message})`, 1, 1);
  }
  return checkModelInfo(path, info);
}

function checkModelInfo(path: string, raw: unknown): ModelInfo {
  const info = raw as Partial<ModelInfo> | null;
  const bad = (what: string): never => {
    throw new ValueError(`${path}: ${what}`);
  };
  if (info === null || typeof info !== 'object' || info.format !== MODEL_FORMAT) bad(`not a ${MODEL_FORMAT} file`);
  if (info!.version !== MODEL_FORMAT_VERSION) bad(`format version ${String(info!.version)}; this frugal reads version ${MODEL_FORMAT_VERSION}`);
  if (info!.task !== 'classification' && info!.task !== 'regression') bad(`task must be 'classification' or 'regression'`);
  if (!Array.isArray(info!.features) || info!.features.length === 0) bad('no feature columns');
  for (const f of info!.features!) {
    const ok =
      f && typeof f.name === 'string' && (f.kind === 'number' || (f.kind === 'category' && Array.isArray(f.categories) && f.categories.every((c) => typeof c === 'string')));
    if (!ok) bad(`feature ${JSON.stringify(f)} is not {name, kind: 'number'} or {name, kind: 'category', categories: [...]}`);
  }
  if (typeof info!.target !== 'string' || typeof info!.model !== 'string') bad('target and model must be strings');
  if (
    info!.task === 'classification' &&
    !(Array.isArray(info!.classes) && info!.classes.length >= 2 && info!.classes.every((c) => typeof c === 'string' || typeof c === 'number'))
  ) {
    bad('a classification model needs its classes (strings or numbers)');
  }
  const metrics = info!.metrics as unknown;
  if (metrics === null || typeof metrics !== 'object' || Object.values(metrics).some((v) => typeof v !== 'number')) bad('metrics must map names to numbers');
  if (info!.cv !== undefined && !(info!.cv && Array.isArray(info!.cv.candidates))) bad('cv must hold a list of candidates');
  return info as ModelInfo;
}

/** The model folder's information and its fitted pipeline. */
export async function loadModelDir(dir: string): Promise<{ info: ModelInfo; pipeline: Estimator }> {
  const info = await readModelInfo(dir);
  const pipeline = await loadEstimator(join(dir, MODEL_FILE));
  return { info, pipeline };
}
