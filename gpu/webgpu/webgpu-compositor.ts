import { GpuMemoryLedger } from './gpu-memory-ledger.js';
import { BackgroundFitter, renderMode, type Background, type FittedBackground, type RenderMode } from '../background.js';
import { historyLength, type Compositor, type CompositorTimings, type ConfidenceMask, type MaskRefinement, type RenderParams } from '../compositor.js';
import { gaussianKernel, maskSmoothingKernel, planBlur, type GaussianKernel } from '../gaussian-kernel.js';
import { blurSigma, EDGE_RANGE_SIGMA, MASK_HISTORY_LENGTH, MASK_SIGMOID_STEEPNESS } from '../refine-constants.js';
import fullscreenSource from './fullscreen.wgsl';
import downscaleSource from './downscale-frame.wgsl';
import separableBlurSource from './separable-blur.wgsl';
import compositeSource from './composite.wgsl';
import { FrameUploader } from './frame-upload.js';
import { frameSize } from '../frame-size.js';

const MASK_FORMAT: GPUTextureFormat = 'r16float';
const OUTPUT_FORMAT: GPUTextureFormat = 'rgba8unorm';
const BLUR_FORMAT: GPUTextureFormat = 'rgba8unorm';
/** Byte size of separable-blur.wgsl's uniform: direction, radius, 32 weights, steepness (padded to 16). */
const KERNEL_UNIFORM_BYTES = 160;
const KERNEL_WEIGHT_SLOTS = 32;

/** Textures whose size follows the mask (the model's output). */
interface MaskTargets {
  readonly width: number;
  readonly height: number;
  readonly raw: GPUTexture;
  readonly smoothedRows: GPUTexture;
  readonly history: readonly GPUTexture[];
}

/** Textures whose size follows the frame. */
interface FrameTargets {
  readonly width: number;
  readonly height: number;
  readonly downsample: number;
  readonly blurA: GPUTexture;
  readonly blurB: GPUTexture;
  readonly output: GPUTexture;
  readonly readback: GPUBuffer;
  readonly bytesPerRow: number;
}

interface ModelInputTargets {
  readonly width: number;
  readonly height: number;
  readonly texture: GPUTexture;
  readonly readback: GPUBuffer;
  readonly bytesPerRow: number;
}

/** copyTextureToBuffer needs rows aligned to 256 bytes. */
function alignedBytesPerRow(width: number): number {
  return Math.ceil((width * 4) / 256) * 256;
}

function kernelUniform(kernel: GaussianKernel, direction: [number, number], steepness = 0): ArrayBuffer {
  if (kernel.radius >= KERNEL_WEIGHT_SLOTS) throw new RangeError(`blur radius ${kernel.radius} exceeds the shader's ${KERNEL_WEIGHT_SLOTS - 1}`);
  const bytes = new ArrayBuffer(KERNEL_UNIFORM_BYTES);
  const ints = new Int32Array(bytes, 0, 3);
  ints.set([direction[0], direction[1], kernel.radius]);
  new Float32Array(bytes, 16, KERNEL_WEIGHT_SLOTS).set(kernel.weights);
  new Float32Array(bytes, 144, 1)[0] = steepness;
  return bytes;
}

/**
 * Tier 1's compositor: every per-pixel step (downscale, mask refinement, blur,
 * mix) runs as WebGPU render passes; only the model's small input is read back.
 */
