/**
 * What travels through Redis: a search's data and its trial plan as
 * compressed, content-addressed blobs (stored once per search, whatever the
 * number of trials), and each trial's scores back as a small JSON result.
 *
 * The blobs are the estimator file format of src/persist (safetensors with a
 * JSON document) holding two record classes below, so a worker rebuilds only
 * registered estimators and registered functions, never code from the queue,
 * and every size is checked before anything is allocated.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as errors from '../errors.js';
import { FrugalError, LimitError, ParseError, ValueError } from '../errors.js';
import { BaseEstimator, type Estimator, type Params } from '../models/base.js';
import type { ErrorScore, FitScoreResult, MultiScoring, YInput } from '../model_selection/cross_validation.js';
import type { Split } from '../model_selection/split.js';
import { preparePlan, type FunctionTrialPlan, type PreparedPlan, type Trial, type TrialFunction, type TrialPlan } from '../model_selection/trials.js';
import { estimatorFromBytes, estimatorToBytes } from '../persist/estimator-file.js';
import { registerEstimator } from '../persist/registry.js';
import { Tensor } from '../tensor/tensor.js';

/** The largest blob (compressed or not) written to or read from Redis. */
export const MAX_BLOB_BYTES = 512 * 1024 * 1024;
/** The largest trial result read back (scores, and the fitted estimator when asked for). */
export const MAX_RESULT_CHARS = 256 * 1024 * 1024;
/** Blobs are stored under this prefix followed by the SHA-256 of their uncompressed bytes. */
export const BLOB_PREFIX = 'frugal:blob:';
const BLOB_KEY = /^frugal:blob:[0-9a-f]{64}$/;

function refuse(): never {
  throw new ValueError('a distributed trial record is not an estimator to fit');
}

interface DataParams {
  X: unknown;
  /** X was a list of numeric rows, sent as a Tensor and given back as rows. */
  xRows: boolean;
  y: unknown;
  fitParams: unknown[] | null;
}

/** The data of a search (X, y and per-sample fit arguments), stored once. */
export class TrialDataRecord extends BaseEstimator<DataParams> {
  static readonly defaults: DataParams = { X: null, xRows: false, y: null, fitParams: null };
  override fit(): this {
    refuse();
  }
}

interface PlanParams {
  estimator: Estimator | null;
  candidates: Params[];
  /** trainFolds[i], testFolds[i]: the indices of split i. */
  trainFolds: Int32Array[];
  testFolds: Int32Array[];
  /** One entry per trial: its candidate (-1 for none), split and training size (-1 for the whole fold). */
  trialCandidates: Int32Array;
  trialSplits: Int32Array;
  trialTrainSizes: Int32Array;
  scoring: MultiScoring | null;
  returnTrainScore: boolean;
  returnEstimator: boolean;
  errorScore: ErrorScore;
}

/** What to fit and how to score it: everything of a plan but the data. */
export class TrialPlanRecord extends BaseEstimator<PlanParams> {
  static readonly defaults: PlanParams = {
    estimator: null,
    candidates: [],
    trainFolds: [],
    testFolds: [],
    trialCandidates: new Int32Array(0),
    trialSplits: new Int32Array(0),
    trialTrainSizes: new Int32Array(0),
    scoring: null,
    returnTrainScore: false,
    returnEstimator: false,
    errorScore: 'raise',
  };
  override fit(): this {
    refuse();
  }
}

interface FunctionParams {
  fn: TrialFunction | null;
  settings: Params[];
}

/** The trials of `searchTrials`: a registered trial function and its settings. */
export class FunctionTrialRecord extends BaseEstimator<FunctionParams> {
  static readonly defaults: FunctionParams = { fn: null, settings: [] };
  override fit(): this {
    refuse();
  }
}

let registered = false;

/** Registers the record classes with the persistence registry (on first use: importing this module has no side effects). */
function registerRecords(): void {
  if (registered) return;
  registerEstimator(TrialDataRecord, 'frugal.distributed.TrialData');
  registerEstimator(TrialPlanRecord, 'frugal.distributed.TrialPlan');
  registerEstimator(FunctionTrialRecord, 'frugal.distributed.FunctionTrials');
  registered = true;
}

