import type { MainToWorker, WorkerToMain } from '../contract/protocol.js';
import { copyRoutes, type FrameRoutes } from '../gpu/webgpu/frame-routes.js';

/** Longest wait for the probe's answer; a copy that does not answer leaves the copy routes. */
const ROUTE_PROBE_TIMEOUT_MS = 10000;

/**
 * Runs the zero-copy frame-route probe (gpu/webgpu/frame-routes.ts) in a
 * throwaway copy of this worker (`scriptUrl`, the blur worker's own script),
 * which is terminated after it answers. A route that fails can take WebGPU
 * down with it: over SwiftShader the probe's own device was lost, and so was
 * a device held by the worker that started the copy ("A valid external
 * Instance reference no longer exists"), while a device that worker acquired
 * afterwards worked (test/isolated-gpu/). So the probe runs before the
 * compositor's device is acquired (gpu/webgpu/backend.ts), and apart, so
 * that the worker that renders never holds a WebGPU instance a route broke.
 */
export function probeFrameRoutesApart(scriptUrl: string): Promise<FrameRoutes> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(scriptUrl, { type: 'module', name: 'blur-camera frame-route probe' });
    } catch (error) {
      resolve(copyRoutes(`the zero-copy probe's worker did not start (${String(error)})`));
      return;
    }
    const finish = (routes: FrameRoutes): void => {
      clearTimeout(timer);
      worker.terminate();
      resolve(routes);
    };
    const timer = setTimeout(() => finish(copyRoutes(`the zero-copy probe gave no answer in ${ROUTE_PROBE_TIMEOUT_MS / 1000} s`)), ROUTE_PROBE_TIMEOUT_MS);
    worker.addEventListener('message', (event: MessageEvent<WorkerToMain>) => {
      if (event.data.type === 'frame-routes') finish(event.data.routes);
      else if (event.data.type === 'error') finish(copyRoutes(`the zero-copy probe failed (${event.data.message})`));
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      finish(copyRoutes(`the zero-copy probe's worker failed (${event.message || 'it could not be loaded'})`));
    });
    const request: MainToWorker = { type: 'probe-frame-routes' };
    worker.postMessage(request);
  });
}
