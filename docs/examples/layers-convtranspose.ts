// docs/examples/layers-convtranspose.ts
import { nn, Adam, dcganGenerator, dcganDiscriminator, manualSeed, randn, Tensor } from '../../src/index.js';

manualSeed(0);

// Kernel 4, stride 2, padding 1 doubles the height and width.
const up = new nn.ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1 });
console.log('ConvTranspose2d:', up.call(randn([2, 8, 7, 7])).shape); // [2, 4, 14, 14]

// Upsample by a factor or to a size; bilinear as PyTorch's align_corners=False by default.
console.log('Upsample:', new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).call(randn([2, 3, 5, 5])).shape); // [2, 3, 10, 10]

// A conditional DCGAN pair for 28×28 greyscale images of 10 classes.
const g = dcganGenerator({ latentDim: 32, imageSize: 28, width: 16, classes: 10 });
const d = dcganDiscriminator({ imageSize: 28, width: 16, classes: 10 });
const labels = new Tensor(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), [8]);
const images = g.call(randn([8, 32]), labels); // [8, 1, 28, 28], values in [-1, 1]
console.log('generated', images.shape, 'logits', d.call(images, labels).shape); // [8, 1]

// One generator step with the non-saturating loss: make D call the fakes real.
const gOpt = new Adam(g.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
const lossOf = (): Tensor => nn.bceWithLogits(d.call(g.call(randn([8, 32]), labels), labels), new Tensor(new Float32Array(8).fill(1), [8, 1]));
gOpt.zeroGrad();
const loss = lossOf();
loss.backward();
gOpt.step();
console.log('generator loss', loss.item().toFixed(3));
