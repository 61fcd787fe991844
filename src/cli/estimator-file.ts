/** The fitted pipeline in a model folder, written and read by the library's estimator persistence. */
import { FrugalError } from '../errors.js';
import type { Estimator } from '../models/base.js';

export async function saveEstimatorFile(_est: Estimator, path: string): Promise<void> {
  throw new FrugalError(`saving '${path}' needs the estimator persistence (src/persist), not merged yet`);
}

export async function loadEstimatorFile(path: string): Promise<Estimator> {
  throw new FrugalError(`reading '${path}' needs the estimator persistence (src/persist), not merged yet`);
}
