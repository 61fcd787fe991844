/**
 * A distillation trainer: fits a student Module to a teacher's softened
 * outputs and the true labels, through the ordinary training loop (`fit`),
 * so callbacks, validation, metrics, schedulers and checkpoints all work.
 *
 * The student is wrapped in a module whose forward also runs the teacher
 * (in eval mode, without gradients) on the same batch and keeps its logits
 * for the loss; the teacher is not registered, so its weights are neither
 * trained nor saved.
 */
import { noGrad } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { Module } from '../nn/module.js';
import { checkOptions } from '../utils/options.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TrainData } from '../train/data.js';
import { FIT_OPTIONS, fit, type FitOptions } from '../train/fit.js';
import type { History } from '../train/history.js';
import { checkAlpha, distillationLoss } from './loss.js';

/** The student, plus the teacher's logits for the batch it last saw. */
class StudentWithTeacher extends Module {
  readonly student: Module;
  /** A private field: Module registers the Modules held in ordinary fields, and the teacher must stay out. */
  readonly #teacher: Module;
  teacherLogits: Tensor | null = null;

  constructor(student: Module, teacher: Module) {
    super();
    this.student = student;
    this.#teacher = teacher;
  }

  override forward(x: Tensor): Tensor {
    this.teacherLogits = noGrad(() => this.#teacher.call(x));
    return this.student.call(x);
  }
}

export interface DistillOptions extends Omit<FitOptions, 'loss'> {
  /** The trained model whose outputs (logits) the student learns from; it is not changed. */
  teacher: Module;
  /** The model trained; its outputs must have the teacher's shape [N, classes]. */
  student: Module;
  /** Inputs and integer labels, as fit takes them ({x, y}, a DataLoader, ...). */
  data: TrainData;
  /** Softens both distributions (default 4). */
  temperature?: number;
  /** Weight of the soft (teacher) term; 1 − alpha weighs the hard-label cross-entropy (default 0.9). */
  alpha?: number;
}

const DISTILL_OPTIONS = ['teacher', 'student', 'data', 'temperature', 'alpha', ...FIT_OPTIONS.filter((k) => k !== 'loss')];

function isModule(m: unknown): m is Module {
  return m instanceof Module;
}

/**
 * Trains `student` on `data` with
 * alpha · T² · KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − alpha) · CE(student, y)
 * (see distillationLoss), the teacher in eval mode and frozen. The other
 * options are fit's (epochs, optimizer, lr, batchSize, callbacks, ...);
 * returns fit's history (its `loss` is the distillation loss).
 */
export async function distill(options: DistillOptions): Promise<History> {
  const who = 'distill';
  if (!options || typeof options !== 'object') throw new ValueError(`${who}: options { teacher, student, data } are required`);
  if ('loss' in options) throw new ValueError(`${who}: the loss is the distillation loss; set temperature and alpha instead of loss`);
  checkOptions(who, options, DISTILL_OPTIONS);
  const { teacher, student, data, temperature = 4, alpha = 0.9, ...fitOptions } = options;
  if (!isModule(teacher)) throw new ValueError(`${who}: teacher must be a Module`);
  if (!isModule(student)) throw new ValueError(`${who}: student must be a Module`);
  if (teacher === student) throw new ValueError(`${who}: teacher and student must be different modules`);
  checkAlpha(who, alpha);
  const pair = new StudentWithTeacher(student, teacher);
  const loss = (studentLogits: Tensor, labels: Tensor): Tensor => {
    if (pair.teacherLogits === null) throw new ValueError(`${who}: the teacher gave no logits`);
    return distillationLoss(studentLogits, pair.teacherLogits, labels, { temperature, alpha });
  };
  const teacherWasTraining = teacher.training;
  teacher.eval();
  try {
    // An optimiser named (or defaulted) is made over the student's parameters, the pair's only ones.
    return await fit(pair, data, { ...fitOptions, loss });
  } finally {
    teacher.train(teacherWasTraining);
    pair.teacherLogits = null;
  }
}
