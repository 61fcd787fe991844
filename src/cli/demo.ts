/**
 * `frugal demo`: a newcomer's tour on data shipped in the package, in
 * about a minute — the linear-regression example the project started from,
 * logistic regression, a support vector machine, a small CNN and an LSTM on
 * the 8×8 digits, and a conditional GAN that draws new digits — ending with a
 * summary table and a report folder.
 */
import { resolve } from 'node:path';
import { loadDigits } from '../datasets/loaders.js';
import { makeRegression } from '../datasets/generators.js';
import { GAN } from '../gan/trainer.js';
import { mlpDiscriminator, mlpGenerator } from '../gan/mlp.js';
import { accuracyScore } from '../metrics/classification.js';
import { meanSquaredError } from '../metrics/regression.js';
import { trainTestSplit } from '../model_selection/split.js';
import { LinearRegression } from '../models/linear/least-squares.js';
import { LogisticRegression } from '../models/linear/logistic.js';
import { SVC } from '../models/svm/svc.js';
import { LabelSpreading } from '../models/semi_supervised/index.js';
import { calibrate, convert, prepare } from '../quant/index.js';
import { modelToBytes } from '../nn/serialize.js';
import { Sequential } from '../nn/layers/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Flatten } from '../nn/layers/flatten.js';
import { Linear } from '../nn/layers/linear.js';
import { LSTM } from '../nn/layers/recurrent.js';
import { MaxPool2d } from '../nn/layers/pooling.js';
import { ReLU } from '../nn/layers/activation.js';
import { Module } from '../nn/module.js';
import { Adam } from '../optim/optimizers.js';
import { StandardScaler } from '../preprocessing/scalers.js';
import { imageGridSpec, learningCurveSpec, residualSpec, confusionMatrixSpec, writeReport, type ReportSection } from '../report/index.js';
import { manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { fit, predict } from '../train/fit.js';
import { confusionMatrix } from '../metrics/classification.js';
import { parseCommandArgs, positionals } from './args.js';
import { formatTable, StepProgress, type Streams } from './output.js';

export const DEMO_HELP = `Usage: frugal demo [--out DIR] [--quick]

A tour of Frugal on data shipped in the package, in about a minute:
linear regression on generated data (makeRegression, trainTestSplit,
LinearRegression, mean squared error), logistic regression and a support
vector machine on the 8×8 handwritten digits, then a small CNN and an LSTM
trained on the same digits, a conditional GAN that draws new digits of a
chosen class, label spreading that learns from 5 labelled digits per class
and the rest unlabelled, and the CNN quantised to int8. Ends with a summary
table and writes a report (report.html with learning curves, a confusion
matrix, test digits and generated ones).

Options:
  --out DIR     where to write the report (default frugal-demo)
  --quick       fewer epochs (a few seconds; for tests)
  -h, --help    this help

Examples:
  frugal demo
  npm run demo`;

interface Outcome {
  model: string;
  data: string;
  metric: string;
  value: number;
  seconds: number;
}

/** The digits as images [n, 1, 8, 8] scaled to [0, 1], labels, split 80/20 with a fixed seed. */
function digitsSplit(): { Xtr: Tensor; Xte: Tensor; ytr: Tensor; yte: Tensor } {
  const { data, target } = loadDigits();
  const X = data.div(16).reshape([data.shape[0], 1, 8, 8]);
  const [Xtr, Xte, ytr, yte] = trainTestSplit(X, target, { testSize: 0.2, randomState: 0, stratify: Array.from(target.data) });
  return { Xtr, Xte, ytr, yte };
}

function accuracyOfLogits(logits: Tensor, y: Tensor): number {
  let right = 0;
  for (let i = 0; i < logits.shape[0]; i++) if (argmaxRow(logits, i) === y.data[i]) right++;
  return right / logits.shape[0];
}

/** LSTM over the 8 rows of a digit (8 features each), then a linear layer on the last hidden state. */
class RowLstm extends Module {
  readonly lstm = this.registerModule('lstm', new LSTM(8, 32, { batchFirst: true }));
  readonly head = this.registerModule('head', new Linear(32, 10));
  override forward(x: Tensor): Tensor {
    const rows = x.reshape([x.shape[0], 8, 8]);
    const { h } = this.lstm.run(rows);
    return this.head.call(h.reshape([x.shape[0], 32]));
  }
}

function smallCnn(): Sequential {
  return new Sequential(new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 4 * 4, 32), new ReLU(), new Linear(32, 10));
}

