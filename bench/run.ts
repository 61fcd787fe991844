/**
 * `npm run bench -- --workloads gemm,mlp-digits [--quick] [--data DIR]`
 *
 * Prints one JSON line per metric, as ../shared/bench/SPEC.md defines them,
 * with "impl":"frugal". Progress goes to stderr; stdout carries only the
 * JSON lines, so the output can be appended to a results file.
 */
import { benchGemm } from './gemm.js';
import { DEEP_WORKLOADS } from './deep.js';
import { QUANT_WORKLOADS } from './quant.js';
import { benchClassicalLinear, LINEAR_WORKLOADS } from './classical-linear.js';
import { benchClassicalSvm, SVM_WORKLOADS } from './classical-svm.js';
import { GAN_WORKLOADS } from './gan.js';
import { benchConvTranspose, CONVT_WORKLOADS } from './convt.js';
import { benchDecomposition, DECOMPOSITION_WORKLOADS } from './decomposition.js';
import { benchKnnFashion } from './neighbors.js';
import { benchTrees, TREE_WORKLOADS } from './trees.js';
import { benchHgbDigits } from './hgb.js';
import { benchBrowserTrainDigits } from './browser.js';

interface Line {
  workload: string;
  impl: string;
  threads: number;
  metric: string;
  value: number;
}
type Runner = (emit: (line: Line) => void, options: { quick: boolean; dataDir?: string }) => Promise<void>;

const RUNNERS: Record<string, Runner> = {
  gemm: (emit, { quick }) => benchGemm(emit, quick ? { sizes: [64, 256] } : {}),
  ...Object.fromEntries(Object.entries(DEEP_WORKLOADS).map(([name, run]) => [name, ((emit, options) => run({ emit, ...options })) as Runner])),
  ...Object.fromEntries(Object.entries(QUANT_WORKLOADS).map(([name, run]) => [name, ((emit, options) => run({ emit, ...options })) as Runner])),
  ...Object.fromEntries(LINEAR_WORKLOADS.map((name) => [name, ((emit, options) => benchClassicalLinear(emit, [name], options)) as Runner])),
  ...Object.fromEntries(SVM_WORKLOADS.map((name) => [name, ((emit, options) => benchClassicalSvm(emit, [name], options)) as Runner])),
  ...Object.fromEntries(Object.entries(GAN_WORKLOADS).map(([name, run]) => [name, ((emit, { quick }) => run({ emit, quick })) as Runner])),
  ...Object.fromEntries(CONVT_WORKLOADS.map((name) => [name, ((emit, options) => benchConvTranspose(emit, options)) as Runner])),
  ...Object.fromEntries(DECOMPOSITION_WORKLOADS.map((name) => [name, ((emit, options) => benchDecomposition(emit, name, options)) as Runner])),
  'knn-fashion': (emit, options) => benchKnnFashion(emit, options),
  ...Object.fromEntries(TREE_WORKLOADS.map((name) => [name, ((emit, options) => benchTrees(emit, [name], options)) as Runner])),
  'hgb-digits': (emit, options) => benchHgbDigits(emit, options),
  'browser-train-digits': (emit, { quick }) => benchBrowserTrainDigits(emit, { quick }),
};

function parseArgs(argv: string[]): { workloads: string[]; quick: boolean; dataDir?: string } {
  let workloads = Object.keys(RUNNERS);
  let quick = false;
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--workloads') workloads = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--workloads=')) workloads = arg.slice('--workloads='.length).split(',').filter(Boolean);
    else if (arg === '--quick') quick = true;
    else if (arg === '--data') dataDir = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.error(`usage: npm run bench -- [--workloads ${Object.keys(RUNNERS).join(',')}] [--quick] [--data DIR]`);
      process.exit(0);
    } else throw new Error(`unknown argument '${arg}' (try --help)`);
  }
  for (const w of workloads) {
    if (!RUNNERS[w]) throw new Error(`unknown workload '${w}'; known: ${Object.keys(RUNNERS).join(', ')}`);
  }
  return { workloads, quick, dataDir };
}

const { workloads, quick, dataDir } = parseArgs(process.argv.slice(2));
for (const name of workloads) {
  console.error(`# ${name}`);
  await RUNNERS[name]((line) => console.log(JSON.stringify(line)), { quick, dataDir });
}
// Explicit exit: nothing a workload left behind (worker pool, timers) may hold the process open.
process.exit(0);
