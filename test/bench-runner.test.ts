/**
 * bench/run.ts names every workload without loading its module (each runs
 * in a fresh process holding only what it uses): its table must list every
 * workload the bench modules define.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEEP_WORKLOADS } from '../bench/deep.js';
import { GAN_WORKLOADS } from '../bench/gan.js';
import { LINEAR_WORKLOADS } from '../bench/classical-linear.js';
import { SVM_WORKLOADS } from '../bench/classical-svm.js';
import { CONVT_WORKLOADS } from '../bench/convt.js';
import { DECOMPOSITION_WORKLOADS } from '../bench/decomposition.js';
import { TREE_WORKLOADS } from '../bench/trees.js';
import { COMPRESS_WORKLOADS } from '../bench/compress.js';
import { QUANT_WORKLOADS } from '../bench/quant.js';
import { ALLOCATOR_TUNING } from '../src/platform/allocator.js';

const RUN = fileURLToPath(new URL('../bench/run.js', import.meta.url));

function listedWorkloads(): string[] {
  const out = spawnSync(process.execPath, [RUN, '--help'], { encoding: 'utf8' });
  const m = /--workloads ([^\]\s]+)\]/.exec(out.stderr);
  assert.ok(m, `usage line not found in: ${out.stderr}`);
  return m[1].split(',');
}

describe('bench/run', () => {
  it('lists every workload the bench modules define', () => {
    const listed = new Set(listedWorkloads());
    const defined = [
      'gemm',
      'gemm-fresh',
      'conv-backward',
      'knn-fashion',
      'hgb-digits',
      'browser-train-digits',
      ...Object.keys(DEEP_WORKLOADS),
      ...Object.keys(GAN_WORKLOADS),
      ...LINEAR_WORKLOADS,
      ...SVM_WORKLOADS,
      ...CONVT_WORKLOADS,
      ...DECOMPOSITION_WORKLOADS,
      ...TREE_WORKLOADS,
      ...Object.keys(COMPRESS_WORKLOADS),
      ...Object.keys(QUANT_WORKLOADS),
      'fewlabel-digits',
      'fewlabel-fashion',
      'search-distributed',
    ];
    for (const name of defined) assert.ok(listed.has(name), `bench/run.ts does not list ${name}`);
  });

  it('rejects an unknown workload by name', () => {
    const out = spawnSync(process.execPath, [RUN, '--workloads', 'no-such-workload'], { encoding: 'utf8' });
    assert.notEqual(out.status, 0);
    assert.match(out.stderr, /unknown workload 'no-such-workload'/);
  });

  it('runs two quick workloads, each in its own process, and prints their JSON lines', { timeout: 60_000 }, () => {
    const out = execFileSync(process.execPath, [RUN, '--workloads', 'gemm,mlp-digits', '--quick'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { workload: string });
    assert.ok(lines.some((l) => l.workload === 'gemm'));
    assert.ok(lines.some((l) => l.workload === 'mlp-digits'));
  });

  it('runs the workloads with the tuned allocator unless told --default-malloc', { timeout: 60_000 }, () => {
    const env = { ...process.env };
    for (const name of ['GLIBC_TUNABLES', 'FRUGAL_DEFAULT_MALLOC', ...Object.keys(ALLOCATOR_TUNING)]) delete env[name];
    const tuned = spawnSync(process.execPath, [RUN, '--workloads', 'gemm', '--quick'], { encoding: 'utf8', env });
    assert.equal(tuned.status, 0, tuned.stderr);
    assert.match(tuned.stderr, /# allocator: GLIBC_TUNABLES=glibc\.malloc\.hugetlb=1 MALLOC_MMAP_THRESHOLD_=33554432 /);
    const plain = spawnSync(process.execPath, [RUN, '--workloads', 'gemm', '--quick', '--default-malloc'], { encoding: 'utf8', env });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /# allocator/);
    assert.match(plain.stdout, /"workload":"gemm"/);
  });
});