export class WebGpuCompositor implements Compositor {
  readonly name = 'webgpu';
  /** Shares its GPU resources between stages: one frame at a time. */
  readonly overlaps = false;
  private readonly ledger: GpuMemoryLedger;
  private readonly device: GPUDevice;
  private readonly sampler: GPUSampler;
  private readonly downscaleToModelPipeline: GPURenderPipeline;
  private readonly downscaleToBlurPipeline: GPURenderPipeline;
  private readonly downscaleWeightedPipeline: GPURenderPipeline;
  private readonly weightParams: GPUBuffer;
  private readonly blurPipeline: GPURenderPipeline;
  /** The mask's smoothing, rows then columns (the columns pass adds the sigmoid through its uniform). */
  private readonly maskPipeline: GPURenderPipeline;
  private readonly compositePipeline: GPURenderPipeline;
  private readonly modelDownscaleParams: GPUBuffer;
  private readonly blurDownscaleParams: GPUBuffer;
  private readonly blurRowsParams: GPUBuffer;
  private readonly blurColumnsParams: GPUBuffer;
  private readonly maskRowsParams: GPUBuffer;
  private readonly maskColumnsParams: GPUBuffer;
  private readonly compositeParams: GPUBuffer;
  private readonly profile: boolean;
  private readonly uploader: FrameUploader;
  /** The current frame as rgba on the GPU; uploaded once, used by every pass of that frame. */
  private frameRgb: GPUTexture | null = null;
  private uploadedFrame: VideoFrame | null = null;
  private modelInput: ModelInputTargets | null = null;
  private maskTargets: MaskTargets | null = null;
  private frameTargets: FrameTargets | null = null;
  private blurSigma = -1;
  private masksHeld = 0;
  private nextHistorySlot = 0;
  private maskRefinement: MaskRefinement | null = null;
  /** Stands in for the guide before the model's input exists, and for the background while there is none (the shader then ignores it). */
  private readonly placeholderGuide: GPUTexture;
  private readonly background = new BackgroundFitter();
  /** The fitted background and its light on the GPU; uploaded when the fitted version changes. */
  private backgroundTexture: GPUTexture | null = null;
  private lightTexture: GPUTexture | null = null;
  private uploadedBackground = -1;
  private destroyed = false;

  /**
   * @param device a device the caller owns; `destroy()` releases this compositor's
   *   resources but leaves the device to its owner.
   * @param profile wait for the GPU after each stage so that the timings are real
   *   (costs throughput; for the benchmark only).
   */
  get gpuBytes(): number {
    return this.ledger.bytes;
  }

  constructor(device: GPUDevice, profile = false) {
    this.device = device;
    this.profile = profile;
    // First, so that every texture and buffer below is counted.
    this.ledger = new GpuMemoryLedger(device);
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge' });

    const module = (source: string, label: string): GPUShaderModule =>
      device.createShaderModule({ code: fullscreenSource + '\n' + source, label });
    const pipeline = (shader: GPUShaderModule, format: GPUTextureFormat, label: string, entryPoint = 'fragmentMain'): GPURenderPipeline =>
      device.createRenderPipeline({
        label,
        layout: 'auto',
        vertex: { module: shader, entryPoint: 'vertexMain' },
        fragment: { module: shader, entryPoint, targets: [{ format }] },
        primitive: { topology: 'triangle-list' },
      });
    const downscale = module(downscaleSource, 'downscale-frame');
    const blur = module(separableBlurSource, 'separable-blur');
    this.downscaleToModelPipeline = pipeline(downscale, 'rgba8unorm', 'downscale to model input');
    this.downscaleToBlurPipeline = pipeline(downscale, BLUR_FORMAT, 'downscale for blur');
    this.downscaleWeightedPipeline = pipeline(downscale, BLUR_FORMAT, 'downscale for blur, background-weighted', 'fragmentBackgroundWeighted');
    this.blurPipeline = pipeline(blur, BLUR_FORMAT, 'frame blur');
    this.maskPipeline = pipeline(blur, MASK_FORMAT, 'mask smoothing');
    this.compositePipeline = pipeline(module(compositeSource, 'composite'), OUTPUT_FORMAT, 'composite');

    const uniform = (size: number, label: string): GPUBuffer =>
      device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
    this.modelDownscaleParams = uniform(16, 'model downscale params');
    this.blurDownscaleParams = uniform(16, 'blur downscale params');
    this.blurRowsParams = uniform(KERNEL_UNIFORM_BYTES, 'blur rows params');
    this.blurColumnsParams = uniform(KERNEL_UNIFORM_BYTES, 'blur columns params');
    this.maskRowsParams = uniform(KERNEL_UNIFORM_BYTES, 'mask rows params');
    this.maskColumnsParams = uniform(KERNEL_UNIFORM_BYTES, 'mask columns params');
    this.compositeParams = uniform(32, 'composite params');
    this.weightParams = uniform(16, 'background weight params');

    this.uploader = new FrameUploader(device, this.sampler);

    this.placeholderGuide = this.texture(1, 1, 'rgba8unorm', GPUTextureUsage.TEXTURE_BINDING, 'placeholder guide');
  }

