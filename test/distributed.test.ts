/**
 * Trials on Redis + BullMQ workers (issue #16): the same results as
 * in-process, a worker killed mid-search, failing trials, cancellation,
 * Redis unreachable, and hostile payloads. Needs redis-server (CI installs
 * it and passes FRUGAL_TEST_REDIS_URL; see test/helpers/redis.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AbortError, FrugalError, LimitError, ParseError, ValueError } from '../src/errors.js';
import { LogisticRegression } from '../src/models/linear/index.js';
import { crossValidate, crossValScore, learningCurve, validationCurve } from '../src/model_selection/cross_validation.js';
import { GridSearchCV, RandomizedSearchCV } from '../src/model_selection/search.js';
import { inProcessExecutor } from '../src/model_selection/trials.js';
import { redisExecutor, startTrialWorker } from '../src/distributed/index.js';
import { BLOB_PREFIX, decodePlan, encodeData, encodePlan, packBlob, unpackBlob } from '../src/distributed/payload.js';
import processTrial from '../src/distributed/trial-processor.js';
import { loadBullmq } from '../src/distributed/bullmq.js';
import { closeRedis, createRedis } from '../src/distributed/ioredis.js';
import { parseRedisUrl } from '../src/distributed/redis-url.js';
import { preparePlan } from '../src/model_selection/trials.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../src/tensor/tensor.js';
import { searchTrials } from '../src/model_selection/trials.js';
import { trainSmallNet } from './helpers/nn-trial.js';
import { runCli } from '../src/cli/run.js';
import { startRedis, startWorkerProcess, type LocalRedis, type WorkerProcess } from './helpers/redis.js';

// Two well separated but overlapping classes: every C gives a slightly different fit.
const X = Array.from({ length: 90 }, (_, i) => [Math.sin(i * 1.3) + (i % 2) * 0.8, Math.cos(i * 0.7), ((i * 7) % 11) / 11]);
const y = X.map((r, i) => (r[0] + 0.3 * r[1] > 0.4 || i % 13 === 0 ? 1 : 0));
const GRID = { C: Array.from({ length: 20 }, (_, i) => 0.001 * 1.8 ** i) };

let queueCount = 0;
const queueName = (): string => `frugal-test-${process.pid}-${++queueCount}`;

describe('distributed: options and errors without Redis', () => {
  it('redisExecutor and startTrialWorker check their options', async () => {
    assert.throws(() => redisExecutor({ url: 'http://x' }), ValueError);
    assert.throws(() => redisExecutor(null as never), ValueError);
    await assert.rejects(startTrialWorker(null as never), ValueError);
    await assert.rejects(startTrialWorker({ url: 'redis://127.0.0.1:1', imports: ['relative.js'] }), ValueError);
    assert.throws(() => redisExecutor({ url: 'redis://127.0.0.1:1', queue_name: 'q' } as never), /queueName|valid/);
    assert.throws(() => redisExecutor({ url: 'redis://127.0.0.1:1', connectTimeoutMs: -1 }), ValueError);
    assert.throws(() => new GridSearchCV(new LogisticRegression(), GRID, { executor: {} as never }), ValueError);
  });

  it('fit with an asynchronous executor says to use fitAsync', () => {
    const search = new GridSearchCV(new LogisticRegression(), GRID, { executor: redisExecutor({ url: 'redis://127.0.0.1:1' }) });
    assert.throws(() => search.fit(X, y), /fitAsync/);
  });

  it('Redis unreachable is a typed error naming the URL, before any work', async () => {
    const url = 'redis://127.0.0.1:1';
    await assert.rejects(crossValidate(new LogisticRegression(), X, y, { cv: 3, executor: redisExecutor({ url, connectTimeoutMs: 1000 }) }), (e: unknown) => {
      assert.ok(e instanceof FrugalError);
      assert.match((e as Error).message, /redis:\/\/127\.0\.0\.1:1/);
      return true;
    });
    await assert.rejects(startTrialWorker({ url, connectTimeoutMs: 1000 }), /redis:\/\/127\.0\.0\.1:1 is unreachable/);
  });

  it('the in-process executor reports progress and can be cancelled', () => {
    const seen: number[] = [];
    const scores = crossValScore(new LogisticRegression(), X, y, { cv: 4, executor: inProcessExecutor({ onProgress: (done, total) => seen.push(done * 10 + total) }) });
    assert.deepEqual(seen, [14, 24, 34, 44]);
    assert.deepEqual(scores, crossValScore(new LogisticRegression(), X, y, { cv: 4 }));
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => crossValScore(new LogisticRegression(), X, y, { executor: inProcessExecutor({ signal: controller.signal }) }), AbortError);
  });
});

describe('distributed: hostile payloads', () => {
  const plan = preparePlan({
    estimator: new LogisticRegression(),
    X,
    y,
    candidates: [{ C: 1 }],
    splits: [[Int32Array.from({ length: 60 }, (_, i) => i), Int32Array.from({ length: 30 }, (_, i) => 60 + i)]],
    trials: [{ candidate: 0, split: 0 }],
    scoring: null,
    returnTrainScore: false,
    returnEstimator: false,
    errorScore: 'raise',
  });

  it('a blob whose bytes do not match its name, or too large, is refused', () => {
    const { key, packed } = packBlob(encodePlan(plan));
    assert.equal(unpackBlob(key, packed).length > 0, true);
    const other = `${BLOB_PREFIX}${'0'.repeat(64)}`;
    assert.throws(() => unpackBlob(other, packed), ParseError);
    assert.throws(() => unpackBlob(key, Buffer.from('not gzip')), ParseError);
    assert.throws(() => unpackBlob(key, null), FrugalError);
    const huge = { length: 2 ** 30 } as Buffer;
    assert.throws(() => unpackBlob(key, huge), LimitError);
  });

  it('a plan whose trials point outside it is a ParseError', () => {
    const bad = encodePlan({ ...plan, trials: [{ candidate: 5, split: 0 }] });
    assert.throws(() => decodePlan(bad, encodeData(plan)), ParseError);
    const badSplit = encodePlan({ ...plan, trials: [{ candidate: 0, split: 3 }] });
    assert.throws(() => decodePlan(badSplit, encodeData(plan)), ParseError);
    // the data blob where the plan should be
    assert.throws(() => decodePlan(encodeData(plan), encodeData(plan)), ParseError);
  });

  it('a job that does not name a plan, its data and a trial is refused before Redis is asked', async () => {
    await assert.rejects(processTrial({ data: { plan: 'frugal:blob:../../etc', data: 'x', index: 0 } }), ParseError);
    await assert.rejects(processTrial({ data: null }), ParseError);
  });

  it('a plan round-trips through its blobs', () => {
    const back = decodePlan(encodePlan(plan), encodeData(plan));
    assert.deepEqual(back.trials, plan.trials);
    assert.deepEqual(back.X, X);
    assert.deepEqual(back.y, y);
    assert.deepEqual([...back.splits[0][1]], [...plan.splits[0][1]]);
  });
});

describe('distributed: trials on Redis and BullMQ workers', { timeout: 120_000 }, () => {
  let redis: LocalRedis;
  const queue = queueName();
  let workers: WorkerProcess[] = [];

  before(async () => {
    redis = await startRedis();
    const trialModule = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'nn-trial.js');
    workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(redis.url, queue, ['--lock-duration', '1500', '--import', trialModule])));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  const executor = (extra: Partial<Parameters<typeof redisExecutor>[0]> = {}) => redisExecutor({ url: redis.url, queue, ...extra });

  it('crossValidate, crossValScore and the curves equal their in-process results', async () => {
    const local = crossValidate(new LogisticRegression({ C: 0.5 }), X, y, { cv: 4, scoring: ['accuracy', 'f1'], returnTrainScore: true, returnEstimator: true });
    const remote = await crossValidate(new LogisticRegression({ C: 0.5 }), X, y, {
      cv: 4,
      scoring: ['accuracy', 'f1'],
      returnTrainScore: true,
      returnEstimator: true,
      executor: executor(),
    });
    assert.deepEqual(remote.testScores, local.testScores);
    assert.deepEqual(remote.trainScores, local.trainScores);
    assert.deepEqual(
      remote.estimators!.map((e) => (e as LogisticRegression).coef),
      local.estimators!.map((e) => (e as LogisticRegression).coef),
    );
    assert.deepEqual(await crossValScore(new LogisticRegression(), X, y, { cv: 3, executor: executor() }), crossValScore(new LogisticRegression(), X, y, { cv: 3 }));
    const lcLocal = learningCurve(new LogisticRegression(), X, y, { cv: 3, trainSizes: [0.3, 1], shuffle: true, randomState: 0 });
    const lcRemote = await learningCurve(new LogisticRegression(), X, y, { cv: 3, trainSizes: [0.3, 1], shuffle: true, randomState: 0, executor: executor() });
    assert.deepEqual([lcRemote.trainSizes, lcRemote.trainScores, lcRemote.testScores], [lcLocal.trainSizes, lcLocal.trainScores, lcLocal.testScores]);
    const vcOptions = { paramName: 'C', paramRange: [0.01, 1, 100], cv: 3 };
    const vcRemote = await validationCurve(new LogisticRegression(), X, y, { ...vcOptions, executor: executor() });
    assert.deepEqual(vcRemote, validationCurve(new LogisticRegression(), X, y, vcOptions));
  });

  it('a trial that throws is reported with its parameters, as errorScore does in-process', async () => {
    const grid = { C: [-1, 1] };
    const local = new GridSearchCV(new LogisticRegression(), grid, { cv: 3, errorScore: Number.NaN }).fit(X, y);
    const remote = await new GridSearchCV(new LogisticRegression(), grid, { cv: 3, errorScore: Number.NaN, executor: executor() }).fitAsync(X, y);
    assert.deepEqual(remote.cvResults!.meanTestScore, local.cvResults!.meanTestScore);
    assert.ok(Number.isNaN(remote.cvResults!.meanTestScore[0]));
    assert.deepEqual(remote.bestParams, { C: 1 });
    await assert.rejects(new GridSearchCV(new LogisticRegression(), grid, { cv: 3, executor: executor() }).fitAsync(X, y), (e: unknown) => {
      assert.ok(e instanceof ValueError, String(e));
      assert.match((e as Error).message, /C: -1/);
      assert.match((e as Error).message, /fold 0/);
      return true;
    });
  });

  it('frugal train --redis cross-validates the auto candidates on the workers, with the in-process result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-redis-'));
    try {
      const csv = join(dir, 'data.csv');
      writeFileSync(csv, `a,b,c,label\n${X.map((r, i) => `${r.join(',')},${y[i] ? 'yes' : 'no'}`).join('\n')}\n`);
      const run = async (extra: string[]): Promise<{ cv: { candidates: { model: string; mean: number }[] } }> => {
        let out = '';
        const streams = { out: (t: string) => void (out += t), err: () => {}, interactive: false };
        const code = await runCli(['train', csv, '--target', 'label', '--cv', '3', '--json', '--out', join(dir, `m${extra.length}`), ...extra], streams);
        assert.equal(code, 0, out);
        return JSON.parse(out);
      };
      const local = await run([]);
      const remote = await run(['--redis', redis.url, '--queue', queue]);
      assert.deepEqual(
        remote.cv.candidates.map((c) => [c.model, c.mean]),
        local.cv.candidates.map((c) => [c.model, c.mean]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('neural-network trials (fit with different settings) run on the workers with the in-process results', async () => {
    const n = 64;
    const Xt = new Tensor(
      Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 0.37)),
      [n, 3],
    );
    const yt = new Tensor(
      Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.5)),
      [n, 1],
    );
    const settings = [
      { hidden: 4, lr: 0.01 },
      { hidden: 8, lr: 0.05 },
      { hidden: 16, lr: 0.001 },
    ];
    const local = await searchTrials(trainSmallNet, settings, { X: Xt, y: yt });
    const remote = await searchTrials(trainSmallNet, settings, { X: Xt, y: yt, executor: executor() });
    assert.deepEqual(remote.scores, local.scores);
    assert.ok(local.scores.every((s) => Number.isFinite(s.loss)));
    const unregistered = async (): Promise<Record<string, number>> => ({ loss: 0 });
    await assert.rejects(searchTrials(unregistered, settings, { executor: executor() }), /registerFunction/);
  });

  it('a search can be cancelled: the trials not yet taken are withdrawn', async () => {
    const idle = queueName(); // no worker listens here
    const controller = new AbortController();
    const search = new RandomizedSearchCV(new LogisticRegression(), GRID, {
      nIter: 5,
      randomState: 0,
      executor: redisExecutor({ url: redis.url, queue: idle, signal: controller.signal }),
    });
    const running = search.fitAsync(X, y);
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(running, AbortError);
    const { Queue } = await loadBullmq();
    const client = await createRedis(parseRedisUrl(redis.url), { mode: 'bullmq' });
    const q = new Queue(idle, { connection: client as never });
    assert.equal(await q.count(), 0);
    await q.close();
    await closeRedis(client);
  });

  it('20 candidates x 5 folds on three workers, one killed part-way: every trial completes once and the result equals in-process', async () => {
    const local = new GridSearchCV(new LogisticRegression(), GRID, { cv: 5, returnTrainScore: true }).fit(X, y);
    let killed = false;
    const progress: number[] = [];
    const remote = await new GridSearchCV(new LogisticRegression(), GRID, {
      cv: 5,
      returnTrainScore: true,
      executor: executor({
        onProgress: (done, total) => {
          progress.push(done);
          assert.equal(total, 100);
          if (done === 20 && !killed) {
            killed = true;
            workers[0].kill();
          }
        },
      }),
    }).fitAsync(X, y);
    assert.ok(killed);
    assert.deepEqual(
      progress,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    const a = local.cvResults!;
    const b = remote.cvResults!;
    assert.deepEqual(b.params, a.params);
    assert.deepEqual(b.splitTestScores, a.splitTestScores);
    assert.deepEqual(b.splitTrainScores, a.splitTrainScores);
    assert.deepEqual(b.meanTestScore, a.meanTestScore);
    assert.deepEqual(b.rankTestScore, a.rankTestScore);
    assert.deepEqual(remote.bestParams, local.bestParams);
    assert.deepEqual((remote.bestEstimator as LogisticRegression).coef, (local.bestEstimator as LogisticRegression).coef);
    // Every trial's job completed exactly once (BullMQ keeps completed jobs for an hour).
    const { Queue } = await loadBullmq();
    const client = await createRedis(parseRedisUrl(redis.url), { mode: 'bullmq' });
    const q = new Queue(queue, { connection: client as never });
    const completed = (await q.getJobs(['completed'], 0, -1)).map((j) => j.id!);
    const runs = new Map<string, string[]>();
    for (const id of completed) runs.set(id.slice(0, 36), [...(runs.get(id.slice(0, 36)) ?? []), id]);
    const search = [...runs.values()].find((ids) => ids.length >= 100);
    assert.ok(search, `no run with 100 completed trials: ${[...runs.values()].map((ids) => ids.length)}`);
    assert.deepEqual(
      search.map((id) => Number(id.slice(37))).sort((p, q) => p - q),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.equal(await q.getJobCountByTypes('failed'), 0);
    // BullMQ hands a worker its next job as it finishes one, so the killed worker held one: re-run after its lock expired.
    const restarted = (await q.getJobs(['completed'], 0, -1)).filter((j) => j.attemptsStarted > 1 || j.stalledCounter > 0).length;
    assert.ok(restarted >= 1, 'the killed worker held a trial that another worker re-ran');
    await q.close();
    await closeRedis(client);
  });
});
