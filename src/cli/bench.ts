/**
 * `frugal bench`: the benchmark workloads of bench/run.ts, as `npm run
 * bench` runs them. The benchmarks are part of a clone, not of the package:
 * from an installed package this says so.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FrugalError } from '../errors.js';
import type { Streams } from './output.js';

export const BENCH_HELP = `Usage: frugal bench [--workloads NAME,NAME] [--quick] [--data DIR]

Runs the benchmark workloads (bench/run.ts in a clone of the repository,
built by npm run build) and prints one JSON line per measure on stdout,
progress on stderr. Options are passed to bench/run.js as they are.

Examples:
  frugal bench --quick
  frugal bench --workloads gemm,mlp-digits > results.jsonl`;

/** dist/src/cli/bench.js → dist/bench/run.js. */
const RUNNER = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

export async function benchCommand(argv: readonly string[], streams: Streams): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    streams.out(`${BENCH_HELP}\n`);
    return 0;
  }
  if (!existsSync(RUNNER)) throw new FrugalError(`the benchmarks ship with a clone of the repository, not with the package (no ${RUNNER}); run npm run build in a clone`);
  const child = spawn(process.execPath, [RUNNER, ...argv], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 2 : 0)));
  });
}