function numericRows(X: unknown): X is number[][] {
  if (!Array.isArray(X) || X.length === 0 || !Array.isArray(X[0])) return false;
  const width = (X[0] as unknown[]).length;
  return X.every((row) => Array.isArray(row) && row.length === width && row.every((v) => typeof v === 'number'));
}

function toInt32(a: ArrayLike<number>): Int32Array {
  return a instanceof Int32Array ? a : Int32Array.from(a);
}

/** The bytes of the data part of a plan. */
export function encodeData(plan: Pick<TrialPlan, 'X' | 'y' | 'fitParams'>): Uint8Array {
  registerRecords();
  const xRows = numericRows(plan.X);
  let X = plan.X;
  if (xRows) {
    const rows = plan.X as number[][];
    const width = rows[0].length;
    const flat = new Float64Array(rows.length * width);
    rows.forEach((row, i) => flat.set(row, i * width));
    X = new Tensor(flat, [rows.length, width]);
  }
  return estimatorToBytes(new TrialDataRecord({ X, xRows, y: plan.y ?? null, fitParams: plan.fitParams ?? null }));
}

/** The bytes of the rest of a plan. */
export function encodePlan(plan: TrialPlan): Uint8Array {
  registerRecords();
  const record = new TrialPlanRecord({
    estimator: plan.estimator,
    candidates: plan.candidates,
    trainFolds: plan.splits.map((s) => toInt32(s[0])),
    testFolds: plan.splits.map((s) => toInt32(s[1])),
    trialCandidates: Int32Array.from(plan.trials, (t) => t.candidate),
    trialSplits: Int32Array.from(plan.trials, (t) => t.split),
    trialTrainSizes: Int32Array.from(plan.trials, (t) => t.trainSize ?? -1),
    scoring: plan.scoring ?? null,
    returnTrainScore: plan.returnTrainScore,
    returnEstimator: plan.returnEstimator,
    errorScore: plan.errorScore,
  });
  return estimatorToBytes(record);
}

/** The bytes of the function and settings of `searchTrials` (the function must be registered). */
export function encodeFunctionPlan(plan: FunctionTrialPlan): Uint8Array {
  registerRecords();
  return estimatorToBytes(new FunctionTrialRecord({ fn: plan.fn, settings: plan.settings }));
}

function decodeData(dataBytes: Uint8Array): DataParams {
  registerRecords();
  const d = estimatorFromBytes(dataBytes, { expect: TrialDataRecord }).getParams({ deep: false }) as unknown as DataParams;
  if (d.xRows) {
    const X = d.X;
    if (!(X instanceof Tensor) || X.shape.length !== 2) throw new ParseError('trial data: rows were announced but X is not a matrix');
    const [n, width] = X.shape;
    const data = X.data;
    d.X = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));
  }
  return d;
}

/** Rebuilds the function trials of `searchTrials` (only a registered function can come back). */
export function decodeFunctionPlan(planBytes: Uint8Array, dataBytes: Uint8Array): FunctionTrialPlan {
  registerRecords();
  const p = estimatorFromBytes(planBytes, { expect: FunctionTrialRecord }).getParams({ deep: false }) as unknown as FunctionParams;
  if (typeof p.fn !== 'function' || !Array.isArray(p.settings)) throw new ParseError('function trials: no trial function or no settings');
  const d = decodeData(dataBytes);
  return { fn: p.fn, settings: p.settings, X: d.X, y: d.y };
}

