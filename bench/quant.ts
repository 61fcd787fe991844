/**
 * `quant-cnn-fashion`: the cnn-fashion model of deep.ts (trained as that
 * workload trains it: Adam 1e-3, batch 64, 2 epochs), quantised to int8
 * after training (calibrated on 8 batches of 128 training images, min-max
 * observers), against the float32 model in the same process, measured back
 * to back:
 * - `size_ratio`: float32 file bytes over int8 file bytes (safetensors,
 *   architecture included);
 * - `speedup`: int8 batch inference throughput over float32's (the 10 000
 *   test images at batch 256, median of 3 passes each, passes alternating);
 *   `infer_img_per_s_f32`, `infer_img_per_s_int8`;
 * - `p50_us_f32`, `p50_us_int8`: single-image latency (one [1, 1, 28, 28]
 *   image in, logits out; 200 warm-up calls then 2 000 timed ones, alternating);
 * - `acc_drop`: float32 test accuracy minus int8's, as a fraction;
 *   `test_acc_f32`, `test_acc_int8`;
 * - float16 storage of the same model: `f16_size_ratio`, `f16_acc_drop`
 *   (the float16 weights run on the float32 kernels: no speedup).
 *
 * Run alone: `node dist/bench/quant.js [--quick] [--data DIR]`.
 */
import { pathToFileURL } from 'node:url';
import { defaultDataDir, median } from './common.js';
import { accuracyOf, loadFashionSplit, makeCnn, type DeepBenchOptions } from './deep.js';
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { noGrad } from '../src/autograd/graph.js';
import { modelFromBytes, modelToBytes } from '../src/nn/serialize.js';
import type { Module } from '../src/nn/module.js';
import { Adam } from '../src/optim/index.js';
import { calibrate, convert, prepare, toFloat16 } from '../src/quant/index.js';
import { manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { fit, predict } from '../src/train/index.js';

function rows(t: Tensor, from: number, to: number): Tensor {
  const row = t.size / t.shape[0];
  return new Tensor(t.data.subarray(from * row, to * row), [to - from, ...t.shape.slice(1)]);
}

function percentile50(values: Float64Array): number {
  return median([...values]);
}

export async function benchQuantCnnFashion(options: DeepBenchOptions): Promise<void> {
  const quick = options.quick ?? false;
  const threads = getNumThreads();
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const emit = (metric: string, value: number): void => options.emit({ workload: 'quant-cnn-fashion', impl: 'frugal', threads, metric, value, ...(quick ? { quick: true } : {}) });
  const full = await loadFashionSplit(options.dataDir ?? defaultDataDir());
  const [ntr, nte] = quick ? [2000, 1000] : [full.xtr.shape[0], full.xte.shape[0]];
  const xtr = rows(full.xtr, 0, ntr),
    ytr = rows(full.ytr, 0, ntr),
    xte = rows(full.xte, 0, nte),
    yte = rows(full.yte, 0, nte);

  manualSeed(0);
  const model = makeCnn();
  await warmUpWasmThreads();
  const t0 = performance.now();
  await fit(model, { x: xtr, y: ytr }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 2, batchSize: 64, verbose: 0 });
  log(`quant-cnn-fashion: trained in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
  model.eval();

  const calibration = Array.from({ length: 8 }, (_, b) => rows(xtr, b * 128, (b + 1) * 128));
  const t1 = performance.now();
  const int8 = convert(calibrate(prepare(model), calibration));
  log(`quant-cnn-fashion: calibrated and converted in ${(performance.now() - t1).toFixed(0)} ms`);
  const floatBytes = modelToBytes(model).length;
  const int8Bytes = modelToBytes(int8).length;
  const f16Bytes = modelToBytes(model, { float16: true });
  const f16 = toFloat16(modelFromBytes(f16Bytes));

  // Batch throughput, passes alternating so that the machine's load falls on both alike.
  const models: [string, Module][] = [
    ['f32', model],
    ['int8', int8],
  ];
  for (const [, m] of models) predict(m, rows(xte, 0, Math.min(256, nte)), { batchSize: 256 });
  const times: Record<string, number[]> = { f32: [], int8: [] };
  const acc: Record<string, number> = {};
  for (let r = 0; r < 3; r++) {
    for (const [name, m] of models) {
      const start = performance.now();
      const logits = predict(m, xte, { batchSize: 256 });
      times[name].push((performance.now() - start) / 1e3);
      acc[name] = accuracyOf(logits, yte);
    }
  }
  const f16Acc = accuracyOf(predict(f16, xte, { batchSize: 256 }), yte);

  // Single-image latency.
  const [warm, calls] = quick ? [50, 300] : [200, 2000];
  const latency: Record<string, Float64Array> = { f32: new Float64Array(calls), int8: new Float64Array(calls) };
  let sink = 0;
  noGrad(() => {
    for (let i = 0; i < warm + calls; i++) {
      const image = rows(xte, i % nte, (i % nte) + 1);
      for (const [name, m] of models) {
        const start = performance.now();
        sink += m.call(image).data[0];
        if (i >= warm) latency[name][i - warm] = (performance.now() - start) * 1e3;
      }
    }
  });
  if (!Number.isFinite(sink)) throw new Error('quant-cnn-fashion: non-finite output');

  const throughput = (name: string): number => nte / median(times[name]);
  log(
    `quant-cnn-fashion: ${floatBytes} → ${int8Bytes} bytes, ${throughput('f32').toFixed(0)} → ${throughput('int8').toFixed(0)} img/s, ` +
      `p50 ${percentile50(latency.f32).toFixed(0)} → ${percentile50(latency.int8).toFixed(0)} µs, acc ${acc.f32.toFixed(4)} → ${acc.int8.toFixed(4)}`,
  );
  emit('size_ratio', floatBytes / int8Bytes);
  emit('speedup', throughput('int8') / throughput('f32'));
  emit('acc_drop', acc.f32 - acc.int8);
  emit('test_acc_f32', acc.f32);
  emit('test_acc_int8', acc.int8);
  emit('infer_img_per_s_f32', throughput('f32'));
  emit('infer_img_per_s_int8', throughput('int8'));
  emit('p50_us_f32', percentile50(latency.f32));
  emit('p50_us_int8', percentile50(latency.int8));
  emit('f16_size_ratio', floatBytes / f16Bytes.length);
  emit('f16_acc_drop', acc.f32 - f16Acc);
}

export const QUANT_WORKLOADS: Record<string, (options: DeepBenchOptions) => Promise<void>> = {
  'quant-cnn-fashion': benchQuantCnnFashion,
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--data');
  await benchQuantCnnFashion({ emit: (line) => console.log(JSON.stringify(line)), quick: process.argv.includes('--quick'), dataDir: i > 0 ? process.argv[i + 1] : undefined });
  process.exit(0);
}
