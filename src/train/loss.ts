/** The loss fit and evaluate minimise or report: a function, a loss module, or a loss named by a string. */
import { ValueError } from '../errors.js';
import { Module } from '../nn/module.js';
import { binaryCrossEntropy, bceWithLogits, crossEntropy, klDiv, nllLoss } from '../nn/losses/classification.js';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss } from '../nn/losses/regression.js';
import type { Tensor } from '../tensor/tensor.js';

/** A loss: predictions and targets → a scalar tensor (mean over the batch). */
export type LossFn = (yPred: Tensor, yTrue: Tensor) => Tensor;

const LOSSES: Record<string, LossFn> = {
  crossentropy: crossEntropy,
  categoricalcrossentropy: crossEntropy,
  sparsecategoricalcrossentropy: crossEntropy,
  nll: nllLoss,
  mse: mseLoss,
  meansquarederror: mseLoss,
  l1: l1Loss,
  mae: l1Loss,
  meanabsoluteerror: l1Loss,
  bce: binaryCrossEntropy,
  binarycrossentropy: binaryCrossEntropy,
  bcewithlogits: bceWithLogits,
  binarycrossentropywithlogits: bceWithLogits,
  huber: huberLoss,
  smoothl1: smoothL1Loss,
  kldiv: klDiv,
};

/** A loss function from a function, a loss module (`new CrossEntropyLoss()`), or a name ('crossEntropy', 'mse', 'cross_entropy', ...). */
export function resolveLoss(loss: LossFn | Module | string | undefined, who = 'resolveLoss'): LossFn {
  if (loss instanceof Module) return (yPred, yTrue) => loss.call(yPred, yTrue);
  if (typeof loss === 'function') return loss;
  if (typeof loss !== 'string') throw new ValueError(`${who}: options.loss must be a loss function, a loss module or a name such as 'crossEntropy' or 'mse'`);
  const key = loss
    .replace(/[_\s-]/g, '')
    .toLowerCase()
    .replace(/loss$/, '');
  const fn = LOSSES[key];
  if (!fn) throw new ValueError(`${who}: unknown loss '${loss}'; known: crossEntropy, nll, mse, l1, bce, bceWithLogits, huber, smoothL1, klDiv (or pass a function)`);
  return (yPred, yTrue) => fn(yPred, yTrue);
}
