import type { BackendDescriptor } from './backend-descriptor.js';
import { cpuBackend } from './cpu/backend.js';
import { webGl2Backend } from './webgl2/backend.js';
import { webGpuBackend } from './webgpu/backend.js';

/**
 * Every backend the worker can run, best first: the order it probes them in
 * and steps down in. Each line is one gpu/<name>/backend.ts; the tiers they
 * give are in their descriptors' rungs.
 */
export const BACKENDS: readonly BackendDescriptor[] = [
  webGpuBackend,
  webGl2Backend,
  cpuBackend,
];
