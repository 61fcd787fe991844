/** Generative adversarial networks: the trainer, conditional GANs, ready-made modules, tabular synthesis. */
export { GAN, GanHistory, type GanOptions, type GanFitOptions, type GanData, type GanConditioning } from './trainer.js';
export type { GanLoss } from './losses.js';
export { mlpGenerator, mlpDiscriminator, type MlpGeneratorOptions, type MlpDiscriminatorOptions } from './mlp.js';
export { ganCheckpointToBytes, ganCheckpointFromBytes, saveGanCheckpoint, loadGanCheckpoint, type GanCheckpoint } from './checkpoint.js';
export { TabularSynthesizer, synthesize, type TabularSynthesizerOptions, type EncodedColumn } from './tabular.js';
