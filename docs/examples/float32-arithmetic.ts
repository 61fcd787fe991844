// docs/examples/float32-arithmetic.ts
import { Adam, SGD, Tensor } from '../../src/index.js';

// Float32 parameters are updated in float32 arithmetic, as PyTorch updates them.
const p32 = new Tensor(Float32Array.of(0.5, -1.25, 2), [3], { requiresGrad: true });
const p64 = new Tensor(Float64Array.of(0.5, -1.25, 2), [3], { requiresGrad: true });
const adam32 = new Adam([p32], { lr: 1e-3 }),
  adam64 = new Adam([p64], { lr: 1e-3 });
for (let step = 0; step < 3; step++) {
  p32.grad = new Tensor(Float32Array.of(0.1, -0.2, 0.3), [3]);
  p64.grad = new Tensor(Float64Array.of(0.1, -0.2, 0.3), [3]);
  adam32.step();
  adam64.step();
}
console.log('float32 Adam:', Array.from(p32.data).join(', '));
console.log('float64 Adam:', Array.from(p64.data).join(', '));

// SGD with momentum on a larger float32 parameter runs the SIMD kernel; the result is the same as the plain loop's.
const w = new Tensor(new Float32Array(4096).fill(1), [4096], { requiresGrad: true });
const sgd = new SGD([w], { lr: 0.1, momentum: 0.9 });
w.grad = new Tensor(new Float32Array(4096).fill(0.5), [4096]);
sgd.step();
console.log('SGD step on 4 096 float32 weights:', w.data[0]);

// tanh of a float32 tensor: the same float32 function at every size (within one float32 ulp of Math.tanh).
const x = new Tensor(Float32Array.of(-20, -0.5, 0, 1e-3, 0.5, 3), [6]);
console.log('tanh:', Array.from(x.tanh().data).join(', '));
console.log('Math.tanh(0.5) rounded to float32:', Math.fround(Math.tanh(0.5)));