/** Rebuilds a prepared plan from its two blobs (untrusted bytes: every index is checked). */
export function decodePlan(planBytes: Uint8Array, dataBytes: Uint8Array): PreparedPlan {
  registerRecords();
  const p = estimatorFromBytes(planBytes, { expect: TrialPlanRecord }).getParams({ deep: false }) as unknown as PlanParams;
  const d = decodeData(dataBytes);
  const X = d.X;
  const nSplits = p.trainFolds.length;
  if (p.testFolds.length !== nSplits) throw new ParseError('trial plan: train and test folds differ in number');
  const nTrials = p.trialSplits.length;
  if (p.trialCandidates.length !== nTrials || p.trialTrainSizes.length !== nTrials) throw new ParseError('trial plan: the trial columns differ in length');
  const splits: Split[] = p.trainFolds.map((train, i) => [train, p.testFolds[i]]);
  const trials: Trial[] = [];
  for (let i = 0; i < nTrials; i++) {
    const candidate = p.trialCandidates[i];
    const split = p.trialSplits[i];
    const trainSize = p.trialTrainSizes[i];
    if (candidate < -1 || candidate >= p.candidates.length || split < 0 || split >= nSplits || trainSize < -1 || trainSize > splits[split][0].length) {
      throw new ParseError(`trial plan: trial ${i} points outside the plan`);
    }
    trials.push(trainSize === -1 ? { candidate, split } : { candidate, split, trainSize });
  }
  if (p.estimator === null) throw new ParseError('trial plan: no estimator');
  return preparePlan({
    estimator: p.estimator,
    X,
    y: d.y as YInput,
    fitParams: d.fitParams ?? undefined,
    candidates: p.candidates,
    splits,
    trials,
    scoring: p.scoring,
    returnTrainScore: p.returnTrainScore,
    returnEstimator: p.returnEstimator,
    errorScore: p.errorScore,
  });
}

/** A blob's key (from its uncompressed bytes) and its compressed bytes. */
export function packBlob(bytes: Uint8Array): { key: string; packed: Buffer } {
  const key = BLOB_PREFIX + createHash('sha256').update(bytes).digest('hex');
  const packed = gzipSync(bytes, { level: 1 });
  if (packed.length > MAX_BLOB_BYTES) throw new LimitError(`distributed trials: the stored data would be ${packed.length} bytes, more than the limit of ${MAX_BLOB_BYTES}`);
  return { key, packed };
}

/** The uncompressed bytes of a blob read back, checked against its key. */
export function unpackBlob(key: string, packed: Buffer | null): Uint8Array {
  if (packed === null) throw new FrugalError(`distributed trials: ${key} is not in Redis (expired or deleted); run the search again`);
  if (packed.length > MAX_BLOB_BYTES) throw new LimitError(`distributed trials: ${key} holds ${packed.length} bytes, more than the limit of ${MAX_BLOB_BYTES}`);
  let bytes: Buffer;
  try {
    bytes = gunzipSync(packed, { maxOutputLength: MAX_BLOB_BYTES });
  } catch (err) {
    throw new ParseError(`distributed trials: ${key} does not decompress (${(err as Error).message})`);
  }
  if (BLOB_PREFIX + createHash('sha256').update(bytes).digest('hex') !== key) throw new ParseError(`distributed trials: ${key} does not hold the bytes its name promises`);
  return bytes;
}

export function isBlobKey(key: unknown): key is string {
  return typeof key === 'string' && BLOB_KEY.test(key);
}

// ------------------------------------------------------------------ results

type WireNumber = number | string;

/** One trial's outcome as it travels back (JSON: non-finite numbers and -0 as strings). */
export interface WireResult {
  test: Record<string, WireNumber>;
  train?: Record<string, WireNumber>;
  fitTime: number;
  scoreTime: number;
  /** The trial's error: kept as the result's error (errorScore given), or thrown (errorScore 'raise'). */
  error?: { name: string; message: string; raised: boolean };
  /** The fitted estimator's bytes, base64 (only when the plan asks for it). */
  estimator?: string;
}

function wireNumber(x: number): WireNumber {
  return Number.isFinite(x) && !Object.is(x, -0) ? x : Object.is(x, -0) ? '-0' : String(x);
}

function fromWire(x: unknown): number {
  if (typeof x === 'number') return x;
  if (x === '-0') return -0;
  if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
  throw new ParseError(`distributed trials: a score of ${JSON.stringify(x)} came back`);
}

function scoresToWire(scores: Record<string, number>): Record<string, WireNumber> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, wireNumber(v)]));
}

function scoresFromWire(scores: unknown, names: readonly string[]): Record<string, number> {
  if (scores === null || typeof scores !== 'object') throw new ParseError('distributed trials: a result came back without scores');
  const s = scores as Record<string, unknown>;
  return Object.fromEntries(names.map((k) => [k, fromWire(s[k])]));
}

/** What a trial function returned, for the wire. */
export function scoresResultToWire(scores: Record<string, number>): WireResult {
  return { test: scoresToWire(scores), fitTime: 0, scoreTime: 0 };
}

