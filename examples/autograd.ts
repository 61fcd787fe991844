// examples/autograd.ts
import { tensor, grad } from '../src/index.js';

const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const loss = x.matmul(x.T).tanh().sum();
loss.backward();                                   // x.grad now holds d loss / d x
const [g] = grad(x.square().sum(), [x], { createGraph: true });
g.square().sum().backward();                       // a gradient of a gradient
console.log(x.grad?.toArray());