  async prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData> {
    const started = performance.now();
    const target = this.ensureModelInput(width, height);
    this.writeDownscaleParams(this.modelDownscaleParams, frame, width, height);
    const encoder = this.device.createCommandEncoder({ label: 'model input' });
    const rgb = await this.upload(frame, encoder, timings);
    this.drawPass(encoder, this.downscaleToModelPipeline, target.texture, [
      { binding: 0, resource: rgb.createView() },
      { binding: 1, resource: this.sampler },
      { binding: 2, resource: { buffer: this.modelDownscaleParams } },
    ]);
    encoder.copyTextureToBuffer(
      { texture: target.texture },
      { buffer: target.readback, bytesPerRow: target.bytesPerRow },
      { width, height },
    );
    this.device.queue.submit([encoder.finish()]);
    timings.scale = performance.now() - started;

    const readStarted = performance.now();
    await target.readback.mapAsync(GPUMapMode.READ);
    try {
      const mapped = new Uint8Array(target.readback.getMappedRange());
      const pixels = new Uint8ClampedArray(width * height * 4);
      for (let row = 0; row < height; row++) {
        pixels.set(mapped.subarray(row * target.bytesPerRow, row * target.bytesPerRow + width * 4), row * width * 4);
      }
      return new ImageData(pixels, width, height);
    } finally {
      target.readback.unmap();
      timings.readback = performance.now() - readStarted;
    }
  }

  async pushMask(mask: ConfidenceMask, refinement: MaskRefinement, timings: CompositorTimings): Promise<void> {
    const started = performance.now();
    this.useRefinement(refinement);
    const targets = this.ensureMaskTargets(mask.width, mask.height);
    this.device.queue.writeTexture(
      { texture: targets.raw },
      mask.data.buffer,
      { offset: mask.data.byteOffset, bytesPerRow: mask.width * 4 },
      { width: mask.width, height: mask.height },
    );
    const slot = targets.history[this.nextHistorySlot]!;
    const encoder = this.device.createCommandEncoder({ label: 'mask refinement' });
    this.drawPass(encoder, this.maskPipeline, targets.smoothedRows, [
      { binding: 0, resource: targets.raw.createView() },
      { binding: 1, resource: { buffer: this.maskRowsParams } },
    ]);
    this.drawPass(encoder, this.maskPipeline, slot, [
      { binding: 0, resource: targets.smoothedRows.createView() },
      { binding: 1, resource: { buffer: this.maskColumnsParams } },
    ]);
    this.device.queue.submit([encoder.finish()]);
    const length = historyLength(refinement);
    this.nextHistorySlot = (this.nextHistorySlot + 1) % length;
    this.masksHeld = Math.min(this.masksHeld + 1, length);
    if (this.profile) await this.device.queue.onSubmittedWorkDone();
    timings.refine = performance.now() - started;
  }

  get hasMask(): boolean {
    return this.masksHeld > 0;
  }

  clearMasks(): void {
    this.masksHeld = 0;
    this.nextHistorySlot = 0;
  }

  /** `naive` skips the smoothing and the sigmoid and keeps one mask; the others use the seed's constants. */
  private useRefinement(refinement: MaskRefinement): void {
    if (refinement === this.maskRefinement) return;
    const naive = refinement === 'naive';
    if (this.maskRefinement !== null && (this.maskRefinement === 'naive') !== naive) this.clearMasks();
    this.maskRefinement = refinement;
    const kernel = maskSmoothingKernel(naive);
    this.device.queue.writeBuffer(this.maskRowsParams, 0, kernelUniform(kernel, [1, 0]));
    this.device.queue.writeBuffer(this.maskColumnsParams, 0, kernelUniform(kernel, [0, 1], naive ? 0 : MASK_SIGMOID_STEEPNESS));
  }

  setBackground(background: Background): void {
    this.background.set(background);
  }

  async render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame> {
    const { width, height } = frameSize(frame);
    const blurStarted = performance.now();
    // Decided before the upload's await, so that a mask cleared meanwhile cannot leave a frame at the slider's sigma without one.
    const mode = params.view === 'mask' ? 'blur' : renderMode(this.background.current, this.masksHeld > 0);
    const targets = this.ensureFrameTargets(width, height, blurSigma(params.sigma, this.masksHeld > 0));
    const encoder = this.device.createCommandEncoder({ label: 'frame' });
    const rgb = await this.upload(frame, encoder, timings);
    const fitted = mode === 'replace' ? this.uploadBackground(this.background.fit(width, height)!) : null;
    if (mode === 'blur') this.encodeBlur(encoder, rgb, targets, params);
    if (this.profile) {
      this.device.queue.submit([encoder.finish()]);
      await this.device.queue.onSubmittedWorkDone();
    }
    timings.blur = performance.now() - blurStarted;
    return this.composite(frame, params, timings, this.profile ? null : encoder, rgb, targets, mode, fitted);
  }

