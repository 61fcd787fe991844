import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianNoise } from '../src/augment/index.js';
import { ValueError } from '../src/errors.js';
import type { Sequential } from '../src/nn/index.js';
import { manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { accuracy, blobs as twoDBlobs, mlp } from './helpers/semi.js';
import { fit, LambdaCallback, predict } from '../src/train/index.js';
import { fitNoisyStudent, type NoisyStudentOptions } from '../src/train/noisy-student.js';

const blobs = (perClass: number, seed: number): { x: Tensor; y: Tensor } => twoDBlobs(perClass, seed, 0.8);
const labelled = blobs(2, 1);
const unlabelled = blobs(100, 2).x;
const test = blobs(100, 3);

async function trainedTeacher(): Promise<Sequential> {
  manualSeed(0);
  const teacher = mlp();
  await fit(teacher, labelled, { loss: 'crossEntropy', lr: 0.05, epochs: 60, batchSize: 6, verbose: 0 });
  return teacher;
}

describe('fitNoisyStudent', () => {
  it('a fresh student learns the blobs from the teacher’s pseudo-labels, at most maxPerClass per class', async () => {
    const teacher = await trainedTeacher();
    const teacherAcc = accuracy(teacher, test);
    assert.ok(teacherAcc > 0.85, `teacher ${teacherAcc}`);
    const student = mlp();
    const { history, pseudoLabels } = await fitNoisyStudent(student, labelled, unlabelled, {
      teacher,
      augment: gaussianNoise({ std: 0.2, seed: 3 }),
      maxPerClass: 80,
      labelledCopies: 3,
      lr: 0.02,
      epochs: 15,
      batchSize: 16,
      seed: 4,
    });
    assert.equal(history.history.loss.length, 15);
    const perClass = [0, 0, 0];
    for (const k of pseudoLabels.labels) perClass[k]++;
    assert.ok(
      perClass.every((c) => c <= 80),
      `per class ${perClass}`,
    );
    assert.equal(pseudoLabels.indices.length, pseudoLabels.labels.length);
    // The kept pseudo-labels are the teacher's predictions of those rows.
    const teacherLabels = predict(teacher, unlabelled).argmax(1).data;
    pseudoLabels.indices.forEach((row, j) => assert.equal(pseudoLabels.labels[j], teacherLabels[row]));
    const studentAcc = accuracy(student, test);
    assert.ok(studentAcc > 0.85, `student ${studentAcc} (teacher ${teacherAcc})`);
  });

  it('labels with the teacher before training when the student is the teacher itself', async () => {
    const teacher = await trainedTeacher();
    const before = predict(teacher, unlabelled).argmax(1).data.slice();
    const { pseudoLabels } = await fitNoisyStudent(teacher, labelled, unlabelled, { teacher, lr: 0.5, epochs: 2, seed: 1 });
    assert.equal(pseudoLabels.indices.length, unlabelled.shape[0]);
    pseudoLabels.indices.forEach((row, j) => assert.equal(pseudoLabels.labels[j], before[row]));
  });

  it("lrSchedule 'cosine' decays the lr of each step from lr down towards 0; SGD Nesterov with decay on the weights", async () => {
    const teacher = await trainedTeacher();
    const student = mlp();
    const seen: number[] = [];
    await fitNoisyStudent(student, labelled, unlabelled, {
      teacher,
      optimizer: 'sgd-nesterov',
      lr: 0.01,
      weightDecay: 5e-4,
      lrSchedule: 'cosine',
      epochs: 2,
      batchSize: 102,
      callbacks: [
        new LambdaCallback({
          onBatchEnd: (_b, _l, ctx) => {
            seen.push(ctx.optimizer.paramGroups[0].lr);
          },
        }),
      ],
    });
    // 306 samples in batches of 102: 3 steps an epoch, 6 in all; the lr seen after step k is that of step k + 1.
    assert.equal(seen.length, 6);
    seen.forEach((lr, k) => assert.ok(Math.abs(lr - (0.01 * (1 + Math.cos((Math.PI * (k + 1)) / 6))) / 2) < 1e-12, `step ${k + 1}: ${lr}`));
    assert.ok(seen[5] < 1e-12);
  });

  it('rejects hostile options with typed errors', async () => {
    const teacher = mlp();
    const ok: NoisyStudentOptions = { teacher, epochs: 1 };
    const bad: [string, () => Promise<unknown>, RegExp][] = [
      ['no options', () => fitNoisyStudent(mlp(), labelled, unlabelled, undefined as unknown as NoisyStudentOptions), /options are required/],
      ['unknown key', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, max_per_class: 3 } as NoisyStudentOptions), /maxPerClass/],
      ['teacher not a module', () => fitNoisyStudent(mlp(), labelled, unlabelled, { teacher: {} as Sequential }), /teacher must be a Module/],
      ['student not a module', () => fitNoisyStudent(null as unknown as Sequential, labelled, unlabelled, ok), /student must be a Module/],
      ['labelledCopies 0', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, labelledCopies: 0 }), /labelledCopies/],
      ['labelledCopies huge', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, labelledCopies: 1e9 }), /at most 1000/],
      ['epochs 1.5', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, epochs: 1.5 }), /epochs/],
      ['bad schedule', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, lrSchedule: 'step' as 'cosine' }), /lrSchedule/],
      ['NaN seed', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, seed: Number.NaN }), /seed/],
      ['negative decay', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, optimizer: 'sgd-nesterov', weightDecay: -1 }), /weightDecay/],
      ['threshold 2', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, threshold: 2 }), /threshold/],
      ['augment not a function', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, augment: 3 as unknown as (x: Tensor) => Tensor }), /augment/],
      ['augment changes the shape', () => fitNoisyStudent(mlp(), labelled, unlabelled, { ...ok, augment: (x) => x.reshape([-1]) }), /shape/],
      ['unlabelled not a tensor', () => fitNoisyStudent(mlp(), labelled, [1, 2] as unknown as Tensor, ok), /unlabelled must be a tensor/],
      ['unlabelled of other samples', () => fitNoisyStudent(mlp(), labelled, new Tensor(new Float32Array(12), [4, 3]), ok), /differ/],
      ['float labels', () => fitNoisyStudent(mlp(), { x: labelled.x, y: new Tensor(new Float32Array(6), [6]) }, unlabelled, ok), /int32/],
    ];
    for (const [what, run, message] of bad) await assert.rejects(run, (e: unknown) => e instanceof ValueError && message.test((e as Error).message), what);
  });
});
