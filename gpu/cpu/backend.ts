import type { BackendDescriptor, CpuRendererOptions, StartedCompositor, StartOptions } from '../backend-descriptor.js';
import { CpuCompositor } from './cpu-compositor.js';

/** The CPU renderer, paired with MediaPipe's CPU delegate: tier 4, and what a software GPU's backend renders with. */
export function startCpuRenderer(options: CpuRendererOptions): StartedCompositor {
  const compositor = new CpuCompositor(options);
  return { compositor, delegate: 'CPU', loseForTest: () => undefined, release: () => compositor.destroy() };
}

/** Tier 4: typed-array loops, on insertable streams where there are any, else canvas capture; every ladder's last step down. */
export const cpuBackend: BackendDescriptor = {
  name: 'cpu',
  renderer: 'cpu',
  // Insertable streams where there are any: no main-thread hop per frame. (In Chromium over SwiftShader, canvas capture
  // with the CPU renderer also left MediaPipe stuck making its WebGL context more often than not.)
  rungs: [{ tier: 4, transports: ['insertable', 'capture'], needsWebAssembly: true }],
  async probe() {
    return { available: true, reason: '', software: false, start: (options: StartOptions) => startCpuRenderer(options.cpuRenderer), release: () => undefined };
  },
};
