// Fresh typed arrays per training step of the cnn-fashion model (bench/deep.ts makeCnn, Adam, batch 64), by size and
// allocation site: `npm run build && node scripts/alloc-per-step.mjs [repository root] ` (MINB=64 to list arrays from
// 64 bytes; default 4 KiB). Every typed-array constructor is wrapped before the library is loaded, so the counts cover
// arrayFor, slice() copies out of the engine and every other `new Float32Array(n)`.
const sites = new Map();
let counting = false;
for (const name of ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array']) {
  const Base = globalThis[name];
  const Sub = class extends Base {
    constructor(...args) {
      super(...args);
      if (counting && typeof args[0] === 'number' && this.byteLength >= (Number(process.env.MINB) || 4096)) {
        const stack = new Error().stack
          .split('\n')
          .slice(2, 6)
          .map((l) =>
            l
              .trim()
              .replace(/^at /, '')
              .replace(/\(file:.*\/dist\//, '('),
          )
          .join(' < ');
        const key = `${name}[${args[0]}] ${stack}`;
        const s = sites.get(key) ?? { n: 0, bytes: 0 };
        s.n++;
        s.bytes += this.byteLength;
        sites.set(key, s);
      }
    }
  };
  Object.defineProperty(Sub, 'name', { value: name });
  globalThis[name] = Sub;
}
const W = process.argv[2] ?? new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { makeCnn } = await import(`${W}/dist/bench/deep.js`);
const { Tensor } = await import(`${W}/dist/src/tensor/tensor.js`);
const { manualSeed } = await import(`${W}/dist/src/tensor/random.js`);
const { Adam } = await import(`${W}/dist/src/optim/index.js`);
const { fit } = await import(`${W}/dist/src/train/index.js`);
const { warmUpWasmThreads } = await import(`${W}/dist/src/backend/wasm/backend.js`);
manualSeed(0);
const n = 64 * 21;
const x = new Tensor(
  Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 255) / 255),
  [n, 1, 28, 28],
);
const y = new Tensor(
  Int32Array.from({ length: n }, (_, i) => i % 10),
  [n],
);
const model = makeCnn();
await warmUpWasmThreads();
const opt = new Adam(model.parameters(), { lr: 1e-3 });
await fit(model, { x, y }, { loss: 'crossEntropy', optimizer: opt, epochs: 1, batchSize: 64, verbose: 0 });
counting = true;
await fit(model, { x, y }, { loss: 'crossEntropy', optimizer: opt, epochs: 1, batchSize: 64, verbose: 0 });
counting = false;
const steps = n / 64;
const rows = [...sites].sort((a, b) => b[1].bytes - a[1].bytes);
let total = 0;
for (const [, s] of rows) total += s.bytes;
console.log(`per step: ${(total / steps / 1024).toFixed(0)} KiB in ${rows.reduce((a, [, s]) => a + s.n, 0) / steps} arrays`);
for (const [k, s] of rows.slice(0, 40)) console.log(`${(s.bytes / steps / 1024).toFixed(1).padStart(7)} KiB ${(s.n / steps).toFixed(2).padStart(5)}x  ${k}`);
process.exit(0);