/** A function trial's scores back from a worker (or its typed error). */
export function scoresFromWireResult(value: unknown, plan: FunctionTrialPlan, index: number): Record<string, number> | FrugalError {
  const w = parseWire(value, index);
  if (w.error) return new (errorClass(String(w.error.name)))(`${String(w.error.message)} (trial ${index}: settings ${describeParams(plan.settings[index])}, run on a worker)`);
  if (w.test === null || typeof w.test !== 'object') throw new ParseError(`distributed trials: trial ${index} came back without scores`);
  return scoresFromWire(w.test, Object.keys(w.test));
}

/** A result of {@link runTrial} for the wire. */
export function resultToWire(r: FitScoreResult, returnEstimator: boolean): WireResult {
  const out: WireResult = { test: scoresToWire(r.test), fitTime: r.fitTime, scoreTime: r.scoreTime };
  if (r.train) out.train = scoresToWire(r.train);
  if (r.error !== undefined) out.error = { ...errorInfo(r.error), raised: false };
  if (returnEstimator && r.estimator) out.estimator = Buffer.from(estimatorToBytes(r.estimator)).toString('base64');
  return out;
}

/** A trial that threw (with errorScore 'raise'). */
export function raisedToWire(err: unknown): WireResult {
  return { test: {}, fitTime: 0, scoreTime: 0, error: { ...errorInfo(err), raised: true } };
}

function errorInfo(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

/** The library's error class of that name (FrugalError for anything else). */
function errorClass(name: string): new (message: string) => FrugalError {
  const cls = (errors as Record<string, unknown>)[name];
  return typeof cls === 'function' && (cls === FrugalError || cls.prototype instanceof FrugalError) && name !== 'ParseError'
    ? (cls as new (
        message: string,
      ) => FrugalError)
    : FrugalError;
}

/** Short text of a candidate's params for messages. */
export function describeParams(params: Params | undefined): string {
  if (!params || Object.keys(params).length === 0) return '{}';
  const show = (v: unknown): string =>
    typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : ((v as object)?.constructor?.name ?? typeof v);
  return `{ ${Object.entries(params)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join(', ')} }`;
}

/** The typed error of a failed trial, naming its parameters and fold. */
export function trialError(info: { name: string; message: string }, plan: TrialPlan, index: number): FrugalError {
  const trial = plan.trials[index];
  const params = trial.candidate >= 0 ? plan.candidates[trial.candidate] : undefined;
  const Cls = errorClass(String(info.name));
  return new Cls(`${String(info.message)} (trial ${index}: params ${describeParams(params)}, fold ${trial.split}, run on a worker)`);
}

/** Decodes a result that came back from a worker (untrusted: shapes and sizes checked). */
export function resultFromWire(value: unknown, plan: PreparedPlan, index: number): FitScoreResult | FrugalError {
  const w = parseWire(value, index);
  if (w.error?.raised) return trialError(w.error, plan, index);
  const names = Object.keys(plan.scorers);
  const out: FitScoreResult = {
    test: scoresFromWire(w.test, names),
    fitTime: Number(w.fitTime),
    scoreTime: Number(w.scoreTime),
  };
  if (plan.returnTrainScore) out.train = scoresFromWire(w.train, names);
  if (w.error) out.error = trialError(w.error, plan, index);
  if (plan.returnEstimator) {
    if (typeof w.estimator !== 'string') throw new ParseError(`distributed trials: trial ${index} came back without its fitted estimator`);
    out.estimator = estimatorFromBytes(Buffer.from(w.estimator, 'base64'));
  }
  return out;
}

function parseWire(value: unknown, index: number): Partial<WireResult> {
  let v = value;
  if (typeof v === 'string') {
    if (v.length > MAX_RESULT_CHARS) throw new LimitError(`distributed trials: a result of ${v.length} characters is more than the limit of ${MAX_RESULT_CHARS}`);
    try {
      v = JSON.parse(v);
    } catch {
      throw new ParseError(`distributed trials: trial ${index} came back as text that is not JSON`);
    }
  }
  if (v === null || typeof v !== 'object') throw new ParseError(`distributed trials: trial ${index} came back without a result`);
  return v as Partial<WireResult>;
}
