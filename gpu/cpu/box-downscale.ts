import { bilinearAxis } from '../bilinear-axis.js';
import { sizeRgbImage, type RgbImage } from './rgb-image.js';

/**
 * Halves an RGBA frame by averaging each 2×2 block into `out`. This is the one
 * pass the CPU renderer makes over every input pixel; everything else (the
 * model input, the blur) works on this copy or smaller ones. Sizes round up
 * and an odd last column or row is averaged with itself, so level pixel i
 * always covers source pixels 2i and 2i+1: the levels stay registered with
 * the frame (rounding down would shift a 675-row level by half a pixel).
 */
export function halveRgba(rgba: Uint8ClampedArray, width: number, height: number, out: RgbImage): RgbImage {
  const halfWidth = Math.max(1, (width + 1) >> 1);
  const halfHeight = Math.max(1, (height + 1) >> 1);
  sizeRgbImage(out, halfWidth, halfHeight);
  const dst = out.data;
  const rowBytes = width * 4;
  for (let y = 0; y < halfHeight; y++) {
    const top = 2 * y * rowBytes;
    const bottom = Math.min(2 * y + 1, height - 1) * rowBytes;
    let o = y * halfWidth * 3;
    const pairs = width >> 1;
    for (let x = 0; x < pairs; x++, o += 3) {
      const a = top + x * 8;
      const b = bottom + x * 8;
      dst[o] = (rgba[a]! + rgba[a + 4]! + rgba[b]! + rgba[b + 4]!) * 0.25;
      dst[o + 1] = (rgba[a + 1]! + rgba[a + 5]! + rgba[b + 1]! + rgba[b + 5]!) * 0.25;
      dst[o + 2] = (rgba[a + 2]! + rgba[a + 6]! + rgba[b + 2]! + rgba[b + 6]!) * 0.25;
    }
    if (pairs < halfWidth) {
      const a = top + pairs * 8;
      const b = bottom + pairs * 8;
      for (let c = 0; c < 3; c++) dst[o + c] = (rgba[a + c]! + rgba[b + c]!) * 0.5;
    }
  }
  return out;
}

/** Halves an RGB float image by 2×2 averaging; sizes round up as in halveRgba. */
export function halveRgb(source: RgbImage, out: RgbImage): RgbImage {
  const { width, height, data: src } = source;
  const halfWidth = Math.max(1, (width + 1) >> 1);
  const halfHeight = Math.max(1, (height + 1) >> 1);
  sizeRgbImage(out, halfWidth, halfHeight);
  const dst = out.data;
  const rowValues = width * 3;
  for (let y = 0; y < halfHeight; y++) {
    const top = 2 * y * rowValues;
    const bottom = Math.min(2 * y + 1, height - 1) * rowValues;
    let o = y * halfWidth * 3;
    for (let x = 0; x < halfWidth; x++, o += 3) {
      const a = top + x * 6;
      const b = bottom + x * 6;
      const right = 2 * x + 1 < width ? 3 : 0;
      for (let c = 0; c < 3; c++) dst[o + c] = (src[a + c]! + src[a + right + c]! + src[b + c]! + src[b + right + c]!) * 0.25;
    }
  }
  return out;
}

/**
 * Resamples an RGB float image to the segmenter's input size (bilinear, pixel
 * centres aligned) as opaque RGBA ImageData. The source is at most about 2.5×
 * larger than the target, so bilinear sampling does not alias visibly.
 */
export function resampleToImageData(source: RgbImage, width: number, height: number): ImageData {
  const out = new ImageData(width, height);
  const dst = out.data;
  const { width: sw, height: sh, data: src } = source;
  // The same pixel-centre mapping the composite pass stretches with.
  const xAxis = bilinearAxis(sw, width);
  const yAxis = bilinearAxis(sh, height);
  const xs = xAxis.index;
  const fx = xAxis.weight;
  for (let y = 0; y < height; y++) {
    const y0 = yAxis.index[y]!;
    const fy = yAxis.weight[y]!;
    const r0 = y0 * sw * 3;
    const r1 = sh === 1 ? r0 : r0 + sw * 3;
    let o = y * width * 4;
    for (let x = 0; x < width; x++, o += 4) {
      const a = xs[x]! * 3;
      const b = sw === 1 ? a : a + 3;
      const f = fx[x]!;
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + a + c]! + (src[r0 + b + c]! - src[r0 + a + c]!) * f;
        const bottom = src[r1 + a + c]! + (src[r1 + b + c]! - src[r1 + a + c]!) * f;
        dst[o + c] = top + (bottom - top) * fy;
      }
      dst[o + 3] = 255;
    }
  }
  return out;
}
