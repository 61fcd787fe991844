// docs/examples/gans-images.ts
import { dcganDiscriminator, dcganGenerator, GAN, loadDigits, manualSeed, Tensor } from '../../src/index.js';

manualSeed(0);
// The 8×8 digits as images [N, 1, 8, 8] in [-1, 1], with their labels.
const digits = loadDigits();
const n = digits.target.size;
const x = new Tensor(Float32Array.from(digits.data.data, (v) => v / 8 - 1), [n, 1, 8, 8]);

// A conditional DCGAN: both modules read the labels themselves, so the trainer passes them as a second argument.
const gan = new GAN({
  generator: dcganGenerator({ imageSize: 8, latentDim: 16, width: 8, classes: 10 }),
  discriminator: dcganDiscriminator({ imageSize: 8, width: 8, classes: 10 }),
  latentDim: 16,
  numClasses: 10,
  conditioning: 'module',
  seed: 1,
});
const history = await gan.fit({ x, y: digits.target }, { steps: 30, batchSize: 32, verbose: 0 });
console.log(`after ${history.steps.at(-1)} steps: lossD ${history.get('lossD').at(-1)?.toFixed(2)}, lossG ${history.get('lossG').at(-1)?.toFixed(2)}`);
const sevens = gan.sample(4, { label: 7, seed: 2 });
console.log('four sevens:', sevens.shape.join('×'));
