/**
 * `npm run bench -- --workloads gemm,mlp-digits [--quick] [--data DIR]`
 *
 * Prints one JSON line per metric, as ../shared/bench/SPEC.md defines them,
 * with "impl":"frugal". Progress goes to stderr; stdout carries only the
 * JSON lines, so the output can be appended to a results file.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ALLOCATOR_TUNING, allocatorTuned, DEFAULT_MALLOC_VARIABLE, withTunedAllocator } from '../src/platform/allocator.js';

interface Line {
  workload: string;
  impl: string;
  threads: number;
  metric: string;
  value: number;
}
type Emit = (line: Line) => void;
interface Options {
  quick: boolean;
  dataDir?: string;
}
type Runner = (emit: Emit, options: Options) => Promise<void>;

/**
 * Each workload's runner, loaded only when that workload runs: a workload's
 * process holds the modules it uses and nothing else. That matters for the
 * measurement: once V8's old generation passes 8 MB (the whole library
 * loaded is about 10 MB), it starts incremental marking after nearly every
 * scavenge, and a training loop then pays for hundreds of full collections
 * (docs/performance.md, "Heap size and training speed").
 */
const RUNNERS: Record<string, () => Promise<Runner>> = {
  gemm: async () => {
    const { benchGemm } = await import('./gemm.js');
    return (emit, { quick }) => benchGemm(emit, quick ? { sizes: [64, 256] } : {});
  },
  'gemm-fresh': async () => {
    const { benchGemmFresh } = await import('./gemm.js');
    return (emit, { quick }) => benchGemmFresh(emit, quick ? { sizes: [64, 128], both: false } : {});
  },
  'conv-backward': async () => {
    const { benchConvBackward } = await import('./conv-backward.js');
    return (emit, { quick }) => benchConvBackward(emit, quick);
  },
  ...named(['mlp-digits', 'cnn-fashion', 'lstm-fashion', 'predict-latency'], async (name) => {
    const { DEEP_WORKLOADS } = await import('./deep.js');
    return (emit, options) => DEEP_WORKLOADS[name]({ emit, ...options });
  }),
  ...named(['linreg-synth', 'ridge-digits-cv', 'logreg-fashion'], async (name) => {
    const { benchClassicalLinear } = await import('./classical-linear.js');
    return (emit, options) => benchClassicalLinear(emit, [name], options);
  }),
  ...named(['svc-digits', 'svc-fashion', 'linsvc-fashion'], async (name) => {
    const { benchClassicalSvm } = await import('./classical-svm.js');
    return (emit, options) => benchClassicalSvm(emit, [name], options);
  }),
  ...named(['gan-digits', 'cgan-digits-quality', 'gan-augment', 'tabular-synth-iris'], async (name) => {
    const { GAN_WORKLOADS } = await import('./gan.js');
    return (emit, { quick }) => GAN_WORKLOADS[name]({ emit, quick });
  }),
  'convt-dcgan': async () => {
    const { benchConvTranspose } = await import('./convt.js');
    return (emit, options) => benchConvTranspose(emit, options);
  },
  ...named(['pca-fashion', 'kmeans-fashion'], async (name) => {
    const { benchDecomposition } = await import('./decomposition.js');
    return (emit, options) => benchDecomposition(emit, name, options);
  }),
  'knn-fashion': async () => {
    const { benchKnnFashion } = await import('./neighbors.js');
    return (emit, options) => benchKnnFashion(emit, options);
  },
  'rf-fashion': async () => {
    const { benchTrees } = await import('./trees.js');
    return (emit, options) => benchTrees(emit, ['rf-fashion'], options);
  },
  'hgb-digits': async () => {
    const { benchHgbDigits } = await import('./hgb.js');
    return (emit, options) => benchHgbDigits(emit, options);
  },
  'fewlabel-digits': async () => {
    const { benchFewLabelDigits } = await import('./fewlabel-digits.js');
    return (emit, options) => benchFewLabelDigits(emit, options);
  },
  'search-distributed': async () => {
    const { benchSearchDistributed } = await import('./search-distributed.js');
    return (emit, { quick }) => benchSearchDistributed(emit, { quick });
  },
  ...named(['prune-cnn-fashion', 'distill-fashion'], async (name) => {
    const { COMPRESS_WORKLOADS } = await import('./compress.js');
    return (emit, options) => COMPRESS_WORKLOADS[name]({ emit, ...options });
  }),
  'fewlabel-fashion': async () => {
    const { benchFewLabelFashion } = await import('./fewlabel.js');
    return (emit, options) => benchFewLabelFashion({ emit, ...options });
  },
  'quant-cnn-fashion': async () => {
    const { QUANT_WORKLOADS } = await import('./quant.js');
    return (emit, options) => QUANT_WORKLOADS['quant-cnn-fashion']({ emit, ...options });
  },
  'browser-train-digits': async () => {
    const { benchBrowserTrainDigits } = await import('./browser.js');
    return (emit, { quick }) => benchBrowserTrainDigits(emit, { quick });
  },
};

