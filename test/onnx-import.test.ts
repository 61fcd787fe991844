/**
 * ONNX import: files written by torch.onnx.export (scripts/make-torch-onnx-fixtures.py)
 * give PyTorch's outputs; imported models fine-tune (gradients against
 * finite differences in float64); hostile files give typed errors without
 * allocating what they claim.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FrugalError, LimitError, ParseError, Tensor, ValueError, exportOnnxBytes, importOnnx, importOnnxBytes, ONNX_LIMITS, manualSeed, noGrad, randn } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { encodeModel, type ModelProto } from '../src/onnx/proto.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/onnx/', import.meta.url));

interface Arr {
  shape: number[];
  data: number[];
}
const expected = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as Record<string, { input: Arr; output: Arr }>;

function assertClose(actual: ArrayLike<number>, wanted: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.equal(actual.length, wanted.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - wanted[i]) <= atol + rtol * Math.abs(wanted[i]), `${what}[${i}]: ${actual[i]} vs ${wanted[i]}`);
  }
}

describe('importOnnx: models exported by PyTorch', () => {
  for (const name of ['mlp', 'cnn', 'conv1d', 'lstm', 'gru', 'decoder']) {
    it(`${name}: same outputs as PyTorch`, async () => {
      const model = await importOnnx(`${FIXTURES}${name}.onnx`);
      const { input, output } = expected[name];
      const y = model.forward(new Tensor(Float32Array.from(input.data), input.shape));
      assert.deepEqual([...y.shape], output.shape);
      assertClose(y.data, output.data, name);
    });
  }

  it('cnn: the dynamic batch (Shape/Gather/Unsqueeze/Concat/Reshape) follows the input', async () => {
    const model = await importOnnx(`${FIXTURES}cnn.onnx`);
    const { input, output } = expected.cnn;
    const one = input.data.length / input.shape[0];
    const y = model.forward(new Tensor(Float32Array.from(input.data.slice(0, one)), [1, ...input.shape.slice(1)]));
    assert.deepEqual([...y.shape], [1, output.shape[1]]);
    assertClose(y.data, output.data.slice(0, output.shape[1]), 'first sample alone');
  });

  it('lstm: fine-tunes: every weight gets a gradient and an SGD step lowers the loss', async () => {
    const model = await importOnnx(`${FIXTURES}lstm.onnx`);
    model.train();
    const { input } = expected.lstm;
    const x = new Tensor(Float32Array.from(input.data), input.shape);
    const target = randn([input.shape[0], 2]);
    const loss = () => model.forward(x).sub(target).square().mean();
    const before = loss();
    before.backward();
    const params = model.parameters();
    assert.ok(params.length >= 5);
    for (const p of params)
      assert.ok(
        p.grad?.data.some((v) => v !== 0),
        'a weight without gradient',
      );
    noGrad(() => {
      for (const p of params) p.assign_(p.sub(p.grad!.mul(0.05)));
    });
    assert.ok(loss().item() < before.item());
  });
});

describe('importOnnx: gradients of an imported graph (float64, finite differences)', () => {
  it('Conv, BatchNormalization, MaxPool, Flatten, Gemm, Softmax', () => {
    manualSeed(11);
    const model = new nn.Sequential(
      new nn.Conv2d(2, 3, 3, { padding: 1, dtype: 'float64' }),
      new nn.BatchNorm2d(3, { dtype: 'float64' }),
      new nn.Tanh(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(12, 3, { dtype: 'float64' }),
      new nn.Softmax(),
    );
    const imported = importOnnxBytes(exportOnnxBytes(model, randomF64([2, 2, 4, 4])));
    const x = randomF64([2, 2, 4, 4]);
    x.requiresGrad = true;
    gradcheck('imported CNN', (v) => imported.forward(v), [x]);
  });

  it('LSTM and GRU operators (bidirectional, two layers)', () => {
    manualSeed(12);
    for (const layer of [new nn.LSTM(2, 3, { numLayers: 2, bidirectional: true, dtype: 'float64' }), new nn.GRU(2, 3, { bidirectional: true, dtype: 'float64' })]) {
      const imported = importOnnxBytes(exportOnnxBytes(new nn.Sequential(layer), randomF64([3, 2, 2])));
      const x = randomF64([3, 2, 2]);
      x.requiresGrad = true;
      gradcheck(`imported ${layer.constructor.name}`, (v) => imported.forward(v), [x]);
    }
  });
});

/** A minimal valid model around one node, for hostile variations. */
function modelWith(mutate: (m: ModelProto) => void): Uint8Array {
  const m: ModelProto = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      node: [{ op_type: 'Add', input: ['input', 'w'], output: ['output'] }],
      initializer: [{ name: 'w', dims: [2], data_type: 1, float_data: [1, 2] }],
      input: [{ name: 'input' }],
      output: [{ name: 'output' }],
    },
  };
  mutate(m);
  return encodeModel(m);
}