  /** The frame's blurred copy into `targets.blurA`: downscale (background-weighted for `weighted`), rows, columns. */
  private encodeBlur(encoder: GPUCommandEncoder, rgb: GPUTexture, targets: FrameTargets, params: RenderParams): void {
    const weighted = params.refinement === 'weighted' && this.masksHeld > 0 && this.maskTargets !== null;
    const downscaleEntries: GPUBindGroupEntry[] = [
      { binding: 0, resource: rgb.createView() },
      { binding: 1, resource: this.sampler },
      { binding: 2, resource: { buffer: this.blurDownscaleParams } },
    ];
    if (weighted) {
      this.device.queue.writeBuffer(this.weightParams, 0, new Uint32Array([this.masksHeld, 0, 0, 0]));
      downscaleEntries.push(
        ...this.maskTargets!.history.map((texture, i) => ({ binding: 3 + i, resource: texture.createView() })),
        { binding: 6, resource: { buffer: this.weightParams } },
      );
    }
    this.drawPass(encoder, weighted ? this.downscaleWeightedPipeline : this.downscaleToBlurPipeline, targets.blurA, downscaleEntries);
    this.drawPass(encoder, this.blurPipeline, targets.blurB, [
      { binding: 0, resource: targets.blurA.createView() },
      { binding: 1, resource: { buffer: this.blurRowsParams } },
    ]);
    this.drawPass(encoder, this.blurPipeline, targets.blurA, [
      { binding: 0, resource: targets.blurB.createView() },
      { binding: 1, resource: { buffer: this.blurColumnsParams } },
    ]);
  }

  /** The final pass and the read-back into a VideoFrame; `encoder` null starts a new one (profiling). */
  private async composite(
    frame: VideoFrame,
    params: RenderParams,
    timings: CompositorTimings,
    encoder: GPUCommandEncoder | null,
    rgb: GPUTexture,
    targets: FrameTargets,
    mode: RenderMode,
    fitted: FittedBackground | null,
  ): Promise<VideoFrame> {
    const { width, height } = targets;
    const compositeStarted = performance.now();
    const compositeEncoder = encoder ?? this.device.createCommandEncoder({ label: 'composite' });
    const masks = this.ensureMaskTargets(this.maskTargets?.width ?? 1, this.maskTargets?.height ?? 1);
    const compositeBytes = new ArrayBuffer(32);
    new Uint32Array(compositeBytes, 0, 3).set([this.masksHeld, params.view === 'mask' ? 1 : 0, params.refinement === 'refined' || params.refinement === 'weighted' ? 1 : 0]);
    new Float32Array(compositeBytes, 12, 1)[0] = EDGE_RANGE_SIGMA;
    new Uint32Array(compositeBytes, 16, 1)[0] = mode === 'blur' ? 0 : mode === 'replace' ? 1 : 2;
    new Float32Array(compositeBytes, 20, 1)[0] = params.lightWrap;
    this.device.queue.writeBuffer(this.compositeParams, 0, compositeBytes);
    this.drawPass(compositeEncoder, this.compositePipeline, targets.output, [
      { binding: 0, resource: rgb.createView() },
      { binding: 1, resource: this.sampler },
      { binding: 2, resource: targets.blurA.createView() },
      { binding: 3, resource: masks.history[0]!.createView() },
      { binding: 4, resource: masks.history[1]!.createView() },
      { binding: 5, resource: masks.history[2]!.createView() },
      { binding: 6, resource: { buffer: this.compositeParams } },
      { binding: 7, resource: (this.modelInput?.texture ?? this.placeholderGuide).createView() },
      { binding: 8, resource: (fitted && this.backgroundTexture ? this.backgroundTexture : this.placeholderGuide).createView() },
      { binding: 9, resource: (fitted && this.lightTexture ? this.lightTexture : this.placeholderGuide).createView() },
    ]);
    compositeEncoder.copyTextureToBuffer(
      { texture: targets.output },
      { buffer: targets.readback, bytesPerRow: targets.bytesPerRow },
      { width, height },
    );
    this.device.queue.submit([compositeEncoder.finish()]);
    // Chromium 156 loses the device when a VideoFrame (or ImageBitmap) is made
    // from a WebGPU OffscreenCanvas in a worker over SwiftShader, so the output
    // leaves the GPU through a buffer. VideoFrame copies it, so it is unmapped at once.
    await targets.readback.mapAsync(GPUMapMode.READ);
    let output: VideoFrame;
    try {
      const mapped = new Uint8Array(targets.readback.getMappedRange());
      const tightRow = width * 4;
      // Firefox 153 ignores `layout` strides, so rows padded to 256 bytes are packed tight first.
      const pixels = targets.bytesPerRow === tightRow ? mapped : this.packRows(mapped, targets.bytesPerRow, tightRow, height);
      output = new VideoFrame(pixels, {
        format: 'RGBX',
        codedWidth: width,
        codedHeight: height,
        timestamp: frame.timestamp,
        ...(frame.duration !== null ? { duration: frame.duration } : {}),
      });
    } finally {
      targets.readback.unmap();
    }
    timings.composite = performance.now() - compositeStarted;
    return output;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uploader.destroy();
    this.placeholderGuide.destroy();
    this.destroyBackground();
    this.background.clear();
    this.frameRgb?.destroy();
    this.frameRgb = null;
    this.uploadedFrame = null;
    this.destroyModelInput();
    this.destroyMaskTargets();
    this.destroyFrameTargets();
    for (const buffer of [
      this.modelDownscaleParams, this.blurDownscaleParams, this.blurRowsParams, this.blurColumnsParams,
      this.maskRowsParams, this.maskColumnsParams, this.compositeParams, this.weightParams,
    ]) buffer.destroy();
  }

