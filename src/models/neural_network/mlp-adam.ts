/**
 * Adam as scikit-learn's MLP runs it (`AdamOptimizer` in
 * sklearn/neural_network/_stochastic_optimizers.py). It differs from
 * torch.optim.Adam (src/optim) in where ε goes: scikit-learn folds both bias
 * corrections into the step size, lr·√(1-β2ᵗ)/(1-β1ᵗ), and adds ε to √v,
 * while torch adds ε to √v/√(1-β2ᵗ). Using scikit-learn's form lets
 * MLPClassifier / MLPRegressor reproduce scikit-learn's training runs to
 * rounding (test/mlp-estimator.test.ts).
 */
import type { Tensor } from '../../tensor/tensor.js';

export class SklearnAdam {
  private readonly firstMoments: Float64Array[];
  private readonly secondMoments: Float64Array[];
  private steps = 0;

  constructor(
    private readonly params: readonly Tensor[],
    private readonly learningRate: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    this.firstMoments = params.map((p) => new Float64Array(p.data.length));
    this.secondMoments = params.map((p) => new Float64Array(p.data.length));
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** One update from the gradients that `backward()` left in each parameter's `grad` (a missing one counts as zero). */
  step(): void {
    this.steps++;
    const { beta1, beta2, epsilon } = this;
    const stepSize = (this.learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
    for (let k = 0; k < this.params.length; k++) {
      const weights = this.params[k].data as Float64Array;
      const grad = this.params[k].grad?.data;
      const m = this.firstMoments[k];
      const v = this.secondMoments[k];
      for (let i = 0; i < weights.length; i++) {
        const g = grad ? grad[i] : 0;
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * (g * g);
        weights[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + epsilon);
      }
    }
  }
}
