/**
 * Quantisation (src/quant): post-training static and dynamic int8, QAT,
 * saving int8 and float16 models, on a small CNN trained on digits.
 *
 * Tolerance of the accuracy tests: int8 activations carry about 8 bits over
 * each layer's observed range, so each layer adds an error of up to half a
 * step (range / 510) per input, and three layers compound it. Measured on
 * this model: logits within 4.5 % of their largest magnitude (0.8 % for
 * dynamic quantisation), the predicted class unchanged on ≥ 99.7 % of the
 * images, accuracy no lower; the tests allow 8 % and 95 %, and an accuracy
 * at most 2 points lower than the float model's.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  fit,
  FrugalError,
  loadDigits,
  manualSeed,
  modelFromBytes,
  modelToBytes,
  type Module,
  nn,
  noGrad,
  quant,
  type Sequential,
  Tensor,
  ValueError,
  decodeSafetensors,
} from '../src/index.js';
import { halfToFloat, floatToHalf } from '../src/io/safetensors.js';
import { gradcheck } from './helpers/gradcheck.js';

const { QuantizedConv2d, QuantizedLinear } = quant;

function makeCnn(): Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(8 * 4 * 4, 32),
    new nn.ReLU(),
    new nn.Linear(32, 10),
  );
}

let x: Tensor;
let y: Tensor;
let model: Sequential;
let floatLogits: Tensor;

/** Calibration batches: the first 256 images in batches of 64. */
function batches(): Tensor[] {
  return [0, 1, 2, 3].map((b) => new Tensor(x.data.slice(b * 64 * 64, (b + 1) * 64 * 64), [64, 1, 8, 8]));
}

function logits(m: Module, input = x): Tensor {
  return noGrad(() => m.eval().call(input));
}

function accuracy(out: Tensor): number {
  const [n, k] = out.shape;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (out.data[i * k + j] > out.data[i * k + best]) best = j;
    if (best === y.data[i]) right++;
  }
  return right / n;
}

/** Largest |a − b| over the largest |b|, and the share of rows whose arg-max agrees. */
function compare(a: Tensor, b: Tensor): { error: number; agree: number } {
  let diff = 0,
    scale = 0;
  for (let i = 0; i < a.size; i++) {
    diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
    scale = Math.max(scale, Math.abs(b.data[i]));
  }
  const [n, k] = a.shape;
  let agree = 0;
  for (let i = 0; i < n; i++) {
    let ba = 0,
      bb = 0;
    for (let j = 1; j < k; j++) {
      if (a.data[i * k + j] > a.data[i * k + ba]) ba = j;
      if (b.data[i * k + j] > b.data[i * k + bb]) bb = j;
    }
    if (ba === bb) agree++;
  }
  return { error: diff / scale, agree: agree / n };
}

function assertClose(q: Tensor, what: string): void {
  const { error, agree } = compare(q, floatLogits);
  assert.ok(error < 0.08, `${what}: logits off by ${(100 * error).toFixed(2)} % of their scale`);
  assert.ok(agree >= 0.95, `${what}: the predicted class agrees on ${(100 * agree).toFixed(1)} %`);
  assert.ok(accuracy(floatLogits) - accuracy(q) <= 0.02, `${what}: accuracy ${accuracy(q)} against ${accuracy(floatLogits)}`);
}

before(async () => {
  const digits = loadDigits();
  const n = digits.data.shape[0];
  x = new Tensor(
    Float32Array.from(digits.data.data, (v) => v / 16),
    [n, 1, 8, 8],
  );
  y = digits.target;
  manualSeed(0);
  model = makeCnn();
  await fit(model, { x, y }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 3e-3 }), epochs: 3, batchSize: 32, verbose: 0 });
  floatLogits = logits(model);
  assert.ok(accuracy(floatLogits) > 0.9, `the float model reaches ${accuracy(floatLogits)}`);
});

