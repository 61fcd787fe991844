// Measures frugal-ml's browser entry points as an app ships them: bundled by
// Vite for the browser and fully minified (whitespace too, as an app build
// does; Vite's library mode would keep the whitespace), then gzipped (level 9).
// - `frugal-ml` (dist/src/browser.js): the core, what a page loads up front;
// - `frugal-ml/all` (dist/src/index.js): the whole API, all of it bundled
//   (a page that imports a few names from it gets only those, tree-shaken).
// The WebAssembly kernels travel inside the entry chunk as base64 strings;
// the figures say how much they weigh and leave them out of
// `gzip_kb_without_wasm`. Chunks split off by a dynamic `import()` (loaded
// when an async function first needs them) and the worker scripts are
// printed separately, one JSON line per file. Run `npm run build` first.
//
// `--check` exits with status 1 when the `frugal-ml` entry chunk is
// 150 KB or more gzipped without the wasm (test/browser-bundle.test.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** The budget of the `frugal-ml` entry chunk, KB gzipped without the wasm (issue #13). */
export const ENTRY_BUDGET_KB = 150;

const repository = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = [
  { name: 'frugal-ml', file: 'dist/src/browser.js' },
  { name: 'frugal-ml/all', file: 'dist/src/index.js' },
];

const kb = (bytes) => Math.round((bytes / 1024) * 10) / 10;
const gzipKb = (text) => kb(gzipSync(text, { level: 9 }).length);
/** The wasm modules' base64 (strings starting with the wasm magic, "\0asm" → "AGFzbQ"). */
const wasmBase64 = (code) => code.match(/AGFzbQ[A-Za-z0-9+/=]+/g) ?? [];

/** Bundles one entry point and returns one figure per output file. */
async function measure({ name, file }) {
  const result = await build({
    configFile: false,
    logLevel: 'error',
    root: repository,
    worker: { format: 'es' },
    build: {
      target: 'es2022',
      write: false,
      minify: true,
      rolldownOptions: { output: { minify: true } },
      lib: { entry: join(repository, file), formats: ['es'], fileName: 'entry' },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  return outputs.map((output) => {
    const code = output.type === 'chunk' ? output.code : String(output.source);
    const wasm = wasmBase64(code);
    const withoutWasm = wasm.reduce((text, b64) => text.replace(b64, ''), code);
    return {
      entry: name,
      file: output.fileName,
      // entry: loaded with the page; lazy: by a dynamic import() on first use; worker: a worker's script.
      kind: output.type === 'chunk' ? (output.isEntry ? 'entry' : 'lazy') : 'worker',
      minified_kb: kb(Buffer.byteLength(code)),
      gzip_kb: gzipKb(code),
      gzip_kb_without_wasm: gzipKb(withoutWasm),
      wasm_kb: kb(wasm.reduce((n, b64) => n + (b64.length * 3) / 4, 0)),
    };
  });
}

const figures = [];
for (const entry of ENTRIES) figures.push(...(await measure(entry)));
for (const figure of figures) console.log(JSON.stringify(figure));

if (process.argv.includes('--check')) {
  const core = figures.find((f) => f.entry === 'frugal-ml' && f.kind === 'entry');
  if (!core || core.gzip_kb_without_wasm >= ENTRY_BUDGET_KB) {
    console.error(`size:browser: the frugal-ml entry chunk is ${core?.gzip_kb_without_wasm} KB gzipped without the wasm; the budget is under ${ENTRY_BUDGET_KB} KB`);
    process.exitCode = 1;
  }
}
