/**
 * The browser entry points (issue #13), checked under Node: what they export
 * and reach, how the kernel workers are started, the package's export
 * conditions, and the size of `frugal-ml`'s browser bundle (measured by
 * test/browser/bundle-size.mjs, a Vite build of a few seconds). The page
 * itself is tested in Chromium by `npm run test:browser`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { FrugalError } from '../src/errors.js';
import { crossOriginIsolated, workerStartData } from '../src/platform/threads.js';
import { importUnbundled } from '../src/platform/dynamic-import.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const distSrc = join(root, 'dist', 'src');

/** Module specifiers a bundler would follow: static imports/exports and dynamic imports of a string literal. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g,
    /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g,
    /import\((?:\s*\/\*[^*]*\*\/)*\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** Every specifier reached from `entry` through relative imports (the bare ones are packages). */
function reachableSpecifiers(entry: string): { files: number; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const queue = [entry];
  while (queue.length > 0 && seen.size < 5000) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiersOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  }
  return { files: seen.size, bare };
}

interface BundleFigure {
  entry: string;
  kind: 'entry' | 'lazy' | 'worker';
  gzip_kb_without_wasm: number;
  wasm_kb: number;
}

describe('browser entry point', () => {
  it('exports the core, each name the very object the Node entry point exports, and crossOriginIsolated', () => {
    for (const name of Object.keys(browserEntry)) {
      if (name !== 'crossOriginIsolated') assert.equal((browserEntry as Record<string, unknown>)[name], (nodeEntry as Record<string, unknown>)[name], name);
    }
    const core = [
      ...['Tensor', 'tensor', 'randn', 'manualSeed', 'grad', 'noGrad', 'linalg', 'setBackend', 'setNumThreads'],
      ...['nn', 'Module', 'Sequential', 'Adam', 'SGD', 'fit', 'EarlyStopping', 'modelToBytes', 'saveModel'],
      ...['DataLoader', 'TensorDataset', 'loadIris'],
      ...['LogisticRegression', 'Ridge', 'SGDClassifier', 'SVC', 'LinearSVC', 'SVR'],
      ...['accuracyScore', 'rocAucScore', 'meanSquaredError', 'StandardScaler', 'OneHotEncoder', 'Pipeline'],
      ...['trainTestSplit', 'KFold', 'crossValScore', 'GridSearchCV', 'FrugalError', 'ValueError', 'checkOptions'],
    ];
    for (const name of core) assert.ok(name in browserEntry, `the browser entry point lacks ${name}`);
    assert.equal(typeof browserEntry.crossOriginIsolated, 'function');
  });

  it('frugal-ml/all is the whole API: the Node entry point itself', async () => {
    const whole = await import('frugal-ml/all');
    assert.deepEqual(Object.keys(whole).sort(), Object.keys(nodeEntry).sort());
    assert.equal(whole.RandomForestClassifier, nodeEntry.RandomForestClassifier);
    assert.equal(whole.loadDigits, nodeEntry.loadDigits);
  });

  it('frugal-ml and frugal-ml/all reach no Node.js built-in and no Node-only package that a bundler would follow', () => {
    for (const entry of ['browser.js', 'index.js']) {
      const { files, bare } = reachableSpecifiers(join(distSrc, entry));
      assert.ok(files > 50, `walked ${files} modules`);
      const nodeOnly = [...bare].filter((spec) => spec.startsWith('node:') || ['fs', 'path', 'os', 'zlib', 'worker_threads', 'sharp', 'onnxruntime-node'].includes(spec));
      assert.deepEqual(nodeOnly, [], entry);
    }
  });

  it('the frugal-ml entry chunk is under 150 KB minified and gzipped without the wasm', () => {
    const out = execFileSync(process.execPath, ['test/browser/bundle-size.mjs'], { cwd: root, encoding: 'utf8' });
    const figures = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BundleFigure);
    const core = figures.find((f) => f.entry === 'frugal-ml' && f.kind === 'entry');
    const whole = figures.find((f) => f.entry === 'frugal-ml/all' && f.kind === 'entry');
    assert.ok(core && whole, out);
    assert.ok(core.gzip_kb_without_wasm < 150, `frugal-ml's entry chunk is ${core.gzip_kb_without_wasm} KB gzipped without the wasm`);
    // The kernels are inside the entry chunk: the measure finds them and leaves them out of the figure.
    assert.ok(core.wasm_kb > 10, `no wasm found in the entry chunk (${core.wasm_kb} KB)`);
    assert.ok(whole.gzip_kb_without_wasm > core.gzip_kb_without_wasm);
    // The readers that load on first use are chunks of their own.
    assert.ok(figures.filter((f) => f.entry === 'frugal-ml/all' && f.kind === 'lazy').length >= 2, out);
  });

  it('starts kernel workers in the form bundlers follow, in one place', () => {
    const pool = readFileSync(join(distSrc, 'backend', 'wasm', 'pool.js'), 'utf8');
    assert.match(pool, /new Worker\(new URL\('\.\/worker\.js', import\.meta\.url\), \{ type: 'module' \}\)/);
    const { bare } = reachableSpecifiers(join(distSrc, 'browser.js'));
    assert.ok(![...bare].some((spec) => spec.includes('worker')));
  });

  it("package.json's browser export condition names the browser entry point, before default", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const conditions = Object.keys(pkg.exports['.']);
    assert.equal(pkg.exports['.'].browser, './dist/src/browser.js');
    assert.equal(pkg.exports['./all'].default, './dist/src/index.js');
    assert.ok(conditions.indexOf('browser') < conditions.indexOf('default'));
    assert.ok(existsSync(join(root, pkg.exports['.'].browser)));
  });
});

describe('platform: threads outside a browser', () => {
  it('Node counts as cross-origin isolated (threads share memory)', () => {
    assert.equal(crossOriginIsolated(), true);
  });

  it('workerStartData outside a worker rejects with a FrugalError', async () => {
    await assert.rejects(workerStartData(), FrugalError);
  });

  it('importUnbundled loads a built-in by a name bundlers cannot see', async () => {
    const path = await importUnbundled<typeof import('node:path')>('node:path');
    assert.equal(path.join('a', 'b'), join('a', 'b'));
  });
});