describe('post-training static quantisation', () => {
  it('fuses Conv → ReLU → MaxPool and Linear → ReLU, keeps parameter names, leaves the float model alone', () => {
    const before = [...model.stateDict().keys()];
    const q = quant.convert(quant.calibrate(quant.prepare(model), batches())) as Sequential;
    assert.ok(q.at(0) instanceof QuantizedConv2d);
    const conv = q.at(0) as InstanceType<typeof QuantizedConv2d>;
    assert.equal(conv.relu, true);
    assert.deepEqual(conv.pool, { kernelSize: [2, 2], stride: [2, 2] });
    assert.ok(q.at(1) instanceof nn.Identity && q.at(2) instanceof nn.Identity);
    assert.ok(q.at(4) instanceof QuantizedLinear && (q.at(4) as InstanceType<typeof QuantizedLinear>).relu);
    assert.ok(q.at(6) instanceof QuantizedLinear && !(q.at(6) as InstanceType<typeof QuantizedLinear>).relu);
    assert.deepEqual(
      [...q.stateDict().keys()].filter((k) => k.endsWith('.weight')),
      before.filter((k) => k.endsWith('.weight')),
    );
    assert.ok(model.at(0) instanceof nn.Conv2d, 'the float model is unchanged');
  });

  for (const observer of ['minmax', 'percentile'] as const) {
    it(`int8 outputs stay close to the float model's (${observer} observer)`, () => {
      const q = quant.convert(quant.calibrate(quant.prepare(model, { observer }), batches()));
      assertClose(logits(q), observer);
    });
  }

  it('symmetric activations work too', () => {
    assertClose(logits(quant.convert(quant.calibrate(quant.prepare(model, { symmetric: true }), batches()))), 'symmetric');
  });

  it('refuses unknown options, no calibration and no batches with typed errors', () => {
    assert.throws(() => quant.prepare(model, { observe: 'minmax' } as never), ValueError);
    assert.throws(() => quant.prepare(model, { observer: 'mean' as never }), ValueError);
    assert.throws(() => quant.prepare(model, { percentile: 40 }), ValueError);
    assert.throws(() => quant.convert(quant.prepare(model)), FrugalError);
    assert.throws(() => quant.calibrate(quant.prepare(model), []), ValueError);
  });
});

describe('dynamic quantisation', () => {
  it('replaces every Linear and stays close to the float model', () => {
    const q = quant.quantizeDynamic(model) as Sequential;
    assert.ok(q.at(4) instanceof QuantizedLinear && (q.at(4) as InstanceType<typeof QuantizedLinear>).dynamic);
    assert.ok(q.at(0) instanceof nn.Conv2d);
    assertClose(logits(q), 'dynamic');
  });
});

describe('dynamic quantisation of an LSTM', () => {
  it('matches the float LSTM within the int8 error (2 layers, both directions, batch first), saves I8 and reloads exactly', () => {
    manualSeed(4);
    const holder = new nn.Sequential(new nn.LSTM(5, 6, { numLayers: 2, bidirectional: true, batchFirst: true }));
    const input = new Tensor(
      Float32Array.from({ length: 3 * 7 * 5 }, (_, i) => Math.sin(i * 0.37)),
      [3, 7, 5],
    );
    const expected = noGrad(() => holder.eval().call(input));
    const q = quant.quantizeDynamic(holder) as Sequential;
    assert.ok(q.at(0) instanceof quant.QuantizedLSTM);
    const got = noGrad(() => q.call(input));
    assert.deepEqual(got.shape, expected.shape);
    let worst = 0;
    for (let i = 0; i < got.size; i++) worst = Math.max(worst, Math.abs(got.data[i] - expected.data[i]));
    // Hidden states lie in (−1, 1); two int8 products per step keep them within a few hundredths.
    assert.ok(worst < 0.05, `largest difference ${worst}`);
    const bytes = modelToBytes(q);
    assert.equal(decodeHeader(bytes)['0.weight_hh_l1_reverse'].dtype, 'I8');
    assert.deepEqual([...noGrad(() => modelFromBytes(bytes).call(input)).data], [...got.data]);
    const { h, c } = (q.at(0) as InstanceType<typeof quant.QuantizedLSTM>).run(input);
    assert.deepEqual(h.shape, [4, 3, 6]);
    assert.deepEqual(c.shape, [4, 3, 6]);
  });
});

