// Without SharedArrayBuffer (a browser page that is not cross-origin
// isolated) the wasm backend runs its kernels on one thread over an ordinary
// memory, whose buffer is replaced when it grows. The kernel tests run again
// in such a process: Node's --no-harmony-sharedarraybuffer gives one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const files = ['backend', 'conv-kernel', 'nn-fusion', 'nn-inference', 'svm-wasm', 'optim'].map((name) => fileURLToPath(new URL(`./${name}.test.js`, import.meta.url)));

test('the wasm kernels pass their tests in a process without SharedArrayBuffer (one thread, ordinary memory)', () => {
  // A runner of its own (not a child of this one, which would report through the parent's channel).
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['--no-harmony-sharedarraybuffer', '--test', '--test-reporter=tap', ...files], { encoding: 'utf8', env, timeout: 120_000 });
  const failing = run.stdout.split('\n').filter((line) => /^\s*not ok/.test(line));
  assert.equal(run.status, 0, `exit ${run.status}: ${failing.join('; ')}${run.stderr.slice(-2000)}`);
  assert.match(run.stdout, /# fail 0/);
  assert.doesNotMatch(run.stdout, /# pass 0\b/);
});