  private packed = new Uint8Array(0);

  private packRows(source: Uint8Array, sourceStride: number, rowBytes: number, rows: number): Uint8Array {
    if (this.packed.byteLength !== rowBytes * rows) this.packed = new Uint8Array(rowBytes * rows);
    for (let row = 0; row < rows; row++) {
      this.packed.set(source.subarray(row * sourceStride, row * sourceStride + rowBytes), row * rowBytes);
    }
    return this.packed;
  }

  /** Uploads `frame` unless it is the one already on the GPU; its passes go first in `encoder`. */
  private async upload(frame: VideoFrame, encoder: GPUCommandEncoder, timings: CompositorTimings): Promise<GPUTexture> {
    const { width, height } = frameSize(frame);
    if (!this.frameRgb || this.frameRgb.width !== width || this.frameRgb.height !== height) {
      this.frameRgb?.destroy();
      this.frameRgb = this.texture(width, height, 'rgba8unorm',
        GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_DST, 'frame rgb');
      this.uploadedFrame = null;
    }
    if (this.uploadedFrame !== frame) {
      const started = performance.now();
      await this.uploader.upload(frame, this.frameRgb, encoder);
      this.uploadedFrame = frame;
      timings.upload = performance.now() - started;
    }
    return this.frameRgb;
  }

  private drawPass(encoder: GPUCommandEncoder, pipeline: GPURenderPipeline, target: GPUTexture, entries: GPUBindGroupEntry[]): void {
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  }

  private writeDownscaleParams(buffer: GPUBuffer, frame: VideoFrame, width: number, height: number): void {
    const footprintX = 1 / width;
    const footprintY = 1 / height;
    // Enough bilinear taps (each covering 2 source pixels) to span the footprint.
    const source = frameSize(frame);
    const ratio = Math.max(source.width / width, source.height / height);
    const taps = Math.max(1, Math.min(4, Math.ceil(ratio / 2)));
    const bytes = new ArrayBuffer(16);
    new Float32Array(bytes, 0, 2).set([footprintX, footprintY]);
    new Uint32Array(bytes, 8, 1)[0] = taps;
    this.device.queue.writeBuffer(buffer, 0, bytes);
  }

  private texture(width: number, height: number, format: GPUTextureFormat, usage: number, label: string): GPUTexture {
    return this.device.createTexture({ size: { width, height }, format, usage, label });
  }