/** Steps of the demo's conditional GAN: about ten seconds on two cores, enough for digits that a CNN mostly reads as the asked-for class. */
const GAN_STEPS = 1500;

/**
 * A conditional GAN (MLP generator and discriminator, src/gan) trained on the training digits; returns 4 samples of each
 * digit for the report and how often `classifier` reads 200 generated digits as the digit they were asked for.
 */
async function conditionalGanDigits(images: Tensor, labels: Tensor, steps: number, classifier: Module): Promise<{ samples: Tensor; sampleLabels: number[]; agreement: number }> {
  const pixels = images.reshape([images.shape[0], 64]);
  const gan = new GAN({
    generator: mlpGenerator({ latentDim: 16, outFeatures: 64, hidden: [128], numClasses: 10, output: 'sigmoid' }),
    discriminator: mlpDiscriminator({ inFeatures: 64, hidden: [128], numClasses: 10 }),
    latentDim: 16,
    numClasses: 10,
    lr: 2e-3,
    seed: 1,
  });
  await gan.fit({ x: pixels, y: labels }, { steps, batchSize: 64, verbose: 0 });
  const asked = Array.from({ length: 200 }, (_, i) => i % 10);
  const generated = gan.sample(asked.length, { label: asked, seed: 2 });
  const logits = predict(classifier, generated.reshape([asked.length, 1, 8, 8]));
  const agreement = asked.filter((digit, i) => argmaxRow(logits, i) === digit).length / asked.length;
  const sampleLabels = Array.from({ length: 40 }, (_, i) => i % 10);
  return { samples: gan.sample(sampleLabels.length, { label: sampleLabels, seed: 3 }), sampleLabels, agreement };
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, (performance.now() - t0) / 1000];
}

