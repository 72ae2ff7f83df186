/**
 * The zero-copy route out: the composite is copied, on the GPU, into a WebGPU
 * OffscreenCanvas, and the output VideoFrame is made from that canvas, so the
 * 3.7 MB of a 720p frame are not read back through the CPU. Used only where
 * the start-up probe (frame-routes.ts) showed that it gives the right pixels
 * and keeps the device; the read-back is the route everywhere else.
 */
export class CanvasFrameOutput {
  private readonly canvas = new OffscreenCanvas(1, 1);
  private readonly context: GPUCanvasContext;

  constructor(device: GPUDevice) {
    const context = this.canvas.getContext('webgpu');
    if (!context) throw new Error('no webgpu context on an OffscreenCanvas');
    this.context = context;
    this.context.configure({ device, format: 'rgba8unorm', usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT, alphaMode: 'opaque' });
  }

  /** Records the copy of `source` (rgba8unorm, `width`×`height`) into the canvas. */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    encoder.copyTextureToTexture({ texture: source }, { texture: this.context.getCurrentTexture() }, { width, height });
  }

  /** The canvas as a VideoFrame, once the copy's encoder has been submitted. */
  frame(timestamp: number, duration: number | null): VideoFrame {
    return new VideoFrame(this.canvas, { timestamp, ...(duration !== null ? { duration } : {}) });
  }

  destroy(): void {
    this.context.unconfigure();
  }
}
