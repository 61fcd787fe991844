/**
 * The job processor BullMQ runs in a child process of `frugal worker`
 * (a sandboxed processor): the fit blocks this process, not the worker's,
 * which keeps renewing the job's lock meanwhile. Each child keeps the last
 * few plans it decoded, so a search's data is fetched once per child.
 */
import { LimitError, ParseError, ValueError } from '../errors.js';
import { pathToFileURL } from 'node:url';
import { checkTrialScores, runTrial, type FunctionTrialPlan, type PreparedPlan } from '../model_selection/trials.js';
import { decodeFunctionPlan, decodePlan, isBlobKey, MAX_BLOB_BYTES, raisedToWire, resultToWire, scoresResultToWire, unpackBlob, type WireResult } from './payload.js';
import { createRedis, type Redis } from './ioredis.js';
import { parseRedisUrl } from './redis-url.js';

/** The environment variable through which the worker tells its children where Redis is. */
export const REDIS_URL_ENV = 'FRUGAL_TRIAL_REDIS_URL';
/** Modules to load before the first trial (JSON list of paths: `frugal worker --import`), which register trial functions and estimator classes. */
export const IMPORTS_ENV = 'FRUGAL_TRIAL_IMPORTS';
const CACHED_PLANS = 4;

let client: Redis | undefined;
let imported: Promise<void> | undefined;
const plans = new Map<string, PreparedPlan | FunctionTrialPlan>();

function importUserModules(): Promise<void> {
  imported ??= (async () => {
    const list = JSON.parse(process.env[IMPORTS_ENV] ?? '[]') as unknown;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) throw new ValueError(`trial processor: ${IMPORTS_ENV} must be a JSON list of paths`);
    for (const path of list) await import(pathToFileURL(path).href);
  })();
  return imported;
}

async function redis(): Promise<Redis> {
  const url = process.env[REDIS_URL_ENV];
  if (!url) throw new ValueError(`trial processor: ${REDIS_URL_ENV} is not set (run trials with frugal worker)`);
  if (!client || client.status === 'end') {
    const fresh = await createRedis(parseRedisUrl(url), { mode: 'check' });
    client = fresh;
    try {
      await fresh.connect();
    } catch (err) {
      fresh.disconnect();
      throw err;
    }
  }
  return client;
}

/** A stored blob's bytes (null when absent), its size checked before it is read. */
async function readBlob(c: Redis, key: string): Promise<Buffer | null> {
  const size = await c.strlen(key);
  if (size > MAX_BLOB_BYTES) throw new LimitError(`trial processor: ${key} holds ${size} bytes, more than the limit of ${MAX_BLOB_BYTES}`);
  return c.getBuffer(key);
}

async function plan(kind: 'estimator' | 'function', planKey: string, dataKey: string): Promise<PreparedPlan | FunctionTrialPlan> {
  const key = `${kind} ${planKey} ${dataKey}`;
  let p = plans.get(key);
  if (p === undefined) {
    const c = await redis();
    const [planBlob, dataBlob] = await Promise.all([readBlob(c, planKey), readBlob(c, dataKey)]);
    const decode = kind === 'function' ? decodeFunctionPlan : decodePlan;
    p = decode(unpackBlob(planKey, planBlob), unpackBlob(dataKey, dataBlob));
    if (plans.size >= CACHED_PLANS) plans.delete(plans.keys().next().value!);
  } else {
    plans.delete(key); // re-inserted below: most recently used last
  }
  plans.set(key, p);
  return p;
}

/** Runs the trial a job names; a trial that throws comes back as its error, not as a failed job. */
export default async function processTrial(job: { data: unknown }): Promise<WireResult> {
  const d = job.data as { kind?: unknown; plan?: unknown; data?: unknown; index?: unknown } | null;
  if (d === null || typeof d !== 'object' || (d.kind !== 'estimator' && d.kind !== 'function') || !isBlobKey(d.plan) || !isBlobKey(d.data) || !Number.isSafeInteger(d.index)) {
    throw new ParseError('trial processor: the job does not name a kind, a plan, its data and a trial');
  }
  await importUserModules();
  const p = await plan(d.kind, d.plan, d.data);
  const index = d.index as number;
  const count = 'trials' in p ? p.trials.length : p.settings.length;
  if (index < 0 || index >= count) throw new ParseError(`trial processor: trial ${index} is not in the plan`);
  try {
    if ('trials' in p) return resultToWire(runTrial(p, p.trials[index]), p.returnEstimator);
    return scoresResultToWire(checkTrialScores(await p.fn(p.settings[index], { X: p.X, y: p.y }), index));
  } catch (err) {
    return raisedToWire(err);
  }
}