export async function demoCommand(argv: readonly string[], streams: Streams): Promise<number> {
  const args = parseCommandArgs('demo', argv, { out: { type: 'string' }, quick: { type: 'boolean' } });
  if (args.values.help) {
    streams.out(`${DEMO_HELP}\n`);
    return 0;
  }
  positionals('demo', args, []);
  const out = typeof args.values.out === 'string' ? args.values.out : 'frugal-demo';
  const quick = args.values.quick === true;
  const epochs = quick ? 2 : 15;
  const ganSteps = quick ? 30 : GAN_STEPS;
  const outcomes: Outcome[] = [];
  const sections: ReportSection[] = [];
  const progress = new StepProgress(streams, 'demo', 8);
  manualSeed(42);

  // 1. The example the project started from (README): generated data, least squares, held-out MSE.
  const { X, y } = makeRegression({ nSamples: 1000, nFeatures: 8, noise: 0.1, randomState: 0 });
  const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 });
  const [linear, linearSeconds] = timed(() => new LinearRegression().fit(Xtrain, ytrain));
  const linearPredicted = linear.predict(Xtest);
  const mse = meanSquaredError(ytest, linearPredicted);
  outcomes.push({ model: 'LinearRegression', data: 'makeRegression 1000×8, noise σ 0.1', metric: 'test MSE', value: mse, seconds: linearSeconds });
  sections.push({
    heading: 'Linear regression',
    paragraphs: [`makeRegression → trainTestSplit → LinearRegression → meanSquaredError: held-out MSE ${mse.toFixed(5)}, at the noise floor σ² = 0.01.`],
    figures: [{ name: 'linear-residuals', spec: residualSpec(linearPredicted, ytest) }],
  });
  progress.step('linear regression');

  // 2–3. Classical classifiers on the digits (flattened 64 pixels, standardised).
  const digits = digitsSplit();
  const flat = (t: Tensor): Tensor => t.reshape([t.shape[0], 64]);
  const scaler = new StandardScaler().fit(flat(digits.Xtr));
  const [Ftr, Fte] = [scaler.transform(flat(digits.Xtr)), scaler.transform(flat(digits.Xte))];
  const labelsTr = Array.from(digits.ytr.data);
  const labelsTe = Array.from(digits.yte.data);
  const [logistic, logisticSeconds] = timed(() => new LogisticRegression({ maxIter: 300 }).fit(Ftr, labelsTr));
  const logisticPredicted = logistic.predict(Fte);
  outcomes.push({ model: 'LogisticRegression', data: 'digits 8×8', metric: 'test accuracy', value: accuracyScore(labelsTe, logisticPredicted), seconds: logisticSeconds });
  progress.step('logistic regression');
  const [svc, svcSeconds] = timed(() => new SVC({ C: 10 }).fit(Ftr, labelsTr));
  const svcPredicted = svc.predict(Fte);
  outcomes.push({ model: 'SVC (RBF)', data: 'digits 8×8', metric: 'test accuracy', value: accuracyScore(labelsTe, svcPredicted), seconds: svcSeconds });
  const digitNames = Array.from({ length: 10 }, (_, d) => String(d));
  sections.push({
    heading: 'Logistic regression and a support vector machine on the digits',
    figures: [{ name: 'svc-confusion-matrix', spec: confusionMatrixSpec(digitNames, confusionMatrix(labelsTe, svcPredicted, { labels: digitNames.map(Number) })) }],
  });
  progress.step('support vector machine');

  // 4–5. Networks trained with fit(): a small CNN on the images, an LSTM over their rows.
  const cnn = smallCnn();
  const networks: [string, Module][] = [
    ['CNN (conv 8, pool, dense 32)', cnn],
    ['LSTM (rows as a sequence, 32 units)', new RowLstm()],
  ];
  for (const [name, model] of networks) {
    const t0 = performance.now();
    const history = await fit(
      model,
      { x: digits.Xtr, y: digits.ytr },
      {
        loss: 'crossEntropy',
        optimizer: new Adam(model.parameters(), { lr: 3e-3 }),
        epochs,
        batchSize: 32,
        validationData: { x: digits.Xte, y: digits.yte },
        metrics: ['accuracy'],
        // fit's own bar (epochs, loss, ETA) when both outputs are a terminal; the demo's step lines otherwise.
        verbose: streams.interactive && process.stdout.isTTY === true ? 1 : 0,
        seed: 0,
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const logits = predict(model, digits.Xte);
    const accuracy = accuracyOfLogits(logits, digits.yte);
    outcomes.push({ model: name, data: 'digits 8×8', metric: 'test accuracy', value: accuracy, seconds });
    const slug = name.startsWith('CNN') ? 'cnn' : 'lstm';
    const figures = [
      {
        name: `${slug}-loss`,
        spec: learningCurveSpec(`${name}: loss per epoch`, 'cross-entropy', [
          { name: 'train', values: history.get('loss') },
          { name: 'validation', values: history.get('valLoss') },
        ]),
      },
      {
        name: `${slug}-accuracy`,
        spec: learningCurveSpec(`${name}: accuracy per epoch`, 'accuracy', [
          { name: 'train', values: history.get('accuracy') },
          { name: 'validation', values: history.get('valAccuracy') },
        ]),
      },
    ];
    if (slug === 'cnn') {
      const shown = 16;
      const images = Array.from({ length: shown }, (_, i) => digits.Xte.data.subarray(i * 64, (i + 1) * 64));
      const captions = Array.from({ length: shown }, (_, i) => String(argmaxRow(logits, i)));
      figures.push({ name: 'cnn-samples', spec: imageGridSpec('Test digits (the CNN predicted these in order, left to right)', images, 8, 8, captions) });
      sections.push({ heading: name, paragraphs: [`Predicted: ${captions.join(' ')}`], figures });
    } else {
      sections.push({ heading: name, figures });
    }
    progress.step(slug);
  }

  // 6. A conditional GAN draws digits of a chosen class; the CNN above says how often they read as that class.
  const t0 = performance.now();
  const cgan = await conditionalGanDigits(digits.Xtr, digits.ytr, ganSteps, cnn);
  const ganName = `Conditional GAN (MLP 128, ${ganSteps} steps)`;
  outcomes.push({ model: ganName, data: 'digits 8×8', metric: 'CNN reads label', value: cgan.agreement, seconds: (performance.now() - t0) / 1000 });
  const generated = Array.from({ length: cgan.sampleLabels.length }, (_, i) => cgan.samples.data.subarray(i * 64, (i + 1) * 64));
  sections.push({
    heading: ganName,
    paragraphs: [
      `GAN with numClasses 10: the digit's one-hot code goes into the generator (with the noise) and the discriminator (with the image); sample(n, { label }) draws digits of the class asked for. The CNN reads ${(100 * cgan.agreement).toFixed(1)}% of 200 generated digits as the class they were drawn for.`,
    ],
    figures: [
      { name: 'cgan-samples', spec: imageGridSpec('Generated digits, four of each class 0–9 (caption: the class asked for)', generated, 8, 8, cgan.sampleLabels.map(String), 10) },
    ],
  });
  progress.step('conditional GAN');

  // 7. Few labels: 5 labelled digits per class, the other training digits unlabelled (-1), label spreading on a k-NN graph.
  const fewLabels = labelsTr.map(() => -1);
  const perClass = new Array<number>(10).fill(0);
  labelsTr.forEach((label, i) => {
    if (perClass[label] < 5) {
      perClass[label]++;
      fewLabels[i] = label;
    }
  });
  const labelled = fewLabels.flatMap((label, i) => (label >= 0 ? [i] : []));
  const [spreading, spreadingSeconds] = timed(() => new LabelSpreading({ kernel: 'knn', nNeighbors: 7 }).fit(Ftr, fewLabels));
  const spreadAccuracy = accuracyScore(labelsTe, spreading.predict(Fte));
  const supervisedFew = new LogisticRegression({ maxIter: 300 }).fit(
    Ftr.indexSelect(0, labelled),
    labelled.map((i) => labelsTr[i]),
  );
  const supervisedAccuracy = accuracyScore(labelsTe, supervisedFew.predict(Fte));
  outcomes.push({ model: 'LabelSpreading (k-NN graph), 50 labels', data: 'digits 8×8', metric: 'test accuracy', value: spreadAccuracy, seconds: spreadingSeconds });
  sections.push({
    heading: 'Learning from 50 labels',
    paragraphs: [
      `Only 5 training digits of each class keep their label; the other ${labelsTr.length - labelled.length} are unlabelled. LogisticRegression on the 50 labelled digits alone: test accuracy ${(100 * supervisedAccuracy).toFixed(1)}%. LabelSpreading, which spreads the 50 labels over a k-nearest-neighbour graph of all the training digits: ${(100 * spreadAccuracy).toFixed(1)}%.`,
    ],
  });
  progress.step('label spreading');

  // 8. A smaller model: the CNN above in int8 (post-training static quantisation, calibrated on training batches).
  const t1 = performance.now();
  const calibration = [0, 1, 2, 3].map((b) => digits.Xtr.slice([[b * 64, (b + 1) * 64]]));
  const int8 = convert(calibrate(prepare(cnn, { observer: 'minmax' }), calibration));
  const int8Accuracy = accuracyOfLogits(predict(int8, digits.Xte), digits.yte);
  const floatAccuracy = accuracyOfLogits(predict(cnn, digits.Xte), digits.yte);
  const sizeRatio = modelToBytes(cnn).length / modelToBytes(int8).length;
  outcomes.push({
    model: `CNN in int8 (${sizeRatio.toFixed(1)}× smaller file)`,
    data: 'digits 8×8',
    metric: 'test accuracy',
    value: int8Accuracy,
    seconds: (performance.now() - t1) / 1000,
  });
  sections.push({
    heading: 'The CNN in int8',
    paragraphs: [
      `prepare → calibrate on 4 training batches → convert: int8 weights (per channel) and activations, Conv2d → ReLU → MaxPool2d as one int8 layer. The saved file is ${sizeRatio.toFixed(1)}× smaller; test accuracy ${(100 * int8Accuracy).toFixed(1)}% against ${(100 * floatAccuracy).toFixed(1)}% in float32.`,
    ],
  });
  progress.step('int8 quantisation');
  progress.finish();

  const rows = outcomes.map((o) => [o.model, o.data, o.metric, o.value, `${o.seconds.toFixed(2)}s`]);
  const header = ['model', 'data', 'metric', 'value', 'time'];
  sections.unshift({ heading: 'Summary', table: { header, rows } });
  const written = await writeReport(out, { title: 'Frugal demo', sections });
  streams.out(`\n${formatTable(header, rows)}\n\nreport: ${resolve(written.html)}\n`);
  if (written.note) streams.out(`${written.note}\n`);
  return 0;
}

function argmaxRow(logits: Tensor, i: number): number {
  const k = logits.shape[1];
  let arg = 0;
  for (let c = 1; c < k; c++) if (logits.data[i * k + c] > logits.data[i * k + arg]) arg = c;
  return arg;
}