  private ensureModelInput(width: number, height: number): ModelInputTargets {
    if (this.modelInput && this.modelInput.width === width && this.modelInput.height === height) return this.modelInput;
    this.destroyModelInput();
    const bytesPerRow = alignedBytesPerRow(width);
    this.modelInput = {
      width,
      height,
      bytesPerRow,
      texture: this.texture(width, height, 'rgba8unorm', GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.TEXTURE_BINDING, 'model input'),
      readback: this.device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'model input readback' }),
    };
    return this.modelInput;
  }

  private ensureMaskTargets(width: number, height: number): MaskTargets {
    if (this.maskTargets && this.maskTargets.width === width && this.maskTargets.height === height) return this.maskTargets;
    this.destroyMaskTargets();
    const sampled = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT;
    this.maskTargets = {
      width,
      height,
      raw: this.texture(width, height, 'r32float', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST, 'raw mask'),
      smoothedRows: this.texture(width, height, MASK_FORMAT, sampled, 'mask smoothed along rows'),
      history: Array.from({ length: MASK_HISTORY_LENGTH }, (_, i) => this.texture(width, height, MASK_FORMAT, sampled, `refined mask ${i}`)),
    };
    // A new mask size invalidates the history: averaging masks of two sizes is meaningless.
    this.clearMasks();
    return this.maskTargets;
  }

  private ensureFrameTargets(width: number, height: number, sigma: number): FrameTargets {
    const plan = planBlur(sigma);
    const current = this.frameTargets;
    if (!current || current.width !== width || current.height !== height || current.downsample !== plan.downsample) {
      this.destroyFrameTargets();
      const smallWidth = Math.max(1, Math.round(width / plan.downsample));
      const smallHeight = Math.max(1, Math.round(height / plan.downsample));
      const usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT;
      const bytesPerRow = alignedBytesPerRow(width);
      this.frameTargets = {
        width,
        height,
        downsample: plan.downsample,
        blurA: this.texture(smallWidth, smallHeight, BLUR_FORMAT, usage, 'blur ping'),
        blurB: this.texture(smallWidth, smallHeight, BLUR_FORMAT, usage, 'blur pong'),
        output: this.texture(width, height, OUTPUT_FORMAT, GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC, 'output'),
        readback: this.device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'output readback' }),
        bytesPerRow,
      };
      this.blurSigma = -1;
      const bytes = new ArrayBuffer(16);
      new Float32Array(bytes, 0, 2).set([1 / smallWidth, 1 / smallHeight]);
      new Uint32Array(bytes, 8, 1)[0] = Math.max(1, plan.downsample / 2);
      this.device.queue.writeBuffer(this.blurDownscaleParams, 0, bytes);
    }
    if (this.blurSigma !== sigma) {
      const kernel = gaussianKernel(plan.sigmaAtScale);
      this.device.queue.writeBuffer(this.blurRowsParams, 0, kernelUniform(kernel, [1, 0]));
      this.device.queue.writeBuffer(this.blurColumnsParams, 0, kernelUniform(kernel, [0, 1]));
      this.blurSigma = sigma;
    }
    return this.frameTargets!;
  }

  /** Uploads the fitted background and its light, only when they changed since the last upload. */
  private uploadBackground(fitted: FittedBackground): FittedBackground {
    if (fitted.version === this.uploadedBackground) return fitted;
    const usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST;
    const upload = (current: GPUTexture | null, image: ImageData, label: string): GPUTexture => {
      let texture = current;
      if (!texture || texture.width !== image.width || texture.height !== image.height) {
        texture?.destroy();
        texture = this.texture(image.width, image.height, 'rgba8unorm', usage, label);
      }
      this.device.queue.writeTexture({ texture }, image.data, { bytesPerRow: image.width * 4 }, { width: image.width, height: image.height });
      return texture;
    };
    this.backgroundTexture = upload(this.backgroundTexture, fitted.pixels, 'background');
    this.lightTexture = upload(this.lightTexture, fitted.light, 'background light');
    this.uploadedBackground = fitted.version;
    return fitted;
  }

  private destroyBackground(): void {
    this.backgroundTexture?.destroy();
    this.lightTexture?.destroy();
    this.backgroundTexture = null;
    this.lightTexture = null;
    this.uploadedBackground = -1;
  }

  private destroyModelInput(): void {
    this.modelInput?.texture.destroy();
    this.modelInput?.readback.destroy();
    this.modelInput = null;
  }

  private destroyMaskTargets(): void {
    const targets = this.maskTargets;
    if (!targets) return;
    for (const texture of [targets.raw, targets.smoothedRows, ...targets.history]) texture.destroy();
    this.maskTargets = null;
  }

  private destroyFrameTargets(): void {
    const targets = this.frameTargets;
    if (!targets) return;
    targets.blurA.destroy();
    targets.blurB.destroy();
    targets.output.destroy();
    targets.readback.destroy();
    this.frameTargets = null;
  }
}
