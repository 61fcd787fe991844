// Measures the browser entry point (dist/src/browser.js) as an app would ship
// it: bundled by Vite for the browser, minified, gzipped; with and without the
// WebAssembly kernels (embedded as base64 in *.generated.js). Prints one JSON
// line. Run `npm run build` first.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(repository, 'web', 'dist-size');

await build({
  configFile: false,
  logLevel: 'error',
  root: repository,
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir,
    emptyOutDir: true,
    minify: true,
    lib: { entry: join(repository, 'dist/src/browser.js'), formats: ['es'], fileName: 'frugal' },
  },
});

let js = '';
for (const file of readdirSync(outDir, { recursive: true })) {
  if (String(file).endsWith('.js')) js += readFileSync(join(outDir, String(file)), 'utf8');
}
rmSync(outDir, { recursive: true, force: true });
// The kernels' wasm: base64 strings starting with the wasm magic ("\0asm" → "AGFzbQ").
const wasmBase64 = js.match(/AGFzbQ[A-Za-z0-9+/=]+/g) ?? [];
const withoutWasm = wasmBase64.reduce((text, b64) => text.replace(b64, ''), js);
const kb = (text) => Math.round((gzipSync(text, { level: 9 }).length / 1024) * 10) / 10;
console.log(
  JSON.stringify({
    entry: 'dist/src/browser.js',
    minified_kb: Math.round(Buffer.byteLength(js) / 102.4) / 10,
    gzip_kb: kb(js),
    gzip_kb_without_wasm: kb(withoutWasm),
    wasm_kb: Math.round(wasmBase64.reduce((n, b) => n + (b.length * 3) / 4, 0) / 102.4) / 10,
  }),
);
