/**
 * The wasm LSTM job (src/backend/wasm/lstm-job.ts, asm/lstm.ts): the same
 * results to the bit on one thread and on two (blocks of batch rows per
 * chunk), the state kept for the backward in the engine's memory (the
 * forward runs again where it was given up), and arrays shorter than the
 * sizes they are given with refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getNumThreads, setNumThreads, withResidentOperand } from '../src/backend/index.js';
import { lstmBackward, lstmForward, lstmStatesParked, type LstmInput, type LstmSaved } from '../src/backend/routines/lstm.js';
import { wasmSupport, warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { parkGatesInEngine } from '../src/backend/wasm/lstm-gates.js';
import { registerGateParking } from '../src/backend/wasm/lstm-job.js';
import { ShapeError } from '../src/errors.js';
import { manualSeed, noGrad, randn, type Tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { assertSameBits, withBackend } from './helpers/backends.js';

const skip = wasmSupport === 'none' && 'no WebAssembly SIMD here';

/** The output, final states and gradients of every parameter and of x for sum(output) + sum(h) + sum(c²). */
function lstmRun(lstm: nn.LSTM, x: Tensor, between: () => void = () => {}, backwards = 1): Float32Array[] {
  for (const p of lstm.parameters()) p.grad = null;
  const input = x.detach();
  input.requiresGrad = true;
  const { output, h, c } = lstm.run(input);
  const loss = output.sum().add(h.sum()).add(c.mul(c).sum());
  between();
  for (let i = 0; i < backwards; i++) loss.backward(null, { retainGraph: i < backwards - 1 });
  return [output, h, c, input.grad!, ...lstm.parameters().map((p) => p.grad!)].map((t) => t.data as Float32Array);
}

