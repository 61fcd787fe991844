/**
 * A dynamically quantised LSTM (PyTorch's `quantize_dynamic` on nn.LSTM):
 * int8 weights (per gate row, symmetric) for both the input projection and
 * the recurrence, each matrix product quantising its input (the sequence,
 * then each step's hidden state) with that tensor's own range; the gates,
 * cell and hidden states stay float32. Inference only.
 *
 * State: per layer and direction (suffix `l0`, `l0_reverse`, ... as in
 * LSTM) `weight_ih_*` and `weight_hh_*` (int8 values held as int32, saved
 * as I8), their per-row scales `weight_ih_*_scale`, `weight_hh_*_scale`, and
 * the float biases `bias_ih_*`, `bias_hh_*`.
 */
import { ShapeError } from '../errors.js';
import { int8Linear, packLinearWeights } from '../backend/routines/int8.js';
import type { LSTM, LSTMResult } from '../nn/layers/recurrent.js';
import { checkFloatInput, checkOptions, positiveInt } from '../nn/layers/common.js';
import { Module } from '../nn/module.js';
import { registerLayer, type JsonObject } from '../nn/registry.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Int8Weights, type StorageDType } from './modules.js';
import { dynamicQParams, quantiseWeights } from './qparams.js';

export interface QuantizedLSTMOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  bidirectional?: boolean;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export class QuantizedLSTM extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  /** Per weight matrix: the kernel layout and the weights' version it was made from. */
  private packed: Record<string, { version: number; packed: Int8Array }> = {};

  constructor(inputSize: number, hiddenSize: number, options: QuantizedLSTMOptions = {}) {
    super();
    checkOptions('QuantizedLSTM', options, ['numLayers', 'bias', 'batchFirst', 'bidirectional']);
    this.inputSize = positiveInt(inputSize, 'inputSize', 'QuantizedLSTM');
    this.hiddenSize = positiveInt(hiddenSize, 'hiddenSize', 'QuantizedLSTM');
    this.numLayers = positiveInt(options.numLayers ?? 1, 'numLayers', 'QuantizedLSTM');
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.bidirectional = options.bidirectional ?? false;
    this.training = false;
    const gh = 4 * this.hiddenSize;
    for (const [sfx, inF] of this.cells()) {
      for (const [kind, width] of [
        ['ih', inF],
        ['hh', this.hiddenSize],
      ] as const) {
        this.registerBuffer(`weight_${kind}_${sfx}`, new Int8Weights(new Int32Array(gh * width), [gh, width]));
        this.registerBuffer(`weight_${kind}_${sfx}_scale`, new Tensor(new Float32Array(gh).fill(1), [gh]));
        if (this.bias) this.registerBuffer(`bias_${kind}_${sfx}`, new Tensor(new Float32Array(gh), [gh]));
      }
    }
  }

  /** [suffix, input width] per layer and direction, in LSTM's order. */
  private cells(): [string, number][] {
    const dirs = this.bidirectional ? 2 : 1;
    const out: [string, number][] = [];
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) out.push([`l${l}${d === 1 ? '_reverse' : ''}`, l === 0 ? this.inputSize : this.hiddenSize * dirs]);
    }
    return out;
  }

  /** The int8 form of a float32 LSTM. */
  static fromFloat(lstm: LSTM): QuantizedLSTM {
    const q = new QuantizedLSTM(lstm.inputSize, lstm.hiddenSize, { numLayers: lstm.numLayers, bias: lstm.bias, batchFirst: lstm.batchFirst, bidirectional: lstm.bidirectional });
    const params = new Map(lstm.namedParameters());
    for (const [sfx] of q.cells()) {
      for (const kind of ['ih', 'hh']) {
        const w = params.get(`weight_${kind}_${sfx}`)!;
        const { q: values, scale } = quantiseWeights(w.data, w.shape[0]);
        q.buffer(`weight_${kind}_${sfx}`).assign_(values);
        q.buffer(`weight_${kind}_${sfx}_scale`).assign_(scale);
        if (q.bias) q.buffer(`bias_${kind}_${sfx}`).assign_(params.get(`bias_${kind}_${sfx}`)!.data);
      }
    }
    return q;
  }

  storageDTypes(): Record<string, StorageDType> {
    const out: Record<string, StorageDType> = {};
    for (const [sfx] of this.cells()) for (const kind of ['ih', 'hh']) out[`weight_${kind}_${sfx}`] = 'I8';
    return out;
  }

  /** x (m × width rows) · Wᵀ + b with W the named int8 matrix, x quantised with its own range. */
  private product(name: string, bias: string, x: Float32Array, m: number): Float32Array {
    const weights = this.buffer(name) as Int8Weights;
    const [n, k] = weights.shape;
    const data = weights.data as Int32Array;
    const cached = this.packed[name];
    const packed = cached?.version === weights.version ? cached.packed : packLinearWeights(data, n, k);
    this.packed[name] = { version: weights.version, packed };
    const input = dynamicQParams(x);
    const scale = Float32Array.from(this.buffer(`${name}_scale`).data, (s) => input.scale * s);
    const b = this.bias ? (this.buffer(bias).data as Float32Array) : null;
    return int8Linear.run({ x, m, k, n, weight: data, scale, bias: b, input, relu: false, packed });
  }

  /** Output sequence and final hidden and cell states (as LSTM.run; initial states zero). */
  run(x: Tensor): LSTMResult {
    const label = `QuantizedLSTM(${this.inputSize} → ${this.hiddenSize})`;
    checkFloatInput(label, x, 'float32');
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize)
      throw new ShapeError(`${label}: expected input ${this.batchFirst ? '[B, T, F]' : '[T, B, F]'} with F = ${this.inputSize}, got ${shapeStr(x.shape)}`);
    let seq = this.batchFirst ? x.permute(1, 0, 2) : x;
    const [T, B] = seq.shape;
    const H = this.hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const hN: Float32Array[] = [],
      cN: Float32Array[] = [];
    const cells = this.cells();
    for (let l = 0; l < this.numLayers; l++) {
      const out = new Float32Array(T * B * H * dirs);
      for (let d = 0; d < dirs; d++) {
        const [sfx] = cells[l * dirs + d];
        const xproj = this.product(`weight_ih_${sfx}`, `bias_ih_${sfx}`, seq.data as Float32Array, T * B);
        const h = new Float32Array(B * H),
          c = new Float32Array(B * H);
        for (let s = 0; s < T; s++) {
          const t = d === 1 ? T - 1 - s : s;
          const hproj = this.product(`weight_hh_${sfx}`, `bias_hh_${sfx}`, h, B);
          for (let b = 0; b < B; b++) {
            const g = (t * B + b) * 4 * H,
              r = b * 4 * H;
            for (let j = 0; j < H; j++) {
              const i = sigmoid(xproj[g + j] + hproj[r + j]);
              const f = sigmoid(xproj[g + H + j] + hproj[r + H + j]);
              const cand = Math.tanh(xproj[g + 2 * H + j] + hproj[r + 2 * H + j]);
              const o = sigmoid(xproj[g + 3 * H + j] + hproj[r + 3 * H + j]);
              c[b * H + j] = f * c[b * H + j] + i * cand;
              h[b * H + j] = o * Math.tanh(c[b * H + j]);
              out[((t * B + b) * dirs + d) * H + j] = h[b * H + j];
            }
          }
        }
        hN.push(h);
        cN.push(c);
      }
      seq = new Tensor(out, [T, B, H * dirs]);
    }
    const states = (list: Float32Array[]): Tensor => {
      const all = new Float32Array(list.length * B * H);
      list.forEach((s, i) => all.set(s, i * B * H));
      return new Tensor(all, [list.length, B, H]);
    };
    const output = this.batchFirst ? seq.permute(1, 0, 2) : seq;
    return { output, h: states(hN), c: states(cN) };
  }

  override forward(x: Tensor): Tensor {
    return this.run(x).output;
  }

  getConfig(): JsonObject {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias, batchFirst: this.batchFirst, bidirectional: this.bidirectional };
  }

  static fromConfig(config: JsonObject): QuantizedLSTM {
    const { inputSize, hiddenSize, ...options } = config as unknown as { inputSize: number; hiddenSize: number } & QuantizedLSTMOptions;
    return new QuantizedLSTM(inputSize, hiddenSize, options);
  }
}

registerLayer('QuantizedLSTM', QuantizedLSTM);
