/**
 * The demo's training worker. Frugal runs here rather than on the page's main
 * thread: a worker may block while its own kernel workers compute, so every
 * core takes part and the page stays responsive.
 *
 * Messages in: { type: 'train', epochs } and { type: 'classify', pixels }.
 * Messages out: { type: 'epoch', report }, { type: 'done', report },
 * { type: 'probabilities', probabilities } and { type: 'error', message }.
 */
import * as frugal from 'frugal-ml';
// The built-in digits are not in the browser entry point (their data is 50 KB gzipped): the
// whole API, `frugal-ml/all`, has them; the page's bundle keeps only what it imports from there.
import { loadDigits } from 'frugal-ml/all';
import { classify, type DigitsRun, type FrugalApi, trainDigitsCnn } from './digits-cnn.js';

const lib: FrugalApi = { ...frugal, loadDigits };
let run: DigitsRun | null = null;

self.addEventListener('message', async (event: MessageEvent) => {
  const message = event.data as { type: string; epochs?: number; pixels?: Float32Array };
  try {
    if (message.type === 'train') {
      run = await trainDigitsCnn(lib, message.epochs ?? 5, (report) => self.postMessage({ type: 'epoch', report }));
      self.postMessage({ type: 'done', report: run.report });
    } else if (message.type === 'classify' && run && message.pixels) {
      self.postMessage({ type: 'probabilities', probabilities: classify(lib, run.model, message.pixels) });
    }
  } catch (err) {
    self.postMessage({ type: 'error', message: String((err as Error)?.message ?? err) });
  }
});
self.postMessage({ type: 'ready', threads: frugal.getNumThreads(), isolated: frugal.crossOriginIsolated() });
