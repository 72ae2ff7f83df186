import type { GpuPasses } from './gpu-passes.js';
import externalFrameSource from './external-frame.wgsl';

/**
 * The zero-copy route in: draws a VideoFrame, imported as an external
 * texture, into an rgba8unorm texture. Used only where the start-up probe
 * (frame-routes.ts) showed that it gives the right pixels and keeps the
 * device; FrameUploader's copy is the route everywhere else.
 */
export class ExternalFrameImporter {
  private readonly pipeline: GPURenderPipeline;

  constructor(
    private readonly device: GPUDevice,
    private readonly passes: GpuPasses,
    private readonly sampler: GPUSampler,
  ) {
    this.pipeline = passes.pipeline(passes.module(externalFrameSource, 'external-frame'), 'rgba8unorm', 'external frame to rgb');
  }

  /**
   * Records the draw of `frame` into `target` (the frame's visible size).
   * The external texture lives as long as the frame: the caller submits
   * `encoder` before it closes the frame.
   */
  encode(frame: VideoFrame, target: GPUTexture, encoder: GPUCommandEncoder): void {
    const external = this.device.importExternalTexture({ source: frame, label: 'camera frame' });
    this.passes.draw(encoder, this.pipeline, target, [
      { binding: 0, resource: external },
      { binding: 1, resource: this.sampler },
    ]);
  }
}
