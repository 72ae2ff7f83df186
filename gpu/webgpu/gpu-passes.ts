import fullscreenSource from './fullscreen.wgsl';

/**
 * How the WebGPU compositor makes its pipelines and runs its passes: every
 * pass is one full-screen triangle into one target, with one bind group.
 */
export class GpuPasses {
  constructor(private readonly device: GPUDevice) {}

  /** A shader module with the full-screen vertex stage in front of `source`. */
  module(source: string, label: string): GPUShaderModule {
    return this.device.createShaderModule({ code: fullscreenSource + '\n' + source, label });
  }

  pipeline(shader: GPUShaderModule, format: GPUTextureFormat, label: string, entryPoint = 'fragmentMain'): GPURenderPipeline {
    return this.device.createRenderPipeline({
      label,
      layout: 'auto',
      vertex: { module: shader, entryPoint: 'vertexMain' },
      fragment: { module: shader, entryPoint, targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
  }

  uniform(size: number, label: string): GPUBuffer {
    return this.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
  }

  texture(width: number, height: number, format: GPUTextureFormat, usage: number, label: string): GPUTexture {
    return this.device.createTexture({ size: { width, height }, format, usage, label });
  }

  /** Records one pass that draws `pipeline` over the whole of `target`. */
  draw(encoder: GPUCommandEncoder, pipeline: GPURenderPipeline, target: GPUTexture, entries: GPUBindGroupEntry[]): void {
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
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
