import fullscreenSource from './fullscreen.wgsl';

/**
 * How the WebGPU compositor makes its pipelines and runs its passes: every
 * pass is one full-screen triangle into its target (or targets, for a shader
 * with more than one output), with one bind group.
 */
export class GpuPasses {
  constructor(private readonly device: GPUDevice) {}

  /** A shader module with the full-screen vertex stage in front of `source`. */
  module(source: string, label: string): GPUShaderModule {
    return this.device.createShaderModule({ code: fullscreenSource + '\n' + source, label });
  }

  /** `format`: the target's, or one per output of the shader, in location order. */
  pipeline(shader: GPUShaderModule, format: GPUTextureFormat | readonly GPUTextureFormat[], label: string, entryPoint = 'fragmentMain'): GPURenderPipeline {
    const formats = typeof format === 'string' ? [format] : format;
    return this.device.createRenderPipeline({
      label,
      layout: 'auto',
      vertex: { module: shader, entryPoint: 'vertexMain' },
      fragment: { module: shader, entryPoint, targets: formats.map((f) => ({ format: f })) },
      primitive: { topology: 'triangle-list' },
    });
  }

  uniform(size: number, label: string): GPUBuffer {
    return this.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
  }

  texture(width: number, height: number, format: GPUTextureFormat, usage: number, label: string): GPUTexture {
    return this.device.createTexture({ size: { width, height }, format, usage, label });
  }

  /** Records one pass that draws `pipeline` over the whole of `target` (or of each target, one per output of its shader). */
  draw(encoder: GPUCommandEncoder, pipeline: GPURenderPipeline, target: GPUTexture | readonly GPUTexture[], entries: GPUBindGroupEntry[]): void {
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const targets: readonly GPUTexture[] = 'createView' in target ? [target] : target;
    const pass = encoder.beginRenderPass({
      colorAttachments: targets.map((t) => ({ view: t.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } })),
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  }
}

/** copyTextureToBuffer needs rows aligned to 256 bytes. */
export function alignedBytesPerRow(width: number): number {
  return Math.ceil((width * 4) / 256) * 256;
}
