// Vite config of the demo page (web/). The page imports `frugal-ml` as an app
// that installed it would: web/node_modules/frugal-ml links to this repository,
// whose package.json's `browser` export condition selects dist/src/browser.js
// (run `npm run build` first).
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const installed = fileURLToPath(new URL('./node_modules/frugal-ml', import.meta.url));
if (!existsSync(installed)) {
  mkdirSync(fileURLToPath(new URL('./node_modules', import.meta.url)), { recursive: true });
  symlinkSync('../..', installed, 'dir');
}
// The headers that make the page cross-origin isolated, so threads can share memory.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Frugal uses top-level await (the kernels compile asynchronously).
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // The demo, and a page that runs Frugal on its main thread (checked by the Chromium test).
    rollupOptions: { input: { demo: join(here, 'index.html'), mainThread: join(here, 'main-thread.html') } },
  },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
});
