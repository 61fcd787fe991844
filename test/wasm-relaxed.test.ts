import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gemmArgs, type FloatArray, type GemmArgs } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js.js';
import { wasmEngine } from '../src/backend/wasm/backend.js';
import { WasmEngine } from '../src/backend/wasm/engine.js';
import { gemm } from '../src/backend/wasm/gemm-job.js';
import { kernels, loadKernels, RELAXED_BY_DEFAULT, relaxedSimdValid } from '../src/backend/wasm/module.js';
import { loadSmallKernels, smallKernels, type SmallKernels } from '../src/backend/wasm/small.js';
import { rng } from './helpers/backends.js';

/** Whether this CPU has fused multiply-add instructions (V8 then makes relaxed_madd one); unknown outside Linux. */
function cpuHasFma(): boolean | null {
  if (process.arch === 'arm64') return true;
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** An engine on one thread (the calling one) for each build of the kernels. */
async function engineFor(relaxed: boolean): Promise<WasmEngine> {
  const loaded = await loadKernels(relaxed);
  assert.ok(loaded.module, 'kernels compile here');
  assert.equal(loaded.relaxed, relaxed);
  const engine = new WasmEngine(loaded.module, loaded.support === 'threads', loaded.maxPages);
  engine.setNumThreads(1);
  return engine;
}

function filled(dtype: 'float32' | 'float64', length: number, value: (i: number) => number): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = value(i);
  return out;
}

function args(dtype: 'float32' | 'float64', m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray, extra: Partial<GemmArgs> = {}): GemmArgs {
  return { ...gemmArgs({ m, n, k, a, b, c }), dtype, ...extra };
}

/** C = a1·b1 + a2·b2 with a1·b1 = −(1 + 2^-11) and a2·b2 = 1 + 2^-11 + 2^-24: 2^-24 when fused, 0 when a2·b2 is rounded first. */
function fusedProbe(engine: WasmEngine, dtype: 'float32' | 'float64'): number {
  const x = dtype === 'float32' ? 2 ** -12 : 2 ** -27;
  const a = filled(dtype, 2, (i) => [-1, 1 + x][i]);
  const b = filled(dtype, 2, (i) => [1 + 2 * x, 1 + x][i]);
  const c = filled(dtype, 1, () => 0);
  gemm(engine, args(dtype, 1, 1, 2, a, b, c));
  return c[0];
}

/** fusedProbe through the small kernels: one row [−1, 1 + x] times a 2→1 layer of weights [1 + 2x, 1 + x]. */
function smallFusedProbe(small: SmallKernels): number {
  const x = 2 ** -12;
  const out = new Float32Array(1);
  small.run(Float32Array.of(-1, 1 + x), 0, 1, [{ w: { data: Float32Array.of(1 + 2 * x, 1 + x), version: 0 }, b: null, n: 1, k: 2, relu: false }], out);
  return out[0];
}

/** Runs compiled test files in a child process with FRUGAL_WASM_RELAXED=`value`; returns its TAP output. */
function runTestsWith(value: '0' | '1', files: string[], namePattern?: string): string {
  const paths = files.map((file) => fileURLToPath(new URL(file, import.meta.url)));
  const args = ['--test', '--test-reporter=tap', ...(namePattern ? ['--test-name-pattern', namePattern] : []), ...paths];
  // Without NODE_TEST_CONTEXT (set by the runner running this file), the child reports as a top-level run.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  try {
    return execFileSync(process.execPath, args, { env: { ...env, FRUGAL_WASM_RELAXED: value }, encoding: 'utf8' });
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    return assert.fail(`FRUGAL_WASM_RELAXED=${value}: ${files.join(', ')} failed:\n${stdout ?? String(error)}`);
  }
}

