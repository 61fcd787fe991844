import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadImageFolder, decodeImage } from '../src/io/images.js';
import { ImageFolder } from '../src/datasets/image-folder.js';
import { DataLoader } from '../src/datasets/dataloader.js';
import { ParseError, FrugalError, ValueError } from '../src/errors.js';
import { tempDir } from './helpers/data.js';

type Encoder = (pixels: Uint8Array, w: number, h: number, channels: 1 | 3, format: 'png' | 'jpeg') => Promise<Uint8Array>;

// sharp is an optional peer dependency: the tests use it to write their images.
let encode: Encoder | null = null;
try {
  const name = 'sharp';
  const sharp = (
    (await import(name)) as { default: (input: Uint8Array, o: unknown) => { png(): { toBuffer(): Promise<Uint8Array> }; jpeg(o: unknown): { toBuffer(): Promise<Uint8Array> } } }
  ).default;
  encode = (pixels, w, h, channels, format) => {
    const img = sharp(pixels, { raw: { width: w, height: h, channels } });
    return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
  };
} catch {
  encode = null;
}
const skip = encode ? false : "the optional 'sharp' package is not installed";

function solid(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) out.set(rgb, i * 3);
  return out;
}

async function makeTree(dir: string): Promise<void> {
  mkdirSync(join(dir, 'red'));
  mkdirSync(join(dir, 'blue'));
  mkdirSync(join(dir, '.hidden'));
  writeFileSync(join(dir, 'red', 'a.png'), await encode!(solid(10, 6, [255, 0, 0]), 10, 6, 3, 'png'));
  writeFileSync(join(dir, 'red', 'b.JPG'), await encode!(solid(8, 8, [250, 0, 0]), 8, 8, 3, 'jpeg'));
  writeFileSync(join(dir, 'red', 'notes.txt'), 'not an image');
  writeFileSync(join(dir, 'blue', 'c.png'), await encode!(solid(5, 7, [0, 0, 255]), 5, 7, 3, 'png'));
  // A one-channel grey picture in a colour data set.
  writeFileSync(join(dir, 'blue', 'd.png'), await encode!(new Uint8Array(9).fill(128), 3, 3, 1, 'png'));
}

test('loadImageFolder: classes from sub-folders, resized, [N, C, H, W] in [0, 1]', { skip }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    await makeTree(dir);
    const r = await loadImageFolder(dir, { size: [4, 5] });
    assert.deepEqual(r.classNames, ['blue', 'red']);
    assert.deepEqual(r.data.shape, [4, 3, 4, 5]);
    assert.equal(r.data.dtype, 'float32');
    assert.deepEqual(Array.from(r.target.data), [0, 0, 1, 1]);
    assert.deepEqual(
      r.files.map((f) => f.slice(dir.length + 1)),
      ['blue/c.png', 'blue/d.png', 'red/a.png', 'red/b.JPG'],
    );
    const plane = 20;
    const mean = (img: number, c: number): number => {
      let s = 0;
      for (let i = 0; i < plane; i++) s += r.data.data[img * 60 + c * plane + i];
      return s / plane;
    };
    assert.ok(mean(0, 2) > 0.99 && mean(0, 0) < 0.01, 'blue image: blue channel');
    assert.ok(Math.abs(mean(1, 0) - 128 / 255) < 0.01 && Math.abs(mean(1, 2) - 128 / 255) < 0.01, 'grey image: three equal channels');
    assert.ok(mean(2, 0) > 0.99 && mean(2, 1) < 0.01, 'red png');
    assert.ok(mean(3, 0) > 0.9 && mean(3, 2) < 0.1, 'red jpeg');
    const grey = await loadImageFolder(dir, { size: [2, 2], grayscale: true });
    assert.deepEqual(grey.data.shape, [4, 1, 2, 2]);
    assert.ok(grey.data.data.every((v) => v >= 0 && v <= 1));
    const one = await decodeImage(new Uint8Array(await encode!(solid(3, 3, [0, 255, 0]), 3, 3, 3, 'png')), { size: [2, 3] });
    assert.deepEqual(one.shape, [3, 2, 3]);
    assert.ok(one.data[6] > 0.99, 'green channel');
  } finally {
    cleanup();
  }
});

test('loadImageFolder: broken files and bad layouts give clear errors', { skip }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    await makeTree(dir);
    writeFileSync(join(dir, 'red', 'broken.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    await assert.rejects(loadImageFolder(dir, { size: [4, 4] }), (e: unknown) => e instanceof ParseError && /broken\.png: cannot decode image/.test(e.message));
    const png = await encode!(solid(4, 4, [1, 2, 3]), 4, 4, 3, 'png');
    writeFileSync(join(dir, 'red', 'broken.png'), png.subarray(0, png.length - 20));
    await assert.rejects(loadImageFolder(dir, { size: [4, 4] }), ParseError, 'truncated PNG');
    mkdirSync(join(dir, 'empty'));
    const e2 = join(dir, 'e2');
    mkdirSync(e2);
    mkdirSync(join(e2, 'none'));
    await assert.rejects(loadImageFolder(e2, { size: [4, 4] }), (e: unknown) => e instanceof FrugalError && /has no images/.test(e.message));
    await assert.rejects(loadImageFolder(join(dir, 'red'), { size: [4, 4] }), /no sub-folders/);
    await assert.rejects(loadImageFolder(join(dir, 'missing'), { size: [4, 4] }), /no such file/);
    await assert.rejects(loadImageFolder(dir, { size: [0, 4] as [number, number] }), ValueError);
  } finally {
    cleanup();
  }
});

test('ImageFolder decodes lazily and streams through a DataLoader', { skip }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    await makeTree(dir);
    const ds = await ImageFolder.open(dir, { size: [3, 3] });
    assert.equal(ds.length, 4);
    assert.deepEqual(ds.classNames, ['blue', 'red']);
    const labels: number[] = [];
    for await (const [x, y] of new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1 })) {
      assert.deepEqual(x.shape.slice(1), [3, 3, 3]);
      labels.push(...y.data);
    }
    assert.deepEqual(labels.sort(), [0, 0, 1, 1]);
    await assert.rejects(ds.get(4), ValueError);
  } finally {
    cleanup();
  }
});
