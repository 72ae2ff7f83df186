/** Bytes per texel of the formats the compositor uses; others count as 4. */
const BYTES_PER_TEXEL: Partial<Record<GPUTextureFormat, number>> = {
  r8unorm: 1,
  rg8unorm: 2,
  r16float: 2,
  r32float: 4,
  rgba8unorm: 4,
  bgra8unorm: 4,
  rgba16float: 8,
  rgba32float: 16,
};

function textureBytes(descriptor: GPUTextureDescriptor): number {
  const size = descriptor.size;
  const [width, height, layers] = Array.isArray(size)
    ? [size[0] ?? 1, size[1] ?? 1, size[2] ?? 1]
    : [(size as GPUExtent3DDict).width, (size as GPUExtent3DDict).height ?? 1, (size as GPUExtent3DDict).depthOrArrayLayers ?? 1];
  return width * height * layers * (BYTES_PER_TEXEL[descriptor.format] ?? 4);
}

/**
 * Counts the bytes of every texture and buffer made on a device until they are
 * destroyed, so `stats.gpuBytes` (and the soak test) can show that GPU memory
 * stays flat over an hour-long call. It wraps the device's own createTexture
 * and createBuffer, so no allocation can bypass it.
 */
export class GpuMemoryLedger {
  bytes = 0;

  constructor(device: GPUDevice) {
    const createTexture = device.createTexture.bind(device);
    const createBuffer = device.createBuffer.bind(device);
    device.createTexture = (descriptor: GPUTextureDescriptor): GPUTexture => this.track(createTexture(descriptor), textureBytes(descriptor));
    device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => this.track(createBuffer(descriptor), descriptor.size);
  }

  private track<T extends GPUTexture | GPUBuffer>(resource: T, bytes: number): T {
    this.bytes += bytes;
    const destroy = resource.destroy.bind(resource);
    let destroyed = false;
    resource.destroy = (): undefined => {
      if (!destroyed) {
        destroyed = true;
        this.bytes -= bytes;
      }
      destroy();
      return undefined;
    };
    return resource;
  }
}
