import type { ConfidenceMask, MaskRefinement } from '../compositor.js';
import { gaussianKernel } from '../gaussian-kernel.js';
import { MASK_HISTORY_LENGTH, MASK_SIGMOID_STEEPNESS, MASK_SMOOTHING_SIGMA } from '../refine-constants.js';

/**
 * The CPU renderer's mask refinement (tier 4, and tiers 1–3 where the GPU is
 * a software one), with the constants the GPU compositors use
 * (refine-constants.ts): a separable Gaussian of MASK_SMOOTHING_SIGMA (edges
 * clamped), the sigmoid 1 / (1 + exp(-MASK_SIGMOID_STEEPNESS (m - 0.5))), and
 * the mean of the last MASK_HISTORY_LENGTH refined masks. The mask is the
 * model's output (256×256 at most), so this costs about a millisecond.
 */
export class CpuMaskRefiner {
  private readonly kernel = gaussianKernel(MASK_SMOOTHING_SIGMA);
  private history: Float32Array[] = [];
  private width = 0;
  private height = 0;
  private rows = new Float32Array(0);
  private naive = false;

  get count(): number {
    return this.history.length;
  }

  get size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  /**
   * `naive` keeps only the raw mask; the others smooth, sharpen and average.
   * The CPU renderer has no joint bilateral step and no background-weighted
   * blur, so `refined` and `weighted` refine as `seed` does here.
   */
  push(mask: ConfidenceMask, refinement: MaskRefinement): void {
    const { width, height, data } = mask;
    const naive = refinement === 'naive';
    if (width !== this.width || height !== this.height || naive !== this.naive) {
      this.width = width;
      this.height = height;
      this.rows = new Float32Array(width * height);
      this.history = [];
      this.naive = naive;
    }
    if (naive) {
      this.history = [Float32Array.from(data)];
      return;
    }
    const { radius, weights } = this.kernel;
    const rows = this.rows;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        let sum = data[row + x]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          sum += (data[row + Math.min(width - 1, x + i)]! + data[row + Math.max(0, x - i)]!) * weights[i]!;
        }
        rows[row + x] = sum;
      }
    }
    const refined = this.history.length === MASK_HISTORY_LENGTH ? this.history.shift()! : new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = rows[y * width + x]! * weights[0]!;
        for (let i = 1; i <= radius; i++) {
          sum += (rows[Math.min(height - 1, y + i) * width + x]! + rows[Math.max(0, y - i) * width + x]!) * weights[i]!;
        }
        refined[y * width + x] = 1 / (1 + Math.exp(-MASK_SIGMOID_STEEPNESS * (sum - 0.5)));
      }
    }
    this.history.push(refined);
  }

  clear(): void {
    this.history = [];
  }

  /** The mean of the held masks (0–1) into `out`, which has one value per mask pixel. */
  averageFloatInto(out: Float32Array): void {
    const n = this.history.length;
    if (n === 0) return;
    const size = this.width * this.height;
    const scale = 1 / n;
    out.set(this.history[0]!.subarray(0, size));
    for (let k = 1; k < n; k++) {
      const mask = this.history[k]!;
      for (let i = 0; i < size; i++) out[i]! += mask[i]!;
    }
    if (n > 1) for (let i = 0; i < size; i++) out[i]! *= scale;
  }
}
