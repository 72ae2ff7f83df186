import { expect, fixture, html } from '@open-wc/testing';
import '../../dist/blur-camera.js';
import type { BlurCamera, BlurErrorDetail } from '../../dist/blur-camera.js';
import { nextEvent, removeBlurCameras, useResourceSpy } from '../helpers/resource-spy.js';

/**
 * Runs in a Chromium launched without --use-fake-ui-for-media-stream, so the
 * camera permission is really refused (headless denies the prompt): a real
 * NotAllowedError, not a stub.
 */
describe('faults: camera permission denied (a real NotAllowedError)', () => {
  const spy = useResourceSpy(async () => {
    await removeBlurCameras();
  });

  it('gives error "permission-denied", the error state, a badge and a console message that say what to do', async () => {
    const element = document.createElement('blur-camera') as BlurCamera;
    const errored = nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error');
    const logged: string[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      originalError.apply(console, args);
    };
    try {
      document.body.append(element);
      const error = (await errored).detail;
      expect(error.type).to.equal('permission-denied');
      expect(error.message).to.contain('Allow the camera');
      await element.updateComplete;
      expect(element.state).to.equal('error');
      expect(element.stream).to.equal(null);
      expect(element.shadowRoot!.querySelector('[part="badge"]')!.textContent).to.contain('allow it in the site settings');
      expect(logged.some((line) => line.includes('Allow the camera'))).to.equal(true);
      // Nothing left running.
      expect(spy().liveTracks()).to.have.length(0);
      expect(spy().liveWorkers()).to.equal(0);
    } finally {
      console.error = originalError;
    }
  });

  it('start() asks again (and is refused again, without leaking anything)', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
    const errored = nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error');
    const calls = spy().getUserMediaCalls();
    await element.start().catch(() => undefined);
    expect((await errored).detail.type).to.equal('permission-denied');
    expect(spy().getUserMediaCalls()).to.be.above(calls);
    expect(spy().liveWorkers()).to.equal(0);
  });
});
