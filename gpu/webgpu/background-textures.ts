import type { FittedBackground } from '../background.js';
import type { GpuPasses } from './gpu-passes.js';

/**
 * The fitted replacement background and its light (the light-wrap source) on
 * the GPU, uploaded only when the fitted version changes.
 */
export class BackgroundTextures {
  private image: GPUTexture | null = null;
  private light: GPUTexture | null = null;
  private uploadedVersion = -1;

  constructor(
    private readonly device: GPUDevice,
    private readonly passes: GpuPasses,
  ) {}

  /** Uploads the fitted background and its light, only when they changed since the last upload. */
  upload(fitted: FittedBackground): FittedBackground {
    if (fitted.version === this.uploadedVersion) return fitted;
    this.image = this.write(this.image, fitted.pixels, 'background');
    this.light = this.write(this.light, fitted.light, 'background light');
    this.uploadedVersion = fitted.version;
    return fitted;
  }

  /** The composite's bind group entries for the background and its light; `placeholder` where none was fitted this frame. */
  entries(fitted: FittedBackground | null, placeholder: GPUTexture, imageBinding: number, lightBinding: number): GPUBindGroupEntry[] {
    return [
      { binding: imageBinding, resource: (fitted && this.image ? this.image : placeholder).createView() },
      { binding: lightBinding, resource: (fitted && this.light ? this.light : placeholder).createView() },
    ];
  }

  private write(current: GPUTexture | null, image: ImageData, label: string): GPUTexture {
    let texture = current;
    if (!texture || texture.width !== image.width || texture.height !== image.height) {
      texture?.destroy();
      texture = this.passes.texture(image.width, image.height, 'rgba8unorm', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST, label);
    }
    this.device.queue.writeTexture({ texture }, image.data, { bytesPerRow: image.width * 4 }, { width: image.width, height: image.height });
    return texture;
  }

  destroy(): void {
    this.image?.destroy();
    this.light?.destroy();
    this.image = null;
    this.light = null;
    this.uploadedVersion = -1;
  }
}
