/**
 * The quality harness's own reference blur: an exact separable Gaussian (3σ
 * radius, edges clamped) on the CPU, independent of every tier's shader code.
 * It is computed only where `where` is set (and the horizontal pass only
 * where the vertical one reads it), since the harness reads it only near the
 * true edge.
 */
import type { Pixels } from './frames.js';

export function gaussianBlurAt(image: Pixels, sigma: number, where: Uint8Array): Float32Array {
  const { width, height, data } = image;
  const radius = Math.ceil(sigma * 3);
  const weights = new Float32Array(radius + 1);
  let sum = 0;
  for (let i = 0; i <= radius; i++) {
    weights[i] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += i === 0 ? weights[i]! : 2 * weights[i]!;
  }
  for (let i = 0; i <= radius; i++) weights[i]! /= sum;
  // The vertical pass at (x, y) reads the horizontal pass at (x, y ± radius): compute only those.
  const needed = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    let lastBand = -Infinity;
    for (let y = 0; y < height + radius; y++) {
      if (y < height && where[y * width + x]) {
        for (let k = Math.max(0, y - radius, Math.floor(lastBand) + radius + 1); k < y; k++) needed[k * width + x] = 1;
        lastBand = y;
      }
      if (y < height && y - lastBand <= radius) needed[y * width + x] = 1;
    }
  }
  const rows = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!needed[y * width + x]) continue;
      for (let c = 0; c < 3; c++) {
        let v = data[(y * width + x) * 4 + c]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          v += (data[(y * width + Math.min(width - 1, x + i)) * 4 + c]! + data[(y * width + Math.max(0, x - i)) * 4 + c]!) * weights[i]!;
        }
        rows[(y * width + x) * 3 + c] = v;
      }
    }
  }
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (!where[p]) continue;
      for (let c = 0; c < 3; c++) {
        let v = rows[p * 3 + c]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          v += (rows[(Math.min(height - 1, y + i) * width + x) * 3 + c]! + rows[(Math.max(0, y - i) * width + x) * 3 + c]!) * weights[i]!;
        }
        out[p * 3 + c] = v;
      }
    }
  }
  return out;
}
