// docs/examples/performance.ts
import { warmUpThreads, getBackend, getNumThreads, randn, manualSeed, noGrad } from '../../src/index.js';

// Start the worker threads and let V8 optimise every kernel once, before the first timed call.
await warmUpThreads();
console.log(`backend ${getBackend().name}, ${getNumThreads()} threads`);

manualSeed(0);
const a = randn([512, 512]);
const b = randn([512, 512]);
noGrad(() => a.matmul(b));                           // inference: no tape is recorded
const started = performance.now();
const c = noGrad(() => a.matmul(b));
const seconds = (performance.now() - started) / 1000;
console.log(`512×512 matmul: ${((2 * 512 ** 3) / seconds / 1e9).toFixed(1)} GFLOP/s, c has shape ${c.shape}`);
