/** A forest worker: grows trees of one fit until none is left, then ends (see forest-threads.ts). */
import { workerStartData } from '../../platform/threads.js';
import { runForestWorker, type ForestWorkerStart } from './forest-threads.js';

runForestWorker((await workerStartData()) as ForestWorkerStart);
