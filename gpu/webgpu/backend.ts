import type { BackendDescriptor, StartedCompositor, StartOptions } from '../backend-descriptor.js';
import { WebGpuCompositor } from './webgpu-compositor.js';
import { acquireWebGpu, adapterIsSoftware, type WebGpuAcquired } from './webgpu-probe.js';
import type { ProbeEnvironment } from '../backend-descriptor.js';
import { copyRoutes, type FrameRoutes } from './frame-routes.js';

/** Starts the compositor on the device the probe acquired; `acquired` is this start's to release from here. */
function startWebGpu(acquired: WebGpuAcquired | null, routes: FrameRoutes, options: StartOptions): StartedCompositor {
  const device = acquired?.device;
  if (!device) throw new Error('no WebGPU device');
  let released = false;
  void device.lost.then((info) => {
    if (!released) options.onLost(`the WebGPU device was lost (${info.reason}: ${info.message})`);
  });
  device.addEventListener('uncapturederror', (event) => {
    console.error('blur-camera: WebGPU error', (event as GPUUncapturedErrorEvent).error.message);
  });
  const release = (): void => {
    released = true;
    device.destroy();
    // The adapter must outlive the device (see webgpu-probe.ts), so this closure holds it until now.
    void acquired.adapter;
  };
  let compositor: WebGpuCompositor;
  try {
    compositor = new WebGpuCompositor(device, options.profile, routes);
  } catch (error) {
    release();
    throw error;
  }
  return {
    compositor,
    delegate: acquired.probe.fallbackAdapter ? 'CPU' : 'GPU',
    loseForTest: () => device.destroy(),
    release: () => {
      compositor.destroy();
      release();
    },
  };
}

/**
 * The zero-copy routes where they can pay and a probe trusts them: a software
 * adapter renders on the CPU renderer unless a page forces the GPU one, and
 * over SwiftShader both routes lose the device, so it is not probed.
 */
async function frameRoutes(environment: ProbeEnvironment): Promise<FrameRoutes> {
  const software = await adapterIsSoftware();
  if (software === null) return copyRoutes('no WebGPU adapter');
  if (software) return copyRoutes('a software adapter: not probed (over SwiftShader the zero-copy routes lose the device)');
  return environment.probeFrameRoutesApart();
}

/** Tier 1 over insertable streams, tier 3 over canvas capture. */
export const webGpuBackend: BackendDescriptor = {
  name: 'webgpu',
  renderer: 'gpu',
  rungs: [
    { tier: 1, transports: ['insertable'] },
    { tier: 3, transports: ['capture'] },
  ],
  async probe(environment) {
    // WebGPU counts only when requestDevice succeeds, so the probe holds a device: the compositor runs on that one.
    // The routes first: a zero-copy route that fails takes every WebGPU device of the page's process with it (measured
    // over SwiftShader, test/isolated-gpu/), while a device acquired after it works. So the compositor's comes after.
    const routes = await frameRoutes(environment);
    let held: WebGpuAcquired | null = await acquireWebGpu();
    const { ok, reason, fallbackAdapter } = held.probe;
    return {
      available: ok,
      reason,
      software: fallbackAdapter,
      start: (options) => {
        const acquired = held;
        held = null;
        return startWebGpu(acquired, routes, options);
      },
      release: () => {
        held?.device?.destroy();
        held = null;
      },
    };
  },
};
