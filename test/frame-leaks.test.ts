import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import type { BlurCamera } from '../dist/blur-camera.js';
import { readTrack } from './helpers/frames.js';
import { nextEvent, removeBlurCameras } from './helpers/resource-spy.js';
import { FRAME_LEAK, readConsole, startConsoleWatch } from './helpers/console-watch.js';

/** How long Chromium may take to report a leaked VideoFrame (seen: 0.5 to 9 s under load). */
const LEAK_REPORT_WAIT_MS = 20000;

/**
 * In a page of its own, so that a frame leaked by another test's teardown
 * cannot be collected during this run and be blamed on it.
 */
describe('<blur-camera> frame leaks', () => {
  afterEach(removeBlurCameras);

  it('runs 300 frames without a VideoFrame leak warning', async function () {
    // 300 frames at the few fps SwiftShader gives, plus the wait for Chromium's leak report.
    this.timeout(300000);
    await startConsoleWatch();
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    await nextEvent(element, 'trackready');
    const reader = readTrack(element.stream!.getVideoTracks()[0]!);
    let frames = 0;
    await reader.until(() => ++frames >= 300, 400);
    await reader.cancel();
    await element.stop();
    // Chromium reports leaked frames some seconds after the collection; wait as long as the control does.
    const gc = (globalThis as { gc?: () => void }).gc!;
    for (let i = 0; i < LEAK_REPORT_WAIT_MS / 250; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const leaks = (await readConsole()).filter((entry) => FRAME_LEAK.test(entry.text));
    expect(leaks, JSON.stringify(leaks)).to.deep.equal([]);
  });
  it('can see a leaked VideoFrame (control for the test above)', async () => {
    await startConsoleWatch();
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'chromium runs with --js-flags=--expose-gc').to.be.a('function');
    const canvas = new OffscreenCanvas(16, 16);
    canvas.getContext('2d')!.fillRect(0, 0, 16, 16);
    for (let i = 0; i < 4; i++) new VideoFrame(canvas, { timestamp: i });
    const started = performance.now();
    for (let i = 0; i < LEAK_REPORT_WAIT_MS / 250; i++) {
      gc!();
      await new Promise((resolve) => setTimeout(resolve, 250));
      if ((await readConsole()).some((entry) => FRAME_LEAK.test(entry.text))) {
        console.log(`leak reported after ${Math.round(performance.now() - started)} ms`);
        return;
      }
    }
    expect.fail('the console watch did not see the leak warning');
  });

  it('can see a VideoFrame leaked inside a worker (control: the pipeline\'s frames live in its worker)', async () => {
    await startConsoleWatch();
    const worker = new Worker(new URL('./fixtures/leak-frame-worker.js', import.meta.url), { type: 'module' });
    try {
      for (let i = 0; i < LEAK_REPORT_WAIT_MS / 250; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const seen = (await readConsole()).filter((entry) => FRAME_LEAK.test(entry.text));
        if (seen.length) {
          expect(seen[0]!.origin).to.contain('leak-frame-worker.js');
          return;
        }
      }
      expect.fail('the console watch did not see the worker\'s leak warning');
    } finally {
      worker.terminate();
    }
  });

});
