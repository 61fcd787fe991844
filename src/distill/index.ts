/** Knowledge distillation: a student trained on a teacher's softened outputs and the true labels. */
export { distill, type DistillOptions } from './distill.js';
export { distillationLoss, softTargetLoss, type DistillationLossOptions } from './loss.js';
