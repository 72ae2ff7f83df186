import type { WebGl2Probe, WorkerCapabilities } from '../contract/protocol.js';
import { acquireWebGpu, type WebGpuAcquired } from './webgpu-probe.js';

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|software|lavapipe|basic render/i;

/** WebGL2 counts only when a context can be made on an OffscreenCanvas here, in the worker. */
export function probeWebGl2(): WebGl2Probe {
  if (typeof OffscreenCanvas === 'undefined') return { ok: false, reason: 'no OffscreenCanvas in workers', software: false };
  let gl: WebGL2RenderingContext | null = null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch (error) {
    return { ok: false, reason: `WebGL2 context creation failed: ${String(error)}`, software: false };
  }
  if (!gl) return { ok: false, reason: 'no WebGL2 context on OffscreenCanvas in a worker', software: false };
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { ok: true, reason: '', software: SOFTWARE_RENDERER.test(renderer) };
}

function probeAnyWebGl(): boolean {
  if (typeof OffscreenCanvas === 'undefined') return false;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return gl !== null;
  } catch {
    return false;
  }
}

/**
 * Tries for a WebGL context this many times before saying there is none:
 * WebKit's GPU process refused one now and then right after another page
 * released its contexts (a test run's tier 4 fell to tier 5 that way).
 */
const WEBGL_PROBE_ATTEMPTS = 4;

/** Probes everything the ladder needs; keeps the WebGPU device for the pipeline to use. */
export async function probeWorker(): Promise<{ capabilities: WorkerCapabilities; webgpu: WebGpuAcquired }> {
  const webgpu = await acquireWebGpu();
  const scope = self as unknown as Record<string, unknown>;
  let webgl2 = probeWebGl2();
  let webglForSegmenter = probeAnyWebGl();
  for (let attempt = 1; !webglForSegmenter && typeof OffscreenCanvas !== 'undefined' && attempt < WEBGL_PROBE_ATTEMPTS; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    webgl2 = probeWebGl2();
    webglForSegmenter = probeAnyWebGl();
  }
  return {
    webgpu,
    capabilities: {
      webgpu: webgpu.probe,
      webgl2,
      webglForSegmenter,
      trackProcessorInWorker: typeof scope['MediaStreamTrackProcessor'] === 'function' && typeof scope['VideoTrackGenerator'] === 'function',
    },
  };
}
