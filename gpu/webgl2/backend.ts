import type { BackendDescriptor, StartedCompositor, StartOptions } from '../backend-descriptor.js';
import { WebGl2Compositor } from './webgl2-compositor.js';
import { probeWebGl2 } from './webgl2-probe.js';

/** Tier 2: WebGL2 in the worker, over insertable streams only; a step-down from tier 1. */
export const webGl2Backend: BackendDescriptor = {
  name: 'webgl2',
  renderer: 'gpu',
  rungs: [{ tier: 2, transports: ['insertable'] }],
  async probe() {
    const { ok, reason, software } = probeWebGl2();
    return {
      available: ok,
      reason,
      software,
      start: (options: StartOptions): StartedCompositor => {
        let released = false;
        const compositor = new WebGl2Compositor(() => {
          if (!released) options.onLost('the WebGL2 context was lost');
        });
        return {
          compositor,
          delegate: software ? 'CPU' : 'GPU',
          loseForTest: () => compositor.loseContextForTest(),
          release: () => {
            released = true;
            compositor.destroy();
          },
        };
      },
      // The probe's context is lost at once; nothing is held.
      release: () => undefined,
    };
  },
};
