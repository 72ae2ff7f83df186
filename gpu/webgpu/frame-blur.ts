import type { RenderParams } from '../compositor.js';
import { gaussianKernel, planBlur } from '../gaussian-kernel.js';
import type { GpuPasses } from './gpu-passes.js';
import { kernelUniform, KERNEL_UNIFORM_BYTES } from './kernel-uniform.js';
import { MASK_HISTORY_END_BINDING, type WebGpuMaskHistory } from './mask-history.js';

const BLUR_FORMAT: GPUTextureFormat = 'rgba8unorm';

/** The blur's ping-pong textures, at the frame's size over the plan's downsample. */
interface BlurTargets {
  readonly width: number;
  readonly height: number;
  readonly downsample: number;
  readonly a: GPUTexture;
  readonly b: GPUTexture;
}

/**
 * The frame's blurred copy, which the composite mixes in behind the person:
 * downscale (background-weighted for `weighted`), then the separable blur,
 * rows then columns, at the downsample that planBlur picks for the sigma.
 */
export class WebGpuFrameBlur {
  private readonly downscalePipeline: GPURenderPipeline;
  private readonly weightedPipeline: GPURenderPipeline;
  private readonly blurPipeline: GPURenderPipeline;
  private readonly downscaleParams: GPUBuffer;
  private readonly rowsParams: GPUBuffer;
  private readonly columnsParams: GPUBuffer;
  private readonly weightParams: GPUBuffer;
  private targets: BlurTargets | null = null;
  private sigma = -1;

  constructor(
    private readonly device: GPUDevice,
    private readonly passes: GpuPasses,
    private readonly sampler: GPUSampler,
    downscaleShader: GPUShaderModule,
    blurShader: GPUShaderModule,
  ) {
    this.downscalePipeline = passes.pipeline(downscaleShader, BLUR_FORMAT, 'downscale for blur');
    this.weightedPipeline = passes.pipeline(downscaleShader, BLUR_FORMAT, 'downscale for blur, background-weighted', 'fragmentBackgroundWeighted');
    this.blurPipeline = passes.pipeline(blurShader, BLUR_FORMAT, 'frame blur');
    this.downscaleParams = passes.uniform(16, 'blur downscale params');
    this.rowsParams = passes.uniform(KERNEL_UNIFORM_BYTES, 'blur rows params');
    this.columnsParams = passes.uniform(KERNEL_UNIFORM_BYTES, 'blur columns params');
    this.weightParams = passes.uniform(16, 'background weight params');
  }

  /** Sizes the textures and the kernel for a `width`×`height` frame at `sigma`; returns the texture the blur ends in. */
  prepare(width: number, height: number, sigma: number): GPUTexture {
    const plan = planBlur(sigma);
    const current = this.targets;
    if (!current || current.width !== width || current.height !== height || current.downsample !== plan.downsample) {
      this.destroyTargets();
      const smallWidth = Math.max(1, Math.round(width / plan.downsample));
      const smallHeight = Math.max(1, Math.round(height / plan.downsample));
      const usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT;
      this.targets = {
        width,
        height,
        downsample: plan.downsample,
        a: this.passes.texture(smallWidth, smallHeight, BLUR_FORMAT, usage, 'blur ping'),
        b: this.passes.texture(smallWidth, smallHeight, BLUR_FORMAT, usage, 'blur pong'),
      };
      this.sigma = -1;
      const bytes = new ArrayBuffer(16);
      new Float32Array(bytes, 0, 2).set([1 / smallWidth, 1 / smallHeight]);
      new Uint32Array(bytes, 8, 1)[0] = Math.max(1, plan.downsample / 2);
      this.device.queue.writeBuffer(this.downscaleParams, 0, bytes);
    }
    if (this.sigma !== sigma) {
      const kernel = gaussianKernel(plan.sigmaAtScale);
      this.device.queue.writeBuffer(this.rowsParams, 0, kernelUniform(kernel, [1, 0]));
      this.device.queue.writeBuffer(this.columnsParams, 0, kernelUniform(kernel, [0, 1]));
      this.sigma = sigma;
    }
    return this.targets!.a;
  }

  /** Records the blur of `rgb` into the texture `prepare` returned. */
  encode(encoder: GPUCommandEncoder, rgb: GPUTexture, params: RenderParams, masks: WebGpuMaskHistory): void {
    const targets = this.targets;
    if (!targets) throw new Error('WebGpuFrameBlur.encode before prepare');
    const weighted = params.refinement === 'weighted' && masks.held > 0;
    const downscaleEntries: GPUBindGroupEntry[] = [
      { binding: 0, resource: rgb.createView() },
      { binding: 1, resource: this.sampler },
      { binding: 2, resource: { buffer: this.downscaleParams } },
    ];
    if (weighted) {
      this.device.queue.writeBuffer(this.weightParams, 0, new Uint32Array([masks.held, 0, 0, 0]));
      downscaleEntries.push(...masks.entries(), { binding: MASK_HISTORY_END_BINDING, resource: { buffer: this.weightParams } });
    }
    this.passes.draw(encoder, weighted ? this.weightedPipeline : this.downscalePipeline, targets.a, downscaleEntries);
    this.passes.draw(encoder, this.blurPipeline, targets.b, [
      { binding: 0, resource: targets.a.createView() },
      { binding: 1, resource: { buffer: this.rowsParams } },
    ]);
    this.passes.draw(encoder, this.blurPipeline, targets.a, [
      { binding: 0, resource: targets.b.createView() },
      { binding: 1, resource: { buffer: this.columnsParams } },
    ]);
  }

  private destroyTargets(): void {
    this.targets?.a.destroy();
    this.targets?.b.destroy();
    this.targets = null;
  }

  destroy(): void {
    this.destroyTargets();
    for (const buffer of [this.downscaleParams, this.rowsParams, this.columnsParams, this.weightParams]) buffer.destroy();
  }
}
