import { lumaCoefficients } from '../color-matrix.js';
import { frameSize } from '../frame-size.js';
import fullscreenSource from './fullscreen.wgsl';
import frameToRgbSource from './frame-to-rgb.wgsl';

/** How the frame's planes were laid into textures; matches `ConvertParams.layout` in frame-to-rgb.wgsl. */
const Arrangement = { Rgb: 0, I420: 1, Nv12: 2 } as const;
type Arrangement = (typeof Arrangement)[keyof typeof Arrangement];

interface PlaneTexture {
  texture: GPUTexture;
  width: number;
  height: number;
  format: GPUTextureFormat;
}

/**
 * Puts a VideoFrame's pixels into an rgba8unorm texture.
 *
 * Why not `importExternalTexture` or `copyExternalImageToTexture`: in Chromium
 * 156 over SwiftShader both lose the device ("A valid external Instance
 * reference no longer exists"), in a worker and on the main thread alike. So
 * the frame's own planes are copied out with `VideoFrame.copyTo` (0.15 ms for a
 * 720p I420 frame) and converted to RGB in one render pass.
 */
export class FrameUploader {
  private readonly device: GPUDevice;
  private readonly pipeline: GPURenderPipeline;
  private readonly sampler: GPUSampler;
  private readonly params: GPUBuffer;
  private readonly planes: (PlaneTexture | null)[] = [null, null, null];
  private readonly placeholder: GPUTexture;
  private staging = new Uint8Array(0);

  constructor(device: GPUDevice, sampler: GPUSampler) {
    this.device = device;
    this.sampler = sampler;
    const module = device.createShaderModule({ code: `${fullscreenSource}\n${frameToRgbSource}`, label: 'frame-to-rgb' });
    this.pipeline = device.createRenderPipeline({
      label: 'frame to rgb',
      layout: 'auto',
      vertex: { module, entryPoint: 'vertexMain' },
      fragment: { module, entryPoint: 'fragmentMain', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list' },
    });
    this.params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'frame-to-rgb params' });
    this.placeholder = device.createTexture({ size: { width: 1, height: 1 }, format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING, label: 'unused plane' });
  }

  /**
   * Copies `frame` into `target` (rgba8unorm, the frame's visible size, with
   * RENDER_ATTACHMENT and COPY_DST). The conversion pass, if any, is recorded
   * into `encoder`; plane uploads go through the queue ahead of it.
   */
  async upload(frame: VideoFrame, target: GPUTexture, encoder: GPUCommandEncoder): Promise<void> {
    const { width, height } = frameSize(frame);
    switch (frame.format) {
      case 'I420':
        return this.uploadPlanes(frame, encoder, target, Arrangement.I420, [
          { width, height, format: 'r8unorm' },
          { width: Math.ceil(width / 2), height: Math.ceil(height / 2), format: 'r8unorm' },
          { width: Math.ceil(width / 2), height: Math.ceil(height / 2), format: 'r8unorm' },
        ]);
      case 'NV12':
        return this.uploadPlanes(frame, encoder, target, Arrangement.Nv12, [
          { width, height, format: 'r8unorm' },
          { width: Math.ceil(width / 2), height: Math.ceil(height / 2), format: 'rg8unorm' },
        ]);
      case 'BGRA':
      case 'BGRX':
        return this.uploadPlanes(frame, encoder, target, Arrangement.Rgb, [{ width, height, format: 'bgra8unorm' }]);
      case 'RGBA':
      case 'RGBX': {
        const layout = await this.copyOut(frame);
        this.writePlane(target, this.staging, layout[0]!, width, height);
        return;
      }
      default: {
        // Rare formats (I420A, I444, 10-bit): let the browser convert to RGBA on the CPU.
        const layout = await this.copyOut(frame, 'RGBA');
        this.writePlane(target, this.staging, layout[0]!, width, height);
      }
    }
  }

  destroy(): void {
    for (const plane of this.planes) plane?.texture.destroy();
    this.planes.fill(null);
    this.placeholder.destroy();
    this.params.destroy();
  }

  private async copyOut(frame: VideoFrame, format?: VideoPixelFormat): Promise<PlaneLayout[]> {
    const options: VideoFrameCopyToOptions = format ? { format } : {};
    const size = frame.allocationSize(options);
    if (this.staging.byteLength < size) this.staging = new Uint8Array(size);
    return frame.copyTo(this.staging, options);
  }

  private async uploadPlanes(
    frame: VideoFrame,
    encoder: GPUCommandEncoder,
    target: GPUTexture,
    arrangement: Arrangement,
    shapes: { width: number; height: number; format: GPUTextureFormat }[],
  ): Promise<void> {
    const planeLayouts = await this.copyOut(frame);
    const textures = shapes.map((shape, index) => {
      const plane = this.ensurePlane(index, shape.width, shape.height, shape.format);
      this.writePlane(plane, this.staging, planeLayouts[index]!, shape.width, shape.height);
      return plane;
    });
    const [kr, kb] = lumaCoefficients(frame);
    const bytes = new ArrayBuffer(16);
    new Uint32Array(bytes, 0, 2).set([arrangement, frame.colorSpace.fullRange ? 1 : 0]);
    new Float32Array(bytes, 8, 2).set([kr, kb]);
    this.device.queue.writeBuffer(this.params, 0, bytes);
    const bindGroup = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: textures[0]!.createView() },
        { binding: 1, resource: (textures[1] ?? this.placeholder).createView() },
        { binding: 2, resource: (textures[2] ?? this.placeholder).createView() },
        { binding: 3, resource: this.sampler },
        { binding: 4, resource: { buffer: this.params } },
      ],
    });
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  }

  private writePlane(texture: GPUTexture, data: Uint8Array, layout: PlaneLayout, width: number, height: number): void {
    this.device.queue.writeTexture(
      { texture },
      data.buffer,
      { offset: data.byteOffset + layout.offset, bytesPerRow: layout.stride, rowsPerImage: height },
      { width, height },
    );
  }

  private ensurePlane(index: number, width: number, height: number, format: GPUTextureFormat): GPUTexture {
    const current = this.planes[index];
    if (current && current.width === width && current.height === height && current.format === format) return current.texture;
    current?.texture.destroy();
    const texture = this.device.createTexture({
      size: { width, height },
      format,
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
      label: `frame plane ${index}`,
    });
    this.planes[index] = { texture, width, height, format };
    return texture;
  }
}
