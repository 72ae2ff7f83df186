import type { BackendDescriptor, StartedCompositor, StartOptions } from '../backend-descriptor.js';
import { WebGpuCompositor } from './webgpu-compositor.js';
import { acquireWebGpu, type WebGpuAcquired } from './webgpu-probe.js';

/** Starts the compositor on the device the probe acquired; `acquired` is this start's to release from here. */
function startWebGpu(acquired: WebGpuAcquired | null, options: StartOptions): StartedCompositor {
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
    compositor = new WebGpuCompositor(device, options.profile);
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

/** Tier 1 over insertable streams, tier 3 over canvas capture. */
export const webGpuBackend: BackendDescriptor = {
  name: 'webgpu',
  renderer: 'gpu',
  rungs: [
    { tier: 1, transports: ['insertable'] },
    { tier: 3, transports: ['capture'] },
  ],
  async probe() {
    // WebGPU counts only when requestDevice succeeds, so the probe holds a device: the compositor runs on that one.
    let held: WebGpuAcquired | null = await acquireWebGpu();
    const { ok, reason, fallbackAdapter } = held.probe;
    return {
      available: ok,
      reason,
      software: fallbackAdapter,
      start: (options) => {
        const acquired = held;
        held = null;
        return startWebGpu(acquired, options);
      },
      release: () => {
        held?.device?.destroy();
        held = null;
      },
    };
  },
};
