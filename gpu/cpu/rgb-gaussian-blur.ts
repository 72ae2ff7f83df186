import type { GaussianKernel } from '../gaussian-kernel.js';
import { sizeRgbImage, type RgbImage } from './rgb-image.js';

/**
 * A separable Gaussian on an RGB float image with clamped edges (the border
 * blurs against itself, as the GPU tiers' clamp-to-edge samplers do). The
 * image is a downsampled copy, so the kernel spans only a few pixels.
 */
export class RgbGaussianBlur {
  private readonly scratch: RgbImage = { width: 0, height: 0, data: new Float32Array(0) };

  blur(source: RgbImage, kernel: GaussianKernel, out: RgbImage): RgbImage {
    const { width, height, data: src } = source;
    const { radius, weights } = kernel;
    const rows = sizeRgbImage(this.scratch, width, height).data;
    const dst = sizeRgbImage(out, width, height).data;
    const rowValues = width * 3;
    for (let y = 0; y < height; y++) {
      const row = y * rowValues;
      for (let x = 0; x < width; x++) {
        const o = row + x * 3;
        const w0 = weights[0]!;
        let r = src[o]! * w0;
        let g = src[o + 1]! * w0;
        let b = src[o + 2]! * w0;
        for (let i = 1; i <= radius; i++) {
          const w = weights[i]!;
          const left = row + Math.max(0, x - i) * 3;
          const right = row + Math.min(width - 1, x + i) * 3;
          r += (src[left]! + src[right]!) * w;
          g += (src[left + 1]! + src[right + 1]!) * w;
          b += (src[left + 2]! + src[right + 2]!) * w;
        }
        rows[o] = r;
        rows[o + 1] = g;
        rows[o + 2] = b;
      }
    }
    for (let y = 0; y < height; y++) {
      const row = y * rowValues;
      for (let v = 0; v < rowValues; v++) {
        let sum = rows[row + v]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          sum += (rows[Math.max(0, y - i) * rowValues + v]! + rows[Math.min(height - 1, y + i) * rowValues + v]!) * weights[i]!;
        }
        dst[row + v] = sum;
      }
    }
    return out;
  }
}
