import { GpuMemoryLedger } from './gpu-memory-ledger.js';
import { BackgroundFitter, renderMode, type Background, type FittedBackground, type RenderMode } from '../background.js';
import type { Compositor, CompositorTimings, ConfidenceMask, MaskRefinement, RenderParams } from '../compositor.js';
import { blurSigma, EDGE_RANGE_SIGMA } from '../refine-constants.js';
import downscaleSource from './downscale-frame.wgsl';
import separableBlurSource from './separable-blur.wgsl';
import compositeSource from './composite.wgsl';
import { FrameUploader } from './frame-upload.js';
import { frameSize } from '../frame-size.js';
import { alignedBytesPerRow, GpuPasses } from './gpu-passes.js';
import { WebGpuFrameBlur } from './frame-blur.js';
import { checkMaskBindings, MASK_HISTORY_END_BINDING, WebGpuMaskHistory } from './mask-history.js';
import { GuidedCoefficientsTexture } from './guided-coefficients.js';
import { BackgroundTextures } from './background-textures.js';
import { packRows } from './padded-rows.js';
import { ExternalFrameImporter } from './external-frame-import.js';
import { CanvasFrameOutput } from './canvas-frame-output.js';
import { copyRoutes, type FrameRoutes } from './frame-routes.js';

const OUTPUT_FORMAT: GPUTextureFormat = 'rgba8unorm';
/** The weight each pixel showed, for the guided edge's hold: 8 bits, as the output shows it. */
const SHOWN_WEIGHT_FORMAT: GPUTextureFormat = 'r8unorm';

/** The composite's target and its read-back, at the frame's size, and the two textures of shown weights it alternates between. */
interface OutputTargets {
  readonly width: number;
  readonly height: number;
  readonly output: GPUTexture;
  readonly shownWeights: readonly [GPUTexture, GPUTexture];
  /** Null where the output leaves through the canvas route (frame-routes.ts): nothing is read back. */
  readonly readback: GPUBuffer | null;
  readonly bytesPerRow: number;
}

interface ModelInputTargets {
  readonly width: number;
  readonly height: number;
  readonly texture: GPUTexture;
  readonly readback: GPUBuffer;
  readonly bytesPerRow: number;
}

/**
 * Tier 1's compositor: every per-pixel step (downscale, mask refinement, blur,
 * mix) runs as WebGPU render passes; only the model's small input is read back.
 * The blur lives in frame-blur.ts, the mask history in mask-history.ts, the
 * background's textures in background-textures.ts.
 */
/** What a frame's render was planned with: the history masks held, and whether guided coefficients were. */
interface HeldMasks {
  readonly history: number;
  readonly guided: boolean;
}

export class WebGpuCompositor implements Compositor {
  readonly name = 'webgpu';
  /** Shares its GPU resources between stages: one frame at a time. */
  readonly overlaps = false;
  private readonly ledger: GpuMemoryLedger;
  private readonly device: GPUDevice;
  private readonly passes: GpuPasses;
  private readonly sampler: GPUSampler;
  private readonly downscaleToModelPipeline: GPURenderPipeline;
  private readonly compositePipeline: GPURenderPipeline;
  private readonly modelDownscaleParams: GPUBuffer;
  private readonly compositeParams: GPUBuffer;
  private readonly profile: boolean;
  private readonly uploader: FrameUploader;
  private readonly masks: WebGpuMaskHistory;
  private readonly guided: GuidedCoefficientsTexture;
  private readonly blur: WebGpuFrameBlur;
  /** The current frame as rgba on the GPU; uploaded once, used by every pass of that frame. */
  private frameRgb: GPUTexture | null = null;
  private uploadedFrame: VideoFrame | null = null;
  private modelInput: ModelInputTargets | null = null;
  private outputTargets: OutputTargets | null = null;
  /** Which of the shown-weight textures the last frame wrote. */
  private lastShown: 0 | 1 = 0;
  /** Whether that texture holds the guided weights a frame showed (not after a resize, a cleared mask or a frame without the guided mask). */
  private shownValid = false;
  /** Stands in for the guide before the model's input exists, and for the background while there is none (the shader then ignores it). */
  private readonly placeholderGuide: GPUTexture;
  private readonly background = new BackgroundFitter();
  private readonly backgroundTextures: BackgroundTextures;
  /** How frames enter and leave the GPU: the zero-copy routes where the start-up probe trusted them. */
  readonly frameRoutes: FrameRoutes;
  private readonly importer: ExternalFrameImporter | null;
  private readonly canvasOutput: CanvasFrameOutput | null;
  private destroyed = false;

