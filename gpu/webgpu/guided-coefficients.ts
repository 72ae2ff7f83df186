import type { ConfidenceMask } from '../compositor.js';
import { GuidedMaskFilter } from '../guided-mask-filter.js';
import type { GpuPasses } from './gpu-passes.js';

/**
 * The `guided` refinement on the WebGPU compositor: the shared guided filter
 * (gpu/guided-mask-filter.ts) runs on the CPU at the mask's size, and its
 * coefficients (a.r, a.g, a.b, b) per texel go up as one rgba32float texture,
 * which composite.wgsl interpolates and evaluates with each pixel's colour.
 * rgba32float is not filterable everywhere, so the shader interpolates by hand.
 */
export class GuidedCoefficientsTexture {
  private readonly filter = new GuidedMaskFilter();
  private texture: GPUTexture | null = null;
  private readonly placeholder: GPUTexture;
  /** Whether the texture holds the coefficients of a mask (false after clear()). */
  held = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly passes: GpuPasses,
  ) {
    this.placeholder = passes.texture(1, 1, 'rgba32float', GPUTextureUsage.TEXTURE_BINDING, 'placeholder guided coefficients');
  }

  /** Refines `mask` by `guide` and uploads the coefficients; the upload is queued, not awaited. */
  push(mask: ConfidenceMask, guide: ImageData): void {
    const { width, height, data: coefficients } = this.filter.push(mask, guide);
    if (!this.texture || this.texture.width !== width || this.texture.height !== height) {
      this.texture?.destroy();
      this.texture = this.passes.texture(width, height, 'rgba32float', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST, 'guided coefficients');
    }
    this.device.queue.writeTexture({ texture: this.texture }, coefficients.buffer, { offset: coefficients.byteOffset, bytesPerRow: width * 16 }, { width, height });
    this.held = true;
  }

  clear(): void {
    this.filter.clear();
    this.held = false;
  }

  /**
   * The texture to bind: the coefficients when `held` (what the frame was
   * planned with; a clear() since keeps the texture's contents), else a 1×1
   * placeholder, which the shader then ignores.
   */
  view(held: boolean): GPUTextureView {
    return (held && this.texture ? this.texture : this.placeholder).createView();
  }

  destroy(): void {
    this.clear();
    this.texture?.destroy();
    this.texture = null;
    this.placeholder.destroy();
  }
}