describe('relaxed SIMD kernels', () => {
  it('are what the backend loaded when asked for, where the engine validates relaxed SIMD (Node 20: after the V8 flag)', async () => {
    await loadKernels(true);
    assert.equal(relaxedSimdValid(), true, 'Node 20+ accepts relaxed SIMD once the flag is set');
    const asked = process.env.FRUGAL_WASM_RELAXED;
    assert.equal(kernels.relaxed, asked === '1' || (asked !== '0' && RELAXED_BY_DEFAULT));
  });

  it('FRUGAL_WASM_RELAXED=0 selects the kernels without relaxed SIMD', () => {
    const module = fileURLToPath(new URL('../src/backend/wasm/module.js', import.meta.url));
    const script = `const { kernels } = await import(${JSON.stringify(module)}); console.log(kernels.support + ' ' + kernels.relaxed);`;
    const run = (value: string): string =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, FRUGAL_WASM_RELAXED: value }, encoding: 'utf8' }).trim();
    assert.equal(run('0'), 'threads false');
    assert.equal(run('1'), 'threads true');
  });

  it('the small-product kernels are the same build as the GEMM kernels (fused exactly when they are)', async () => {
    const tiny = 2 ** -24;
    const plain = await loadSmallKernels(false);
    assert.ok(plain);
    assert.equal(smallFusedProbe(plain), 0);
    const relaxed = await loadSmallKernels(true);
    assert.ok(relaxed);
    const fused = smallFusedProbe(relaxed);
    if (cpuHasFma()) assert.equal(fused, tiny);
    else assert.ok(fused === 0 || fused === tiny, String(fused));
    assert.ok(smallKernels);
    assert.equal(smallFusedProbe(smallKernels), kernels.relaxed ? fused : 0);
    // And the GEMM kernels the backend runs round the same way.
    assert.ok(wasmEngine);
    assert.equal(fusedProbe(wasmEngine, 'float32'), smallFusedProbe(smallKernels));
  });

  it('the small-batch paths agree with the GEMM bit for bit with the other build too (a child process)', () => {
    // This process runs the build FRUGAL_WASM_RELAXED chose; the child the other one.
    const other = kernels.relaxed ? '0' : '1';
    for (const out of [runTestsWith(other, ['./nn-inference.test.js']), runTestsWith(other, ['./backend-routines.test.js'], 'denseRows')]) {
      assert.match(out, /^# pass [1-9]/m);
      assert.match(out, /^# fail 0$/m);
    }
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: the relaxed build fuses the GEMM's multiply-adds, the other rounds each product`, async () => {
      const plain = await engineFor(false);
      assert.equal(fusedProbe(plain, dtype), 0);
      const relaxed = await engineFor(true);
      const fused = fusedProbe(relaxed, dtype);
      const tiny = dtype === 'float32' ? 2 ** -24 : 2 ** -54;
      // relaxed_madd may be unfused on a CPU without FMA; where the CPU has it, V8 fuses.
      if (cpuHasFma()) assert.equal(fused, tiny);
      else assert.ok(fused === 0 || fused === tiny, String(fused));
    });

    it(`${dtype}: both builds match the reference within rounding, every layout and accumulate`, async () => {
      const engines = [await engineFor(false), await engineFor(true)];
      const next = rng(dtype === 'float32' ? 31 : 32);
      const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
      const shapes: [number, number, number][] = [
        [1, 1, 1],
        [7, 13, 97],
        [33, 17, 257],
        [130, 9, 300],
        [64, 64, 600],
      ];
      for (const [m, n, k] of shapes) {
        for (const [transA, transB, accumulate] of [
          [false, false, false],
          [true, false, true],
          [false, true, false],
          [true, true, true],
        ]) {
          const a = filled(dtype, m * k, () => next() * 2 - 1);
          const b = filled(dtype, k * n, () => next() * 2 - 1);
          const c0 = filled(dtype, m * n, () => next() * 2 - 1);
          const extra = { transA, transB, accumulate };
          const expected = c0.slice();
          jsBackend.gemm(args(dtype, m, n, k, a, b, expected, extra));
          // Σ|a||b| (+ |C|) per element bounds the rounding error of either order of operations.
          const scale = Float64Array.from(c0, (v) => (accumulate ? Math.abs(v) : 0));
          jsBackend.gemm(args('float64', m, n, k, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs), scale, { ...extra, accumulate: true }));
          for (const engine of engines) {
            const actual = c0.slice();
            gemm(engine, args(dtype, m, n, k, a, b, actual, extra));
            for (let i = 0; i < actual.length; i++) {
              const bound = 4 * Math.sqrt(k) * eps * scale[i] + 1e-30;
              if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
                assert.fail(`${dtype} ${m}×${n}×${k} ${JSON.stringify(extra)}: element ${i}: ${actual[i]} vs ${expected[i]}`);
              }
            }
          }
        }
      }
    });
  }
});
