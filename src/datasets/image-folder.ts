/**
 * A class-per-folder image tree (torchvision's `ImageFolder` layout) as a
 * data set whose images are decoded as they are used (by io/images.ts).
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { readFileBytes } from '../platform/fs.js';
import { IMAGE_FOLDER_OPTIONS, checkImageOptions, decodeInto, scanFolder, type DecodeSpec, type ImageFolderOptions } from '../io/images.js';
import type { Dataset, Sample } from './dataset.js';

/**
 * A class-per-folder image tree as a lazily decoded data set: only the file
 * list is held in memory; `get(i)` reads and decodes image i and returns
 * `[image [C, H, W], label []]`. Iterate it with `for await` over a
 * `DataLoader`, whose prefetching decodes the next batches while the model
 * trains.
 *
 * ```ts
 * const ds = await ImageFolder.open('photos', { size: [64, 64] });
 * for await (const [x, y] of new DataLoader(ds, { batchSize: 32, shuffle: true })) { ... }
 * ```
 */
export class ImageFolder implements Dataset {
  private constructor(
    readonly files: readonly string[],
    readonly labels: Int32Array,
    readonly classNames: readonly string[],
    private readonly opts: DecodeSpec,
  ) {}

  static async open(dir: string, options: ImageFolderOptions): Promise<ImageFolder> {
    const o = checkImageOptions(options, 'ImageFolder', IMAGE_FOLDER_OPTIONS);
    const { classNames, files, labels } = await scanFolder(dir, options.extensions ?? ['.png', '.jpg', '.jpeg'], 'ImageFolder');
    return new ImageFolder(files, Int32Array.from(labels), classNames, o);
  }

  get length(): number {
    return this.files.length;
  }

  async get(index: number): Promise<Sample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.files.length) {
      throw new ValueError(`ImageFolder.get: index ${index} is out of range for ${this.files.length} images`);
    }
    const o = this.opts;
    const out = new Float32Array(o.channels * o.h * o.w);
    await decodeInto(await readFileBytes(this.files[index], 'ImageFolder'), o, out, 0, this.files[index]);
    return [new Tensor(out, [o.channels, o.h, o.w]), new Tensor(new Int32Array([this.labels[index]]), [])];
  }
}