  get gpuBytes(): number {
    return this.ledger.bytes;
  }

  /**
   * @param device a device the caller owns; `destroy()` releases this compositor's
   *   resources but leaves the device to its owner.
   * @param profile wait for the GPU after each stage so that the timings are real
   *   (costs throughput; for the benchmark only).
   * @param routes how frames enter and leave the GPU (frame-routes.ts's probe); the copy routes by default.
   */
  constructor(device: GPUDevice, profile = false, routes: FrameRoutes = copyRoutes('the zero-copy routes were not probed')) {
    this.device = device;
    this.profile = profile;
    this.frameRoutes = routes;
    // First, so that every texture and buffer below is counted.
    this.ledger = new GpuMemoryLedger(device);
    this.passes = new GpuPasses(device);
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge' });

    checkMaskBindings(downscaleSource, 'downscale-frame.wgsl');
    checkMaskBindings(compositeSource, 'composite.wgsl');
    const downscale = this.passes.module(downscaleSource, 'downscale-frame');
    const blur = this.passes.module(separableBlurSource, 'separable-blur');
    this.downscaleToModelPipeline = this.passes.pipeline(downscale, 'rgba8unorm', 'downscale to model input');
    this.compositePipeline = this.passes.pipeline(this.passes.module(compositeSource, 'composite'), [OUTPUT_FORMAT, SHOWN_WEIGHT_FORMAT], 'composite');

    this.modelDownscaleParams = this.passes.uniform(16, 'model downscale params');
    this.blur = new WebGpuFrameBlur(device, this.passes, this.sampler, downscale, blur);
    this.masks = new WebGpuMaskHistory(device, this.passes, blur);
    this.guided = new GuidedCoefficientsTexture(device, this.passes);
    this.compositeParams = this.passes.uniform(32, 'composite params');

    this.uploader = new FrameUploader(device, this.sampler);
    this.importer = routes.in === 'external' ? new ExternalFrameImporter(device, this.passes, this.sampler) : null;
    this.canvasOutput = routes.out === 'canvas' ? new CanvasFrameOutput(device) : null;

    this.placeholderGuide = this.passes.texture(1, 1, 'rgba8unorm', GPUTextureUsage.TEXTURE_BINDING, 'placeholder guide');
    this.backgroundTextures = new BackgroundTextures(device, this.passes);
  }