describe('importOnnx: hostile files', () => {
  it('the minimal model runs (so the variations below fail for their own reason)', () => {
    const y = importOnnxBytes(modelWith(() => {})).forward(new Tensor(Float32Array.from([1, 1]), [2]));
    assert.deepEqual([...y.data], [2, 3]);
  });

  it('a truncated file is a ParseError', () => {
    const bytes = readFileSync(`${FIXTURES}cnn.onnx`);
    for (const cut of [1, 17, bytes.length >> 1, bytes.length - 3]) {
      assert.throws(
        () => importOnnxBytes(bytes.subarray(0, cut)),
        (e) => e instanceof FrugalError,
        `cut at ${cut}`,
      );
    }
  });

  it('random garbage is a typed error', () => {
    const garbage = new Uint8Array(256);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 255;
    assert.throws(
      () => importOnnxBytes(garbage),
      (e) => e instanceof FrugalError,
    );
  });

  it('an initializer claiming huge dims is refused before allocation', () => {
    const bytes = modelWith((m) => {
      m.graph!.initializer![0].dims = [1 << 30, 1 << 30];
    });
    assert.throws(() => importOnnxBytes(bytes), LimitError);
  });

  it('raw_data shorter than the dims need is a ParseError', () => {
    const bytes = modelWith((m) => {
      m.graph!.initializer![0] = { name: 'w', dims: [1000], data_type: 1, raw_data: new Uint8Array(8) };
    });
    assert.throws(() => importOnnxBytes(bytes), ParseError);
  });

  it('fewer float_data values than the dims need is a ParseError', () => {
    const bytes = modelWith((m) => {
      m.graph!.initializer![0].dims = [3];
    });
    assert.throws(() => importOnnxBytes(bytes), ParseError);
  });

  it('external data is refused', () => {
    const bytes = modelWith((m) => {
      m.graph!.initializer![0].data_location = 1;
    });
    assert.throws(() => importOnnxBytes(bytes), /external tensor data/);
  });

  it('unsupported operators are listed together in one error', () => {
    const bytes = modelWith((m) => {
      m.graph!.node!.push({ op_type: 'NonMaxSuppression', input: ['output'], output: ['a'] }, { op_type: 'TopK', input: ['a'], output: ['b'] });
    });
    assert.throws(
      () => importOnnxBytes(bytes),
      (e) => e instanceof ValueError && /NonMaxSuppression, TopK/.test(e.message),
    );
  });

  it('a node reading a value never computed is a ParseError', () => {
    const bytes = modelWith((m) => {
      m.graph!.node![0].input = ['input', 'nowhere'];
    });
    assert.throws(() => importOnnxBytes(bytes).forward(new Tensor(Float32Array.from([1, 1]), [2])), ParseError);
  });

  it('a graph with more nodes than ONNX_LIMITS.maxNodes is a LimitError', () => {
    const saved = ONNX_LIMITS.maxNodes;
    ONNX_LIMITS.maxNodes = 3;
    try {
      const bytes = modelWith((m) => {
        for (let i = 0; i < 3; i++) m.graph!.node!.push({ op_type: 'Identity', input: ['output'], output: [`copy${i}`] });
      });
      assert.throws(() => importOnnxBytes(bytes), LimitError);
    } finally {
      ONNX_LIMITS.maxNodes = saved;
    }
  });

  it('ConstantOfShape asking for a huge tensor is a LimitError', () => {
    const bytes = modelWith((m) => {
      m.graph!.initializer!.push({ name: 'shape', dims: [2], data_type: 7, int64_data: [1 << 20, 1 << 20] });
      m.graph!.node = [{ op_type: 'ConstantOfShape', input: ['shape'], output: ['output'] }];
    });
    assert.throws(() => importOnnxBytes(bytes).forward(new Tensor(Float32Array.from([1, 1]), [2])), LimitError);
  });

  it('Resize and ConvTranspose asking for a huge output are LimitErrors, before allocating it', () => {
    const image = new Tensor(new Float32Array(16), [1, 1, 4, 4]);
    const resize = modelWith((m) => {
      m.graph!.initializer = [{ name: 'scales', dims: [4], data_type: 1, float_data: [1, 1, 1e5, 1e5] }];
      m.graph!.node = [{ op_type: 'Resize', input: ['input', '', 'scales'], output: ['output'], attribute: [{ name: 'mode', type: 3, s: new TextEncoder().encode('nearest') }] }];
    });
    // Default nearest_mode is round_prefer_floor: unsupported, named.
    assert.throws(() => importOnnxBytes(resize).forward(image), /nearest_mode 'round_prefer_floor' is not supported/);
    const floorResize = modelWith((m) => {
      m.graph!.initializer = [{ name: 'scales', dims: [4], data_type: 1, float_data: [1, 1, 1e5, 1e5] }];
      const text = (name: string, value: string) => ({ name, type: 3, s: new TextEncoder().encode(value) });
      m.graph!.node = [
        {
          op_type: 'Resize',
          input: ['input', '', 'scales'],
          output: ['output'],
          attribute: [text('mode', 'nearest'), text('coordinate_transformation_mode', 'asymmetric'), text('nearest_mode', 'floor')],
        },
      ];
    });
    assert.throws(() => importOnnxBytes(floorResize).forward(image), LimitError);
    const deconv = modelWith((m) => {
      m.graph!.initializer = [{ name: 'w', dims: [1, 1, 2, 2], data_type: 1, float_data: [1, 1, 1, 1] }];
      m.graph!.node = [{ op_type: 'ConvTranspose', input: ['input', 'w'], output: ['output'], attribute: [{ name: 'strides', type: 7, ints: [100000, 100000] }] }];
    });
    assert.throws(() => importOnnxBytes(deconv).forward(image), LimitError);
  });

  it('Slice with a negative step is refused, naming it', () => {
    const bytes = modelWith((m) => {
      m.graph!.initializer = [
        { name: 'starts', dims: [1], data_type: 7, int64_data: [1] },
        { name: 'ends', dims: [1], data_type: 7, int64_data: [0] },
        { name: 'axes', dims: [1], data_type: 7, int64_data: [0] },
        { name: 'steps', dims: [1], data_type: 7, int64_data: [-1] },
      ];
      m.graph!.node = [{ op_type: 'Slice', input: ['input', 'starts', 'ends', 'axes', 'steps'], output: ['output'] }];
    });
    assert.throws(
      () => importOnnxBytes(bytes).forward(new Tensor(Float32Array.from([1, 2]), [2])),
      (err: Error) => err instanceof ValueError && /positive steps/.test(err.message),
    );
  });
});
