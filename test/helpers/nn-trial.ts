/**
 * A neural-network trial function for the distributed tests: trains a small
 * network with `fit` under the given settings and returns its last loss.
 * Workers load this module (`frugal worker --import`), which registers it.
 */
import { manualSeed, registerFunction, type Tensor } from '../../src/index.js';
import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { fit } from '../../src/train/index.js';

export async function trainSmallNet(settings: Record<string, unknown>, data: { X: unknown; y: unknown }): Promise<Record<string, number>> {
  manualSeed(0);
  const hidden = settings.hidden as number;
  const model = new Sequential(new Linear(3, hidden), new ReLU(), new Linear(hidden, 1));
  const history = await fit(model, { x: data.X as Tensor, y: data.y as Tensor }, { loss: 'mse', lr: settings.lr as number, epochs: 3, batchSize: 16, seed: 1, verbose: 0 });
  const loss = history.get('loss');
  return { loss: loss[loss.length - 1] };
}

registerFunction(trainSmallNet, 'test.trainSmallNet');
