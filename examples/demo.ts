/**
 * The demo: fit y = θ·x + b by gradient descent on autograd, on generated
 * data, and report the mean squared error on a held-out split.
 */
import { manualSeed, randn, tensor, noGrad, getBackend, getNumThreads, type Tensor } from '../src/index.js';

manualSeed(42);
const nSamples = 1000, nFeatures = 8, noise = 0.1;
const trueTheta = randn([nFeatures, 1]);
const trueBias = 0.5;
const X = randn([nSamples, nFeatures]);
const y = X.matmul(trueTheta).add(trueBias).add(randn([nSamples, 1]).mul(noise));

// Hold out the last 20 % of rows.
const split = Math.floor(nSamples * 0.8);
const [Xtrain, Xtest] = X.split([split, nSamples - split]);
const [ytrain, ytest] = y.split([split, nSamples - split]);

const theta = tensor(new Float32Array(nFeatures), { shape: [nFeatures, 1], requiresGrad: true });
const bias = tensor([0], { requiresGrad: true });
const predict = (x: Tensor): Tensor => x.matmul(theta).add(bias);
const mse = (a: Tensor, b: Tensor): number => a.sub(b).square().mean().item();

const learningRate = 0.1, steps = 200;
const started = performance.now();
for (let step = 1; step <= steps; step++) {
  const loss = predict(Xtrain).sub(ytrain).square().mean();
  theta.grad = null;
  bias.grad = null;
  loss.backward();
  noGrad(() => {
    theta.assign_(theta.sub(theta.grad!.mul(learningRate)));
    bias.assign_(bias.sub(bias.grad!.mul(learningRate)));
  });
  if (step === 1 || step % 50 === 0) console.log(`step ${String(step).padStart(3)}  train MSE ${loss.item().toFixed(6)}`);
}
const seconds = (performance.now() - started) / 1000;
const testMse = noGrad(() => mse(predict(Xtest), ytest));
const thetaError = theta.sub(trueTheta).abs().max().item();

console.log(`\nLinear regression y = θ·x + b, ${nFeatures} features, ${split} train / ${nSamples - split} test rows, noise σ = ${noise}`);
console.log(`gradient descent: ${steps} steps in ${seconds.toFixed(3)} s (backend ${getBackend().name}, ${getNumThreads()} threads)`);
console.log(`held-out MSE ${testMse.toFixed(6)} (noise floor σ² = ${(noise * noise).toFixed(6)})`);
console.log(`largest |θ − θ_true| ${thetaError.toFixed(4)}, b = ${bias.item().toFixed(4)} (true ${trueBias})`);
