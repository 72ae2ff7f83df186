import { historyLength, type ConfidenceMask, type MaskRefinement } from '../compositor.js';
import { maskSmoothingKernel } from '../gaussian-kernel.js';
import { MASK_HISTORY_LENGTH, MASK_SIGMOID_STEEPNESS } from '../refine-constants.js';
import type { GpuPasses } from './gpu-passes.js';
import { kernelUniform, KERNEL_UNIFORM_BYTES } from './kernel-uniform.js';

const MASK_FORMAT: GPUTextureFormat = 'r16float';

/**
 * The binding of `mask0` in downscale-frame.wgsl and composite.wgsl; `mask1`…
 * follow it, one per history slot, and the shaders' next binding is
 * MASK_HISTORY_END_BINDING. WGSL cannot size a run of bindings by a constant,
 * so the shaders declare them one by one and `checkMaskBindings` ties their
 * count to MASK_HISTORY_LENGTH.
 */
export const MASK_HISTORY_FIRST_BINDING = 3;
export const MASK_HISTORY_END_BINDING = MASK_HISTORY_FIRST_BINDING + MASK_HISTORY_LENGTH;

/** Throws when a shader declares another number of history masks than MASK_HISTORY_LENGTH (a new length must change the WGSL too). */
export function checkMaskBindings(source: string, label: string): void {
  const declared = source.match(/var\s+mask\d+\s*:/g)?.length ?? 0;
  if (declared !== MASK_HISTORY_LENGTH) throw new Error(`${label} declares ${declared} history masks; MASK_HISTORY_LENGTH is ${MASK_HISTORY_LENGTH}`);
}

/** Textures whose size follows the mask (the model's output). */
interface MaskTargets {
  readonly width: number;
  readonly height: number;
  readonly raw: GPUTexture;
  readonly smoothedRows: GPUTexture;
  readonly history: readonly GPUTexture[];
}

/**
 * The WebGPU mask refinement: each new confidence mask is smoothed (rows, then
 * columns with the sigmoid) into the next slot of a ring of refined masks,
 * which the blur and composite passes average.
 */
export class WebGpuMaskHistory {
  /** The mask's smoothing, rows then columns (the columns pass adds the sigmoid through its uniform). */
  private readonly pipeline: GPURenderPipeline;
  private readonly rowsParams: GPUBuffer;
  private readonly columnsParams: GPUBuffer;
  private targets: MaskTargets | null = null;
  private refinement: MaskRefinement | null = null;
  private nextSlot = 0;
  /** How many slots hold a mask of the current size. */
  held = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly passes: GpuPasses,
    blurShader: GPUShaderModule,
  ) {
    this.pipeline = passes.pipeline(blurShader, MASK_FORMAT, 'mask smoothing');
    this.rowsParams = passes.uniform(KERNEL_UNIFORM_BYTES, 'mask rows params');
    this.columnsParams = passes.uniform(KERNEL_UNIFORM_BYTES, 'mask columns params');
  }

  /** The size of the masks held, or 1×1 before the first. */
  get size(): { width: number; height: number } {
    return { width: this.targets?.width ?? 1, height: this.targets?.height ?? 1 };
  }

  /** Refines `mask` into the next slot; its work is submitted, not awaited. */
  push(mask: ConfidenceMask, refinement: MaskRefinement): void {
    this.useRefinement(refinement);
    const targets = this.ensureTargets(mask.width, mask.height);
    this.device.queue.writeTexture(
      { texture: targets.raw },
      mask.data.buffer,
      { offset: mask.data.byteOffset, bytesPerRow: mask.width * 4 },
      { width: mask.width, height: mask.height },
    );
    const slot = targets.history[this.nextSlot]!;
    const encoder = this.device.createCommandEncoder({ label: 'mask refinement' });
    this.passes.draw(encoder, this.pipeline, targets.smoothedRows, [
      { binding: 0, resource: targets.raw.createView() },
      { binding: 1, resource: { buffer: this.rowsParams } },
    ]);
    this.passes.draw(encoder, this.pipeline, slot, [
      { binding: 0, resource: targets.smoothedRows.createView() },
      { binding: 1, resource: { buffer: this.columnsParams } },
    ]);
    this.device.queue.submit([encoder.finish()]);
    const length = historyLength(refinement);
    this.nextSlot = (this.nextSlot + 1) % length;
    this.held = Math.min(this.held + 1, length);
  }

  clear(): void {
    this.held = 0;
    this.nextSlot = 0;
  }

  /**
   * The history's bind group entries, `mask0` at MASK_HISTORY_FIRST_BINDING
   * onwards; before the first mask, 1×1 placeholders (the shaders then use none).
   */
  entries(): GPUBindGroupEntry[] {
    const { width, height } = this.size;
    return this.ensureTargets(width, height).history.map((texture, i) => ({ binding: MASK_HISTORY_FIRST_BINDING + i, resource: texture.createView() }));
  }

  /** `naive` skips the smoothing and the sigmoid and keeps one mask; the others use the seed's constants. */
  private useRefinement(refinement: MaskRefinement): void {
    if (refinement === this.refinement) return;
    const naive = refinement === 'naive';
    if (this.refinement !== null && (this.refinement === 'naive') !== naive) this.clear();
    this.refinement = refinement;
    const kernel = maskSmoothingKernel(naive);
    this.device.queue.writeBuffer(this.rowsParams, 0, kernelUniform(kernel, [1, 0]));
    this.device.queue.writeBuffer(this.columnsParams, 0, kernelUniform(kernel, [0, 1], naive ? 0 : MASK_SIGMOID_STEEPNESS));
  }

  private ensureTargets(width: number, height: number): MaskTargets {
    if (this.targets && this.targets.width === width && this.targets.height === height) return this.targets;
    this.destroyTargets();
    const sampled = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT;
    this.targets = {
      width,
      height,
      raw: this.passes.texture(width, height, 'r32float', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST, 'raw mask'),
      smoothedRows: this.passes.texture(width, height, MASK_FORMAT, sampled, 'mask smoothed along rows'),
      history: Array.from({ length: MASK_HISTORY_LENGTH }, (_, i) => this.passes.texture(width, height, MASK_FORMAT, sampled, `refined mask ${i}`)),
    };
    // A new mask size invalidates the history: averaging masks of two sizes is meaningless.
    this.clear();
    return this.targets;
  }

  private destroyTargets(): void {
    const targets = this.targets;
    if (!targets) return;
    for (const texture of [targets.raw, targets.smoothedRows, ...targets.history]) texture.destroy();
    this.targets = null;
  }

  destroy(): void {
    this.destroyTargets();
    this.rowsParams.destroy();
    this.columnsParams.destroy();
  }
}
