/**
 * float16 weights: the simplest 2× size reduction. `save(model, path,
 * { float16: true })` stores float tensors as safetensors F16; they load
 * back as float32. `toFloat16(model)` rounds the model's own float weights
 * to half precision in place, so it computes exactly what the saved and
 * reloaded model will.
 */
import { ValueError } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import { floatToHalf, halfToFloat } from '../io/safetensors.js';
import { Module, markModified } from '../nn/module.js';

/** The float16 value nearest x (ties to even), as a number. */
export function roundToFloat16(x: number): number {
  return halfToFloat(floatToHalf(x));
}

/** Rounds every float parameter and buffer of the model to half precision, in place; returns the model. */
export function toFloat16(model: Module): Module {
  if (!(model instanceof Module)) throw new ValueError('toFloat16: expected a Module');
  noGrad(() => {
    for (const [, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
      if (t.dtype === 'int32') continue;
      const d = t.data;
      for (let i = 0; i < d.length; i++) d[i] = roundToFloat16(d[i]);
      markModified(t);
    }
  });
  return model;
}
