/**
 * Layers and losses against PyTorch (float64): forward values and the
 * gradients of a weighted sum of the outputs with respect to inputs,
 * initial states and every parameter, from fixtures written by
 * scripts/make-torch-fixtures.py.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor, grad } from '../src/index.js';
import * as nn from '../src/nn/index.js';

interface Arr {
  shape: number[];
  data: number[];
  dtype: 'float64' | 'int32';
}

interface LayerCase {
  name: string;
  layer: nn.LayerConfig;
  mode: 'train' | 'eval';
  state_dict: Record<string, Arr>;
  inputs: Arr[];
  state: Record<string, Arr>;
  weights: Record<string, Arr>;
  outputs: Record<string, Arr>;
  grads: { inputs: (Arr | null)[]; state: Record<string, Arr>; params: Record<string, Arr> };
  buffers_after: Record<string, Arr>;
}

interface LossCase {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  input: Arr;
  target: Arr;
  extra: Record<string, Arr>;
  weights: Arr;
  output: Arr;
  grad_input: Arr;
  grad_target: Arr | null;
}

function load<T>(file: string): T[] {
  const url = new URL(`../../test/fixtures/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: T[] }).cases;
}

function toTensor(a: Arr, requiresGrad = false): Tensor {
  const data = a.dtype === 'int32' ? Int32Array.from(a.data) : Float64Array.from(a.data);
  return new Tensor(data, a.shape, { requiresGrad: requiresGrad && a.dtype !== 'int32' });
}

function close(what: string, actual: Tensor | null | undefined, expected: Arr, tol = 1e-10): void {
  assert.ok(actual, `${what}: missing`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  let worst = 0,
    at = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i],
      a = actual.data[i];
    const err = Math.abs(a - e) / (1 + Math.abs(e));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  assert.ok(worst <= tol, `${what}: element ${at} is ${actual.data[at]}, PyTorch has ${expected.data[at]} (relative error ${worst})`);
}

type Runner = (m: nn.Module, inputs: Tensor[], state: Record<string, Tensor>) => Record<string, Tensor>;

function runner(m: nn.Module): Runner {
  if (m instanceof nn.LSTM) return (l, [x], s) => ({ ...(l as nn.LSTM).run(x, s) });
  if (m instanceof nn.RNN || m instanceof nn.GRU) return (l, [x], s) => ({ ...(l as nn.GRU).run(x, s) });
  if (m instanceof nn.LSTMCell) return (l, [x], s) => ({ ...(l as nn.LSTMCell).run(x, s) });
  if (m instanceof nn.GRUCell || m instanceof nn.RNNCell) return (l, [x], s) => ({ h: l.forward(x, s.h) });
  return (l, inputs) => ({ output: l.call(...inputs) });
}

describe('layers match PyTorch (float64, forward and every gradient)', () => {
  // torch-convt.json: ConvTranspose2d and Upsample (scripts/make-torch-convt-fixtures.py).
  for (const c of [...load<LayerCase>('torch-layers.json'), ...load<LayerCase>('torch-convt.json')]) {
    it(c.name, () => {
      const m = nn.layerFromConfig(c.layer);
      m.train(c.mode === 'train');
      m.loadStateDict(Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)])));
      const inputs = c.inputs.map((a) => toTensor(a, true));
      const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, toTensor(v, true)]));
      const outputs = runner(m)(m, inputs, state);
      for (const [k, expected] of Object.entries(c.outputs)) close(`output ${k}`, outputs[k], expected);
      const objective = Object.entries(c.weights)
        .map(([k, w]) => outputs[k].mul(toTensor(w)).sum())
        .reduce((a, b) => a.add(b));
      const params = new Map(m.namedParameters());
      const wrt: [string, Tensor, Arr][] = [];
      c.grads.inputs.forEach((g, i) => {
        if (g) wrt.push([`input ${i}`, inputs[i], g]);
      });
      for (const [k, g] of Object.entries(c.grads.state)) wrt.push([`initial ${k}`, state[k], g]);
      for (const [k, g] of Object.entries(c.grads.params)) {
        const p = params.get(k);
        assert.ok(p, `parameter '${k}' exists (ours: ${[...params.keys()].join(', ')})`);
        wrt.push([`d/d${k}`, p, g]);
      }
      assert.equal(params.size, Object.keys(c.grads.params).length, 'same number of parameters as PyTorch');
      const grads = grad(
        objective,
        wrt.map(([, t]) => t),
      );
      wrt.forEach(([name, , expected], i) => close(`gradient ${name}`, grads[i], expected));
      const buffers = new Map(m.namedBuffers());
      for (const [k, expected] of Object.entries(c.buffers_after)) close(`buffer ${k} after the step`, buffers.get(k), expected);
    });
  }
});

const lossFns: Record<string, (x: Tensor, t: Tensor, o: never) => Tensor> = {
  mseLoss: nn.mseLoss,
  l1Loss: nn.l1Loss,
  huberLoss: nn.huberLoss,
  smoothL1Loss: nn.smoothL1Loss,
  crossEntropy: nn.crossEntropy,
  nllLoss: nn.nllLoss,
  binaryCrossEntropy: nn.binaryCrossEntropy,
  bceWithLogits: nn.bceWithLogits,
  klDiv: nn.klDiv,
};

describe('losses match PyTorch (float64, value and gradients)', () => {
  for (const c of load<LossCase>('torch-losses.json')) {
    it(c.name, () => {
      const x = toTensor(c.input, true);
      const t = toTensor(c.target, c.grad_target !== null);
      const options = { ...c.options, ...Object.fromEntries(Object.entries(c.extra).map(([k, v]) => [k, toTensor(v)])) };
      const out = lossFns[c.fn](x, t, options as never);
      close('loss', out, c.output);
      const objective = out.mul(toTensor(c.weights)).sum();
      const wrt = c.grad_target ? [x, t] : [x];
      const grads = grad(objective, wrt);
      close('gradient of the input', grads[0], c.grad_input);
      if (c.grad_target) close('gradient of the target', grads[1], c.grad_target);
    });
  }
});
