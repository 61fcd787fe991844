/**
 * Fresh kernel memory: when the wasm memory grows by 1 MiB or more and
 * workers are running, every thread touches the new pages (a GEMM of zeros,
 * engine.ts prefault) before the caller copies operands into them. The
 * memory must read as before (zeros), keep its size, and the products that
 * grow it must not change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemm, getBackend, setBackend, setNumThreads, getNumThreads, warmUpThreads } from '../src/backend/index.js';
import { wasmEngine, wasmSupport } from '../src/backend/wasm/backend.js';
import { assertCloseFloat32, rng } from './helpers/backends.js';

const engine = wasmEngine;
const threaded = wasmSupport === 'threads' && getBackend().name === 'wasm';

function random(length: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length }, () => next() * 2 - 1);
}

async function withTwoThreads(body: () => void): Promise<void> {
  const before = getNumThreads();
  setNumThreads(2);
  try {
    assert.ok(await warmUpThreads(), 'the workers started');
    assert.equal(engine?.numThreads(), 2);
    body();
  } finally {
    setNumThreads(before);
  }
}

describe('fresh kernel memory', { skip: !threaded && 'needs the threaded wasm backend' }, () => {
  it('leaves the products that grow the memory unchanged', async () => {
    const m = 300,
      n = 260,
      k = 200;
    const a = random(m * k, 1),
      b = random(k * n, 2);
    const want = new Float32Array(m * n);
    setBackend('js');
    try {
      gemm({ m, n, k, a, b, c: want });
    } finally {
      setBackend('wasm');
    }
    await withTwoThreads(() => {
      // A batch whose scratch grows the memory by several MiB (prefaulted) in this call: the file's first large one.
      const batch = 12;
      const e = engine!;
      const sizeBefore = e.memory.buffer.byteLength;
      const first = new Float32Array(batch * m * n);
      gemm({ m, n, k, a, b, c: first, batch, aBatchStride: 0, bBatchStride: 0, cBatchStride: m * n });
      assert.ok(e.memory.buffer.byteLength - sizeBefore >= 1 << 20, 'the call grew the memory by at least the prefault threshold');
      const sizeAfter = e.memory.buffer.byteLength;
      const again = new Float32Array(batch * m * n);
      gemm({ m, n, k, a, b, c: again, batch, aBatchStride: 0, bBatchStride: 0, cBatchStride: m * n });
      assert.equal(e.memory.buffer.byteLength, sizeAfter, 'a call of the same size reuses the memory');
      assert.deepEqual(first, again);
      for (let i = 0; i < batch; i++) assertCloseFloat32(first.subarray(i * m * n, (i + 1) * m * n), want, `matrix ${i}`);
    });
  });

  it('is touched on every thread when it grows: the caller then reads and writes it without a fault per page, and it reads as zeros', async () => {
    await withTwoThreads(() => {
      const e = engine!;
      const from = e.memory.buffer.byteLength;
      const grow = 16 << 20;
      e.ensureBytes(from + grow);
      // Growing by exactly a multiple of 64 KiB: the prefault keeps no memory of its own.
      assert.equal(e.memory.buffer.byteLength, from + grow);
      // Reading or writing an untouched page faults once (4096 pages here); the prefault touched them all.
      const before = process.resourceUsage().minorPageFault;
      const fresh = new Uint8Array(e.memory.buffer, from, grow);
      const zeros = fresh.every((x) => x === 0);
      e.f32.fill(1, from / 4, (from + grow) / 4);
      const faults = process.resourceUsage().minorPageFault - before;
      assert.ok(zeros, 'the prefault wrote only zeros');
      assert.ok(faults < grow / 4096 / 8, `${faults} page faults reading and writing ${grow / 4096} pages touched beforehand`);
      e.f32.fill(0, from / 4, (from + grow) / 4);
    });
  });
});
