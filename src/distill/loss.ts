/**
 * The knowledge-distillation loss of Hinton, Vinyals & Dean (2015),
 * "Distilling the knowledge in a neural network":
 *
 *   loss = alpha · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − alpha) · CE(s, y)
 *
 * with s the student's logits, t the teacher's, T the temperature and the KL
 * averaged over the batch (PyTorch's `kl_div(..., reduction='batchmean')`).
 * `alpha` weighs the soft (teacher) term; T² keeps its gradients on the
 * scale of the hard term's whatever the temperature.
 */
import { ShapeError, ValueError } from '../errors.js';
import { crossEntropy, klDiv } from '../nn/losses/classification.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

function checkTemperature(where: string, temperature: unknown): number {
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw new ValueError(`${where}: temperature must be a finite number > 0, got ${String(temperature)}`);
  }
  return temperature;
}

export function checkAlpha(where: string, alpha: unknown): number {
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new ValueError(`${where}: alpha must be a number in [0, 1], got ${String(alpha)}`);
  return alpha;
}

/**
 * T² · KL(softmax(teacher/T) ‖ softmax(student/T)), averaged over the batch
 * (logits [N, C]). The teacher's logits are constants: no gradient flows to them.
 */
export function softTargetLoss(studentLogits: Tensor, teacherLogits: Tensor, temperature: number): Tensor {
  const who = 'softTargetLoss';
  const T = checkTemperature(who, temperature);
  if (!(studentLogits instanceof Tensor) || !(teacherLogits instanceof Tensor)) throw new ValueError(`${who}: the logits must be Tensors`);
  if (studentLogits.ndim !== 2 || teacherLogits.ndim !== 2 || studentLogits.shape[0] !== teacherLogits.shape[0] || studentLogits.shape[1] !== teacherLogits.shape[1]) {
    throw new ShapeError(`${who}: expected student and teacher logits of the same shape [N, C], got ${shapeStr(studentLogits.shape)} and ${shapeStr(teacherLogits.shape)}`);
  }
  const teacherProbs = teacherLogits.detach().div(T).softmax(1);
  return klDiv(studentLogits.div(T).logSoftmax(1), teacherProbs, { reduction: 'batchmean' }).mul(T * T);
}

export interface DistillationLossOptions {
  /** Softens both distributions (default 4). */
  temperature?: number;
  /** Weight of the soft (teacher) term; 1 − alpha weighs the hard-label cross-entropy (default 0.9). */
  alpha?: number;
}

/** alpha · T² · KL(teacher ‖ student at temperature T) + (1 − alpha) · crossEntropy(student, labels). */
export function distillationLoss(studentLogits: Tensor, teacherLogits: Tensor, labels: Tensor, options: DistillationLossOptions = {}): Tensor {
  const who = 'distillationLoss';
  const T = checkTemperature(who, options.temperature ?? 4);
  const alpha = checkAlpha(who, options.alpha ?? 0.9);
  const soft = softTargetLoss(studentLogits, teacherLogits, T);
  if (alpha === 1) return soft;
  const hard = crossEntropy(studentLogits, labels);
  return alpha === 0 ? hard : soft.mul(alpha).add(hard.mul(1 - alpha));
}
