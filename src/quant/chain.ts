/**
 * The int8 chain: inside a Sequential, consecutive quantised layers
 * (QuantizedConv2d …, a Flatten, then static QuantizedLinear …, with the
 * Identity layers that `convert` leaves where it fused a ReLU or pooling)
 * run as one int8 job (the `int8Chain` routine): the activations stay int8
 * in the kernel's memory from the first layer's input to the last layer's
 * output, instead of going out as float32 and back in at every layer.
 *
 * The results are those of the layers run one by one, to the bit: each
 * layer quantises the float32 output of the one before exactly as it would
 * quantise that tensor on its own.
 */
import { int8Chain, type Int8ChainLayer } from '../backend/routines/int8.js';
import { registerFusedPattern } from '../nn/fused/plan.js';
import type { FusedPattern } from '../nn/fused/pattern.js';
import { Flatten } from '../nn/layers/flatten.js';
import { Identity } from '../nn/layers/linear.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { QuantizedConv2d, QuantizedLinear } from './modules.js';

type Member = QuantizedConv2d | QuantizedLinear;

/** A Flatten that turns [N, C, H, W] into [N, C·H·W]. */
function flattensSamples(m: Module): boolean {
  return m.constructor === Flatten && (m as Flatten).startDim === 1 && ((m as Flatten).endDim === -1 || (m as Flatten).endDim === 3);
}

/**
 * The chain's layers in order, or null where x or the layers do not fit
 * one job (then they run one by one, and give their own errors).
 */
function kernelLayers(members: readonly Member[], x: Tensor): Int8ChainLayer[] | null {
  const layers: Int8ChainLayer[] = [];
  // Per sample: the shape of the next layer's input.
  let shape = x.shape.slice(1);
  for (const m of members) {
    if (m instanceof QuantizedConv2d) {
      if (shape.length !== 3 || shape[0] !== m.inChannels) return null;
      const layer = m.kernelLayer(shape[1], shape[2], m.staticInputQuantisation());
      shape = QuantizedConv2d.outputShape(layer);
      layers.push(layer);
    } else {
      const features = shape.reduce((a, b) => a * b, 1);
      if ((shape.length !== 1 && layers.length === 0) || features !== m.inFeatures) return null;
      layers.push(m.kernelLayer(m.staticInputQuantisation()));
      shape = [m.outFeatures];
    }
  }
  return layers;
}

function runChain(members: readonly Member[], x: Tensor): Tensor | null {
  if (x.dtype !== 'float32' || x.ndim < 2) return null;
  const layers = kernelLayers(members, x);
  if (!layers) return null;
  const n = x.shape[0];
  const last = layers[layers.length - 1];
  const y = int8Chain.run({ x: x.data as Float32Array, n, layers });
  return new Tensor(y, [n, ...(last.kind === 'conv' ? QuantizedConv2d.outputShape(last) : [last.n])]);
}

export const int8ChainPattern: FusedPattern = {
  name: 'int8Chain',
  match(layers, i) {
    const members: Member[] = [];
    let flattened = false;
    let end = i;
    for (let j = i; j < layers.length; j++) {
      const m = layers[j];
      // Exact classes only: a subclass may override forward.
      if (m.constructor === QuantizedConv2d && !flattened) members.push(m as QuantizedConv2d);
      else if (m.constructor === QuantizedLinear && !(m as QuantizedLinear).dynamic && (flattened || members.every((q) => q instanceof QuantizedLinear))) {
        members.push(m as QuantizedLinear);
        flattened = true;
      } else if (members.length > 0 && m.constructor === Identity) continue;
      else if (members.length > 0 && flattensSamples(m) && members[members.length - 1] instanceof QuantizedConv2d) {
        flattened = true;
        continue;
      } else break;
      end = j + 1;
    }
    if (members.length < 2) return null;
    return { layers: end - i, run: (x) => runChain(members, x) };
  },
};

registerFusedPattern(int8ChainPattern);
