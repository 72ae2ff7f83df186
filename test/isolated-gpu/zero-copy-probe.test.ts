import { expect } from '@open-wc/testing';
import type { FrameRoutesReport } from '../fixtures/frame-routes-worker.js';

/**
 * In a Chromium of its own (the `chromium-isolated-gpu` group): over
 * SwiftShader a zero-copy route that fails takes WebGPU's devices down with
 * it, which must not reach the other test files.
 */
describe('the zero-copy probe (issue 17)', () => {
  it('over SwiftShader, run apart from the worker that renders, it tries both routes and picks the copy routes; a device acquired after it works', async () => {
    const worker = new Worker(new URL('../fixtures/frame-routes-worker.ts', import.meta.url), { type: 'module' });
    try {
      const report = await new Promise<FrameRoutesReport | { error: string }>((resolve, reject) => {
        worker.addEventListener('message', (event: MessageEvent<FrameRoutesReport | { error: string }>) => resolve(event.data));
        worker.addEventListener('error', (event) => reject(new Error(event.message || 'the probe worker failed to load')));
        worker.postMessage({ type: 'run' });
      });
      if ('error' in report) expect.fail(report.error);
      console.log(`zero-copy probe over SwiftShader: ${JSON.stringify(report)}`);
      expect(report.routes.in).to.equal('copy');
      expect(report.routes.out).to.equal('readback');
      // The probe says why: the routes lost its device, or a canary came out wrong or failed.
      expect(report.routes.why).to.match(/lost the probe's device|came out wrong|failed/);
      // A device acquired after the probe works: the blur worker acquires the compositor's after it (gpu/webgpu/backend.ts).
      // (A device held across the probe was lost with it over SwiftShader: heldDeviceFault in the log above.)
      expect(report.freshDeviceFault).to.equal(null);
    } finally {
      worker.terminate();
    }
  });
});
