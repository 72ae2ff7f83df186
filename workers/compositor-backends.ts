import { Canvas2DCompositor } from '../gpu/canvas2d/canvas2d-compositor.js';
import type { Compositor } from '../gpu/compositor.js';
import { WebGl2Compositor } from '../gpu/webgl2/webgl2-compositor.js';
import { WebGpuCompositor } from '../gpu/webgpu/webgpu-compositor.js';
import { CpuCompositor } from '../gpu/cpu/cpu-compositor.js';
import type { Backend, RendererPreference, WorkerCapabilities } from './protocol.js';
import type { WebGpuAcquired } from './webgpu-probe.js';

/** A compositor with what it runs on, and the one place its GPU faults are caught. */
export interface RunningBackend {
  readonly backend: Backend;
  readonly compositor: Compositor;
  /** MediaPipe's delegate to pair with this backend. */
  readonly delegate: 'CPU' | 'GPU';
  /** Test hook: lose the device or context as a GPU reset would. */
  loseForTest(): void;
  /** Destroys the compositor and its device or context. */
  release(): void;
}

export interface BackendContext {
  readonly capabilities: WorkerCapabilities;
  /** The device the probe acquired; used once, by the first WebGPU backend. */
  webgpu: WebGpuAcquired | null;
  readonly profile: boolean;
  readonly renderer: RendererPreference;
  /** Called once when the running backend's device or context is lost unexpectedly. */
  readonly onLost: (backend: Backend, reason: string) => void;
}

/**
 * Whether the backend's GPU is a software one that the CPU renderer beats:
 * measured here, one trivial 720p WebGL2 pass over SwiftShader costs 63 ms of
 * CPU per frame, the whole CPU renderer about 15 ms.
 */
function rendersOnCpu(backend: Backend, context: BackendContext): boolean {
  if (context.renderer !== 'auto') return false;
  if (backend === 'webgpu') return context.capabilities.webgpu.fallbackAdapter;
  if (backend === 'webgl2') return context.capabilities.webgl2.software;
  return false;
}

/** The CPU renderer in a GPU tier's place; there is no device to hold, so the probe's is destroyed. */
function startCpuRenderer(backend: Backend, context: BackendContext): RunningBackend {
  if (backend === 'webgpu') {
    context.webgpu?.device?.destroy();
    context.webgpu = null;
  }
  const compositor = new CpuCompositor();
  return { backend, compositor, delegate: 'CPU', loseForTest: () => undefined, release: () => compositor.destroy() };
}

export async function startBackend(backend: Backend, context: BackendContext): Promise<RunningBackend> {
  if (rendersOnCpu(backend, context)) return startCpuRenderer(backend, context);
  switch (backend) {
    case 'webgpu': {
      const acquired = context.webgpu;
      context.webgpu = null;
      const device = acquired?.device;
      if (!device) throw new Error('no WebGPU device');
      let released = false;
      void device.lost.then((info) => {
        if (!released) context.onLost('webgpu', `the WebGPU device was lost (${info.reason}: ${info.message})`);
      });
      device.addEventListener('uncapturederror', (event) => {
        console.error('blur-camera: WebGPU error', (event as GPUUncapturedErrorEvent).error.message);
      });
      const compositor = new WebGpuCompositor(device, context.profile);
      // The adapter must outlive the device (see webgpu-probe.ts), so the closure holds it.
      const adapter = acquired.adapter;
      return {
        backend,
        compositor,
        delegate: context.capabilities.webgpu.fallbackAdapter ? 'CPU' : 'GPU',
        loseForTest: () => device.destroy(),
        release: () => {
          released = true;
          compositor.destroy();
          device.destroy();
          void adapter;
        },
      };
    }
    case 'webgl2': {
      let released = false;
      const compositor = new WebGl2Compositor(() => {
        if (!released) context.onLost('webgl2', 'the WebGL2 context was lost');
      });
      return {
        backend,
        compositor,
        delegate: context.capabilities.webgl2.software ? 'CPU' : 'GPU',
        loseForTest: () => compositor.loseContextForTest(),
        release: () => {
          released = true;
          compositor.destroy();
        },
      };
    }
    case 'canvas2d': {
      const compositor = new Canvas2DCompositor();
      return { backend, compositor, delegate: 'CPU', loseForTest: () => undefined, release: () => compositor.destroy() };
    }
  }
}