describe('saving quantised and float16 models', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'frugal-quant-'));
  });

  it('stores int8 weights as I8 (over 3.5× smaller) and reloads to the same outputs, bit for bit', () => {
    const q = quant.convert(quant.calibrate(quant.prepare(model), batches()));
    const bytes = modelToBytes(q);
    const floatBytes = modelToBytes(model);
    // Tensor bytes (this small model's files are a tenth header: names and architecture).
    assert.ok(payload(floatBytes) / payload(bytes) > 3.5, `${payload(floatBytes)} / ${payload(bytes)}`);
    const header = decodeHeader(bytes);
    assert.equal(header['4.weight'].dtype, 'I8');
    assert.equal(header['0.weightScale'].dtype, 'F32');
    const back = modelFromBytes(bytes);
    assert.deepEqual([...logits(back).data], [...logits(q).data]);
  });

  it('runs in a fresh node process', () => {
    const q = quant.convert(quant.calibrate(quant.prepare(model), batches()));
    const path = join(dir, 'q.safetensors');
    writeFileSync(path, modelToBytes(q));
    const input = x.data.slice(0, 5 * 64);
    const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
    const script = `import { load, Tensor, noGrad } from ${JSON.stringify(index)};
const m = await load(${JSON.stringify(path)});
const x = new Tensor(Float32Array.from(${JSON.stringify([...input])}), [5, 1, 8, 8]);
console.log(JSON.stringify([...noGrad(() => m.call(x)).data]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), [...logits(q, new Tensor(input, [5, 1, 8, 8])).data]);
  });

  it('refuses a static layer saved with 8-bit activations (no activationBits in its config); dynamic ones still load', () => {
    const q = quant.convert(quant.calibrate(quant.prepare(model), batches()));
    for (const [, layer] of q.namedModules()) {
      if (!(layer instanceof QuantizedConv2d || layer instanceof QuantizedLinear)) continue;
      const kind = layer instanceof QuantizedConv2d ? QuantizedConv2d : QuantizedLinear;
      const config = layer.getConfig();
      assert.equal(config.activationBits, 7);
      assert.ok(kind.fromConfig(config)); // today's files load
      const { activationBits: _dropped, ...old } = config;
      assert.throws(
        () => kind.fromConfig(old),
        (e: unknown) => e instanceof ValueError && /8-bit activation/.test(e.message),
      );
      assert.throws(() => kind.fromConfig({ ...old, activationBits: 8 }), ValueError);
    }
    const dynamic = new QuantizedLinear(4, 3, { dynamic: true }).getConfig();
    const { activationBits: _unused, ...oldDynamic } = dynamic;
    assert.ok(QuantizedLinear.fromConfig(oldDynamic) instanceof QuantizedLinear);
  });

  it('refuses int8 weights outside [-128, 127] and a broken input scale from a file (typed errors)', () => {
    const q = quant.convert(quant.calibrate(quant.prepare(model), batches()));
    const state = q.stateDict();
    const bad = new Map(state);
    bad.set('4.weight', state.get('4.weight')!.mul(4));
    const loaded = modelFromBytes(modelToBytes(q));
    loaded.loadStateDict(bad);
    assert.throws(() => logits(loaded), ValueError);
    assert.throws(() => modelToBytes(loaded), ValueError); // I8 storage refuses them too
    const zeroScale = new Map(state);
    zeroScale.set('0.inputScale', new Tensor(new Float32Array([0]), [1]));
    loaded.loadStateDict(zeroScale);
    assert.throws(() => logits(loaded), ValueError);
  });

  it('float16: half the bytes, F16 in the file, loads back as float32 equal to toFloat16 of the model', () => {
    const bytes = modelToBytes(model, { float16: true });
    const full = modelToBytes(model);
    assert.equal(payload(full) / payload(bytes), 2);
    assert.equal(decodeHeader(bytes)['0.weight'].dtype, 'F16');
    const back = modelFromBytes(bytes);
    const rounded = quant.toFloat16(modelFromBytes(full));
    assert.deepEqual([...logits(back).data], [...logits(rounded).data]);
    const { error, agree } = compare(logits(back), floatLogits);
    assert.ok(error < 0.01 && agree > 0.99, `float16: error ${error}, agreement ${agree}`);
  });

  it('float16 conversion rounds to nearest even, saturates to infinity and keeps subnormals', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65519, 0x7bff],
      [65520, 0x7c00],
      [1 + 2 ** -11, 0x3c00], // a tie: to even
      [1 + 3 * 2 ** -11, 0x3c02],
      [2 ** -24, 0x0001],
      [2 ** -26, 0x0000],
      [Number.NaN, 0x7e00],
      [-0, 0x8000],
    ];
    for (const [value, bits] of cases) assert.equal(floatToHalf(value), bits, `${value}`);
    for (let h = 0; h < 0x7c00; h += 7) assert.equal(floatToHalf(halfToFloat(h)), h, `half ${h}`);
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

describe('quantisation-aware training', () => {
  it('fakeQuantize: straight-through gradients equal finite differences of s·clamp(x/s) (float64, away from the clip points)', () => {
    const q = { scale: 0.05, zero: 10 };
    // In range (−0.5 … 5.85 here: 7-bit codes 0 … 127 less the zero point) and beyond it on both sides, away from the clip points.
    const values = Float64Array.from([-9, -3.3, -0.41, 0.02, 0.7, 2.3, 5.1, 7.5]);
    const input = new Tensor(values, [8], { requiresGrad: true });
    const weights = new Tensor(Float64Array.from([0.3, -1.2, 0.8, 2, -0.5, 1.1, 0.6, -0.9]), [8]);
    quant.fakeQuantize(input, q).mul(weights).sum().backward();
    const lo = q.scale * -q.zero,
      hi = q.scale * (127 - q.zero);
    const surrogate = (v: number): number => Math.min(hi, Math.max(lo, v));
    const eps = 1e-6;
    for (let i = 0; i < values.length; i++) {
      const fd = ((surrogate(values[i] + eps) - surrogate(values[i] - eps)) / (2 * eps)) * weights.data[i];
      assert.ok(Math.abs(input.grad!.data[i] - fd) < 1e-6, `element ${i}: ${input.grad!.data[i]} vs ${fd}`);
    }
    // The forward gives the kernels' grid: s·(q − z) for q = clamp(round(x/s) + z).
    const fq = quant.fakeQuantize(new Tensor(Float64Array.from([0.026, 100]), [2]), q).data;
    assert.ok(Math.abs(fq[0] - 0.05) < 1e-12 && Math.abs(fq[1] - q.scale * 117) < 1e-12);
  });

  it('fakeQuantizeWeights passes the gradient straight through (finite differences of the identity surrogate)', () => {
    const w = new Tensor(Float64Array.from([0.4, -0.2, 0.9, 0.05, -0.7, 0.3]), [2, 3], { requiresGrad: true });
    gradcheck('fakeQuantizeWeights surrogate', (t) => t.mul(2).sum(), [w]);
    quant.fakeQuantizeWeights(w).mul(2).sum().backward();
    assert.deepEqual([...w.grad!.data], [2, 2, 2, 2, 2, 2]);
  });

  it('prepareQat → train → convert gives an int8 model close to the QAT model', async () => {
    manualSeed(3);
    const qat = quant.prepareQat(model);
    assert.equal(qat.training, true);
    const optimizer = new Adam(qat.parameters(), { lr: 1e-3 });
    await fit(qat, { x, y }, { loss: 'crossEntropy', optimizer, epochs: 1, batchSize: 64, verbose: 0 });
    const qatLogits = logits(qat);
    const q = quant.convert(qat);
    const { error, agree } = compare(logits(q), qatLogits);
    assert.ok(error < 0.05 && agree >= 0.97, `int8 against fake-quantised: error ${error}, agreement ${agree}`);
    assert.ok(accuracy(logits(q)) >= accuracy(floatLogits) - 0.02, `QAT int8 accuracy ${accuracy(logits(q))}`);
  });
});

/** Bytes of tensor data in a safetensors file (after the header). */
function payload(bytes: Uint8Array): number {
  return bytes.length - 8 - new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
}

function decodeHeader(bytes: Uint8Array): Record<string, { dtype: string }> {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  assert.ok(decodeSafetensors(bytes).tensors.size > 0);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}
