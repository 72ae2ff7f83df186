import type { GaussianKernel } from '../gaussian-kernel.js';

/** Byte size of separable-blur.wgsl's uniform: direction, radius, 32 weights, steepness (padded to 16). */
export const KERNEL_UNIFORM_BYTES = 160;
const KERNEL_WEIGHT_SLOTS = 32;

/** separable-blur.wgsl's uniform for one direction of `kernel`; a `steepness` above 0 adds the mask's sigmoid. */
export function kernelUniform(kernel: GaussianKernel, direction: [number, number], steepness = 0): ArrayBuffer {
  if (kernel.radius >= KERNEL_WEIGHT_SLOTS) throw new RangeError(`blur radius ${kernel.radius} exceeds the shader's ${KERNEL_WEIGHT_SLOTS - 1}`);
  const bytes = new ArrayBuffer(KERNEL_UNIFORM_BYTES);
  const ints = new Int32Array(bytes, 0, 3);
  ints.set([direction[0], direction[1], kernel.radius]);
  new Float32Array(bytes, 16, KERNEL_WEIGHT_SLOTS).set(kernel.weights);
  new Float32Array(bytes, 144, 1)[0] = steepness;
  return bytes;
}
