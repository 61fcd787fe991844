/**
 * The browser entry point (issue #13), checked under Node: what it reaches,
 * how the kernel workers are started, and the package's export condition.
 * The page itself is tested in Chromium by `npm run test:browser`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

describe('browser entry point', () => {
  it('exports what the Node entry point exports, and crossOriginIsolated', () => {
    for (const name of Object.keys(nodeEntry)) assert.ok(name in browserEntry, name);
    assert.equal(typeof browserEntry.crossOriginIsolated, 'function');
  });

  it('reaches no Node.js built-in and no Node-only package that a bundler would follow', () => {
    const { files, bare } = reachableSpecifiers(join(distSrc, 'browser.js'));
    assert.ok(files > 50, `walked ${files} modules`);
    const nodeOnly = [...bare].filter((spec) => spec.startsWith('node:') || ['fs', 'path', 'os', 'zlib', 'worker_threads', 'sharp', 'onnxruntime-node'].includes(spec));
    assert.deepEqual(nodeOnly, []);
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