/** The same loader under several workload names, told which one it runs. */
function named(names: readonly string[], load: (name: string) => Promise<Runner>): Record<string, () => Promise<Runner>> {
  return Object.fromEntries(names.map((name) => [name, () => load(name)]));
}

interface Args extends Options {
  workloads: string[];
  /** Run the workloads in this process, one after the other (default: a fresh process for each). */
  inProcess: boolean;
  /** Load the whole library first, as `import … from 'frugal-ml'` does, to measure what its heap costs. */
  loadAll: boolean;
  /** Keep glibc's allocator defaults (the workloads' child processes inherit the choice through FRUGAL_DEFAULT_MALLOC). */
  defaultMalloc: boolean;
}

function parseArgs(argv: string[]): Args {
  let workloads = Object.keys(RUNNERS);
  let quick = false;
  let inProcess = false;
  let loadAll = false;
  let defaultMalloc = false;
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--workloads') workloads = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--workloads=')) workloads = arg.slice('--workloads='.length).split(',').filter(Boolean);
    else if (arg === '--quick') quick = true;
    else if (arg === '--in-process') inProcess = true;
    else if (arg === '--load-all') loadAll = true;
    else if (arg === '--default-malloc') defaultMalloc = true;
    else if (arg === '--data') dataDir = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.error(`usage: npm run bench -- [--workloads ${Object.keys(RUNNERS).join(',')}] [--quick] [--data DIR] [--in-process] [--load-all] [--default-malloc]`);
      process.exit(0);
    } else throw new Error(`unknown argument '${arg}' (try --help)`);
  }
  for (const w of workloads) {
    if (!RUNNERS[w]) throw new Error(`unknown workload '${w}'; known: ${Object.keys(RUNNERS).join(', ')}`);
  }
  return { workloads, quick, dataDir, inProcess, loadAll, defaultMalloc };
}

/** Runs this script again in a child process with `env`; resolves to its exit code. */
function rerun(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
}

const args = parseArgs(process.argv.slice(2));
const emit: Emit = (line) => console.log(JSON.stringify(line));
if (args.defaultMalloc) process.env[DEFAULT_MALLOC_VARIABLE] = '1';
if (!allocatorTuned(process.env)) {
  // As the PyTorch peer does: glibc reads its allocator settings at start-up, so the workloads run in a child that has them (src/platform/allocator.ts; --default-malloc keeps the defaults).
  const tuned = withTunedAllocator(process.env);
  console.error(`# allocator: ${['GLIBC_TUNABLES', ...Object.keys(ALLOCATOR_TUNING)].map((name) => `${name}=${tuned[name]}`).join(' ')}`);
  process.exitCode = await rerun(process.argv.slice(2), tuned);
} else if (args.inProcess || args.workloads.length === 1) {
  if (args.loadAll) await import('../src/index.js');
  for (const name of args.workloads) {
    console.error(`# ${name}`);
    await (await RUNNERS[name]())(emit, args);
  }
} else {
  // A fresh process per workload: none inherits another's heap, compiled code or worker pool.
  for (const name of args.workloads) {
    const childArgs = ['--workloads', name, ...(args.quick ? ['--quick'] : []), ...(args.loadAll ? ['--load-all'] : []), ...(args.dataDir ? ['--data', args.dataDir] : [])];
    const code = await rerun(childArgs, process.env);
    if (code !== 0) {
      console.error(`# ${name} failed (exit ${code})`);
      process.exitCode = code;
    }
  }
}
// Explicit exit: nothing a workload left behind (worker pool, timers) may hold the process open.
process.exit(process.exitCode ?? 0);
