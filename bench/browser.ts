/**
 * `browser-train-digits`: training samples per second of the demo's CNN on the
 * built-in digits (web/src/digits-cnn.ts) in headless Chromium, in a Web
 * Worker of a cross-origin isolated page (test/browser/run.mjs), against the
 * same code under Node. Both train the same number of epochs; the Node run
 * happens first, in this process. Needs Debian's Chromium (/usr/bin/chromium
 * or $CHROMIUM); without it only the Node lines are written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as frugal from '../src/index.js';
import { type FrugalApi, trainDigitsCnn } from '../web/src/digits-cnn.js';
import type { Emit } from './common.js';

const WORKLOAD = 'browser-train-digits';
/** dist/bench → the repository root. */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function benchBrowserTrainDigits(emit: Emit, options: { quick: boolean }): Promise<void> {
  const epochs = options.quick ? 2 : 8;
  const quick = options.quick ? { quick: true } : {};
  const node = await trainDigitsCnn(frugal as unknown as FrugalApi, epochs);
  emit({ workload: WORKLOAD, impl: 'frugal', threads: node.report.threads, metric: 'node_samples_per_s', value: node.report.samplesPerS, note: 'node', ...quick });
  emit({ workload: WORKLOAD, impl: 'frugal', threads: node.report.threads, metric: 'node_test_acc', value: node.report.testAcc, note: 'node', ...quick });

  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.error(`${WORKLOAD}: no Chromium at ${chromium}; browser lines skipped`);
    return;
  }
  const output = execFileSync(process.execPath, [join(root, 'test', 'browser', 'run.mjs'), '--epochs', String(epochs), '--min-acc', '0', '--json-only'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = output.split('\n').find((text) => text.startsWith('{"browser"'));
  if (!line) throw new frugal.FrugalError(`${WORKLOAD}: the Chromium run printed no result line`);
  const result = JSON.parse(line) as { threads: number; test_acc: number; samples_per_s: number };
  emit({ workload: WORKLOAD, impl: 'frugal', threads: result.threads, metric: 'chromium_samples_per_s', value: result.samples_per_s, note: 'chromium', ...quick });
  emit({ workload: WORKLOAD, impl: 'frugal', threads: result.threads, metric: 'chromium_test_acc', value: result.test_acc, note: 'chromium', ...quick });
  emit({ workload: WORKLOAD, impl: 'frugal', threads: result.threads, metric: 'chromium_over_node', value: result.samples_per_s / node.report.samplesPerS, ...quick });
}
