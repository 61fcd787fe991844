import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Generator, globalGenerator, manualSeed, ParseError, randn, Tensor, tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { BatchNorm1d, Conv2d, Dropout, Flatten, Linear, LSTM, MaxPool2d, Module, ReLU, Sequential } from '../src/nn/index.js';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES } from '../src/io/safetensors.js';
import { load, loadWeights, modelFromBytes, modelToBytes, save } from '../src/nn/serialize.js';
import { packState, unpackState } from '../src/train/checkpoint.js';
import { predict } from '../src/train/index.js';

const enc = new TextEncoder();

/** A safetensors file from a header object and raw data bytes (no padding, no checks). */
function raw(header: unknown, data: Uint8Array | number[] = [], headerText?: string): Uint8Array {
  const json = enc.encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'frugal-ser-'));
}

describe('safetensors', () => {
  it('round-trips F32, F64 and I32 tensors with metadata, aligned', () => {
    const tensors = new Map<string, Tensor>([
      [
        'a',
        tensor([
          [1.5, -2],
          [3, 4e-30],
        ]),
      ],
      ['b', tensor(Float64Array.from([Math.PI, -0, 1e300]), { shape: [3] })],
      ['c', tensor(Int32Array.from([-7, 2147483647, 0]), { shape: [1, 3] })],
      ['empty', new Tensor(new Float32Array(0), [0, 5])],
      ['scalar', new Tensor(new Float32Array([9]), [])],
    ]);
    const bytes = encodeSafetensors(tensors, { note: 'hi', 'x.y': '{"json":1}' });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    assert.equal((8 + n) % 8, 0, 'data starts 8-byte aligned');
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    assert.deepEqual(header.b, { dtype: 'F64', shape: [3], data_offsets: [0, 24] }, 'F64 first keeps alignment');
    assert.equal(header.a.dtype, 'F32');
    assert.equal(header.c.dtype, 'I32');
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    assert.deepEqual(metadata, { note: 'hi', 'x.y': '{"json":1}' });
    for (const [name, t] of tensors) {
      const u = back.get(name)!;
      assert.equal(u.dtype, t.dtype, name);
      assert.deepEqual(u.shape, t.shape, name);
      assert.deepEqual([...u.data], [...t.data], name);
      assert.ok(Object.is(u.data[0], t.data[0]) || t.size === 0);
    }
  });

  it('reads the byte layout of the format by hand, including F16, BF16, I64, U8 and BOOL', () => {
    const data = new Uint8Array(2 * 3 + 2 * 2 + 8 * 2 + 2 + 2 + 4);
    const v = new DataView(data.buffer);
    [0x3c00, 0xc000, 0x7c00].forEach((h, i) => v.setUint16(2 * i, h, true)); // F16: 1, -2, inf
    v.setUint16(6, 0x3f80, true);
    v.setUint16(8, 0xc0a0, true); // BF16: 1, -5
    v.setBigInt64(10, -3n, true);
    v.setBigInt64(18, 123456789n, true);
    data[26] = 200;
    data[27] = 7; // U8
    data[28] = 1;
    data[29] = 0; // BOOL
    v.setFloat32(30, 0.25, true);
    const file = raw(
      {
        h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
        bf: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
        i64: { dtype: 'I64', shape: [2, 1], data_offsets: [10, 26] },
        u8: { dtype: 'U8', shape: [2], data_offsets: [26, 28] },
        b: { dtype: 'BOOL', shape: [2], data_offsets: [28, 30] },
        f: { dtype: 'F32', shape: [], data_offsets: [30, 34] },
        __metadata__: { format: 'pt' },
      },
      data,
    );
    const { tensors, metadata } = decodeSafetensors(file);
    assert.deepEqual(metadata, { format: 'pt' });
    assert.deepEqual([...tensors.get('h')!.data], [1, -2, Infinity]);
    assert.deepEqual([...tensors.get('bf')!.data], [1, -5]);
    assert.equal(tensors.get('i64')!.dtype, 'int32');
    assert.deepEqual([...tensors.get('i64')!.data], [-3, 123456789]);
    assert.deepEqual([...tensors.get('u8')!.data], [200, 7]);
    assert.deepEqual([...tensors.get('b')!.data], [1, 0]);
    assert.deepEqual(tensors.get('f')!.shape, []);
    assert.equal(tensors.get('f')!.item(), 0.25);
  });

  describe('refuses malformed files with a ParseError', () => {
    const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const eight = new Uint8Array(8);
    const cases: [string, Uint8Array, RegExp][] = [
      ['too short', new Uint8Array(5), /too short/],
      [
        'header length over the limit',
        (() => {
          const b = new Uint8Array(16);
          new DataView(b.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
          return b;
        })(),
        /exceeds the limit/,
      ],
      [
        'header length with high bits',
        (() => {
          const b = new Uint8Array(16);
          new DataView(b.buffer).setUint32(4, 1, true);
          return b;
        })(),
        /exceeds the limit/,
      ],
      [
        'header past the end',
        (() => {
          const b = new Uint8Array(16);
          new DataView(b.buffer).setUint32(0, 100, true);
          return b;
        })(),
        /runs past the end/,
      ],
      ['not JSON', raw(null, [], '{"t": '), /not valid JSON/],
      ['not an object', raw(null, [], '[1, 2]'), /starting with '\{'/],
      [
        'invalid UTF-8',
        (() => {
          const b = raw(null, [], '{"\u00e9":1}');
          b[10] = 0xff;
          return b;
        })(),
        /UTF-8|JSON/,
      ],
      ['unknown dtype', raw({ t: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, [0, 0]), /dtype "F8_E4M3"/],
      ['size mismatch', raw({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight), /needs 12 bytes/],
      ['offsets out of range', raw(ok, new Uint8Array(4)), /needs|cover/],
      ['trailing bytes', raw(ok, new Uint8Array(12)), /cover 8 bytes of data but the file holds 12/],
      ['overlap', raw({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /overlaps/],
      ['gap', raw({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /gap/],
      ['reversed offsets', raw({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, eight), /invalid data_offsets/],
      ['negative dimension', raw({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, eight), /invalid shape/],
      ['fractional dimension', raw({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, eight), /invalid shape/],
      ['huge shape', raw({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, eight), /too large/],
      ['extra field', raw({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8], code: 'x' } }, eight), /exactly dtype/],
      ['non-string metadata', raw({ ...ok, __metadata__: { a: 1 } }, eight), /must be a string/],
      ['entry not an object', raw({ a: 5 }, []), /must be an object/],
      ['I64 out of int32 range', raw({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, [0, 0, 0, 0, 1, 0, 0, 0]), /does not fit int32/],
    ];
    for (const [name, bytes, pattern] of cases) {
      it(name, () => {
        assert.throws(
          () => decodeSafetensors(bytes),
          (err: unknown) => {
            assert.ok(err instanceof ParseError, `${name}: ${String(err)}`);
            assert.match((err as Error).message, pattern);
            return true;
          },
        );
      });
    }

    it('random corruption of a valid file never escapes as anything but a ParseError', () => {
      const g = new Generator(7);
      const good = encodeSafetensors({ w: randn([3, 4]), b: tensor(Int32Array.from([1, 2]), { shape: [2] }) }, { m: 'x' });
      for (let trial = 0; trial < 2000; trial++) {
        const bad = good.slice(0, trial % 7 === 0 ? g.randint(0, good.length) : good.length);
        const flips = g.randint(1, 4);
        for (let f = 0; f < flips && bad.length > 0; f++) bad[g.randint(0, Math.min(bad.length, 120))] = g.randint(0, 256);
        try {
          decodeSafetensors(bad);
        } catch (err) {
          if (!(err instanceof ParseError)) assert.fail(`trial ${trial}: ${String(err)}`);
        }
      }
    });
  });

  it('refuses bad input to the writer', () => {
    assert.throws(() => encodeSafetensors({ __metadata__: tensor([1]) }), /invalid tensor name/);
    assert.throws(() => encodeSafetensors({ a: tensor([1]) }, { k: 1 as never }), /must be a string/);
  });
});

class Net extends Module {
  readonly conv = this.registerModule('conv', new Conv2d(1, 4, 3, { padding: 1 }));
  override forward(x: Tensor): Tensor {
    return this.conv.call(x).relu();
  }
}

function models(): [string, Module, Tensor][] {
  manualSeed(11);
  const mlp = new Sequential(new Linear(64, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10));
  const cnn = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new BatchNorm1d(4 * 4 * 4), new Linear(64, 5));
  const lstm = new LSTM(6, 8, { batchFirst: true });
  // BatchNorm's running statistics are buffers: let them move away from their initial values.
  cnn.train();
  cnn.call(randn([16, 1, 8, 8]));
  return [
    ['mlp', mlp, randn([5, 64])],
    ['cnn with batch norm buffers', cnn, randn([3, 1, 8, 8])],
    ['lstm', lstm, randn([2, 7, 6])],
  ];
}

function outputOf(model: Module, x: Tensor): number[] {
  model.eval();
  const y = model.call(x);
  return [...y.data];
}

describe('saving models', () => {
  for (const [name, model, x] of models()) {
    it(`${name}: modelFromBytes(modelToBytes(m)) predicts exactly the same`, () => {
      const before = outputOf(model, x);
      const copy = modelFromBytes(modelToBytes(model));
      assert.equal(copy.constructor, model.constructor);
      assert.equal(copy.training, false);
      assert.deepEqual(outputOf(copy, x), before);
      assert.deepEqual([...copy.stateDict().keys()], [...model.stateDict().keys()]);
    });
  }

  // These classes take fromConfig from a shared base: it must build the subclass it is called on.
  it('layers whose fromConfig is inherited come back as their own class with the same config', () => {
    const layers: Module[] = [
      new nn.RNN(3, 4, { nonlinearity: 'relu', numLayers: 2 }),
      new nn.GRU(3, 4, { bidirectional: true }),
      new nn.LSTM(3, 4),
      new nn.RNNCell(3, 4, { nonlinearity: 'relu' }),
      new nn.LSTMCell(3, 4, { bias: false }),
      new nn.GRUCell(3, 4),
      new nn.BatchNorm1d(5, { momentum: 0.3 }),
      new nn.BatchNorm2d(5, { affine: false }),
      new nn.MaxPool2d([2, 3], { stride: 1 }),
      new nn.AvgPool2d(2, { countIncludePad: false }),
      new nn.MaxPool1d(3, { dilation: 2 }),
      new nn.AvgPool1d(2, { padding: 1 }),
      new nn.ReLU(),
      new nn.Sigmoid(),
      new nn.Tanh(),
      new nn.SiLU(),
      new nn.Softmax(0),
      new nn.LogSoftmax({ dim: 1 }),
    ];
    for (const layer of layers) {
      const copy = modelFromBytes(modelToBytes(layer));
      assert.equal(copy.constructor, layer.constructor);
      assert.equal(copy.toString(), layer.toString());
      assert.deepEqual([...copy.stateDict().keys()], [...layer.stateDict().keys()]);
    }
  });

  it('loading does not move the global random stream; metadata is kept', () => {
    const [, model] = models()[0];
    const bytes = modelToBytes(model, { metadata: { author: 'me' } });
    manualSeed(5);
    const state = globalGenerator.getState();
    modelFromBytes(bytes);
    assert.deepEqual(globalGenerator.getState(), state);
    assert.equal(decodeSafetensors(bytes).metadata.author, 'me');
    assert.throws(() => modelToBytes(model, { metadata: { 'frugal.architecture': 'x' } }), /reserved/);
  });

  it('a custom module saves weights only and loads them into a fresh instance', async () => {
    manualSeed(1);
    const a = new Net();
    assert.throws(() => modelToBytes(a), /not registered/);
    const bytes = modelToBytes(a, { weightsOnly: true });
    assert.throws(() => modelFromBytes(bytes), /no architecture/);
    manualSeed(2);
    const b = new Net();
    await loadWeights(b, bytes);
    const x = randn([1, 1, 5, 5]);
    assert.deepEqual([...b.call(x).data], [...a.call(x).data]);
  });

  it('a model loaded in a fresh Node process predicts exactly what it predicted before saving', async () => {
    const dir = tmp();
    try {
      manualSeed(21);
      const model = new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10));
      const x = randn([7, 64]);
      const expected = [...predict(model, x).data];
      const file = join(dir, 'model.safetensors');
      await save(model, file);
      writeFileSync(join(dir, 'x.json'), JSON.stringify({ shape: x.shape, data: [...x.data] }));
      const here = fileURLToPath(new URL('.', import.meta.url));
      const src = (p: string): string => pathToFileURL(join(here, '..', 'src', p)).href;
      const script = `
        import { readFileSync } from 'node:fs';
        import { tensor } from '${src('index.js')}';
        import { load } from '${src('nn/serialize.js')}';
        import { predict } from '${src('train/index.js')}';
        const { shape, data } = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'x.json'))}, 'utf8'));
        const model = await load(${JSON.stringify(file)});
        const y = predict(model, tensor(Float32Array.from(data), { shape }));
        process.stdout.write(JSON.stringify([...y.data]));
      `;
      writeFileSync(join(dir, 'check.mjs'), script);
      const out = execFileSync(process.execPath, [join(dir, 'check.mjs')], { encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out), expected);
      const again = await load(file);
      assert.deepEqual([...predict(again, x).data], expected);
      await assert.rejects(load(join(dir, 'missing.safetensors')), /no such file/);
      writeFileSync(join(dir, 'junk.safetensors'), 'not a model at all');
      await assert.rejects(load(join(dir, 'junk.safetensors')), (err: unknown) => err instanceof ParseError && /junk\.safetensors/.test((err as Error).message));
      assert.ok(readFileSync(file).length > 4 * (64 * 128 + 128 * 64 + 64 * 10));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkpoint state packing', () => {
  it('keeps tensors, maps and non-finite numbers through JSON', () => {
    const tensors = new Map<string, Tensor>();
    const value = { a: [1, NaN, Infinity, -Infinity], m: new Map([['w', tensor([1, 2])]]), t: tensor([[3]]), s: 'x', n: null, b: true };
    const json = JSON.parse(JSON.stringify(packState(value, tensors)));
    const back = unpackState(json, tensors) as typeof value;
    assert.deepEqual(back.a, [1, NaN, Infinity, -Infinity]);
    assert.deepEqual([...(back.m.get('w') as Tensor).data], [1, 2]);
    assert.deepEqual(back.t.shape, [1, 1]);
    assert.equal(back.s, 'x');
    assert.equal(back.n, null);
    assert.equal(back.b, true);
  });
});

describe('untrusted model files', () => {
  function mlpModel(): Sequential {
    manualSeed(5);
    return new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
  }
  const snapshot = (m: Module): number[][] => m.parameters().map((p) => [...p.data]);

  /** The bytes of `model` with its tensors replaced by `tensors` (architecture unchanged). */
  function withTensors(model: Module, tensors: Map<string, Tensor>): Uint8Array {
    const { metadata } = decodeSafetensors(modelToBytes(model));
    return encodeSafetensors(tensors, metadata);
  }

  it('loadWeights checks every name and shape first and changes nothing when one fails', async () => {
    const source = mlpModel().stateDict();
    const cases: [string, (s: Map<string, Tensor>) => void, RegExp][] = [
      ['wrong shape (after a good tensor)', (s) => s.set('2.weight', randn([3, 4])), /shape/],
      ['missing name', (s) => s.delete('2.bias'), /missing keys \[2\.bias\]/],
      ['extra name', (s) => s.set('3.weight', randn([1])), /unexpected keys \[3\.weight\]/],
      [
        'wrong count',
        (s) => {
          s.delete('0.bias');
          s.delete('2.bias');
        },
        /missing keys/,
      ],
    ];
    for (const [name, mutate, message] of cases) {
      const target = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
      const before = snapshot(target);
      const state = new Map([...source].map(([k, v]) => [k, v.mul(2)]));
      mutate(state);
      await assert.rejects(loadWeights(target, encodeSafetensors(state)), message, name);
      assert.deepEqual(snapshot(target), before, `${name}: the model changed`);
    }
    // strict: false ignores extra names but still checks every shape before copying.
    const target = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const before = snapshot(target);
    const state = new Map([...source].map(([k, v]) => [k, v.mul(2)]));
    state.set('2.bias', randn([5]));
    await assert.rejects(loadWeights(target, encodeSafetensors(state), { strict: false }), /shape/);
    assert.deepEqual(snapshot(target), before);
    await assert.rejects(loadWeights(target, encodeSafetensors(state), { strcit: true } as never), /did you mean 'strict'/);
  });

  it('refuses an architecture much larger than the weights in the file before allocating it', () => {
    const model = mlpModel();
    const { metadata, tensors } = decodeSafetensors(modelToBytes(model));
    // Declares Linear(3, 1e9): 12 GB of float32 if it were built.
    const spec = JSON.parse(metadata['frugal.architecture']);
    spec.children[0].config.outFeatures = 1e9;
    const bytes = encodeSafetensors(tensors, { ...metadata, 'frugal.architecture': JSON.stringify(spec) });
    assert.throws(
      () => modelFromBytes(bytes),
      (err: Error) => err.name === 'LimitError' && /limit/.test(err.message),
    );
    // A file with no tensors at all may still not declare a big model.
    const empty = encodeSafetensors(new Map(), metadata);
    spec.children[0].config.outFeatures = 1e7;
    assert.throws(() => modelFromBytes(encodeSafetensors(new Map(), { ...metadata, 'frugal.architecture': JSON.stringify(spec) })), { name: 'LimitError' });
    // A small architecture with no tensors builds, then fails the name check.
    assert.throws(() => modelFromBytes(empty), /missing keys/);
  });

  it('refuses a file whose tensors do not match its architecture (count, shape, names)', () => {
    const model = mlpModel();
    const state = model.stateDict();
    const wrongShape = new Map(state);
    wrongShape.set('0.weight', randn([4, 4]));
    assert.throws(() => modelFromBytes(withTensors(model, wrongShape)), /shape/);
    const extra = new Map(state);
    extra.set('9.weight', randn([2]));
    assert.throws(() => modelFromBytes(withTensors(model, extra)), /unexpected keys \[9\.weight\]/);
    const missing = new Map(state);
    missing.delete('0.weight');
    assert.throws(() => modelFromBytes(withTensors(model, missing)), /missing keys \[0\.weight\]/);
  });

  it('refuses a tensor whose declared shape is larger than the bytes in the file, before allocating it', async () => {
    const { metadata } = decodeSafetensors(modelToBytes(mlpModel()));
    const header = { __metadata__: metadata, '0.weight': { dtype: 'F32', shape: [1_000_000_000, 1_000_000], data_offsets: [0, 16] } };
    const bytes = raw(header, new Uint8Array(16));
    const target = mlpModel();
    const before = snapshot(target);
    assert.throws(
      () => modelFromBytes(bytes),
      (err: Error) => err instanceof ParseError || err.name === 'LimitError',
    );
    await assert.rejects(loadWeights(target, bytes), (err: Error) => err instanceof ParseError || err.name === 'LimitError');
    assert.deepEqual(snapshot(target), before);
  });

  it('refuses containers nested absurdly deep', () => {
    const { metadata, tensors } = decodeSafetensors(modelToBytes(mlpModel()));
    const depth = 100_000;
    const text = `${'{"type":"Sequential","config":{},"children":['.repeat(depth)}{"type":"Identity","config":{}}${']}'.repeat(depth)}`;
    const bytes = encodeSafetensors(tensors, { ...metadata, 'frugal.architecture': text });
    assert.throws(() => modelFromBytes(bytes), { name: 'LimitError' });
  });
});
