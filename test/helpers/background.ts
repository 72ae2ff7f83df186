/** Test backgrounds whose every pixel is known, and the pixel truth of a background composite. */
import type { Pixels } from './frames.js';
import type { GroundTruth } from './image-metrics.js';

/**
 * A smooth picture (two ramps and a slow wave), so that any decent resampler
 * gives the same values and the test checks where the picture lands, not how
 * it was filtered. `at(u, v)` is its colour at continuous pixel coordinates.
 */
export interface KnownPicture {
  readonly width: number;
  readonly height: number;
  readonly at: (u: number, v: number) => [number, number, number];
  readonly blob: Blob;
}

export async function knownPicture(width: number, height: number): Promise<KnownPicture> {
  const at = (u: number, v: number): [number, number, number] => [
    40 + (180 * u) / width,
    60 + (120 * v) / height,
    128 + 60 * Math.sin((2 * Math.PI * 1.5 * u) / width) * Math.cos((2 * Math.PI * v) / height),
  ];
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = at(x + 0.5, y + 0.5);
      const p = (y * width + x) * 4;
      image.data[p] = r;
      image.data[p + 1] = g;
      image.data[p + 2] = b;
      image.data[p + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  return { width, height, at, blob: await canvas.convertToBlob({ type: 'image/png' }) };
}

/** The picture as it should cover a `width`×`height` frame: scaled to cover, centred, aspect kept (`object-fit: cover`). */
export function coverExpected(picture: KnownPicture, width: number, height: number): Pixels {
  const scale = Math.max(width / picture.width, height / picture.height);
  const offsetX = (picture.width - width / scale) / 2;
  const offsetY = (picture.height - height / scale) / 2;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = picture.at(offsetX + (x + 0.5) / scale, offsetY + (y + 0.5) / scale);
      const p = (y * width + x) * 4;
      data[p] = r;
      data[p + 1] = g;
      data[p + 2] = b;
      data[p + 3] = 255;
    }
  }
  return { width, height, data, timestamp: 0 };
}

/** A frame-sized image of one colour. */
export function solid(width: number, height: number, rgb: readonly [number, number, number]): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < data.length; p += 4) {
    data[p] = rgb[0];
    data[p + 1] = rgb[1];
    data[p + 2] = rgb[2];
    data[p + 3] = 255;
  }
  return { width, height, data, timestamp: 0 };
}

/** Pixels within `width` of the true edge, on either side. */
export function edgeBand(truth: GroundTruth, width: number): Uint8Array {
  const out = new Uint8Array(truth.person.length);
  for (let i = 0; i < out.length; i++) out[i] = truth.edgeDistance[i]! <= width ? 1 : 0;
  return out;
}

/**
 * Halo error of a replacement, as the quality harness measures the blur's:
 * mean |output − (A·I + (1−A)·B)| over `where`, with A the true mask, I the
 * input and B the background, 0–255.
 */
export function replacementHalo(output: Pixels, input: Pixels, background: Pixels, truth: GroundTruth, where: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < truth.person.length; i++) {
    if (!where[i]) continue;
    const a = truth.person[i]!;
    for (let c = 0; c < 3; c++) {
      const ideal = a * input.data[i * 4 + c]! + (1 - a) * background.data[i * 4 + c]!;
      sum += Math.abs(output.data[i * 4 + c]! - ideal);
    }
    n += 3;
  }
  return sum / n;
}
