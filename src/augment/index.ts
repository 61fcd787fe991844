/** Data augmentation: batched, seeded transforms of images and sequences, mixup/CutMix with soft labels. */
export { augmentation, type Augmentation, type AugmentRandomOptions } from './common.js';
export {
  randomHorizontalFlip,
  randomVerticalFlip,
  randomTranslate,
  randomCrop,
  randomRotation,
  gaussianNoise,
  randomErasing,
  cutout,
  compose,
  type FlipOptions,
  type TranslateOptions,
  type CropOptions,
  type RotationOptions,
  type NoiseOptions,
  type ErasingOptions,
  type CutoutOptions,
} from './image.js';
export type { PaddingMode } from './planes.js';
export { randAugment, RAND_AUGMENT_OPS, type RandAugmentOp, type RandAugmentOptions } from './randaugment.js';
export { mixup, cutmix, type MixOptions, type MixTransform } from './mix.js';
export { jitter, scaling, timeWarp, windowSlice, type JitterOptions, type ScalingOptions, type TimeWarpOptions, type WindowSliceOptions } from './sequence.js';