  async prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData> {
    const started = performance.now();
    const target = this.ensureModelInput(width, height);
    this.writeDownscaleParams(this.modelDownscaleParams, frame, width, height);
    const encoder = this.device.createCommandEncoder({ label: 'model input' });
    const rgb = await this.upload(frame, encoder, timings);
    this.passes.draw(encoder, this.downscaleToModelPipeline, target.texture, [
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
      const pixels = packRows(mapped, target.bytesPerRow, width * 4, height, new Uint8ClampedArray(width * height * 4));
      return new ImageData(pixels, width, height);
    } finally {
      target.readback.unmap();
      timings.readback = performance.now() - readStarted;
    }
  }

  async pushMask(mask: ConfidenceMask, guide: ImageData, refinement: MaskRefinement, timings: CompositorTimings): Promise<void> {
    const started = performance.now();
    // One refinement's state at a time: a switch starts the other from this mask.
    if (refinement === 'guided') {
      this.masks.clear();
      this.guided.push(mask, guide);
    } else {
      this.guided.clear();
      this.masks.push(mask, refinement);
    }
    if (this.profile) await this.device.queue.onSubmittedWorkDone();
    timings.refine = performance.now() - started;
  }

  get hasMask(): boolean {
    return this.masks.held > 0 || this.guided.held;
  }

  clearMasks(): void {
    this.masks.clear();
    this.guided.clear();
    this.shownValid = false;
  }

  setBackground(background: Background): void {
    this.background.set(background);
  }

  async render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame> {
    const { width, height } = frameSize(frame);
    const blurStarted = performance.now();
    // Decided before the upload's await, so that a mask cleared meanwhile cannot leave a frame at the slider's sigma without one:
    // clearing keeps the textures, so this frame still draws with the masks it was planned with.
    const masks: HeldMasks = { history: this.masks.held, guided: this.guided.held };
    const mode = params.view === 'mask' ? 'blur' : renderMode(this.background.current, this.hasMask);
    const blurred = this.blur.prepare(width, height, blurSigma(params.sigma, this.hasMask));
    const targets = this.ensureOutput(width, height);
    const encoder = this.device.createCommandEncoder({ label: 'frame' });
    const rgb = await this.upload(frame, encoder, timings);
    const fitted = mode === 'replace' ? this.backgroundTextures.upload(this.background.fit(width, height)!) : null;
    if (mode === 'blur') this.blur.encode(encoder, rgb, params, this.masks);
    if (this.profile) {
      this.device.queue.submit([encoder.finish()]);
      await this.device.queue.onSubmittedWorkDone();
    }
    timings.blur = performance.now() - blurStarted;
    return this.composite(frame, params, timings, this.profile ? null : encoder, rgb, blurred, targets, mode, fitted, masks);
  }

  /** The final pass and the read-back into a VideoFrame; `encoder` null starts a new one (profiling). */
  private async composite(
    frame: VideoFrame,
    params: RenderParams,
    timings: CompositorTimings,
    encoder: GPUCommandEncoder | null,
    rgb: GPUTexture,
    blurred: GPUTexture,
    targets: OutputTargets,
    mode: RenderMode,
    fitted: FittedBackground | null,
    masks: HeldMasks,
  ): Promise<VideoFrame> {
    const { width, height } = targets;
    const compositeStarted = performance.now();
    const compositeEncoder = encoder ?? this.device.createCommandEncoder({ label: 'composite' });
    const compositeBytes = new ArrayBuffer(32);
    const guided = masks.guided;
    new Uint32Array(compositeBytes, 0, 3).set([guided ? 1 : masks.history, params.view === 'mask' ? 1 : 0, params.refinement === 'refined' || params.refinement === 'weighted' ? 1 : 0]);
    new Float32Array(compositeBytes, 12, 1)[0] = EDGE_RANGE_SIGMA;
    new Uint32Array(compositeBytes, 16, 1)[0] = mode === 'blur' ? 0 : mode === 'replace' ? 1 : 2;
    new Float32Array(compositeBytes, 20, 1)[0] = params.lightWrap;
    new Uint32Array(compositeBytes, 24, 1)[0] = guided ? 1 : 0;
    new Float32Array(compositeBytes, 28, 1)[0] = guided && this.shownValid ? params.edgeHold : 0;
    this.device.queue.writeBuffer(this.compositeParams, 0, compositeBytes);
    const shown = targets.shownWeights[this.lastShown];
    const next = (1 - this.lastShown) as 0 | 1;
    this.lastShown = next;
    this.shownValid = guided;
    this.passes.draw(compositeEncoder, this.compositePipeline, [targets.output, targets.shownWeights[next]], [
      { binding: 0, resource: rgb.createView() },
      { binding: 1, resource: this.sampler },
      { binding: 2, resource: blurred.createView() },
      ...this.masks.entries(),
      { binding: MASK_HISTORY_END_BINDING, resource: { buffer: this.compositeParams } },
      { binding: MASK_HISTORY_END_BINDING + 1, resource: (this.modelInput?.texture ?? this.placeholderGuide).createView() },
      ...this.backgroundTextures.entries(fitted, this.placeholderGuide, MASK_HISTORY_END_BINDING + 2, MASK_HISTORY_END_BINDING + 3),
      { binding: MASK_HISTORY_END_BINDING + 4, resource: this.guided.view(guided) },
      { binding: MASK_HISTORY_END_BINDING + 5, resource: shown.createView() },
    ]);
    if (this.canvasOutput) {
      // The zero-copy route out: the probe showed that this device makes VideoFrames of a WebGPU canvas right.
      this.canvasOutput.encode(compositeEncoder, targets.output, width, height);
      this.device.queue.submit([compositeEncoder.finish()]);
      const output = this.canvasOutput.frame(frame.timestamp, frame.duration);
      timings.composite = performance.now() - compositeStarted;
      return output;
    }
    // Made whenever the canvas route does not run (ensureOutput).
    const readback = targets.readback!;
    compositeEncoder.copyTextureToBuffer(
      { texture: targets.output },
      { buffer: readback, bytesPerRow: targets.bytesPerRow },
      { width, height },
    );
    this.device.queue.submit([compositeEncoder.finish()]);
    // Chromium 156 loses the device when a VideoFrame (or ImageBitmap) is made
    // from a WebGPU OffscreenCanvas in a worker over SwiftShader, so unless the
    // probe trusted the canvas route the output leaves the GPU through a buffer.
    // VideoFrame copies it, so it is unmapped at once.
    await readback.mapAsync(GPUMapMode.READ);
    let output: VideoFrame;
    try {
      const mapped = new Uint8Array(readback.getMappedRange());
      const tightRow = width * 4;
      // Firefox 153 ignores `layout` strides, so rows padded to 256 bytes are packed tight first.
      const pixels = targets.bytesPerRow === tightRow ? mapped : packRows(mapped, targets.bytesPerRow, tightRow, height, this.packedOutput(tightRow * height));
      output = new VideoFrame(pixels, {
        format: 'RGBX',
        codedWidth: width,
        codedHeight: height,
        timestamp: frame.timestamp,
        ...(frame.duration !== null ? { duration: frame.duration } : {}),
      });
    } finally {
      readback.unmap();
    }
    timings.composite = performance.now() - compositeStarted;
    return output;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uploader.destroy();
    this.canvasOutput?.destroy();
    this.placeholderGuide.destroy();
    this.backgroundTextures.destroy();
    this.background.clear();
    this.frameRgb?.destroy();
    this.frameRgb = null;
    this.uploadedFrame = null;
    this.destroyModelInput();
    this.masks.destroy();
    this.guided.destroy();
    this.destroyOutput();
    this.blur.destroy();
    for (const buffer of [this.modelDownscaleParams, this.compositeParams]) buffer.destroy();
  }

  /** The output's tight rows, reused from frame to frame. */
  private packed = new Uint8Array(0);

  private packedOutput(bytes: number): Uint8Array {
    if (this.packed.byteLength !== bytes) this.packed = new Uint8Array(bytes);
    return this.packed;
  }

  /** Uploads `frame` unless it is the one already on the GPU; its passes go first in `encoder`. */
  private async upload(frame: VideoFrame, encoder: GPUCommandEncoder, timings: CompositorTimings): Promise<GPUTexture> {
    const { width, height } = frameSize(frame);
    if (!this.frameRgb || this.frameRgb.width !== width || this.frameRgb.height !== height) {
      this.frameRgb?.destroy();
      this.frameRgb = this.passes.texture(width, height, 'rgba8unorm',
        GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_DST, 'frame rgb');
      this.uploadedFrame = null;
    }
    if (this.uploadedFrame !== frame) {
      const started = performance.now();
      // The zero-copy route in, where the probe trusted it; the copy for any frame it will not import.
      if (!this.importer || !this.importFrame(frame, this.frameRgb, encoder)) await this.uploader.upload(frame, this.frameRgb, encoder);
      this.uploadedFrame = frame;
      timings.upload = performance.now() - started;
    }
    return this.frameRgb;
  }

  /** Draws `frame` into `target` through an external texture; false (nothing recorded) when the browser will not import it. */
  private importFrame(frame: VideoFrame, target: GPUTexture, encoder: GPUCommandEncoder): boolean {
    try {
      this.importer!.encode(frame, target, encoder);
      return true;
    } catch {
      return false;
    }
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

  private ensureModelInput(width: number, height: number): ModelInputTargets {
    if (this.modelInput && this.modelInput.width === width && this.modelInput.height === height) return this.modelInput;
    this.destroyModelInput();
    const bytesPerRow = alignedBytesPerRow(width);
    this.modelInput = {
      width,
      height,
      bytesPerRow,
      texture: this.passes.texture(width, height, 'rgba8unorm', GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.TEXTURE_BINDING, 'model input'),
      readback: this.device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'model input readback' }),
    };
    return this.modelInput;
  }

  private ensureOutput(width: number, height: number): OutputTargets {
    if (this.outputTargets && this.outputTargets.width === width && this.outputTargets.height === height) return this.outputTargets;
    this.destroyOutput();
    this.shownValid = false;
    const bytesPerRow = alignedBytesPerRow(width);
    this.outputTargets = {
      width,
      height,
      output: this.passes.texture(width, height, OUTPUT_FORMAT, GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC, 'output'),
      shownWeights: [0, 1].map((i) => this.passes.texture(width, height, SHOWN_WEIGHT_FORMAT, GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING, `shown weights ${i}`)) as [GPUTexture, GPUTexture],
      readback: this.canvasOutput ? null : this.device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'output readback' }),
      bytesPerRow,
    };
    return this.outputTargets;
  }

  private destroyModelInput(): void {
    this.modelInput?.texture.destroy();
    this.modelInput?.readback.destroy();
    this.modelInput = null;
  }

  private destroyOutput(): void {
    this.outputTargets?.output.destroy();
    for (const texture of this.outputTargets?.shownWeights ?? []) texture.destroy();
    this.outputTargets?.readback?.destroy();
    this.outputTargets = null;
  }
}
