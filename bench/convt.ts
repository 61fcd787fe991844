/**
 * `convt-dcgan`: one DCGAN generator upsampling layer, ConvTranspose2d
 * 128 → 64, kernel 4, stride 2, padding 1, float32, on a batch of 64 maps
 * of 8×8 (out: 64×64×16×16). `fwd_ms` times the forward pass alone,
 * `fwd_bwd_ms` the forward pass and the gradients of the input, the weight
 * and the bias (of Σ out·v); each the median of the timed repetitions after
 * two warm-ups. The PyTorch figure for the same layer comes from
 * bench/convt-torch.py.
 */
import { getNumThreads } from '../src/backend/index.js';
import { grad, noGrad, randn, type Tensor } from '../src/index.js';
import { ConvTranspose2d } from '../src/nn/layers/conv-transpose.js';
import { timed, type Emit } from './common.js';

export const CONVT_WORKLOADS = ['convt-dcgan'];

export async function benchConvTranspose(emit: Emit, options: { quick: boolean }): Promise<void> {
  const threads = getNumThreads();
  const extra = options.quick ? { quick: true } : {};
  const [batch, cin, cout, side] = options.quick ? [8, 128, 64, 8] : [64, 128, 64, 8];
  const layer = new ConvTranspose2d(cin, cout, 4, { stride: 2, padding: 1 });
  const x = randn([batch, cin, side, side]);
  x.requiresGrad = true;
  const v = randn([batch, cout, 2 * side, 2 * side]);
  const forwardBackward = (): Tensor[] => grad(layer.call(x).mul(v).sum(), [x, ...layer.parameters()]);
  const reps = options.quick ? 3 : 10;
  for (let i = 0; i < 2; i++) forwardBackward();
  const fwd = timed(reps, () => noGrad(() => layer.call(x)));
  const both = timed(reps, forwardBackward);
  const line = (metric: string, value: number) => emit({ workload: 'convt-dcgan', impl: 'frugal', threads, metric, value, ...extra });
  line('fwd_ms', fwd.seconds * 1e3);
  line('fwd_bwd_ms', both.seconds * 1e3);
}
