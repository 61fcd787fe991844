// docs/examples/pruning-and-distillation.ts
import {
  nn, Sequential, fit, evaluate, loadDigits, trainTestSplit, manualSeed,
  structuredPrune, countFlops, GradualPruning, removePruning, distill,
} from '../../src/index.js';

manualSeed(0);
const { data, target } = loadDigits();
const [xTrain, xTest, yTrain, yTest] = trainTestSplit(data.div(16), target, { testSize: 0.25, randomState: 0 });
const train = { x: xTrain, y: yTrain };
const accuracy = async (model: nn.Module) => (await evaluate(model, { x: xTest, y: yTest }, { loss: 'crossEntropy', metrics: ['accuracy'] })).accuracy;

const model = new Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
await fit(model, train, { loss: 'crossEntropy', lr: 1e-2, epochs: 10, verbose: 0 });
console.log(`original: ${model.numParameters()} parameters, accuracy ${(await accuracy(model)).toFixed(3)}`);

// Structured pruning: remove whole neurons down to half the multiply-adds, then fine-tune the smaller dense model.
const small = structuredPrune(model, { flopsRatio: 0.5, inputShape: [64] });
const flops = countFlops(small, [64]).total / countFlops(model, [64]).total;
await fit(small, train, { loss: 'crossEntropy', lr: 1e-3, epochs: 3, verbose: 0 });
console.log(`pruned: ${small.numParameters()} parameters, FLOPs ×${flops.toFixed(2)}, accuracy ${(await accuracy(small)).toFixed(3)}`);

// Unstructured pruning during fine-tuning: 80 % of the weights set to zero along Zhu & Gupta's schedule, kept zero by every step.
const pruning = new GradualPruning(model, { finalSparsity: 0.8, frequency: 10 });
await fit(model, train, { loss: 'crossEntropy', lr: 1e-3, epochs: 4, verbose: 0, callbacks: [pruning] });
removePruning(pruning.masks);
console.log(`80 % sparse: accuracy ${(await accuracy(model)).toFixed(3)}`);

// Distillation: a student with a tenth of the parameters learns from the teacher's softened outputs and the labels.
const teacher = new Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
await fit(teacher, train, { loss: 'crossEntropy', lr: 1e-2, epochs: 10, verbose: 0 });
const student = new Sequential(new nn.Linear(64, 24), new nn.ReLU(), new nn.Linear(24, 10));
await distill({ teacher, student, data: train, temperature: 4, alpha: 0.9, lr: 1e-2, epochs: 10, verbose: 0 });
console.log(`student: ${student.numParameters()} of ${teacher.numParameters()} parameters, accuracy ${(await accuracy(student)).toFixed(3)}`);