describe('wasm LSTM job', { skip }, () => {
  it('gives the same outputs and gradients to the bit on one thread and on two (uneven row blocks, reverse direction, two layers)', async () => {
    const before = getNumThreads();
    try {
      manualSeed(7);
      // 22 rows: blocks of 4 with two threads, the last one of 2 rows; large enough to run on both threads.
      const lstm = new nn.LSTM(5, 32, { numLayers: 2, bidirectional: true });
      const x = randn([12, 22, 5]);
      setNumThreads(1);
      const one = withBackend('wasm', () => lstmRun(lstm, x));
      setNumThreads(2);
      await warmUpWasmThreads(); // the workers are ready before the job: both threads take chunks
      for (let round = 0; round < 3; round++) {
        const two = withBackend('wasm', () => lstmRun(lstm, x));
        one.forEach((a, i) => assertSameBits(two[i], a, `result ${i}`));
      }
    } finally {
      setNumThreads(before);
    }
  });

  it('a backward whose kept state was given up (a resident GEMM operand in between) runs the forward again: same gradients', () => {
    withBackend('wasm', () => {
      manualSeed(3);
      const lstm = new nn.LSTM(3, 8, { numLayers: 2 });
      const x = randn([5, 2, 3]);
      const plain = lstmRun(lstm, x);
      const operand = new Float32Array(4096).fill(1);
      const evicted = lstmRun(lstm, x, () => withResidentOperand(operand, () => randn([64, 64]).matmul(randn([64, 64]))));
      plain.forEach((g, i) => assertSameBits(evicted[i], g, `result ${i}`));
    });
  });

  it("a forward run inside a resident operand's scope keeps its state apart from it, and a backward after the scope still gives the same gradients", () => {
    withBackend('wasm', () => {
      manualSeed(5);
      const lstm = new nn.LSTM(4, 8);
      const x = randn([6, 3, 4]);
      const plain = lstmRun(lstm, x);
      const a = randn([40, 40]);
      const product = a.matmul(a).data as Float32Array;
      let inside: Float32Array[] = [];
      let again: Float32Array = new Float32Array(0);
      withResidentOperand(a.data as Float32Array, () => {
        inside = lstmRun(lstm, x);
        again = a.matmul(a).data as Float32Array; // reads the resident copy: the LSTM's state must not have overwritten it
      });
      assertSameBits(again, product, 'the resident product');
      plain.forEach((g, i) => assertSameBits(inside[i], g, `result ${i}`));
    });
  });

  it("the weight gradients are the same with and without another layer's state parked (the gates' gradient parked beside it), which stays parked", () => {
    withBackend('wasm', () => {
      manualSeed(6);
      const lstm = new nn.LSTM(4, 8);
      const x = randn([5, 3, 4]);
      const resident = lstmRun(lstm, x);
      assert.equal(lstmStatesParked(), false);
      const other = new nn.LSTM(3, 8);
      const pending = other.run(randn([4, 2, 3])).output.sum(); // its forward parks its state for a backward still to come
      assert.equal(lstmStatesParked(), true);
      const copied = lstmRun(lstm, x);
      assert.equal(lstmStatesParked(), true, "the other layer's state is still parked");
      resident.forEach((g, i) => assertSameBits(copied[i], g, `result ${i}`));
      pending.backward();
      assert.equal(lstmStatesParked(), false);
    });
  });

  it("leaves the gates' gradient parked in the engine's memory: the bits of the copied-out one's, handed back by release", () => {
    withBackend('wasm', () => {
      manualSeed(12);
      const [T, B, H, F] = [5, 6, 8, 3];
      const G = 4 * H;
      const data = (shape: number[]): Float32Array => randn(shape).data as Float32Array;
      const input: LstmInput<Float32Array> = { x: data([T, B, F]), wIh: data([G, F]), bIh: null, features: F };
      const [wHh, h0, c0, gOut, dcEnd] = [data([G, H]), data([B, H]), data([B, H]), data([T + 1, B, H]), data([B, H])];
      const backward = (parking: boolean): { gates: Float32Array; dh: Float32Array; dc: Float32Array; db: Float32Array; inEngine: boolean } => {
        const saved: LstmSaved<Float32Array> = { out: new Float32Array((T + 1) * B * H), cell: null };
        lstmForward.run(input, wHh, null, h0, c0, T, B, H, false, saved, true);
        const [dh, dc, db] = [new Float32Array(B * H), dcEnd.slice(), new Float32Array(G)];
        registerGateParking(parking ? parkGatesInEngine : () => null);
        try {
          const result = lstmBackward.run(gOut, saved, wHh, T, B, H, false, dh, dc, db);
          const inEngine = !(result.dx.buffer instanceof ArrayBuffer);
          assert.equal(lstmStatesParked(), inEngine, 'a parked gradient holds a park until released');
          const gates = (result.dx as Float32Array).slice();
          result.release?.();
          assert.equal(lstmStatesParked(), false);
          return { gates, dh, dc, db, inEngine };
        } finally {
          registerGateParking(parkGatesInEngine);
        }
      };
      const copied = backward(false);
      const parked = backward(true);
      assert.equal(copied.inEngine, false);
      assert.equal(parked.inEngine, typeof SharedArrayBuffer !== 'undefined', 'parked where the memory is shared');
      for (const key of ['gates', 'dh', 'dc', 'db'] as const) assertSameBits(parked[key], copied[key], key);
    });
  });

  it('a retained graph runs the backward twice: twice the gradients', () => {
    withBackend('wasm', () => {
      manualSeed(4);
      const lstm = new nn.LSTM(3, 8, { bidirectional: true });
      const x = randn([4, 3, 3]);
      const once = lstmRun(lstm, x).slice(4);
      const twice = lstmRun(lstm, x, undefined, 2).slice(4);
      once.forEach((g, i) =>
        assertSameBits(
          twice[i],
          g.map((v) => v * 2),
          `gradient ${i}`,
        ),
      );
    });
  });

  it('gates saturate past the clamp of exp and a NaN input stays NaN, as in the reference', () => {
    manualSeed(11);
    const lstm = new nn.LSTM(3, 8);
    // One sequence of large inputs (every gate pre-activation far beyond ±88), one with a NaN at its second step.
    const x = randn([4, 2, 3]).mul(1e4);
    (x.data as Float32Array)[1 * 2 * 3 + 1 * 3 + 0] = NaN; // step 1, row 1, feature 0
    const fast = withBackend('wasm', () => noGrad(() => lstm.run(x).output.data as Float32Array));
    const ref = withBackend('js', () => noGrad(() => lstm.run(x).output.data as Float32Array));
    for (let i = 0; i < ref.length; i++) {
      const row = Math.floor(i / 8) % 2,
        step = Math.floor(i / 16);
      if (row === 1 && step >= 1) assert.ok(Number.isNaN(fast[i]) && Number.isNaN(ref[i]), `output ${i}: NaN from step 1 on`);
      else assert.ok(Math.abs(fast[i] - ref[i]) <= 1e-6, `output ${i}: ${fast[i]} vs ${ref[i]}`);
    }
  });

  it("refuses arrays shorter than the sizes given with them (ShapeError), before touching the kernels' memory", () => {
    withBackend('wasm', () => {
      const [T, B, H] = [3, 2, 4];
      const saved: LstmSaved<Float32Array> = { out: new Float32Array((T + 1) * B * H), cell: null };
      const F = 3,
        input = { x: new Float32Array(T * B * F), wIh: new Float32Array(4 * H * F), bIh: new Float32Array(4 * H), features: F };
      const ok = [input, new Float32Array(4 * H * H), null, new Float32Array(B * H), new Float32Array(B * H)] as const;
      assert.throws(() => lstmForward.run({ ...input, x: new Float32Array(T * B * F - 1) }, ok[1], null, ok[3], ok[4], T, B, H, false, saved, true), ShapeError);
      assert.throws(() => lstmForward.run({ ...input, wIh: new Float32Array(4 * H * F - 1) }, ok[1], null, ok[3], ok[4], T, B, H, false, saved, true), ShapeError);
      assert.throws(() => lstmForward.run({ ...input, bIh: new Float32Array(4 * H - 1) }, ok[1], null, ok[3], ok[4], T, B, H, false, saved, true), ShapeError);
      assert.throws(() => lstmForward.run(ok[0], new Float32Array(4), null, ok[3], ok[4], T, B, H, false, saved, true), ShapeError);
      assert.throws(() => lstmForward.run(ok[0], ok[1], null, ok[3], new Float32Array(1), T, B, H, false, saved, true), ShapeError);
      lstmForward.run(...ok, T, B, H, false, saved, true);
    });
  });

  it("projecting the layer input inside the job gives the bits of a Linear layer's projection (one and two threads, odd input width)", async () => {
    const before = getNumThreads();
    try {
      manualSeed(11);
      const [T, B, H, F] = [6, 21, 32, 7];
      const G = 4 * H;
      const x = randn([T, B, F]),
        wIh = randn([G, F]),
        bIh = randn([G]),
        wHh = randn([G, H]).data as Float32Array,
        bHh = randn([G]).data as Float32Array;
      const h0 = randn([B, H]).data as Float32Array,
        c0 = randn([B, H]).data as Float32Array;
      const forward = (input: LstmInput<Float32Array>): Float32Array => {
        const saved: LstmSaved<Float32Array> = { out: new Float32Array((T + 1) * B * H), cell: null };
        lstmForward.run(input, wHh, bHh, h0, c0, T, B, H, true, saved, false);
        return saved.out;
      };
      // The Linear layer's projection handed to the job as an input of G features with the identity for W_ih and no
      // bias: the job's own projection then reproduces it exactly (each sum adds one product by 1 to zeros).
      const identity = new Float32Array(G * G);
      for (let i = 0; i < G; i++) identity[i * G + i] = 1;
      await warmUpWasmThreads();
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        withBackend('wasm', () => {
          const xp = nn.linear(x.reshape([T * B, F]), wIh, bIh).data as Float32Array;
          const given = forward({ x: xp, wIh: identity, bIh: null, features: G });
          const projected = forward({ x: x.data as Float32Array, wIh: wIh.data as Float32Array, bIh: bIh.data as Float32Array, features: F });
          assertSameBits(projected, given, `${threads} thread(s)`);
        });
      }
    } finally {
      setNumThreads(before);
    }
  });
});
